import { ld, st } from './mem';
import * as P from './plan';
import { gemmABt, gemmAtB, gemmAB } from './gemm';
import { addBias, sumRows, activate, activateBackward } from './activations';
import { loss, lossBackward, fusedWithOutput } from './losses';
import { sgd, adam, rmsprop, adagrad, ADAM, ADAMW, RMSPROP, ADAGRAD } from './optimizers';
import { axpy, sumSquares, scale, clipValue, multiply, dropoutMask } from './regularize';
import { metric } from './metrics';
import { gather } from './gather';

// The fused passes: the same sequence of kernel calls as src/passes.ts, run inside Wasm so that a
// whole batch (or many) costs one call from JS.

@inline function field(plan: i32, f: i32): i32 {
  return <i32>ld(plan + f);
}

@inline function layerField(plan: i32, l: i32, f: i32): i32 {
  return <i32>ld(plan + P.HEADER + l * P.LAYER + f);
}

@inline function layerValue(plan: i32, l: i32, f: i32): f64 {
  return ld(plan + P.HEADER + l * P.LAYER + f);
}

/** The dropout seed of layer l for the current step: a 32-bit mix of the step counter and l. */
@inline export function dropoutSeed(counter: f64, l: i32): u32 {
  return (<u32>counter * 0x632be5ab) ^ (<u32>(l + 1) * 0x1b873593);
}

/** Forward pass of `rows` samples from the plan's X buffer into each layer's Z and A; dropout only when training. */
export function forward(plan: i32, rows: i32, training: i32): void {
  const layers = field(plan, P.N_LAYERS);
  let input = field(plan, P.X);
  for (let l = 0; l < layers; l++) {
    const inputs = layerField(plan, l, P.L_INPUTS), units = layerField(plan, l, P.L_UNITS);
    const z = layerField(plan, l, P.L_Z), a = layerField(plan, l, P.L_A), b = layerField(plan, l, P.L_B);
    gemmABt(rows, units, inputs, input, layerField(plan, l, P.L_W), z, 0);
    if (b >= 0) addBias(rows, units, b, z);
    activate(layerField(plan, l, P.L_ACT), rows, units, z, a);
    const rate = layerValue(plan, l, P.L_DROPOUT);
    if (training && rate > 0) {
      const mask = layerField(plan, l, P.L_MASK);
      dropoutMask(rows * units, mask, rate, dropoutSeed(ld(field(plan, P.COUNTERS) + 1), l));
      multiply(rows * units, a, mask);
    }
    input = a;
  }
}

/** Mean loss of the last forward pass against the plan's Y buffer, plus Σ_l ½λ_l‖W_l‖². */
export function batchLoss(plan: i32, rows: i32): f64 {
  const layers = field(plan, P.N_LAYERS), last = layers - 1;
  let s = loss(field(plan, P.LOSS), rows, layerField(plan, last, P.L_UNITS),
    layerField(plan, last, P.L_Z), layerField(plan, last, P.L_A), field(plan, P.Y));
  for (let l = 0; l < layers; l++) {
    const l2 = layerValue(plan, l, P.L_L2);
    if (l2 > 0) s += 0.5 * l2 * sumSquares(layerField(plan, l, P.L_UNITS) * layerField(plan, l, P.L_INPUTS), layerField(plan, l, P.L_W));
  }
  return s;
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
    const l2 = layerValue(plan, l, P.L_L2);
    if (l2 > 0) axpy(units * inputs, l2, w, w + toGrad);
    if (b >= 0) sumRows(rows, units, dz, b + toGrad);
    if (l > 0) {
      gemmAB(rows, inputs, units, dz, w, spare, 0);
      if (layerValue(plan, l - 1, P.L_DROPOUT) > 0) multiply(rows * inputs, spare, layerField(plan, l - 1, P.L_MASK));
      activateBackward(layerField(plan, l - 1, P.L_ACT), rows, inputs,
        layerField(plan, l - 1, P.L_Z), layerField(plan, l - 1, P.L_A), spare, spare);
      const t = dz; dz = spare; spare = t;
    }
  }
}

/** Gradient clipping (global norm, then value) and one optimizer update; advances the step counter. */
export function step(plan: i32): void {
  const n = field(plan, P.N_PARAMS), p = field(plan, P.PARAMS), g = field(plan, P.GRADS), s = field(plan, P.STATE);
  const clipNorm = ld(plan + P.CLIP_NORM), clip = ld(plan + P.CLIP_VALUE);
  if (clipNorm > 0) {
    const norm = Math.sqrt(sumSquares(n, g));
    if (norm > clipNorm) scale(n, g, clipNorm / norm);
  }
  if (clip > 0) clipValue(n, g, clip);
  const counters = field(plan, P.COUNTERS);
  const t = ld(counters) + 1;
  st(counters, t);
  const kind = field(plan, P.OPTIMIZER), lr = ld(plan + P.LR), beta1 = ld(plan + P.BETA1), eps = ld(plan + P.EPS);
  if (kind == ADAM || kind == ADAMW) adam(n, p, g, s, s + ((n + 1) & ~1), lr, beta1, ld(plan + P.BETA2), eps, t, ld(plan + P.WEIGHT_DECAY));
  else if (kind == RMSPROP) rmsprop(n, p, g, s, lr, beta1, eps);
  else if (kind == ADAGRAD) adagrad(n, p, g, s, lr, eps);
  else sgd(n, p, g, s, lr, beta1, field(plan, P.NESTEROV));
}

/**
 * One training step on the batch in the plan's X/Y buffers: forward (with dropout), loss, backward,
 * update. Returns the loss before the update; a non-finite loss stops before backward, leaving the
 * parameters untouched.
 */
export function trainStep(plan: i32, rows: i32): f64 {
  forward(plan, rows, 1);
  const l = batchLoss(plan, rows);
  if (!isFinite(l)) return l;
  backward(plan, rows);
  step(plan);
  const c = field(plan, P.COUNTERS) + 1;
  st(c, (ld(c) + 1) % 4294967296);
  return l;
}

/**
 * Trains on samples perm[start..start+count) of data set (dataX, dataY) in batches of batchSize
 * (the last may be smaller). For batch b, lr = lrs[b] when lrs ≥ 0; writes out[2b] = loss before
 * the update and out[2b+1] = the metric sum. Stops after a non-finite loss; returns batches run.
 */
export function trainBatches(plan: i32, dataX: i32, dataY: i32, perm: i32, start: i32, count: i32,
  batchSize: i32, out: i32, lrs: i32): i32 {
  const inputs = field(plan, P.INPUTS);
  const last = field(plan, P.N_LAYERS) - 1;
  const outputs = layerField(plan, last, P.L_UNITS);
  let b = 0;
  for (let done = 0; done < count; done += batchSize) {
    const rows = min(batchSize, count - done);
    gather(rows, inputs, dataX, perm, start + done, field(plan, P.X));
    gather(rows, outputs, dataY, perm, start + done, field(plan, P.Y));
    if (lrs >= 0) st(plan + P.LR, ld(lrs + b));
    const l = trainStep(plan, rows);
    st(out + 2 * b, l);
    st(out + 2 * b + 1, metric(field(plan, P.METRIC), rows, outputs, layerField(plan, last, P.L_A), field(plan, P.Y)));
    b++;
    if (!isFinite(l)) break;
  }
  return b;
}
