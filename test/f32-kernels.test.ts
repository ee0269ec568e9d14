// The f32 twins (src/backends/js/f32/) against the f64 twins run on the same f32-exact inputs: the
// f64 result is the exact value to within 2⁻⁵³-sized error, so |f32 − f64| must stay inside the
// rounding bound of the f32 operations on the path. u = 2⁻²⁴ (f32's unit roundoff) and
// γ(n) = n·u/(1 − n·u) bound n roundings in a row (|fl(x ∘ y) − x ∘ y| ≤ u·|x ∘ y|); a bound over
// a sum or an expression with cancellation is stated on the magnitude M of its terms (the same
// expression on absolute values), where a relative bound would not hold. Each bound is named
// where it is used.
import { describe, it, expect } from 'vitest';
import { Rng } from '../src/rng.js';
import { Act, ELEMENTWISE_ACTIVATIONS, type ElementwiseActivation } from '../src/kinds/activations.js';
import { LossKind, Metric } from '../src/kinds.js';
import * as gemm64 from '../src/backends/js/gemm.js';
import * as gemm32 from '../src/backends/js/f32/gemm.js';
import * as act64 from '../src/backends/js/activations.js';
import * as act32 from '../src/backends/js/f32/activations.js';
import * as loss64 from '../src/backends/js/losses.js';
import * as loss32 from '../src/backends/js/f32/losses.js';
import * as opt64 from '../src/backends/js/optimizers.js';
import * as opt32 from '../src/backends/js/f32/optimizers.js';
import * as reg64 from '../src/backends/js/regularize.js';
import * as reg32 from '../src/backends/js/f32/regularize.js';
import { metric as metric64 } from '../src/backends/js/metrics.js';
import { metric as metric32 } from '../src/backends/js/f32/metrics.js';
import { gather as gather64 } from '../src/backends/js/gather.js';
import { gather as gather32 } from '../src/backends/js/f32/gather.js';

const u = 2 ** -24;
const gamma = (n: number) => (n * u) / (1 - n * u);

/** The same f32-exact values in an f64 heap and an f32 heap of `size` elements. */
function heaps(size: number) {
  return { h64: new Float64Array(size), h32: new Float32Array(size) };
}
/** Fills [at, at+n) of both heaps with the same f32 values drawn by `draw`. */
function fill(h: { h64: Float64Array; h32: Float32Array }, rng: Rng, at: number, n: number, draw = () => 2 * rng.next() - 1) {
  for (let i = 0; i < n; i++) h.h64[at + i] = h.h32[at + i] = Math.fround(draw());
}
/** The first index of [at, at+n) where |f32 − f64| exceeds bound(i), or −1, with the excess for the message. */
function worst(h: { h64: Float64Array; h32: Float32Array }, at: number, n: number, bound: (i: number) => number): string {
  for (let i = 0; i < n; i++) {
    const d = Math.abs(h.h32[at + i] - h.h64[at + i]);
    if (!(d <= bound(i))) return `element ${i}: f32 ${h.h32[at + i]} f64 ${h.h64[at + i]} |Δ| ${d} > ${bound(i)}`;
  }
  return 'within bound';
}

describe('f32 twins against the f64 twins, within f32 rounding bounds', () => {
  it('GEMM, all three forms, acc 0 and 1: |Δ| ≤ γ(k+1)·(Σ_p |a_p·b_p| + |C₀|)', () => {
    const rng = new Rng(1);
    for (let trial = 0; trial < 40; trial++) {
      const [m, n, k] = [1 + rng.int(9), 1 + rng.int(9), 1 + rng.int(60)];
      const [a, b, c] = [0, m * k, m * k + n * k];
      for (const form of ['gemmABt', 'gemmAtB', 'gemmAB'] as const) {
        for (const acc of [0, 1]) {
          const h = heaps(c + m * n);
          fill(h, rng, 0, c + m * n, () => 4 * rng.next() - 2);
          // Σ|a·b| over the same index pairs: the f64 kernel run on absolute values.
          const mag = new Float64Array(h.h64.map(Math.abs));
          gemm64[form](mag, m, n, k, a, b, c, acc);
          gemm64[form](h.h64, m, n, k, a, b, c, acc);
          gemm32[form](h.h32, m, n, k, a, b, c, acc);
          expect(
            worst(h, c, m * n, (i) => gamma(k + 1) * mag[c + i]),
            `${form} ${m}×${n}×${k} acc ${acc}`,
          ).toBe('within bound');
        }
      }
    }
  });

  it('GEMM in f32 is an ordered f32 sum: a case where f64 accumulation would differ', () => {
    // 1 + 2⁻²⁴ + 2⁻²⁴: in f32 each addition rounds back to 1 (ties to even); exactly, 1 + 2⁻²³.
    const h32 = new Float32Array([1, 1, 1, 1, 2 ** -24, 2 ** -24, 0]);
    gemm32.gemmABt(h32, 1, 1, 3, 0, 3, 6, 0);
    expect(h32[6]).toBe(1);
  });

  it('addBias: |Δ| ≤ u·|Z + b|; sumRows: |Δ| ≤ γ(rows−1)·Σ_r |dZ| (the f32-sum bound; an f64 sum rounded once is within it)', () => {
    const rng = new Rng(2);
    const [rows, cols] = [37, 5];
    const h = heaps(rows * cols + 2 * cols);
    fill(h, rng, 0, rows * cols + cols);
    const [z, b, db] = [0, rows * cols, rows * cols + cols];
    const sumAbs = Array.from({ length: cols }, (_, c) =>
      Array.from({ length: rows }, (_, r) => Math.abs(h.h64[z + r * cols + c])).reduce((s, v) => s + v),
    );
    act64.sumRows(h.h64, rows, cols, z, db);
    act32.sumRows(h.h32, rows, cols, z, db);
    expect(worst(h, db, cols, (c) => gamma(rows - 1) * sumAbs[c])).toBe('within bound');
    act64.addBias(h.h64, rows, cols, b, z);
    act32.addBias(h.h32, rows, cols, b, z);
    expect(worst(h, z, rows * cols, (i) => u * Math.abs(h.h64[z + i]))).toBe('within bound');
  });

  // Forward: roundings on the path of f(z) from an f32 z. Kinds with a transcendental are the f64
  // formula rounded once (1); leakyRelu rounds its slope and its product (2); linear and relu are exact.
  const FORWARD_ROUNDINGS: Record<ElementwiseActivation, number> = {
    linear: 0,
    relu: 0,
    leakyRelu: 2,
    sigmoid: 1,
    tanh: 1,
    elu: 1,
    selu: 1,
    softplus: 1,
    swish: 1,
    gelu: 1,
  };
  // Backward dZ = dA·f′(z, a): roundings, and the magnitude M they scale with (f′ itself, except tanh's
  // 1 − a², which cancels near |a| = 1: its rounding of a² is bounded by a², not by 1 − a²).
  const BACKWARD: Record<ElementwiseActivation, { roundings: number; magnitude: (d: number, a: number) => number }> = {
    linear: { roundings: 0, magnitude: (d) => d },
    relu: { roundings: 0, magnitude: (d) => d },
    leakyRelu: { roundings: 2, magnitude: (d) => d },
    sigmoid: { roundings: 3, magnitude: (d) => d },
    tanh: { roundings: 3, magnitude: (_d, a) => 1 + a * a },
    elu: { roundings: 2, magnitude: (d) => d },
    selu: { roundings: 2, magnitude: (d) => d },
    softplus: { roundings: 2, magnitude: (d) => d },
    swish: { roundings: 2, magnitude: (d) => d },
    gelu: { roundings: 2, magnitude: (d) => d },
  };

  it.each(ELEMENTWISE_ACTIVATIONS)('%s: forward |Δ| ≤ γ(n)·|f(z)|, backward |Δ| ≤ γ(n)·|dA|·M (n roundings, table above)', (name) => {
    const rng = new Rng(3);
    const [rows, cols] = [20, 25];
    const n = rows * cols;
    const [z, a, da, dz] = [0, n, 2 * n, 3 * n];
    const h = heaps(4 * n);
    fill(h, rng, z, n, () => 16 * rng.next() - 8);
    fill(h, rng, da, n);
    act64.activate(h.h64, Act[name], rows, cols, z, a);
    act32.activate(h.h32, Act[name], rows, cols, z, a);
    expect(
      worst(h, a, n, (i) => gamma(FORWARD_ROUNDINGS[name]) * Math.abs(h.h64[a + i])),
      'forward',
    ).toBe('within bound');
    // The derivative reads a = f(z): both twins get the f32 one, so only the backward roundings differ.
    h.h64.set(h.h32.subarray(a, a + n), a);
    act64.activateBackward(h.h64, Act[name], rows, cols, z, a, da, dz);
    act32.activateBackward(h.h32, Act[name], rows, cols, z, a, da, dz);
    const { roundings, magnitude } = BACKWARD[name];
    expect(
      worst(h, dz, n, (i) => gamma(roundings) * Math.abs(h.h64[da + i]) * magnitude(Math.abs(h.h64[dz + i] / h.h64[da + i]), h.h64[a + i])),
      'backward',
    ).toBe('within bound');
  });

  it('the kinds with a transcendental are the f64 formula rounded once, bit for bit', () => {
    const rng = new Rng(4);
    const n = 1000;
    const h = heaps(2 * n);
    fill(h, rng, 0, n, () => 40 * rng.next() - 20);
    for (const name of ['sigmoid', 'tanh', 'elu', 'selu', 'softplus', 'swish', 'gelu'] as const) {
      act64.activate(h.h64, Act[name], 1, n, 0, n);
      act32.activate(h.h32, Act[name], 1, n, 0, n);
      for (let i = 0; i < n; i++) expect(h.h32[n + i], `${name}(${h.h32[i]})`).toBe(Math.fround(h.h64[n + i]));
    }
  });

  it('softmax: forward |Δ| ≤ u·(4 + 2·max|z − m|)·a; backward |Δ| ≤ γ(3)·|a|·(|dA| + 2·Σ_j |a_j·dA_j|)', () => {
    const rng = new Rng(5);
    const [rows, cols] = [30, 10];
    const n = rows * cols;
    const [z, a, da, dz] = [0, n, 2 * n, 3 * n];
    const h = heaps(4 * n);
    fill(h, rng, z, n, () => 12 * rng.next() - 6);
    fill(h, rng, da, n);
    act64.activate(h.h64, Act.softmax, rows, cols, z, a);
    act32.activate(h.h32, Act.softmax, rows, cols, z, a);
    // exp(z − m): the f32 difference is off by u·|z − m|, a relative error of the same size in exp;
    // exp, 1/Σ and the product each round once more, and Σ carries the terms' relative errors.
    const spread = (r: number) => {
      const row = Array.from(h.h64.subarray(z + r * cols, z + (r + 1) * cols));
      return Math.max(...row) - Math.min(...row);
    };
    expect(
      worst(h, a, n, (i) => u * (4 + 2 * spread(Math.floor(i / cols))) * 1.001 * h.h64[a + i]),
      'forward',
    ).toBe('within bound');
    h.h64.set(h.h32.subarray(a, a + n), a);
    act64.activateBackward(h.h64, Act.softmax, rows, cols, z, a, da, dz);
    act32.activateBackward(h.h32, Act.softmax, rows, cols, z, a, da, dz);
    const dots = Array.from({ length: rows }, (_, r) =>
      Array.from({ length: cols }, (_, c) => Math.abs(h.h64[a + r * cols + c] * h.h64[da + r * cols + c])).reduce((s, v) => s + v),
    );
    expect(
      worst(h, dz, n, (i) => gamma(3) * Math.abs(h.h64[a + i]) * (Math.abs(h.h64[da + i]) + 2 * dots[Math.floor(i / cols)])),
      'backward',
    ).toBe('within bound');
  });

  it('losses: |Δ| ≤ γ(n)·M, M the loss of the terms taken absolutely; lossBackward |Δ| ≤ γ(3)·|G|', () => {
    const rng = new Rng(6);
    const [rows, cols] = [16, 7];
    const n = rows * cols;
    const [z, a, y, g] = [0, n, 2 * n, 3 * n];
    for (const kind of [LossKind.mse, LossKind.halfSquaredError, LossKind.binaryCrossEntropy, LossKind.crossEntropy]) {
      const h = heaps(4 * n);
      fill(h, rng, z, n, () => 10 * rng.next() - 5);
      act64.activate(h.h64, kind === LossKind.crossEntropy ? Act.softmax : Act.sigmoid, rows, cols, z, a);
      for (let i = 0; i < n; i++) h.h32[a + i] = h.h64[a + i] = Math.fround(h.h64[a + i]);
      const oneHot = kind === LossKind.crossEntropy;
      for (let r = 0; r < rows; r++) {
        const hot = rng.int(cols);
        for (let c = 0; c < cols; c++)
          h.h64[y + r * cols + c] = h.h32[y + r * cols + c] = oneHot
            ? Number(c === hot)
            : kind === LossKind.binaryCrossEntropy
              ? rng.int(2)
              : Math.fround(rng.next());
      }
      const l64 = loss64.loss(h.h64, kind, rows, cols, z, a, y);
      const l32 = loss32.loss(h.h32, kind, rows, cols, z, a, y);
      // Every loss here is a mean of non-negative terms, each term ≤ 4 f32 roundings from its f64
      // value on magnitudes ≤ (the term + 1 + max|z|·u-scaled exp arguments): M = loss + 1 + 10 (|z| ≤ 5, |z − m| ≤ 10).
      expect(Math.abs(l32 - l64), `loss ${kind}: ${l32} vs ${l64}`).toBeLessThanOrEqual(gamma(4) * (l64 + 11));
      loss64.lossBackward(h.h64, kind, rows, cols, a, y, g);
      loss32.lossBackward(h.h32, kind, rows, cols, a, y, g);
      expect(
        worst(h, g, n, (i) => gamma(3) * Math.abs(h.h64[g + i])),
        `lossBackward ${kind}`,
      ).toBe('within bound');
    }
  });

  // Optimizers: the new P is P₀ − Δ; Δ (and each new state value) is within γ(K) of the f64 one,
  // relative to its magnitude (the f64 twin run on |P|, |G|, |state|, where every term adds), K
  // the roundings on its longest path (hyper-parameters rounded to f32 count as one each); the
  // subtraction rounds once more: |ΔP| ≤ γ(K)·Δ_mag + u·|P|.
  const OPTIMIZERS = {
    sgd: { K: 3, state: 0, run: (o: typeof opt64 | typeof opt32, h: never, n: number) => o.sgd(h, n, 0, n, 2 * n, 0.05, 0, 0) },
    momentum: { K: 8, state: 1, run: (o: typeof opt64 | typeof opt32, h: never, n: number) => o.sgd(h, n, 0, n, 2 * n, 0.05, 0.9, 0) },
    nesterov: { K: 8, state: 1, run: (o: typeof opt64 | typeof opt32, h: never, n: number) => o.sgd(h, n, 0, n, 2 * n, 0.05, 0.9, 1) },
    adamw: {
      K: 20,
      state: 2,
      run: (o: typeof opt64 | typeof opt32, h: never, n: number) => o.adam(h, n, 0, n, 2 * n, 3 * n, 0.01, 0.9, 0.999, 1e-7, 3, 0.01),
    },
    rmsprop: {
      K: 12,
      state: 1,
      run: (o: typeof opt64 | typeof opt32, h: never, n: number) => o.rmsprop(h, n, 0, n, 2 * n, 0.01, 0.9, 1e-7),
    },
    adagrad: { K: 12, state: 1, run: (o: typeof opt64 | typeof opt32, h: never, n: number) => o.adagrad(h, n, 0, n, 2 * n, 0.01, 1e-7) },
  };
  it.each(Object.keys(OPTIMIZERS) as (keyof typeof OPTIMIZERS)[])('%s: one step, P and state within γ(K) of the f64 twin', (name) => {
    const { K, state, run } = OPTIMIZERS[name];
    const rng = new Rng(7);
    const n = 101;
    const h = heaps(4 * n);
    fill(h, rng, 0, 2 * n); // P, G
    fill(h, rng, 2 * n, n, () => (name === 'adamw' ? 2 * rng.next() - 1 : rng.next())); // M (any sign) or a non-negative state
    fill(h, rng, 3 * n, n, () => rng.next()); // Adam's V
    const before = Float64Array.from(h.h64);
    const mag = new Float64Array(h.h64.map(Math.abs));
    expect(run(opt64, mag as never, n)).toBe(0);
    expect(run(opt64, h.h64 as never, n)).toBe(0);
    expect(run(opt32, h.h32 as never, n)).toBe(0);
    const stepMag = (i: number) => Math.abs(before[i]) - mag[i]; // Δ on magnitudes: every term adds
    expect(
      worst(h, 0, n, (i) => gamma(K) * stepMag(i) + u * Math.abs(h.h64[i])),
      'P',
    ).toBe('within bound');
    for (let s = 0; s < state; s++)
      expect(
        worst(h, (2 + s) * n, n, (i) => gamma(K) * mag[(2 + s) * n + i]),
        `state ${s}`,
      ).toBe('within bound');
  });

  it('the divergence check: an f32 overflow is reported where f64 would not overflow', () => {
    const h32 = new Float32Array([3e38, 1]); // P, G: 3e38 − (−1e38) = 4e38 > f32's max, finite in f64
    expect(opt32.sgd(h32, 1, 0, 1, 0, 1e38, 0, 0)).toBe(0); // moves down: finite
    h32.set([3e38, -1]);
    expect(opt32.sgd(h32, 1, 0, 1, 0, 1e38, 0, 0)).toBe(1);
    expect(h32[0]).toBe(Infinity);
    const h64 = new Float64Array([3e38, -1]);
    expect(opt64.sgd(h64, 1, 0, 1, 0, 1e38, 0, 0)).toBe(0);
    // State below f32's smallest normal is flushed to +0 (f64 keeps it: it is normal there).
    const s32 = new Float32Array([0, 0, 2 ** -120]); // P, G, V
    opt32.sgd(s32, 1, 0, 1, 2, 1, 2 ** -10, 0);
    expect(s32[2]).toBe(0);
  });

  it('regularizers: axpy γ(3)·(|Y| + |αX|) (α rounded, product, sum), sumSquares γ(1)·Σx², scale γ(2)·|αX|, clipValue u·c, multiply u·|XM|', () => {
    const rng = new Rng(8);
    const n = 200;
    const h = heaps(3 * n);
    fill(h, rng, 0, 3 * n, () => 6 * rng.next() - 3);
    const [x, y, m] = [0, n, 2 * n];
    const axpyMag = Array.from({ length: n }, (_, i) => Math.abs(h.h64[y + i]) + Math.abs(0.3 * h.h64[x + i]));
    reg64.axpy(h.h64, n, 0.3, x, y);
    reg32.axpy(h.h32, n, 0.3, x, y);
    expect(worst(h, y, n, (i) => gamma(3) * axpyMag[i])).toBe('within bound');
    h.h64.set(h.h32); // each kernel below starts from the same f32 inputs
    const s64 = reg64.sumSquares(h.h64, n, x),
      s32 = reg32.sumSquares(h.h32, n, x);
    expect(Math.abs(s32 - s64)).toBeLessThanOrEqual(gamma(1) * s64);
    reg64.scale(h.h64, n, x, 0.7);
    reg32.scale(h.h32, n, x, 0.7);
    expect(worst(h, x, n, (i) => gamma(2) * Math.abs(h.h64[x + i]))).toBe('within bound');
    h.h64.set(h.h32);
    reg64.clipValue(h.h64, n, x, 0.9);
    reg32.clipValue(h.h32, n, x, 0.9);
    expect(worst(h, x, n, () => u * 0.9)).toBe('within bound');
    h.h64.set(h.h32);
    reg64.multiply(h.h64, n, y, m);
    reg32.multiply(h.h32, n, y, m);
    expect(worst(h, y, n, (i) => u * Math.abs(h.h64[y + i]))).toBe('within bound');
  });

  it("dropoutMask: the f64 twin's units dropped, the kept scale 1/(1 − rate) rounded to f32", () => {
    const h = heaps(1000);
    reg64.dropoutMask(h.h64, 1000, 0, 0.3, 12345);
    reg32.dropoutMask(h.h32, 1000, 0, 0.3, 12345);
    for (let i = 0; i < 1000; i++) expect(h.h32[i]).toBe(Math.fround(h.h64[i]));
    expect(h.h64.filter((v) => v === 0).length).toBeGreaterThan(200); // the pattern is not all kept
  });

  it('metric: accuracies equal, MAE |Δ| ≤ γ(1)·Σ|a − y|; gather copies the rows perm names', () => {
    const rng = new Rng(9);
    const [rows, cols] = [40, 6];
    const n = rows * cols;
    const h = heaps(2 * n);
    fill(h, rng, 0, 2 * n, () => rng.next());
    for (const kind of [Metric.categoricalAccuracy, Metric.binaryAccuracy])
      expect(metric32(h.h32, kind, rows, cols, 0, n)).toBe(metric64(h.h64, kind, rows, cols, 0, n));
    const mae = metric64(h.h64, Metric.mae, rows, cols, 0, n);
    expect(Math.abs(metric32(h.h32, Metric.mae, rows, cols, 0, n) - mae)).toBeLessThanOrEqual(gamma(1) * mae);
    // gather: data 5 rows × 3 at 0, perm (f64 cells) at f32 offset 16 = cell 8, out at 32.
    const buffer = new ArrayBuffer(8 * 32);
    const [cells, values] = [new Float64Array(buffer), new Float32Array(buffer)];
    for (let i = 0; i < 15; i++) values[i] = i + 0.5;
    cells.set([4, 0, 2], 8);
    gather32(values, cells, 2, 3, 0, 16, 1, 32);
    expect(Array.from(values.subarray(32, 38))).toEqual([0.5, 1.5, 2.5, 6.5, 7.5, 8.5]);
    const h64 = new Float64Array(64);
    for (let i = 0; i < 15; i++) h64[i] = i + 0.5;
    h64.set([4, 0, 2], 16);
    gather64(h64, 2, 3, 0, 16, 1, 32);
    expect(Array.from(h64.subarray(32, 38))).toEqual(Array.from(values.subarray(32, 38)));
  });

  it('an unknown activation, loss or metric code throws, as in the f64 twins', () => {
    const h = new Float32Array(8);
    expect(() => act32.activate(h, 99, 1, 1, 0, 1)).toThrow(/activation code 99/);
    expect(() => loss32.loss(h, 99, 1, 1, 0, 1, 2)).toThrow(/no loss code 99/);
    expect(() => loss32.lossBackward(h, 99, 1, 1, 0, 1, 2)).toThrow(/no loss code 99/);
    expect(() => metric32(h, 99, 1, 1, 0, 1)).toThrow(/no metric code 99/);
  });
});
