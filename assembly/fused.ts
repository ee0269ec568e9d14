import { ld, st } from './mem';
import * as P from './plan';
import { hdr, lyr } from './plan';
import { activateBackward } from './activations';
import { layer1 } from './sample';
import { loss, lossBackward, fusedWithOutput } from './losses';

// One-sample SGD steps with the update fused into the backward pass: each weight is read once,
// feeds the previous layer's delta, and is updated in place — no gradient block, no gather, no
// separate optimizer pass. This is what makes per-sample training of small networks cheap. The
// arithmetic is that of forward1/backward1 + sgd, operation for operation (tested bit for bit).
// It applies when the plan's FUSABLE flag is set: plain or momentum SGD, no clipping, L2 or dropout.

/** p − lr·g for plain SGD; with momentum μ: v = μv + g, p − lr·v (Nesterov: p − lr·(g + μv)). */
@inline function update(p: i32, g: f64, v: i32, lr: f64, mu: f64, nesterov: i32): void {
  if (mu == 0) {
    st(p, ld(p) - lr * g);
    return;
  }
  const vi = mu * ld(v) + g;
  st(v, vi);
  st(p, ld(p) - lr * (nesterov ? g + mu * vi : vi));
}

/** One fused step on sample x → target y (offsets of their rows). Returns the loss before the update. */
export function fusedStep(plan: i32, x: i32, y: i32): f64 {
  const layers = hdr(plan, P.N_LAYERS), last = layers - 1;
  let input = x;
  for (let l = 0; l < layers; l++) input = layer1(plan, l, input);
  const lossKind = hdr(plan, P.LOSS), outUnits = lyr(plan, last, P.L_UNITS), out = lyr(plan, last, P.L_A);
  const value = loss(lossKind, 1, outUnits, lyr(plan, last, P.L_Z), out, y);
  if (!isFinite(value)) return value;

  const lr = ld(plan + P.LR), mu = ld(plan + P.BETA1), nesterov = hdr(plan, P.NESTEROV);
  const toState = hdr(plan, P.STATE) - hdr(plan, P.PARAMS);
  let dz = hdr(plan, P.D0), spare = hdr(plan, P.D1);
  lossBackward(lossKind, 1, outUnits, out, y, dz);
  if (!fusedWithOutput(lossKind)) activateBackward(lyr(plan, last, P.L_ACT), 1, outUnits, lyr(plan, last, P.L_Z), out, dz, dz);
  for (let l = last; l >= 0; l--) {
    const inputs = lyr(plan, l, P.L_INPUTS), units = lyr(plan, l, P.L_UNITS);
    const w = lyr(plan, l, P.L_W), b = lyr(plan, l, P.L_B);
    const prev = l > 0 ? lyr(plan, l - 1, P.L_A) : x;
    if (l > 0) for (let i = 0; i < inputs; i++) st(spare + i, 0);
    for (let o = 0; o < units; o++) {
      const d = ld(dz + o), row = w + o * inputs;
      for (let i = 0; i < inputs; i++) {
        if (l > 0) st(spare + i, ld(spare + i) + ld(row + i) * d); // with the weight before its update
        update(row + i, d * ld(prev + i), row + i + toState, lr, mu, nesterov);
      }
      if (b >= 0) update(b + o, d, b + o + toState, lr, mu, nesterov);
    }
    if (l > 0) {
      activateBackward(lyr(plan, l - 1, P.L_ACT), 1, inputs, lyr(plan, l - 1, P.L_Z), prev, spare, spare);
      const t = dz; dz = spare; spare = t;
    }
  }
  const c = hdr(plan, P.COUNTERS);
  st(c, ld(c) + 1); // optimizer steps
  const d = ld(c + 1) + 1; // the dropout stream advances with every step, modulo 2³²
  st(c + 1, d < 4294967296 ? d : 0);
  return value;
}
