// The order of kernel calls for forward, backward and the update — written once, over any Kernels.
// assembly/network.ts runs this same sequence inside Wasm; the JS backend runs it directly.
// h is the heap seen as f64 cells: the plan table, counters, permutation, `out` and `lrs` are f64
// cells. `per` is how many value elements one f64 cell holds: 1 in an f64 heap, 2 in an f32 heap,
// where every offset (the plan's, and those it holds) counts f32 elements and f64 cell = offset / 2.
import type { Kernels } from './backends/backend.js';
import { PLAN_FIELD, LAYER_FIELD, layerAt } from './plan.js';
import { fusedWithOutput } from './kinds.js';
import { OPTIMIZER_BY_CODE, type OptimizerName } from './kinds/optimizers.js';
import { dropoutSeed } from './backends/js/regularize.js';
import { pad } from './layout.js';
import { unknownKind } from './backends/js/unknown-kind.js';

export function forward(k: Kernels, h: Float64Array, plan: number, rows: number, training: number, per = 1): void {
  plan /= per;
  let input = h[plan + PLAN_FIELD.x];
  for (let l = 0; l < h[plan + PLAN_FIELD.nLayers]; l++) {
    const t = layerAt(plan, l);
    const [inputs, units, z, a, b, rate] = [
      h[t + LAYER_FIELD.inputs],
      h[t + LAYER_FIELD.units],
      h[t + LAYER_FIELD.z],
      h[t + LAYER_FIELD.a],
      h[t + LAYER_FIELD.b],
      h[t + LAYER_FIELD.dropout],
    ];
    k.gemmABt(rows, units, inputs, input, h[t + LAYER_FIELD.w], z, 0);
    if (b >= 0) k.addBias(rows, units, b, z);
    k.activate(h[t + LAYER_FIELD.act], rows, units, z, a);
    if (training && rate > 0) {
      k.dropoutMask(rows * units, h[t + LAYER_FIELD.mask], rate, dropoutSeed(h[h[plan + PLAN_FIELD.counters] / per + 1], l));
      k.multiply(rows * units, a, h[t + LAYER_FIELD.mask]);
    }
    input = a;
  }
}

export function batchLoss(k: Kernels, h: Float64Array, plan: number, rows: number, per = 1): number {
  plan /= per;
  const layers = h[plan + PLAN_FIELD.nLayers];
  const out = layerAt(plan, layers - 1);
  let s = k.loss(
    h[plan + PLAN_FIELD.loss],
    rows,
    h[out + LAYER_FIELD.units],
    h[out + LAYER_FIELD.z],
    h[out + LAYER_FIELD.a],
    h[plan + PLAN_FIELD.y],
  );
  for (let l = 0; l < layers; l++) {
    const t = layerAt(plan, l);
    if (h[t + LAYER_FIELD.l2] > 0)
      s += 0.5 * h[t + LAYER_FIELD.l2] * k.sumSquares(h[t + LAYER_FIELD.units] * h[t + LAYER_FIELD.inputs], h[t + LAYER_FIELD.w]);
  }
  return s;
}

/** After forward(training): the dropout masks apply only when that pass drew them (training). */
export function backward(k: Kernels, h: Float64Array, plan: number, rows: number, training: number, per = 1): void {
  plan /= per;
  const last = h[plan + PLAN_FIELD.nLayers] - 1;
  const lossKind = h[plan + PLAN_FIELD.loss];
  const toGrad = h[plan + PLAN_FIELD.grads] - h[plan + PLAN_FIELD.params];
  let [dz, spare] = [h[plan + PLAN_FIELD.d0], h[plan + PLAN_FIELD.d1]];
  const out = layerAt(plan, last);
  k.lossBackward(lossKind, rows, h[out + LAYER_FIELD.units], h[out + LAYER_FIELD.a], h[plan + PLAN_FIELD.y], dz);
  if (!fusedWithOutput(lossKind))
    k.activateBackward(h[out + LAYER_FIELD.act], rows, h[out + LAYER_FIELD.units], h[out + LAYER_FIELD.z], h[out + LAYER_FIELD.a], dz, dz);
  for (let l = last; l >= 0; l--) {
    const t = layerAt(plan, l);
    const [inputs, units, w, b, l2] = [
      h[t + LAYER_FIELD.inputs],
      h[t + LAYER_FIELD.units],
      h[t + LAYER_FIELD.w],
      h[t + LAYER_FIELD.b],
      h[t + LAYER_FIELD.l2],
    ];
    const prev = layerAt(plan, l - 1);
    k.gemmAtB(units, inputs, rows, dz, l > 0 ? h[prev + LAYER_FIELD.a] : h[plan + PLAN_FIELD.x], w + toGrad, 0);
    if (l2 > 0) k.axpy(units * inputs, l2, w, w + toGrad);
    if (b >= 0) k.sumRows(rows, units, dz, b + toGrad);
    if (l > 0) {
      k.gemmAB(rows, inputs, units, dz, w, spare, 0);
      if (training && h[prev + LAYER_FIELD.dropout] > 0) k.multiply(rows * inputs, spare, h[prev + LAYER_FIELD.mask]);
      k.activateBackward(h[prev + LAYER_FIELD.act], rows, inputs, h[prev + LAYER_FIELD.z], h[prev + LAYER_FIELD.a], spare, spare);
      [dz, spare] = [spare, dz];
    }
  }
}

/** The stride of src/core.ts's optimizer state blocks: n values rounded up to a whole v128 (2 f64 or 4 f32). */
const stateStride = (n: number, per: number) => (per === 1 ? pad(n) : n + ((4 - (n % 4)) % 4));
/** One optimizer's kernel over the parameter block P, gradients G and state S, its hyper-parameters read from the plan. */
type Update = (k: Kernels, h: Float64Array, plan: number, n: number, p: number, g: number, s: number, t: number, per: number) => number;
const adamUpdate: Update = (k, h, plan, n, p, g, s, t, per) =>
  k.adam(
    n,
    p,
    g,
    s,
    s + stateStride(n, per),
    h[plan + PLAN_FIELD.lr],
    h[plan + PLAN_FIELD.decay1],
    h[plan + PLAN_FIELD.decay2],
    h[plan + PLAN_FIELD.eps],
    t,
    h[plan + PLAN_FIELD.weightDecay],
  );
/** Keyed by name (a missing optimizer does not compile); assembly/network.ts optimize() is its Wasm twin. */
const UPDATES = {
  sgd: (k, h, plan, n, p, g, s) => k.sgd(n, p, g, s, h[plan + PLAN_FIELD.lr], h[plan + PLAN_FIELD.decay1], h[plan + PLAN_FIELD.nesterov]),
  adam: adamUpdate,
  adamw: adamUpdate,
  rmsprop: (k, h, plan, n, p, g, s) =>
    k.rmsprop(n, p, g, s, h[plan + PLAN_FIELD.lr], h[plan + PLAN_FIELD.decay1], h[plan + PLAN_FIELD.eps]),
  adagrad: (k, h, plan, n, p, g, s) => k.adagrad(n, p, g, s, h[plan + PLAN_FIELD.lr], h[plan + PLAN_FIELD.eps]),
} satisfies Record<OptimizerName, Update>;

/** Clipping and one optimizer update; on a non-finite new value flags the plan (PLAN_FIELD.diverged) and returns 1. */
export function step(k: Kernels, h: Float64Array, plan: number, per = 1): number {
  plan /= per;
  const [n, p, g, s] = [h[plan + PLAN_FIELD.nParams], h[plan + PLAN_FIELD.params], h[plan + PLAN_FIELD.grads], h[plan + PLAN_FIELD.state]];
  if (h[plan + PLAN_FIELD.clipNorm] > 0) {
    const norm = Math.sqrt(k.sumSquares(n, g));
    if (norm > h[plan + PLAN_FIELD.clipNorm]) k.scale(n, g, h[plan + PLAN_FIELD.clipNorm] / norm);
  }
  if (h[plan + PLAN_FIELD.clipValue] > 0) k.clipValue(n, g, h[plan + PLAN_FIELD.clipValue]);
  const t = (h[h[plan + PLAN_FIELD.counters] / per] += 1);
  const kind = h[plan + PLAN_FIELD.optimizer],
    name = OPTIMIZER_BY_CODE[kind];
  const bad = name === undefined ? unknownKind('optimizer', kind) : UPDATES[name](k, h, plan, n, p, g, s, t, per);
  if (bad) h[plan + PLAN_FIELD.diverged] = 1;
  return bad;
}

/** Set by trainStep: its update made a value non-finite (the plan's flag may be older). */
let updateFailed = 0;

export function trainStep(k: Kernels, h: Float64Array, plan: number, rows: number, per = 1): number {
  updateFailed = 0;
  k.forward(plan, rows, 1);
  const l = k.batchLoss(plan, rows);
  if (!Number.isFinite(l)) return l;
  k.backward(plan, rows, 1);
  updateFailed = k.step(plan);
  const c = h[plan / per + PLAN_FIELD.counters] / per + 1;
  const d = h[c] + 1;
  h[c] = d < 4294967296 ? d : 0;
  return l;
}

/**
 * trainStep, undone when its update made a value non-finite (then PLAN_FIELD.diverged is set and NaN returned): the
 * Kernels.trainStep behind Network#trainStep, as assembly/network.ts's. fit's batches take the
 * plain trainStep and undo a diverged chunk themselves (src/fit-chunks.ts).
 */
export function trainStepOrUndo(k: Kernels, h: Float64Array, plan: number, rows: number, per = 1): number {
  // In f64 cells (an f32 heap's params, state and snapshot start 8-byte aligned; the copy is bytewise).
  const at = plan / per;
  const p = h[at + PLAN_FIELD.params] / per,
    len = h[at + PLAN_FIELD.counters] / per + 2 - p,
    snap = h[at + PLAN_FIELD.snapshot] / per;
  if (snap >= 0) h.copyWithin(snap, p, p + len); // −1: no room asked for (Core.withUndoRoom)
  const l = trainStep(k, h, plan, rows, per);
  if (!updateFailed) return l;
  if (snap >= 0) h.copyWithin(p, snap, snap + len);
  return NaN; // with PLAN_FIELD.diverged set: the update, not the loss, was not finite
}

export function trainBatches(
  k: Kernels,
  h: Float64Array,
  plan: number,
  dataX: number,
  dataY: number,
  perm: number,
  start: number,
  count: number,
  batchSize: number,
  out: number,
  lrs: number,
  per = 1,
): number {
  const first = plan;
  plan /= per;
  [out, lrs] = [out / per, lrs / per];
  const last = layerAt(plan, h[plan + PLAN_FIELD.nLayers] - 1);
  const outputs = h[last + LAYER_FIELD.units];
  let b = 0;
  for (let done = 0; done < count; done += batchSize) {
    const rows = Math.min(batchSize, count - done);
    k.gather(rows, h[plan + PLAN_FIELD.inputs], dataX, perm, start + done, h[plan + PLAN_FIELD.x]);
    k.gather(rows, outputs, dataY, perm, start + done, h[plan + PLAN_FIELD.y]);
    if (lrs >= 0) h[plan + PLAN_FIELD.lr] = h[lrs + b];
    const l = trainStep(k, h, first, rows, per);
    h[out + 2 * b] = l;
    h[out + 2 * b + 1] = k.metric(h[plan + PLAN_FIELD.metric], rows, outputs, h[last + LAYER_FIELD.a], h[plan + PLAN_FIELD.y]);
    b++;
    if (!Number.isFinite(l) || updateFailed) break;
  }
  return b;
}
