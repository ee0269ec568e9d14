import { ld, st, ldv, stv, LANES } from './mem';
import { vsplat, vadd, vmul } from './lanes';
import * as P from './plan';
import { planInt, layerInt, layerValue } from './plan';
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
  const inputs = layerInt(plan, l, P.L_INPUTS), units = layerInt(plan, l, P.L_UNITS);
  const w = layerInt(plan, l, P.L_W), b = layerInt(plan, l, P.L_B), z = layerInt(plan, l, P.L_Z), a = layerInt(plan, l, P.L_A);
  // Four units at a time: four independent sums (each still sequential, so the same bits) keep
  // the adder busy instead of waiting out one sum's add latency per term.
  let o = 0;
  for (; o + 4 <= units; o += 4) {
    const r0 = w + o * inputs, r1 = r0 + inputs, r2 = r1 + inputs, r3 = r2 + inputs;
    let s0: real = 0, s1: real = 0, s2: real = 0, s3: real = 0;
    for (let i = 0; i < inputs; i++) {
      const x = ld(input + i);
      s0 += ld(r0 + i) * x;
      s1 += ld(r1 + i) * x;
      s2 += ld(r2 + i) * x;
      s3 += ld(r3 + i) * x;
    }
    if (b >= 0) {
      s0 += ld(b + o);
      s1 += ld(b + o + 1);
      s2 += ld(b + o + 2);
      s3 += ld(b + o + 3);
    }
    st(z + o, s0);
    st(z + o + 1, s1);
    st(z + o + 2, s2);
    st(z + o + 3, s3);
  }
  for (; o < units; o++) {
    const row = w + o * inputs;
    let s: real = 0;
    for (let i = 0; i < inputs; i++) s += ld(row + i) * ld(input + i);
    if (b >= 0) s += ld(b + o);
    st(z + o, s);
  }
  activate(layerInt(plan, l, P.L_ACT), 1, units, z, a);
  return a;
}

/** Forward pass of one sample; dropout when training. */
export function forward1(plan: i32, training: i32, seed: u32): void {
  const layers = planInt(plan, P.N_LAYERS);
  let input = planInt(plan, P.X);
  for (let l = 0; l < layers; l++) {
    const a = layer1(plan, l, input);
    const rate = layerValue(plan, l, P.L_DROPOUT);
    if (training && rate > 0) {
      const units = layerInt(plan, l, P.L_UNITS), mask = layerInt(plan, l, P.L_MASK);
      dropoutMask(units, mask, rate, seed ^ (<u32>(l + 1) * 0x1b873593));
      multiply(units, a, mask);
    }
    input = a;
  }
}

/** Backward pass of one sample after forward1: dL/dparams into the gradient block. */
export function backward1(plan: i32, training: i32): void {
  const last = planInt(plan, P.N_LAYERS) - 1;
  const lossKind = planInt(plan, P.LOSS);
  const toGrad = planInt(plan, P.GRADS) - planInt(plan, P.PARAMS);
  let dz = planInt(plan, P.D0), spare = planInt(plan, P.D1);
  lossBackward(lossKind, 1, layerInt(plan, last, P.L_UNITS), layerInt(plan, last, P.L_A), planInt(plan, P.Y), dz);
  if (!fusedWithOutput(lossKind)) activateBackward(layerInt(plan, last, P.L_ACT), 1, layerInt(plan, last, P.L_UNITS), layerInt(plan, last, P.L_Z), layerInt(plan, last, P.L_A), dz, dz);
  for (let l = last; l >= 0; l--) {
    const inputs = layerInt(plan, l, P.L_INPUTS), units = layerInt(plan, l, P.L_UNITS);
    const w = layerInt(plan, l, P.L_W), b = layerInt(plan, l, P.L_B);
    const input = l > 0 ? layerInt(plan, l - 1, P.L_A) : planInt(plan, P.X);
    const gw = w + toGrad;
    for (let o = 0; o < units; o++) {
      const d = ld(dz + o), row = gw + o * inputs;
      scaledCopy(inputs, d, input, row);
      if (b >= 0) st(b + toGrad + o, d);
    }
    const l2 = layerValue(plan, l, P.L_L2);
    if (l2 > 0) axpy(units * inputs, l2, w, gw);
    if (l > 0) {
      for (let i = 0; i < inputs; i++) st(spare + i, 0);
      for (let o = 0; o < units; o++) addScaled(inputs, ld(dz + o), w + o * inputs, spare);
      if (training && layerValue(plan, l - 1, P.L_DROPOUT) > 0) multiply(inputs, spare, layerInt(plan, l - 1, P.L_MASK));
      activateBackward(layerInt(plan, l - 1, P.L_ACT), 1, inputs, layerInt(plan, l - 1, P.L_Z), layerInt(plan, l - 1, P.L_A), spare, spare);
      const s = dz; dz = spare; spare = s;
    }
  }
}

// Elementwise loops LANES at a time: the same operation on every element as the scalar tail, so
// the same bits.

/** out[i] = d·x[i] for i < n. */
@inline function scaledCopy(n: i32, d: real, x: i32, out: i32): void {
  const dv = vsplat(d);
  let i = 0;
  for (; i + LANES <= n; i += LANES) stv(out + i, vmul(dv, ldv(x + i)));
  for (; i < n; i++) st(out + i, d * ld(x + i));
}

/** acc[i] = acc[i] + row[i]·d for i < n. */
@inline function addScaled(n: i32, d: real, row: i32, acc: i32): void {
  const dv = vsplat(d);
  let i = 0;
  for (; i + LANES <= n; i += LANES) stv(acc + i, vadd(ldv(acc + i), vmul(ldv(row + i), dv)));
  for (; i < n; i++) st(acc + i, ld(acc + i) + ld(row + i) * d);
}
