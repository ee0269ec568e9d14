import { ld, st } from './mem';
import * as P from './plan';
import { gemmABt, gemmAtB, gemmAB } from './gemm';
import { addBias, sumRows, activate, activateBackward } from './activations';
import { loss, lossBackward, fusedWithOutput } from './losses';
import { sgd } from './optimizers';
import { gather } from './gather';

// The fused passes: the same sequence of kernel calls as src/passes.ts, run inside Wasm so that a
// whole batch (or many) costs one call from JS.

@inline function field(plan: i32, f: i32): i32 {
  return <i32>ld(plan + f);
}

@inline function layerField(plan: i32, l: i32, f: i32): i32 {
  return <i32>ld(plan + P.HEADER + l * P.LAYER + f);
}

/** Forward pass of `rows` samples from the plan's X buffer into each layer's Z and A. */
export function forward(plan: i32, rows: i32): void {
  const layers = field(plan, P.N_LAYERS);
  let input = field(plan, P.X);
  for (let l = 0; l < layers; l++) {
    const inputs = layerField(plan, l, P.L_INPUTS), units = layerField(plan, l, P.L_UNITS);
    const z = layerField(plan, l, P.L_Z), a = layerField(plan, l, P.L_A), b = layerField(plan, l, P.L_B);
    gemmABt(rows, units, inputs, input, layerField(plan, l, P.L_W), z, 0);
    if (b >= 0) addBias(rows, units, b, z);
    activate(layerField(plan, l, P.L_ACT), rows, units, z, a);
    input = a;
  }
}

/** Mean loss of the last forward pass against the plan's Y buffer. */
export function batchLoss(plan: i32, rows: i32): f64 {
  const last = field(plan, P.N_LAYERS) - 1;
  return loss(field(plan, P.LOSS), rows, layerField(plan, last, P.L_UNITS),
    layerField(plan, last, P.L_Z), layerField(plan, last, P.L_A), field(plan, P.Y));
}

/** Backward pass after forward: writes dL/dparams into the gradient block (overwrites). */
export function backward(plan: i32, rows: i32): void {
  const last = field(plan, P.N_LAYERS) - 1;
  const lossKind = field(plan, P.LOSS);
  const toGrad = field(plan, P.GRADS) - field(plan, P.PARAMS);
  let dz = field(plan, P.D0), spare = field(plan, P.D1);
  let units = layerField(plan, last, P.L_UNITS);
  lossBackward(lossKind, rows, units, layerField(plan, last, P.L_A), field(plan, P.Y), dz);
  if (!fusedWithOutput(lossKind)) {
    activateBackward(layerField(plan, last, P.L_ACT), rows, units,
      layerField(plan, last, P.L_Z), layerField(plan, last, P.L_A), dz, dz);
  }
  for (let l = last; l >= 0; l--) {
    units = layerField(plan, l, P.L_UNITS);
    const inputs = layerField(plan, l, P.L_INPUTS);
    const w = layerField(plan, l, P.L_W), b = layerField(plan, l, P.L_B);
    const input = l > 0 ? layerField(plan, l - 1, P.L_A) : field(plan, P.X);
    gemmAtB(units, inputs, rows, dz, input, w + toGrad, 0);
    if (b >= 0) sumRows(rows, units, dz, b + toGrad);
    if (l > 0) {
      gemmAB(rows, inputs, units, dz, w, spare, 0);
      activateBackward(layerField(plan, l - 1, P.L_ACT), rows, inputs,
        layerField(plan, l - 1, P.L_Z), layerField(plan, l - 1, P.L_A), spare, spare);
      const t = dz; dz = spare; spare = t;
    }
  }
}

/** One optimizer update of the parameter block from the gradient block. */
export function step(plan: i32): void {
  sgd(field(plan, P.N_PARAMS), field(plan, P.PARAMS), field(plan, P.GRADS), field(plan, P.STATE),
    ld(plan + P.LR), ld(plan + P.MOMENTUM), field(plan, P.NESTEROV));
}

/** One training step on the batch in the plan's X/Y buffers: forward, loss, backward, update. Returns the loss before the update. */
export function trainStep(plan: i32, rows: i32): f64 {
  forward(plan, rows);
  const l = batchLoss(plan, rows);
  backward(plan, rows);
  step(plan);
  return l;
}

/**
 * Trains on samples perm[start..start+count) of data set (dataX, dataY) in batches of batchSize
 * (the last may be smaller): gather, forward, loss, backward, step per batch. Writes each batch's
 * loss (before its update) to losses[b]; returns Σ batch loss × batch rows.
 */
export function trainBatches(plan: i32, dataX: i32, dataY: i32, perm: i32, start: i32, count: i32,
  batchSize: i32, losses: i32): f64 {
  const inputs = field(plan, P.INPUTS);
  const outputs = layerField(plan, field(plan, P.N_LAYERS) - 1, P.L_UNITS);
  let total: f64 = 0;
  for (let done = 0, b = 0; done < count; done += batchSize, b++) {
    const rows = min(batchSize, count - done);
    gather(rows, inputs, dataX, perm, start + done, field(plan, P.X));
    gather(rows, outputs, dataY, perm, start + done, field(plan, P.Y));
    const l = trainStep(plan, rows);
    st(losses + b, l);
    total += l * rows;
  }
  return total;
}
