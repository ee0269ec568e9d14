import { ld, st, ldv, stv, ldCell, stCell, cellAt, LANES } from './mem';
import { vsplat, vadd, vsub, vmul } from './lanes';
import * as P from './plan';
import { planInt, layerInt, planValue, setPlanValue } from './plan';
import { activateBackward } from './activations';
import { layer1 } from './sample';
import { loss, lossBackward, fusedWithOutput } from './losses';
import { flush, flushv, verdict } from './optimizers';

// One-sample SGD steps with the update fused into the backward pass: each weight is read once,
// feeds the previous layer's delta, and is updated in place — no gradient block, no gather, no
// separate optimizer pass. This is what makes per-sample training of small networks cheap. The
// arithmetic is that of forward1/backward1 + sgd, operation for operation (tested bit for bit).
// It applies when the plan's FUSABLE flag is set: plain or momentum SGD, no clipping, L2 or dropout.
// As the optimizer kernels do, each update checks its new values in registers (optimizers.ts
// verdict); a step with a non-finite one sets the plan's DIVERGED flag and `fusedFailed`.

/** 1 after a fusedStep whose update made a parameter or momentum non-finite, else 0. */
export let fusedFailed: i32 = 0;

/**
 * p − lr·g for plain SGD; with momentum μ: v = flush(μv + g), p − lr·v (Nesterov: p − lr·(g + μv)).
 * Returns the new p, for the caller's running sum (see optimizers.ts verdict).
 */
@inline function update(p: i32, g: real, v: i32, lr: real, mu: real, nesterov: i32): real {
  if (mu == 0) {
    const pn = ld(p) - lr * g;
    st(p, pn);
    return pn;
  }
  const vi = flush(mu * ld(v) + g); // as optimizers.ts sgd
  st(v, vi);
  const pn = ld(p) - lr * (nesterov ? g + mu * vi : vi);
  st(p, pn);
  return pn; // a non-finite momentum makes pn non-finite too
}

/**
 * One row of weights W[o, 0..n) with its delta d: spare[i] += W[o,i]·d (with the weight before
 * its update, when `back`), then W[o,i] updated with g = d·prev[i]. LANES weights per v128 step:
 * the same operations on each element as the scalar tail, so the same bits. Returns 1 when a new
 * weight or momentum is not finite, else 0.
 */
@inline function updateRow(row: i32, n: i32, d: real, prev: i32, spare: i32, toState: i32, lr: real, mu: real, nesterov: i32, back: bool): i32 {
  const dv = vsplat(d), lrv = vsplat(lr), muv = vsplat(mu);
  let sum = vsplat(0);
  let i = 0;
  if (mu == 0) {
    for (; i + LANES <= n; i += LANES) {
      const w = ldv(row + i);
      if (back) stv(spare + i, vadd(ldv(spare + i), vmul(w, dv)));
      const pn = vsub(w, vmul(lrv, vmul(dv, ldv(prev + i))));
      stv(row + i, pn);
      sum = vadd(sum, pn);
    }
  } else {
    for (; i + LANES <= n; i += LANES) {
      const w = ldv(row + i);
      if (back) stv(spare + i, vadd(ldv(spare + i), vmul(w, dv)));
      const g = vmul(dv, ldv(prev + i));
      const v = flushv(vadd(vmul(muv, ldv(row + i + toState)), g));
      stv(row + i + toState, v);
      const pn = vsub(w, vmul(lrv, nesterov ? vadd(g, vmul(muv, v)) : v));
      stv(row + i, pn);
      sum = vadd(sum, pn); // a non-finite momentum makes the weight non-finite too
    }
  }
  let tail: real = 0;
  for (; i < n; i++) {
    if (back) st(spare + i, ld(spare + i) + ld(row + i) * d);
    tail += update(row + i, d * ld(prev + i), row + i + toState, lr, mu, nesterov);
  }
  return verdict(sum, tail, n, row, row);
}

/**
 * One fused step on sample x → target y (offsets of their rows). Returns the loss before the
 * update; an update that made a value non-finite sets fusedFailed and the plan's DIVERGED flag.
 */
export function fusedStep(plan: i32, x: i32, y: i32): f64 {
  fusedFailed = 0;
  const layers = planInt(plan, P.N_LAYERS), last = layers - 1;
  let input = x;
  for (let l = 0; l < layers; l++) input = layer1(plan, l, input);
  const lossKind = planInt(plan, P.LOSS), outUnits = layerInt(plan, last, P.L_UNITS), out = layerInt(plan, last, P.L_A);
  const value = loss(lossKind, 1, outUnits, layerInt(plan, last, P.L_Z), out, y);
  if (!isFinite(value)) return value;

  const lr = <real>planValue(plan, P.LR), mu = <real>planValue(plan, P.DECAY1), nesterov = planInt(plan, P.NESTEROV);
  const toState = planInt(plan, P.STATE) - planInt(plan, P.PARAMS);
  let dz = planInt(plan, P.D0), spare = planInt(plan, P.D1);
  let bad = 0, biasBad: real = 0;
  lossBackward(lossKind, 1, outUnits, out, y, dz);
  if (!fusedWithOutput(lossKind)) activateBackward(layerInt(plan, last, P.L_ACT), 1, outUnits, layerInt(plan, last, P.L_Z), out, dz, dz);
  for (let l = last; l >= 0; l--) {
    const inputs = layerInt(plan, l, P.L_INPUTS), units = layerInt(plan, l, P.L_UNITS);
    const w = layerInt(plan, l, P.L_W), b = layerInt(plan, l, P.L_B);
    const prev = l > 0 ? layerInt(plan, l - 1, P.L_A) : x;
    if (l > 0) for (let i = 0; i < inputs; i++) st(spare + i, 0);
    for (let o = 0; o < units; o++) {
      const d = ld(dz + o), row = w + o * inputs;
      if (l > 0) bad |= updateRow(row, inputs, d, prev, spare, toState, lr, mu, nesterov, true);
      else bad |= updateRow(row, inputs, d, prev, spare, toState, lr, mu, nesterov, false);
      if (b >= 0) {
        const nb = update(b + o, d, b + o + toState, lr, mu, nesterov);
        biasBad += nb - nb; // few: checked exactly, x − x ≠ 0
      }
    }
    if (l > 0) {
      activateBackward(layerInt(plan, l - 1, P.L_ACT), 1, inputs, layerInt(plan, l - 1, P.L_Z), prev, spare, spare);
      const t = dz; dz = spare; spare = t;
    }
  }
  if (bad | (biasBad != 0 ? 1 : 0)) {
    fusedFailed = 1;
    setPlanValue(plan, P.DIVERGED, 1);
  }
  const c = planInt(plan, P.COUNTERS);
  stCell(c, ldCell(c) + 1); // optimizer steps
  const d = ldCell(cellAt(c, 1)) + 1; // the dropout stream advances with every step, modulo 2³²
  stCell(cellAt(c, 1), d < 4294967296 ? d : 0);
  return value;
}
