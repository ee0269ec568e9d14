import { loadInt, ldv, stv, ldCell, stCell, cellAt, CELL, SHIFT, LANES } from './mem';
import * as P from './plan';
import { planInt, layerInt, planValue, setPlanValue, layerValue } from './plan';
import { gemmABt, gemmAtB, gemmAB } from './gemm';
import { addBias, sumRows, activate, activateBackward } from './activations';
import { loss, lossBackward, fusedWithOutput } from './losses';
import { sgd, adam, rmsprop, adagrad, anyNonFinite, SGD, ADAM, ADAMW, RMSPROP, ADAGRAD } from './optimizers';
import { axpy, sumSquares, scale, clipValue, multiply, dropoutMask } from './regularize';
import { metric } from './metrics';
import { gather } from './gather';
import { forward1, backward1 } from './sample';
import { fusedStep, fusedFailed } from './fused';

// The fused passes: the same sequence of kernel calls as src/passes.ts, run inside Wasm so that a
// whole batch (or many) costs one call from JS. Integer fields come from the plan through planInt/layerInt
// (plan.ts); f64 fields (rates, l2) through planValue/layerValue. Counters, perm, out and lrs are
// f64 cells (mem.ts ldCell, cellAt) in every build.

/** The dropout seed of layer l for the current step: a 32-bit mix of the step counter and l. */
@inline export function dropoutSeed(counter: f64, l: i32): u32 {
  // (l = −1 gives the counter's part alone; forward1 mixes in each layer's part itself.)
  return (<u32>counter * 0x632be5ab) ^ (<u32>(l + 1) * 0x1b873593);
}

/** Forward pass of `rows` samples from the plan's X buffer into each layer's Z and A; dropout only when training. */
export function forward(plan: i32, rows: i32, training: i32): void {
  if (rows == 1) return forward1(plan, training, dropoutSeed(ldCell(cellAt(planInt(plan, P.COUNTERS), 1)), -1));
  const layers = planInt(plan, P.N_LAYERS);
  let input = planInt(plan, P.X);
  for (let l = 0; l < layers; l++) {
    const inputs = layerInt(plan, l, P.L_INPUTS), units = layerInt(plan, l, P.L_UNITS);
    const z = layerInt(plan, l, P.L_Z), a = layerInt(plan, l, P.L_A), b = layerInt(plan, l, P.L_B);
    gemmABt(rows, units, inputs, input, layerInt(plan, l, P.L_W), z, 0);
    if (b >= 0) addBias(rows, units, b, z);
    activate(layerInt(plan, l, P.L_ACT), rows, units, z, a);
    const rate = layerValue(plan, l, P.L_DROPOUT);
    if (training && rate > 0) {
      const mask = layerInt(plan, l, P.L_MASK);
      dropoutMask(rows * units, mask, rate, dropoutSeed(ldCell(cellAt(planInt(plan, P.COUNTERS), 1)), l));
      multiply(rows * units, a, mask);
    }
    input = a;
  }
}

/** Mean loss of the last forward pass against the plan's Y buffer, plus Σ_l ½λ_l‖W_l‖². */
export function batchLoss(plan: i32, rows: i32): f64 {
  const layers = planInt(plan, P.N_LAYERS), last = layers - 1;
  let s = loss(planInt(plan, P.LOSS), rows, layerInt(plan, last, P.L_UNITS), layerInt(plan, last, P.L_Z), layerInt(plan, last, P.L_A), planInt(plan, P.Y));
  for (let l = 0; l < layers; l++) {
    const l2 = layerValue(plan, l, P.L_L2);
    if (l2 > 0) s += 0.5 * l2 * sumSquares(layerInt(plan, l, P.L_UNITS) * layerInt(plan, l, P.L_INPUTS), layerInt(plan, l, P.L_W));
  }
  return s;
}

/**
 * Backward pass after forward: writes dL/dparams into the gradient block (overwrites). `training`
 * as the forward pass had it: only a training pass drew dropout masks, which the gradient then
 * goes through.
 */
export function backward(plan: i32, rows: i32, training: i32): void {
  if (rows == 1) return backward1(plan, training);
  const last = planInt(plan, P.N_LAYERS) - 1;
  const lossKind = planInt(plan, P.LOSS);
  const toGrad = planInt(plan, P.GRADS) - planInt(plan, P.PARAMS);
  let dz = planInt(plan, P.D0), spare = planInt(plan, P.D1);
  let units = layerInt(plan, last, P.L_UNITS);
  lossBackward(lossKind, rows, units, layerInt(plan, last, P.L_A), planInt(plan, P.Y), dz);
  if (!fusedWithOutput(lossKind)) activateBackward(layerInt(plan, last, P.L_ACT), rows, units, layerInt(plan, last, P.L_Z), layerInt(plan, last, P.L_A), dz, dz);
  for (let l = last; l >= 0; l--) {
    units = layerInt(plan, l, P.L_UNITS);
    const inputs = layerInt(plan, l, P.L_INPUTS);
    const w = layerInt(plan, l, P.L_W), b = layerInt(plan, l, P.L_B);
    const input = l > 0 ? layerInt(plan, l - 1, P.L_A) : planInt(plan, P.X);
    gemmAtB(units, inputs, rows, dz, input, w + toGrad, 0);
    const l2 = layerValue(plan, l, P.L_L2);
    if (l2 > 0) axpy(units * inputs, l2, w, w + toGrad);
    if (b >= 0) sumRows(rows, units, dz, b + toGrad);
    if (l > 0) {
      gemmAB(rows, inputs, units, dz, w, spare, 0);
      if (training && layerValue(plan, l - 1, P.L_DROPOUT) > 0) multiply(rows * inputs, spare, layerInt(plan, l - 1, P.L_MASK));
      activateBackward(layerInt(plan, l - 1, P.L_ACT), rows, inputs, layerInt(plan, l - 1, P.L_Z), layerInt(plan, l - 1, P.L_A), spare, spare);
      const t = dz; dz = spare; spare = t;
    }
  }
}

/** n rounded up to a whole v128 of elements: the stride of src/core.ts's state blocks (src/layout.ts pad). */
@inline export function padded(n: i32): i32 {
  return (n + LANES - 1) & ~(LANES - 1);
}

// Set by step: the last update made a parameter or state value non-finite.
let updateFailed: i32 = 0;

/**
 * Gradient clipping (global norm, then value) and one optimizer update; advances the step counter.
 * Returns 1 (and sets the plan's DIVERGED flag) when a new parameter or state value is not finite.
 */
export function step(plan: i32): i32 {
  const n = planInt(plan, P.N_PARAMS), p = planInt(plan, P.PARAMS), g = planInt(plan, P.GRADS), s = planInt(plan, P.STATE);
  const clipNorm = planValue(plan, P.CLIP_NORM), clip = planValue(plan, P.CLIP_VALUE);
  if (clipNorm > 0) {
    const norm = Math.sqrt(sumSquares(n, g));
    if (norm > clipNorm) scale(n, g, clipNorm / norm);
  }
  if (clip > 0) clipValue(n, g, clip);
  const counters = planInt(plan, P.COUNTERS);
  const t = ldCell(counters) + 1;
  stCell(counters, t);
  const bad = optimize(plan, n, p, g, s, s + padded(n), t);
  if (bad) setPlanValue(plan, P.DIVERGED, 1);
  return bad;
}

/**
 * The plan's optimizer over n parameters at p (gradients g, state s, Adam's second moments s2),
 * step t. Returns 1 when a new parameter or state value is not finite (the kernel's own check).
 */
export function optimize(plan: i32, n: i32, p: i32, g: i32, s: i32, s2: i32, t: f64): i32 {
  const kind = planInt(plan, P.OPTIMIZER), lr = planValue(plan, P.LR), beta1 = planValue(plan, P.DECAY1), eps = planValue(plan, P.EPS);
  if (kind == ADAM || kind == ADAMW) return adam(n, p, g, s, s2, lr, beta1, planValue(plan, P.DECAY2), eps, t, planValue(plan, P.WEIGHT_DECAY));
  if (kind == RMSPROP) return rmsprop(n, p, g, s, lr, beta1, eps);
  if (kind == ADAGRAD) return adagrad(n, p, g, s, lr, eps);
  if (kind != SGD) unreachable(); // an unknown optimizer code: trap, never a silent SGD
  return sgd(n, p, g, s, lr, beta1, planInt(plan, P.NESTEROV));
}

/** One step on the batch in X/Y (no undo copy: trainStep adds it, trainBatches replays instead). */
function trainBatch(plan: i32, rows: i32): f64 {
  updateFailed = 0;
  forward(plan, rows, 1);
  const l = batchLoss(plan, rows);
  if (!isFinite(l)) return l;
  backward(plan, rows, 1);
  updateFailed = step(plan);
  const c = cellAt(planInt(plan, P.COUNTERS), 1);
  const d = ldCell(c) + 1; // modulo 2³² without f64 %, which is a slow library call in Wasm
  stCell(c, d < 4294967296 ? d : 0);
  return l;
}





/**
 * One training step on the batch in the plan's X/Y buffers: forward (with dropout), loss, backward,
 * update. Returns the loss before the update; a non-finite loss stops before backward, leaving the
 * parameters untouched. An update that makes a parameter or state value non-finite is undone (from
 * the copy keepStep takes), sets the plan's DIVERGED flag and returns NaN: parameters, state and
 * counters are then as before the call.
 */
export function trainStep(plan: i32, rows: i32): f64 {
  keepStep(plan);
  let l: f64, failed: i32;
  if (rows == 1 && planInt(plan, P.FUSABLE)) {
    l = fusedStep(plan, planInt(plan, P.X), planInt(plan, P.Y));
    failed = fusedFailed;
  } else {
    l = trainBatch(plan, rows);
    failed = updateFailed;
  }
  if (!failed) return l;
  undoStep(plan);
  return NaN; // with the plan's DIVERGED flag set: the update, not the loss, was not finite
}

/**
 * 1 (and the plan's DIVERGED flag set) when a parameter is NaN or ±Infinity, else 0: the exact
 * check behind the per-shape modules' cheaper ones (src/backends/wasm/unrolled-step.ts).
 */
export function paramsNonFinite(plan: i32): i32 {
  const p = planInt(plan, P.PARAMS);
  if (!anyNonFinite(planInt(plan, P.N_PARAMS), p, p)) return 0;
  setPlanValue(plan, P.DIVERGED, 1);
  return 1;
}

// A step whose update overflowed is detected only once its values are written (the check rides
// along in the optimizer's pass), so trainStep keeps a copy of what the step may change and puts
// it back then. fit needs no per-step copy: it restores its chunk's copy and replays (src/fit.ts).

/**
 * Copies what one step can change between the model block and the snapshot area (`back`: from the
 * snapshot): the parameters, the counters, and the optimizer state unless the optimizer keeps none
 * (plain SGD: momentum 0 leaves its velocity block untouched, so copying it would double the cost).
 */
function copyStep(plan: i32, snap: i32, back: bool): void {
  const p = planInt(plan, P.PARAMS), counters = planInt(plan, P.COUNTERS);
  const stateless = planInt(plan, P.OPTIMIZER) == SGD && planValue(plan, P.DECAY1) == 0;
  const n = stateless ? padded(planInt(plan, P.N_PARAMS)) : counters - p; // params (| state)
  if (back) copyVectors(p, snap, n);
  else copyVectors(snap, p, n);
  const at = snap + (counters - p); // the counters keep their place in the snapshot
  if (back) copyVectors(counters, at, 2 * CELL);
  else copyVectors(at, counters, 2 * CELL);
}

/**
 * One v128 at a time for the few dozen values of a small network (memory.copy is a call out of V8's
 * code), bulk above. n is a multiple of LANES (the blocks are padded so: src/layout.ts pad).
 */
@inline function copyVectors(to: i32, from: i32, n: i32): void {
  if (n > 512) memory.copy(<usize>to << SHIFT, <usize>from << SHIFT, <usize>n << SHIFT);
  else for (let i = 0; i < n; i += LANES) stv(to + i, ldv(from + i));
}

/** Copies what a step may change into the plan's snapshot area (before a step that may diverge; none when it is −1). */
export function keepStep(plan: i32): void {
  const snap = planInt(plan, P.SNAPSHOT);
  if (snap >= 0) copyStep(plan, snap, false);
}

/** Puts back what keepStep copied: the step is undone, bit for bit. */
export function undoStep(plan: i32): void {
  const snap = planInt(plan, P.SNAPSHOT);
  if (snap >= 0) copyStep(plan, snap, true);
}

/**
 * Trains on samples perm[start..start+count) of data set (dataX, dataY) in batches of batchSize
 * (the last may be smaller). For batch b, lr = lrs[b] when lrs ≥ 0; writes out[2b] = loss before
 * the update and out[2b+1] = the metric sum (perm, lrs and out are f64 cells). Stops after a non-finite loss, or after a batch whose
 * update was not finite (the plan's DIVERGED flag is then set); returns batches run.
 */
export function trainBatches(plan: i32, dataX: i32, dataY: i32, perm: i32, start: i32, count: i32,
  batchSize: i32, out: i32, lrs: i32): i32 {
  const inputs = planInt(plan, P.INPUTS);
  const last = planInt(plan, P.N_LAYERS) - 1;
  const outputs = layerInt(plan, last, P.L_UNITS), a = layerInt(plan, last, P.L_A), x = planInt(plan, P.X), y = planInt(plan, P.Y), kind = planInt(plan, P.METRIC);
  let b = 0;
  if (batchSize == 1 && planInt(plan, P.FUSABLE)) {
    // Per-sample SGD: rows are read in place, and each step is one fused pass.
    for (; b < count; b++) {
      const r = loadInt(cellAt(perm, start + b)), yr = dataY + r * outputs;
      if (lrs >= 0) setPlanValue(plan, P.LR, ldCell(cellAt(lrs, b)));
      const l = fusedStep(plan, dataX + r * inputs, yr);
      stCell(cellAt(out, 2 * b), l);
      stCell(cellAt(out, 2 * b + 1), metric(kind, 1, outputs, a, yr));
      if (!isFinite(l) || fusedFailed) return b + 1;
    }
    return b;
  }
  for (let done = 0; done < count; done += batchSize) {
    const rows = min(batchSize, count - done);
    gather(rows, inputs, dataX, perm, start + done, x);
    gather(rows, outputs, dataY, perm, start + done, y);
    if (lrs >= 0) setPlanValue(plan, P.LR, ldCell(cellAt(lrs, b)));
    const l = trainBatch(plan, rows);
    stCell(cellAt(out, 2 * b), l);
    stCell(cellAt(out, 2 * b + 1), metric(kind, rows, outputs, a, y));
    b++;
    if (!isFinite(l) || updateFailed) break;
  }
  return b;
}
