import { ld, st } from './mem';
import * as P from './plan';
import { hdr, lyr } from './plan';
import { activate, activateBackward } from './activations';
import { lossBackward, fusedWithOutput } from './losses';
import { axpy, multiply, dropoutMask } from './regularize';

// Passes for one sample (rows = 1), the case of per-sample training and small networks: plain dot
// loops instead of GEMM calls. Same arithmetic, in the same order, as the TS twins (sequential sums,
// then the bias). Activations stay in their kernels, which dispatch on the kind once per layer:
// inlined per element, binaryen turns the kind checks into selects and evaluates tanh and exp for
// every kind.

/** Layer l for one sample: z_o = Σ_i W[o,i]·x_i + b_o (sequential sum, then the bias), a = f(z). Returns A's offset. */
@inline export function layer1(plan: i32, l: i32, input: i32): i32 {
  const inputs = lyr(plan, l, P.L_INPUTS), units = lyr(plan, l, P.L_UNITS);
  const w = lyr(plan, l, P.L_W), b = lyr(plan, l, P.L_B), z = lyr(plan, l, P.L_Z), a = lyr(plan, l, P.L_A);
  for (let o = 0; o < units; o++) {
    const row = w + o * inputs;
    let s: f64 = 0;
    for (let i = 0; i < inputs; i++) s += ld(row + i) * ld(input + i);
    if (b >= 0) s += ld(b + o);
    st(z + o, s);
  }
  activate(lyr(plan, l, P.L_ACT), 1, units, z, a);
  return a;
}

/** Forward pass of one sample; dropout when training. */
export function forward1(plan: i32, training: i32, seed: u32): void {
  const layers = hdr(plan, P.N_LAYERS);
  let input = hdr(plan, P.X);
  for (let l = 0, t = plan + P.HEADER; l < layers; l++, t += P.LAYER) {
    const a = layer1(plan, l, input);
    const rate = ld(t + P.L_DROPOUT);
    if (training && rate > 0) {
      const units = lyr(plan, l, P.L_UNITS), mask = lyr(plan, l, P.L_MASK);
      dropoutMask(units, mask, rate, seed ^ (<u32>(l + 1) * 0x1b873593));
      multiply(units, a, mask);
    }
    input = a;
  }
}

/** Backward pass of one sample after forward1: dL/dparams into the gradient block. */
export function backward1(plan: i32): void {
  const last = hdr(plan, P.N_LAYERS) - 1;
  const lossKind = hdr(plan, P.LOSS);
  const toGrad = hdr(plan, P.GRADS) - hdr(plan, P.PARAMS);
  let dz = hdr(plan, P.D0), spare = hdr(plan, P.D1);
  let t = plan + P.HEADER + last * P.LAYER;
  lossBackward(lossKind, 1, lyr(plan, last, P.L_UNITS), lyr(plan, last, P.L_A), hdr(plan, P.Y), dz);
  if (!fusedWithOutput(lossKind)) activateBackward(lyr(plan, last, P.L_ACT), 1, lyr(plan, last, P.L_UNITS), lyr(plan, last, P.L_Z), lyr(plan, last, P.L_A), dz, dz);
  for (let l = last; l >= 0; l--, t -= P.LAYER) {
    const inputs = lyr(plan, l, P.L_INPUTS), units = lyr(plan, l, P.L_UNITS);
    const w = lyr(plan, l, P.L_W), b = lyr(plan, l, P.L_B);
    const prev = t - P.LAYER;
    const input = l > 0 ? lyr(plan, l - 1, P.L_A) : hdr(plan, P.X);
    const gw = w + toGrad;
    for (let o = 0; o < units; o++) {
      const d = ld(dz + o), row = gw + o * inputs;
      for (let i = 0; i < inputs; i++) st(row + i, d * ld(input + i));
      if (b >= 0) st(b + toGrad + o, d);
    }
    const l2 = ld(t + P.L_L2);
    if (l2 > 0) axpy(units * inputs, l2, w, gw);
    if (l > 0) {
      for (let i = 0; i < inputs; i++) st(spare + i, 0);
      for (let o = 0; o < units; o++) {
        const d = ld(dz + o), row = w + o * inputs;
        for (let i = 0; i < inputs; i++) st(spare + i, ld(spare + i) + ld(row + i) * d);
      }
      if (ld(prev + P.L_DROPOUT) > 0) multiply(inputs, spare, lyr(plan, l - 1, P.L_MASK));
      activateBackward(lyr(plan, l - 1, P.L_ACT), 1, inputs, lyr(plan, l - 1, P.L_Z), lyr(plan, l - 1, P.L_A), spare, spare);
      const s = dz; dz = spare; spare = s;
    }
  }
}
