// src/passes.ts over the f32 twins (JsBackend('f32'), plan and counters in f64 cells): gradient
// checks in f32, the seed 2-2-1 network against a hand derivation in Math.fround, and the output
// losses stable at ±1000.
import { describe, it, expect } from 'vitest';
import { Rng } from '../src/rng.js';
import { ACTIVATIONS, ELEMENTWISE_ACTIVATIONS, Act, type Activation } from '../src/kinds/activations.js';
import { LossKind, type Loss } from '../src/kinds.js';
import { sigmoid as sigmoid64 } from '../src/backends/js/activations.js';
import * as act32 from '../src/backends/js/f32/activations.js';
import * as loss32 from '../src/backends/js/f32/losses.js';
import * as opt32 from '../src/backends/js/f32/optimizers.js';
import { TwinNet, type TwinSpec } from './helpers/twin-net.js';
import { randomRows, randomTargets } from './helpers/random.js';

const u = 2 ** -24;
const f32 = Math.fround;

const OUTPUTS: Record<Loss, Activation[]> = {
  halfSquaredError: ACTIVATIONS,
  mse: ACTIVATIONS,
  crossEntropy: ['softmax'],
  binaryCrossEntropy: ['sigmoid'],
};
const cases: [string, Activation, Activation, Loss][] = [];
for (const loss of Object.keys(OUTPUTS) as Loss[])
  for (const out of OUTPUTS[loss])
    for (const hidden of ELEMENTWISE_ACTIVATIONS) cases.push([`${hidden}→${out} ${loss}`, hidden, out, loss]);

/** A 3-4-3-3 network of the given precision on the same f32-exact random parameters and data. */
function pair(hidden: Activation, out: Activation, loss: Loss, rows: number, seed: number) {
  const spec: TwinSpec = {
    inputs: 3,
    rows,
    loss,
    layers: [
      { units: 4, activation: hidden },
      { units: 3, activation: hidden },
      { units: 3, activation: out },
    ],
  };
  const [n32, n64] = [new TwinNet('f32', spec), new TwinNet('f64', spec)];
  const rng = new Rng(seed);
  // Multiples of 2⁻²⁰ in (−1, 1): p ± 2h stays exact in f32, so the difference steps are exactly h.
  const params = Array.from({ length: n32.nParams }, () => Math.round((2 * rng.next() - 1) * 2 ** 20) / 2 ** 20);
  const x = randomRows(rng, rows, 3, 2).map((r) => r.map(f32));
  const y = randomTargets(rng, loss, rows, 3).map((r) => r.map(f32));
  for (const net of [n32, n64]) {
    net.setParams(params);
    net.setData(x, y);
  }
  return { n32, n64, params };
}

// Finite differences in f64 on the f32 loss, with step h = 2⁻⁶ and the fourth-order central formula
// (truncation h⁴/30·|L⁽⁵⁾| ≈ 6e-9). The f32 loss L̃ = L + δ, |δ| ≤ K·u·M with K = 30 roundings on
// the longest path (three layers of GEMM depth ≤ 4, bias, activation; the loss) and M = 8 (|z| ≤ 4·2 + 1
// here): the difference quotient's error ≤ (18/12)·K·u·M / h ≈ 1.4e-3. Measured as |a − n| / max(1, |a|).
const H = 2 ** -6;
const FD_TOLERANCE = (1.5 * 30 * u * 8) / H;
/** Activations whose f, f′ or f″ jumps at z = 0. */
const KINKED: Activation[] = ['relu', 'leakyRelu', 'elu', 'selu'];

/**
 * max over parameters of |analytic − numeric| / max(1, |analytic|), and how many parameters were
 * checked: one whose steps move some Z across 0 (a kink of relu, leakyRelu, selu, or elu's second
 * derivative) is skipped, as the formula needs the loss smooth over [p − 2h, p + 2h].
 */
function fdError(net: TwinNet, params: number[], analytic: number[]): { worst: number; checked: number } {
  let worst = 0,
    checked = 0;
  net.setParams(params);
  net.loss();
  const kinked = (a: Activation) => KINKED.includes(a);
  const signs = net.preActivations(kinked).map(Math.sign);
  params.forEach((p0, i) => {
    let smooth = true;
    const lossAt = (d: number) => {
      const p = [...params];
      p[i] = f32(p0 + d);
      net.setParams(p);
      const l = net.loss();
      if (net.preActivations(kinked).some((z, j) => Math.sign(z) !== signs[j])) smooth = false;
      return [l, p[i]];
    };
    const [[l2m, p2m], [l1m, p1m], [l1p, p1p], [l2p, p2p]] = [lossAt(-2 * H), lossAt(-H), lossAt(H), lossAt(2 * H)];
    // The perturbed parameters are exact in f32 (see pair), so the quotient's steps are h and 2h.
    expect([p2m, p1m, p1p, p2p].map((p) => p - p0)).toEqual([-2 * H, -H, H, 2 * H]);
    if (!smooth) return;
    checked++;
    const numeric = (-l2p + 8 * l1p - 8 * l1m + l2m) / (12 * H);
    worst = Math.max(worst, Math.abs(analytic[i] - numeric) / Math.max(1, Math.abs(analytic[i])));
  });
  net.setParams(params);
  return { worst, checked };
}

describe('f32 passes: gradients', () => {
  it.each(cases)("%s: finite differences on the f32 loss; within γ(30)·8 of the f64 twin's gradient", (_name, hidden, out, loss) => {
    for (const rows of [1, 5]) {
      const { n32, n64, params } = pair(hidden, out, loss, rows, rows * 7 + 1);
      n32.backprop();
      n64.backprop();
      const [g32, g64] = [n32.gradients(), n64.gradients()];
      const { worst, checked } = fdError(n32, params, g32);
      expect(worst, `rows=${rows}`).toBeLessThan(FD_TOLERANCE);
      expect(checked, 'parameters away from a kink').toBeGreaterThanOrEqual(0.5 * params.length);
      // The f64 twin on the same f32-exact inputs is the exact gradient to 2⁻⁵³: the f32 one is off by
      // at most the K = 30 roundings of its path, on magnitudes ≤ M = 8 (relative above 1).
      g32.forEach((g, i) =>
        expect(Math.abs(g - g64[i]), `rows=${rows} parameter ${i}`).toBeLessThanOrEqual(30 * u * 8 * Math.max(1, Math.abs(g64[i]))),
      );
    }
  });

  it('negative control: a gradient off by 0.01 fails the finite-difference check', () => {
    const { n32, params } = pair('tanh', 'softmax', 'crossEntropy', 4, 3);
    n32.backprop();
    const g = n32.gradients();
    expect(fdError(n32, params, g).worst).toBeLessThan(FD_TOLERANCE);
    g[5] += 0.01;
    expect(fdError(n32, params, g).worst).toBeGreaterThan(FD_TOLERANCE);
  });
});

describe('f32 passes: the update', () => {
  it("Adam's second block starts n rounded up to 4 values after the first (a whole f32x4, as src/core.ts lays f32 state out)", () => {
    const net = new TwinNet('f32', {
      inputs: 3,
      rows: 2,
      loss: 'mse',
      optimizer: { type: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-7 },
      layers: [{ units: 3, activation: 'tanh' }],
    });
    const n = net.nParams; // 12: 3×3 weights and 3 biases
    expect(n % 4).toBe(0);
    const rng = new Rng(21);
    net.setParams(Array.from({ length: n }, () => f32(rng.next() - 0.5)));
    net.setData(
      [
        [0.5, -1, 2],
        [1, 0.25, -0.5],
      ].map((r) => r.map(f32)),
      [
        [0.1, 0.2, 0.3],
        [-0.3, 0, 0.5],
      ].map((r) => r.map(f32)),
    );
    const p0 = net.getParams();
    net.backprop();
    const g = net.gradients();
    net.trainStep();
    // The oracle: the Adam twin on a heap of its own laid out P | G | M | V with V at M + n.
    const h = new Float32Array(4 * n);
    h.set(p0, 0);
    h.set(g, n);
    opt32.adam(h, n, 0, n, 2 * n, 3 * n, 0.01, 0.9, 0.999, 1e-7, 1, 0);
    expect(net.getParams()).toEqual(Array.from(h.subarray(0, n)));
    expect(net.read(net.state, n)).toEqual(Array.from(h.subarray(2 * n, 3 * n)));
    expect(net.read(net.state + n, n)).toEqual(Array.from(h.subarray(3 * n, 4 * n)));
  });

  it("with n not a multiple of 4, V sits at M + n rounded up to 4 (2 → 4; f64's pad would give 2)", () => {
    const net = new TwinNet('f32', {
      inputs: 1,
      rows: 1,
      loss: 'mse',
      optimizer: { type: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-7 },
      layers: [{ units: 1, activation: 'linear' }],
    });
    expect(net.nParams).toBe(2);
    net.setParams([0.5, -0.25]);
    net.setData([[2]], [[3]]);
    net.backprop();
    const g = net.gradients();
    net.trainStep();
    // V = (1 − β2)·G² after one step, at state + 4; state + 2 and + 3 are padding, untouched.
    const v = net.read(net.state + 4, 2);
    g.forEach((gi, i) => expect(v[i]).toBe(f32(f32(f32(1 - 0.999) * gi) * gi)));
    expect(v[0]).toBeGreaterThan(0);
    expect(net.read(net.state + 2, 2)).toEqual([0, 0]);
  });
});

describe('f32 passes: the seed 2-2-1 network', () => {
  const X = [0.35, 0.9].map(f32),
    Y = 0.5;
  const W = [0.1, 0.8, 0.4, 0.6, 0.3, 0.9].map(f32); // W0 row-major, then W1

  /** The seed example's backprop by hand, every operation rounded to f32 as the convention says; losses before each step. */
  function handTrajectory(steps: number): { losses: number[]; weights: number[] } {
    const w = [...W];
    const sig = (z: number) => f32(sigmoid64(z)); // evaluated in f64 from the f32 z, rounded once
    const dot2 = (a0: number, a1: number, b0: number, b1: number) => f32(f32(a0 * b0) + f32(a1 * b1));
    const losses: number[] = [];
    for (let s = 0; s < steps; s++) {
      const h = [sig(dot2(w[0], w[1], X[0], X[1])), sig(dot2(w[2], w[3], X[0], X[1]))];
      const o = sig(dot2(w[4], w[5], h[0], h[1]));
      const d = f32(Y - o);
      losses.push((0.5 * f32(d * d)) / 1);
      const dOut = f32(f32(o - Y) * f32(o * f32(1 - o))); // dL/dA·σ′: halfSquaredError's scale 1/rows = 1
      const dHid = h.map((hj, j) => f32(f32(dOut * w[4 + j]) * f32(hj * f32(1 - hj)))); // W1 before its update
      for (let j = 0; j < 2; j++) w[4 + j] = f32(w[4 + j] - f32(1 * f32(dOut * h[j])));
      for (let j = 0; j < 2; j++) for (let k = 0; k < 2; k++) w[2 * j + k] = f32(w[2 * j + k] - f32(1 * f32(dHid[j] * X[k])));
    }
    return { losses, weights: w };
  }

  const seedNet = () => {
    const net = new TwinNet('f32', {
      inputs: 2,
      rows: 1,
      loss: 'halfSquaredError',
      optimizer: { type: 'sgd', lr: 1 },
      layers: [
        { units: 2, activation: 'sigmoid', bias: false },
        { units: 1, activation: 'sigmoid', bias: false },
      ],
    });
    net.setParams(W);
    net.setData([X], [[Y]]);
    return net;
  };

  it('trainStep follows the f32 hand derivation bit for bit for 100 steps, and learns', () => {
    const net = seedNet();
    const hand = handTrajectory(100);
    const got = Array.from({ length: 100 }, () => net.trainStep());
    expect(got).toEqual(hand.losses);
    expect(net.getParams()).toEqual(hand.weights);
    expect(net.steps()).toBe(100);
    expect(got[0]).toBeCloseTo(0.01810390383656677, 7); // the f64 seed loss, to f32's precision
    expect(got[99]).toBeLessThan(2e-6);
  });

  it("trainBatches gives trainStep's losses and writes out and the counters in f64 cells", () => {
    const [a, b] = [seedNet(), seedNet()];
    const losses = Array.from({ length: 5 }, () => a.trainStep());
    const batches = b.trainBatches(5);
    expect(batches.map(([l]) => l)).toEqual(losses);
    expect(b.getParams()).toEqual(a.getParams());
    expect(b.steps()).toBe(5);
  });
});

describe('f32: sigmoid, softmax and the cross-entropies stable at ±1000', () => {
  it('sigmoid and its derivative', () => {
    const h = new Float32Array([1000, -1000, 0, 0, 1, 1, 0, 0]);
    act32.activate(h, Act.sigmoid, 1, 2, 0, 2);
    expect([h[2], h[3]]).toEqual([1, 0]);
    act32.activateBackward(h, Act.sigmoid, 1, 2, 0, 2, 4, 6);
    expect([h[6], h[7]]).toEqual([0, 0]);
  });

  it('softmax rows of ±1000 logits: one-hot, finite, summing to 1; its backward finite', () => {
    const z = [1000, -1000, 0, 999, -1000, -1000, 1000, 1000, 1000];
    const h = new Float32Array(36);
    h.set(z);
    act32.activate(h, Act.softmax, 3, 3, 0, 9);
    const a = Array.from(h.subarray(9, 18));
    expect(a.every(Number.isFinite)).toBe(true);
    expect(a.slice(0, 3)).toEqual([1, 0, 0]);
    expect(a[3]).toBe(1); // e^−1999 and e^−1000 vanish; e^−1 does not reach row 2 (999 vs −1000)
    expect(a.slice(6)).toEqual([f32(1 / 3), f32(1 / 3), f32(1 / 3)].map((v) => f32(1 * v)));
    h.set([1, -1, 0.5, 1, -1, 0.5, 1, -1, 0.5], 18);
    act32.activateBackward(h, Act.softmax, 3, 3, 0, 9, 18, 27);
    expect(Array.from(h.subarray(27, 36)).every(Number.isFinite)).toBe(true);
  });

  it('cross-entropy from logits at ±1000: the exact margin, and a finite gradient', () => {
    // Row [1000, −1000, 0] with target class 1: L = z_k − z_1 + log1p(e^−2000 + e^−1000) = 2000 exactly.
    const h = new Float32Array(12);
    h.set([1000, -1000, 0], 0);
    act32.activate(h, Act.softmax, 1, 3, 0, 3);
    h.set([0, 1, 0], 6);
    expect(loss32.loss(h, LossKind.crossEntropy, 1, 3, 0, 3, 6)).toBe(2000);
    h.set([0, 0, 0, 0, 0, 0], 6);
    h[6] = 1;
    expect(loss32.loss(h, LossKind.crossEntropy, 1, 3, 0, 3, 6)).toBe(0); // the confident right answer
    loss32.lossBackward(h, LossKind.crossEntropy, 1, 3, 3, 6, 9);
    expect(Array.from(h.subarray(9, 12))).toEqual([0, 0, 0]);
  });

  it('binary cross-entropy at ±1000: max(z,0) − z·y + log1p(e^−|z|), exact', () => {
    const h = new Float32Array([1000, -1000, 1000, -1000, 0, 0, 0, 0, 0, 1, 1, 0]); // z | a | y
    act32.activate(h, Act.sigmoid, 1, 4, 0, 4);
    // terms: 1000 (wrong, z=1000, y=0), 0 (right), 0 (right), 1000 (wrong): mean 500.
    expect(loss32.loss(h, LossKind.binaryCrossEntropy, 1, 4, 0, 4, 8)).toBe(500);
  });
});
