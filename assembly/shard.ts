import { ld, st, loadInt, cellAt, SHIFT } from './mem';
import * as P from './plan';
import { planInt, layerInt, layerValue } from './plan';
import { gemmABt, gemmAtB, gemmAB } from './gemm';
import { addBias, sumRows, activate, activateBackward } from './activations';
import { fusedWithOutput, CROSS_ENTROPY, BINARY_CROSS_ENTROPY, HALF_SQUARED_ERROR, MSE } from './losses';
import { axpy, multiply, dropoutMaskFrom } from './regularize';

// The passes of one thread of a threaded batch (assembly/parallel.ts), over the network's own
// buffers (X, Y, Z, A, masks: the plan's capacity is the whole batch) and one dZ buffer per layer
// (`dzs`: a table of their offsets, f64 cells), all in shared memory. A thread owns a slice of every layer's
// units, [u0, u1), and a share of the rows, [r0, r0 + n):
// - forwardUnits: a hidden layer's outputs for its units over all rows: the weights a thread
//   reads there are the ones it updates, so they never move between cores;
// - forwardRows, deltasRows: the output layer and every layer's dL/dZ for its rows (rows never
//   depend on other rows);
// - gradSlice: the weight and bias gradients of its units over all rows.
// Every value is computed by exactly the kernel calls of the one-thread pass (network.ts) on the
// same operands, only cut into row or unit blocks, and each gradient element is summed over the
// whole batch by one thread: nothing needs combining, and the GEMMs give the same bits as long as
// no block is thinner than their 4-row tiles (smaller shapes take direct paths that sum in
// another order; parallel.ts keeps unit slices ≥ 4, rows are the caller's).

@inline function dropoutRate(plan: i32, l: i32): f64 {
  return layerValue(plan, l, P.L_DROPOUT);
}

/** network.ts's dropoutSeed(counter, l). */
@inline function seedOf(counter: f64, l: i32): u32 {
  return (<u32>counter * 0x632be5ab) ^ (<u32>(l + 1) * 0x1b873593);
}

/**
 * Training forward pass of hidden layer l (elementwise activation: the spec allows softmax only on
 * the output) for units [u0, u1) over all `rows`: computed contiguously in `tmp` (rows × (u1 − u0)),
 * then written into the columns of Z and A. `input` is the previous layer's A, or X.
 */
export function forwardUnits(plan: i32, l: i32, u0: i32, u1: i32, rows: i32, input: i32, tmp: i32, counter: f64): void {
  const units = layerInt(plan, l, P.L_UNITS), inputs = layerInt(plan, l, P.L_INPUTS), mu = u1 - u0;
  if (mu <= 0) return;
  const z = layerInt(plan, l, P.L_Z) + u0, a = layerInt(plan, l, P.L_A) + u0, b = layerInt(plan, l, P.L_B);
  gemmABt(rows, mu, inputs, input, layerInt(plan, l, P.L_W) + u0 * inputs, tmp, 0);
  if (b >= 0) addBias(rows, mu, b + u0, tmp);
  const bytes = <usize>mu << SHIFT;
  for (let r = 0; r < rows; r++) memory.copy(<usize>(z + r * units) << SHIFT, <usize>(tmp + r * mu) << SHIFT, bytes);
  activate(layerInt(plan, l, P.L_ACT), rows, mu, tmp, tmp);
  const rate = dropoutRate(plan, l);
  if (rate > 0) {
    const mask = layerInt(plan, l, P.L_MASK) + u0, seed = seedOf(counter, l);
    for (let r = 0; r < rows; r++) {
      dropoutMaskFrom(mu, mask + r * units, rate, seed, r * units + u0);
      multiply(mu, tmp + r * mu, mask + r * units);
    }
  }
  for (let r = 0; r < rows; r++) memory.copy(<usize>(a + r * units) << SHIFT, <usize>(tmp + r * mu) << SHIFT, bytes);
}

/** The output layer's training forward pass for rows [r0, r0 + n); `input` is the previous layer's A (or X). */
export function forwardRows(plan: i32, n: i32, r0: i32, input: i32, counter: f64): void {
  const l = planInt(plan, P.N_LAYERS) - 1;
  const inputs = layerInt(plan, l, P.L_INPUTS), units = layerInt(plan, l, P.L_UNITS), at = r0 * units;
  const z = layerInt(plan, l, P.L_Z) + at, a = layerInt(plan, l, P.L_A) + at, b = layerInt(plan, l, P.L_B);
  gemmABt(n, units, inputs, input + r0 * inputs, layerInt(plan, l, P.L_W), z, 0);
  if (b >= 0) addBias(n, units, b, z);
  activate(layerInt(plan, l, P.L_ACT), n, units, z, a);
  const rate = dropoutRate(plan, l);
  if (rate > 0) {
    const mask = layerInt(plan, l, P.L_MASK) + at;
    dropoutMaskFrom(n * units, mask, rate, seedOf(counter, l), at);
    multiply(n * units, a, mask);
  }
}

/**
 * losses.ts's lossBackward for n rows of a batch of `rows`: the same expressions (in `real`, the
 * scale rounded once), scaled by the whole batch (1/rows, not 1/n), so each row's dL/dA is the
 * one-thread value.
 */
function lossBackwardRows(kind: i32, n: i32, rows: i32, cols: i32, a: i32, y: i32, g: i32): void {
  if (kind == CROSS_ENTROPY) {
    const inv = <real>(1 / <f64>rows);
    for (let r = 0; r < n; r++) {
      const o = r * cols;
      let t: real = 0;
      for (let c = 0; c < cols; c++) t += ld(y + o + c);
      for (let c = 0; c < cols; c++) st(g + o + c, (ld(a + o + c) * t - ld(y + o + c)) * inv);
    }
    return;
  }
  if (kind != HALF_SQUARED_ERROR && kind != MSE && kind != BINARY_CROSS_ENTROPY) unreachable();
  const all = rows * cols;
  const scale = <real>(kind == HALF_SQUARED_ERROR ? 1 / <f64>rows : kind == MSE ? 2 / <f64>all : 1 / <f64>all);
  for (let i = 0; i < n * cols; i++) st(g + i, (ld(a + i) - ld(y + i)) * scale);
}

/** dL/dZ of every layer for rows [r0, r0 + n) of a batch of `rows`, into the dZ buffers. */
export function deltasRows(plan: i32, dzs: i32, n: i32, r0: i32, rows: i32): void {
  const last = planInt(plan, P.N_LAYERS) - 1, lossKind = planInt(plan, P.LOSS);
  let units = layerInt(plan, last, P.L_UNITS), at = r0 * units;
  let dz = loadInt(cellAt(dzs, last)) + at;
  lossBackwardRows(lossKind, n, rows, units, layerInt(plan, last, P.L_A) + at, planInt(plan, P.Y) + at, dz);
  if (!fusedWithOutput(lossKind)) activateBackward(layerInt(plan, last, P.L_ACT), n, units, layerInt(plan, last, P.L_Z) + at, layerInt(plan, last, P.L_A) + at, dz, dz);
  for (let l = last; l > 0; l--) {
    const inputs = layerInt(plan, l, P.L_INPUTS), back = r0 * inputs;
    const prev = loadInt(cellAt(dzs, l - 1)) + back;
    gemmAB(n, inputs, units, dz, layerInt(plan, l, P.L_W), prev, 0);
    if (dropoutRate(plan, l - 1) > 0) multiply(n * inputs, prev, layerInt(plan, l - 1, P.L_MASK) + back);
    activateBackward(layerInt(plan, l - 1, P.L_ACT), n, inputs, layerInt(plan, l - 1, P.L_Z) + back, layerInt(plan, l - 1, P.L_A) + back, prev, prev);
    dz = prev;
    units = inputs;
  }
}

/**
 * Gradients of units [u0, u1) of layer l over all `rows` of the batch: dW rows = dZ[:, u0:u1]ᵀ·input
 * (+ λ·W), db = column sums. A partial slice of dZ is first copied into `tmp` (rows × (u1 − u0)),
 * the contiguous operand gemmAtB takes.
 */
export function gradSlice(plan: i32, dzs: i32, l: i32, u0: i32, u1: i32, rows: i32, tmp: i32): void {
  const units = layerInt(plan, l, P.L_UNITS), inputs = layerInt(plan, l, P.L_INPUTS), mu = u1 - u0;
  if (mu <= 0) return;
  const toGrad = planInt(plan, P.GRADS) - planInt(plan, P.PARAMS);
  const w = layerInt(plan, l, P.L_W) + u0 * inputs, b = layerInt(plan, l, P.L_B);
  let dz = loadInt(cellAt(dzs, l));
  if (mu < units) {
    for (let r = 0; r < rows; r++) memory.copy(<usize>(tmp + r * mu) << SHIFT, <usize>(dz + r * units + u0) << SHIFT, <usize>mu << SHIFT);
    dz = tmp;
  }
  const input = l > 0 ? layerInt(plan, l - 1, P.L_A) : planInt(plan, P.X);
  gemmAtB(mu, inputs, rows, dz, input, w + toGrad, 0);
  const l2 = layerValue(plan, l, P.L_L2);
  if (l2 > 0) axpy(mu * inputs, l2, w, w + toGrad);
  if (b >= 0) sumRows(rows, mu, dz, b + u0 + toGrad);
}
