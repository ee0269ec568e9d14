// Weighted fits (classWeights, sampleWeights) of f32 networks: src/weighted-fit.ts accumulates
// Σ_r (w_r/B)·∇ℓ_r in f32 (each w_r/B rounded once to f32 by axpy), adds the L2 penalty's gradient
// once and steps. Checked against a hand computation in f32 from the network's own per-row
// gradients() and loss(), Wasm against the f32 twins bit for bit, and against the f64 weighted fit
// of the same weights within f32's precision.
import { describe, it, expect } from 'vitest';
import { Network, type NetworkSpec } from '../src/index.js';
import { enableF32 } from '../src/f32.js';

enableF32();

const f32 = Math.fround;
const X = [
  [0.5, -1],
  [1.5, 0.3],
  [-0.7, 0.9],
  [0.2, 0.2],
];
const Y = [
  [1, 0],
  [0, 1],
  [0, 1],
  [1, 0],
];
const W = [0.5, 2, 0, 1.25]; // Σ w / B = 0.9375: the penalty's gradient is added with weight 1 − 0.9375
const L2 = 0.01;
const spec = (backend: 'wasm' | 'js', precision: 'f32' | 'f64' = 'f32'): NetworkSpec => ({
  inputs: 2,
  l2: L2,
  loss: 'crossEntropy',
  seed: 4,
  backend,
  precision,
  layers: [
    { units: 3, activation: 'tanh' },
    { units: 2, activation: 'softmax' },
  ],
  optimizer: { type: 'sgd', learningRate: 1 },
});
type Layers = { weights: number[][]; bias?: number[] }[];
/** Weights then biases, layer by layer; `weight` marks the entries the L2 penalty covers. */
const flat = (layers: Layers) => layers.flatMap((l) => [...l.weights.flat(), ...(l.bias ?? [])]);
const isWeight = (layers: Layers) => layers.flatMap((l) => [...l.weights.flat().map(() => true), ...(l.bias ?? []).map(() => false)]);
const bits = (v: number[]) => Array.from(new Uint32Array(Float32Array.from(v).buffer));

describe.each(['wasm', 'js'] as const)('f32 weighted fit on %s', (backend) => {
  it('one SGD step (lr 1) is θ − Σ f32(w_r/B)·∇ℓ_r − f32((1 − Σw/B)·λ)·W, summed in f32 from gradients(); the loss as loss() gives it', async () => {
    const net = await Network.create(spec(backend));
    const twin = await Network.fromJSON(JSON.stringify(net), { backend });
    const layers = twin.getWeights();
    const theta = flat(layers),
      weight = isWeight(layers);
    // ½λ‖W‖², as the kernels sum it: each square in f32, the sum in f64, layer by layer.
    const penalty = layers.reduce((s, l) => s + 0.5 * L2 * l.weights.flat().reduce((a, v) => a + f32(v * v), 0), 0);
    const acc = theta.map(() => 0);
    let loss = 0,
      share = 0;
    X.forEach((x, r) => {
      const c = W[r] / X.length;
      loss += c * (twin.loss(x, Y[r]) - penalty);
      if (c === 0) return;
      const g = flat(twin.gradients(x, Y[r])); // ∇ℓ_r + λW, in f32
      g.forEach((v, i) => (acc[i] = f32(acc[i] + f32(f32(c) * v))));
      share += c;
    });
    loss += penalty;
    const alpha = f32((1 - share) * L2);
    const expected = theta.map((t, i) => {
      const g = weight[i] ? f32(acc[i] + f32(alpha * t)) : acc[i];
      return f32(t - g);
    });
    const h = await net.fit({ inputs: X, targets: Y }, { epochs: 1, batchSize: 4, shuffle: false, sampleWeights: W });
    expect(h.loss[0]).toBe(loss);
    expect(bits(flat(net.getWeights()))).toEqual(bits(expected));
    expect(expected).not.toEqual(theta);
  });
});

describe('f32 weighted fits across backends and precisions', () => {
  const data = { inputs: X, targets: [Y[0], Y[1], Y[1], Y[1]] };
  const options = [
    { epochs: 4, batchSize: 2, classWeights: 'balanced' as const, validationSplit: 0.25 },
    { epochs: 3, batchSize: 3, sampleWeights: W, classWeights: { 1: 2 } },
    { epochs: 2, batchSize: 1, sampleWeights: W },
  ];

  it('Wasm equals the f32 twins bit for bit (Adam, L2, dropout, shuffling, validation)', async () => {
    const s = (backend: 'wasm' | 'js'): NetworkSpec => ({
      ...spec(backend),
      layers: [
        { units: 6, activation: 'relu', dropout: 0.3 },
        { units: 2, activation: 'softmax' },
      ],
      optimizer: { type: 'adam', learningRate: 0.05 },
    });
    for (const o of options) {
      const [a, b] = [await Network.create(s('wasm')), await Network.create(s('js'))];
      const [ha, hb] = [await a.fit(data, o), await b.fit(data, o)];
      expect(ha).toEqual(hb);
      expect(a.toJSON()).toEqual(b.toJSON());
    }
  });

  it('the f32 fit follows the f64 fit of the same weights within f32 precision; the dropout stream advances once a row', async () => {
    const s = (precision: 'f32' | 'f64'): NetworkSpec => ({
      ...spec('wasm', precision),
      layers: [
        { units: 4, activation: 'tanh', dropout: 0.25 },
        { units: 2, activation: 'softmax' },
      ],
      optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.9 },
    });
    for (const o of options) {
      const narrow = await Network.create(s('f32'));
      const wide = await Network.create(s('f64'));
      wide.setWeights(narrow.getWeights()); // f32 values, exact in f64
      const [hn, hw] = [await narrow.fit(data, o), await wide.fit(data, o)];
      hn.loss.forEach((l, i) => expect(Math.abs(l - hw.loss[i])).toBeLessThan(1e-5));
      const [pn, pw] = [flat(narrow.getWeights()), flat(wide.getWeights())];
      pn.forEach((v, i) => expect(Math.abs(v - pw[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(pw[i]))));
      // Same counters: optimizer steps, and one dropout draw per row (the same masks in both precisions).
      expect(Array.from(narrow.core.countersView())).toEqual(Array.from(wide.core.countersView()));
    }
  });
});
