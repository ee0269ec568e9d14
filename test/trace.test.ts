// net.trace: every z, a, δ and ∂L/∂W of a pass — against a hand derivation of the seed example,
// against net.gradients / net.predict (bit for bit), and against finite differences.
import { describe, it, expect } from 'vitest';
import { Network, BackpropError, ACTIVATIONS, LOSSES, OPTIMIZERS } from '../src/index.js';
import { seedNet } from './helpers/seed-net.js';

const X = [0.35, 0.9],
  Y = [0.5];
const sig = (z: number) => 1 / (1 + Math.exp(-z));

describe.each(['wasm', 'js'] as const)('trace on %s', (backend) => {
  it('gives the seed example’s every value, as derived by hand', async () => {
    const net = await seedNet(backend);
    const t = net.trace(X, Y);
    // Hand derivation (independent scalar code).
    const z1 = [0.1 * 0.35 + 0.8 * 0.9, 0.4 * 0.35 + 0.6 * 0.9];
    const a1 = z1.map(sig);
    const z2 = 0.3 * a1[0] + 0.9 * a1[1],
      yHat = sig(z2);
    const d2 = (yHat - 0.5) * yHat * (1 - yHat);
    const d1 = a1.map((a, j) => d2 * [0.3, 0.9][j] * a * (1 - a));
    expect(t.rows).toBe(1);
    expect(Array.from(t.inputs)).toEqual(X);
    expect(t.loss).toBe(0.01810390383656677);
    t.layers[0].z.forEach((v, j) => expect(v).toBeCloseTo(z1[j], 15));
    t.layers[0].a.forEach((v, j) => expect(v).toBeCloseTo(a1[j], 15));
    expect(t.layers[1].z[0]).toBeCloseTo(z2, 15);
    expect(t.layers[1].a[0]).toBe(net.predict(X)[0]);
    expect(t.layers[1].delta![0]).toBeCloseTo(d2, 16);
    t.layers[0].delta!.forEach((v, j) => expect(v).toBeCloseTo(d1[j], 16));
    // ∂L/∂w = δ · a (the chain-rule product) and equal, bit for bit, to gradients().
    const g = net.gradients(X, Y);
    expect(t.layers.map((l) => ({ weights: l.weightGradients }))).toEqual(g);
    for (let j = 0; j < 2; j++) {
      expect(t.layers[1].weightGradients![0][j]).toBeCloseTo(d2 * a1[j], 16);
      for (let i = 0; i < 2; i++) expect(t.layers[0].weightGradients![j][i]).toBeCloseTo(d1[j] * X[i], 16);
    }
    expect(t.layers[0].biasGradients).toBeUndefined();
  });

  it('with biases, L2 and a batch: bias gradients are Σ δ, weight gradients match gradients() and finite differences', async () => {
    const net = await Network.create({
      inputs: 3,
      l2: 0.01,
      seed: 5,
      backend,
      loss: 'mse',
      layers: [
        { units: 4, activation: 'tanh' },
        { units: 3, activation: 'leakyRelu' },
        { units: 2, activation: 'linear' },
      ],
    });
    const x = [
      [0.2, -0.5, 0.9],
      [1.1, 0.3, -0.7],
      [-0.4, 0.8, 0.1],
    ];
    const y = [
      [0.5, -0.2],
      [0.1, 0.3],
      [-0.6, 0.4],
    ];
    const t = net.trace(x, y);
    expect(t.rows).toBe(3);
    expect(t.loss).toBe(net.loss(x, y));
    const g = net.gradients(x, y);
    t.layers.forEach((l, i) => {
      expect(l.weightGradients).toEqual(g[i].weights);
      expect(l.biasGradients).toEqual(g[i].bias);
      l.biasGradients!.forEach((gb, o) =>
        expect(gb).toBeCloseTo(l.delta![o] + l.delta![o + l.biasGradients!.length] + l.delta![o + 2 * l.biasGradients!.length], 14),
      );
    });
    // Output activations equal predict() (dropout off); z of layer 0 is x·Wᵀ + b.
    const p = net.predict(x);
    for (let r = 0; r < 3; r++) for (let o = 0; o < 2; o++) expect(t.layers[2].a[r * 2 + o]).toBe(p[r][o]);
    const w = net.getWeights();
    for (let r = 0; r < 3; r++)
      for (let o = 0; o < 4; o++)
        expect(t.layers[0].z[r * 4 + o]).toBeCloseTo(w[0].bias![o] + w[0].weights[o].reduce((s, wi, i) => s + wi * x[r][i], 0), 14);
    // Central differences on a few weights of every layer.
    for (let l = 0; l < 3; l++) {
      const ws = net.getWeights();
      const eps = 1e-6;
      const at = (delta: number) => {
        const c = structuredClone(ws);
        c[l].weights[1][0] += delta;
        net.setWeights(c);
        return net.loss(x, y);
      };
      const fd = (at(eps) - at(-eps)) / (2 * eps);
      net.setWeights(ws);
      expect(t.layers[l].weightGradients![1][0]).toBeCloseTo(fd, 7);
    }
    expect(Array.from(net.getWeights()[0].weights[0])).toEqual(w[0].weights[0]); // nothing changed
  });

  it('forward only: flat rows give every layer’s activations and no backward values', async () => {
    const net = await Network.create({
      inputs: 2,
      seed: 3,
      backend,
      layers: [
        { units: 3, activation: 'relu' },
        { units: 1, activation: 'sigmoid' },
      ],
    });
    const grid = new Float64Array([0, 0, 0.5, -1, 2, 1, -3, 0.25]);
    const t = net.trace(grid);
    expect(t.rows).toBe(4);
    expect(t.loss).toBeUndefined();
    expect(t.layers[0].delta).toBeUndefined();
    expect(Array.from(t.layers[1].a)).toEqual(Array.from(net.predict(grid, 4)));
    expect(t.layers[0].a.every((v, i) => v === Math.max(0, t.layers[0].z[i]))).toBe(true);
  });

  it('refuses bad input with a BackpropError naming the field', async () => {
    const net = await seedNet(backend);
    const before = net.getWeights();
    for (const [x, y, field] of [
      [[1, 2, 3], Y, 'inputs'],
      [X, [0.5, 1], 'targets'],
      [[1, NaN], Y, 'inputs[1]'],
      [new Float64Array(3), undefined, 'inputs rows'],
    ] as const) {
      let err: unknown;
      try {
        net.trace(x as number[], y as number[] | undefined);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(BackpropError);
      expect((err as BackpropError).field).toBe(field);
    }
    expect(net.getWeights()).toEqual(before);
  });
});

it('exports the names of every activation, loss and optimizer', () => {
  expect(ACTIVATIONS).toContain('leakyRelu');
  expect(LOSSES).toContain('binaryCrossEntropy');
  expect(OPTIMIZERS).toContain('adamw');
  expect(Object.isFrozen(ACTIVATIONS) && Object.isFrozen(LOSSES) && Object.isFrozen(OPTIMIZERS)).toBe(true);
});
