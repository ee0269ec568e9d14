// Training end to end: XOR and a regression learn on both backends; seeds reproduce; the two
// backends follow the same trajectory; saved models round-trip bit for bit.
import { describe, it, expect } from 'vitest';
import { Network } from '../src/index.js';
import { Rng } from '../src/rng.js';
import { maxRelDiff } from './helpers/random.js';

const XOR_X = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const XOR_Y = [[0], [1], [1], [0]];

const xorNet = (backend: 'wasm' | 'js', seed = 3) =>
  Network.create({
    inputs: 2,
    layers: [
      { units: 8, activation: 'tanh' },
      { units: 1, activation: 'sigmoid' },
    ],
    loss: 'binaryCrossEntropy',
    optimizer: { type: 'sgd', learningRate: 0.5, momentum: 0.9 },
    seed,
    backend,
  });

/** y = sin(x0) + x1² on [−1, 1]², 256 samples. */
function regressionData() {
  const rng = new Rng(11);
  const inputs = Array.from({ length: 256 }, () => [2 * rng.next() - 1, 2 * rng.next() - 1]);
  return { inputs, targets: inputs.map(([a, b]) => [Math.sin(a) + b * b]) };
}

const flat = (w: { weights: number[][]; bias?: number[] }[]) => w.flatMap((l) => [...l.weights.flat(), ...(l.bias ?? [])]);

describe.each(['wasm', 'js'] as const)('training on %s', (backend) => {
  it('learns XOR to loss < 0.01 and classifies all four', async () => {
    const net = await xorNet(backend);
    const h = await net.fit({ inputs: XOR_X, targets: XOR_Y }, { epochs: 500, batchSize: 4 });
    expect(h.loss).toHaveLength(500);
    expect(h.loss[499]).toBeLessThan(0.01);
    expect(h.loss[499]).toBeLessThan(h.loss[0] / 20);
    expect(net.predict(XOR_X).map((r) => Math.round(r[0]))).toEqual([0, 1, 1, 0]);
  });

  it('learns a smooth regression to mse < 0.005', async () => {
    const net = await Network.create({
      inputs: 2,
      layers: [{ units: 16, activation: 'tanh' }, { units: 16, activation: 'tanh' }, { units: 1 }],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 },
      seed: 5,
      backend,
    });
    const data = regressionData();
    const before = net.loss(data.inputs, data.targets);
    await net.fit(data, { epochs: 200, batchSize: 16 });
    const after = net.loss(data.inputs, data.targets);
    expect(after).toBeLessThan(0.005);
    expect(after).toBeLessThan(before / 20);
  });

  it('gives bit-identical weights for the same seed, different ones for another', async () => {
    const run = async (seed: number) => {
      const net = await xorNet(backend, seed);
      await net.fit({ inputs: XOR_X, targets: XOR_Y }, { epochs: 20, batchSize: 2 });
      return new Float64Array(flat(net.getWeights()));
    };
    const [a, b, c] = [await run(3), await run(3), await run(4)];
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
  });

  it('round-trips toJSON/fromJSON bit for bit and resumes identically', async () => {
    const net = await xorNet(backend);
    await net.fit({ inputs: XOR_X, targets: XOR_Y }, { epochs: 5, batchSize: 2 });
    const text = JSON.stringify(net);
    const copy = await Network.fromJSON(text, { backend });
    expect(copy.backend).toBe(backend);
    expect(JSON.stringify(copy)).toBe(text);
    expect(flat(copy.getWeights())).toEqual(flat(net.getWeights()));
    // Momentum state and shuffling stream travel too: both continue the same way.
    await net.fit({ inputs: XOR_X, targets: XOR_Y }, { epochs: 5, batchSize: 2 });
    await copy.fit({ inputs: XOR_X, targets: XOR_Y }, { epochs: 5, batchSize: 2 });
    expect(JSON.stringify(copy)).toBe(JSON.stringify(net));
  });

  it('batches: predict, loss and gradients accept rows, number[][] and flat Float64Array alike', async () => {
    const net = await xorNet(backend);
    const rows = net.predict(XOR_X);
    const flatOut = net.predict(Float64Array.from(XOR_X.flat()), 4);
    expect(Array.from(flatOut)).toEqual(rows.map((r) => r[0]));
    expect(Array.from(net.predict(XOR_X[2]))).toEqual([rows[2][0]]);
    // The batch loss is the mean of per-sample losses.
    const each = XOR_X.map((x, i) => net.loss(x, XOR_Y[i]));
    expect(net.loss(XOR_X, XOR_Y)).toBeCloseTo(each.reduce((s, v) => s + v) / 4, 15);
    // Predicting more rows than one internal chunk (256) gives the same per-row answers.
    const many = Array.from({ length: 600 }, (_, i) => XOR_X[i % 4]);
    net.predict(many).forEach((r, i) => expect(r[0]).toBe(rows[i % 4][0]));
  });
});

describe('wasm and js follow the same trajectory', () => {
  it('MLP with every activation: weights agree to 1e-12 after 30 epochs', async () => {
    const data = regressionData();
    const make = (backend: 'wasm' | 'js') =>
      Network.create({
        inputs: 2,
        layers: [
          { units: 9, activation: 'leakyRelu' },
          { units: 7, activation: 'sigmoid' },
          { units: 5, activation: 'relu' },
          { units: 3, activation: 'tanh' },
          { units: 1 },
        ],
        loss: 'mse',
        optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.5 },
        seed: 9,
        backend,
      });
    const [w, j] = [await make('wasm'), await make('js')];
    const [hw, hj] = [await w.fit(data, { epochs: 30, batchSize: 10 }), await j.fit(data, { epochs: 30, batchSize: 10 })];
    expect(maxRelDiff(hw.loss, hj.loss)).toBeLessThan(1e-12);
    expect(maxRelDiff(flat(w.getWeights()), flat(j.getWeights()))).toBeLessThan(1e-12);
  });
});

describe('numerical stability', () => {
  it.each(['wasm', 'js'] as const)('softmax/crossEntropy and sigmoid/binaryCrossEntropy stay finite at ±1000 (%s)', async (backend) => {
    const ce = await Network.create({ inputs: 1, layers: [{ units: 3, activation: 'softmax' }], loss: 'crossEntropy', backend });
    ce.setWeights([{ weights: [[1000], [-1000], [0]], bias: [0, 0, 0] }]);
    expect(Array.from(ce.predict([1]))).toEqual([1, 0, 0]);
    expect(ce.loss([1], [0, 1, 0])).toBe(2000); // logsumexp(1000, −1000, 0) − (−1000)
    expect(ce.loss([1], [1, 0, 0])).toBe(0);
    const g = ce.gradients([1], [0, 1, 0]);
    expect(g[0].weights.flat()).toEqual([1, -1, 0]);
    const bce = await Network.create({ inputs: 1, layers: [{ units: 2, activation: 'sigmoid' }], loss: 'binaryCrossEntropy', backend });
    bce.setWeights([{ weights: [[1000], [-1000]], bias: [0, 0] }]);
    expect(Array.from(bce.predict([1]))).toEqual([1, 0]);
    expect(bce.loss([1], [0, 1])).toBe(1000); // each output costs 1000, mean over 2 outputs
    expect(bce.gradients([1], [0, 1])[0].weights.flat()).toEqual([0.5, -0.5]);
  });
});
