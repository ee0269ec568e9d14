// Cross-entropy of confident rows keeps its digits (issue 12, item 11). With weights [[1,0],[0,1]]
// the logits are the input, and −log softmax([m, 0])₀ = log1p(e^−m) exactly: the oracle is that
// closed form, evaluated by the engine's Math.log1p/Math.exp (≤ 1 ulp each). The old form,
// lse − z_c with lse = m + log Σe^(z−m), rounded 1 + e^−m and was 1.3% off at margin 30. Every
// path that reports a loss is checked on both backends: loss(), evaluate(), fit's per-batch losses
// (the batch kernels, the per-shape module for one-sample batches, and threads).
import { describe, it, expect } from 'vitest';
import { Network, type NetworkSpec } from '../src/index.js';
import { enableThreads } from '../src/parallel/enable.js';

enableThreads();

const TOL = 1e-14;
const rel = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);
const MARGINS = [10, 20, 30];

async function identity(backend: 'wasm' | 'js', classes: number, loss: 'crossEntropy' | 'binaryCrossEntropy' = 'crossEntropy') {
  const spec: NetworkSpec = {
    inputs: classes,
    layers: [{ units: classes, activation: loss === 'crossEntropy' ? 'softmax' : 'sigmoid', bias: false }],
    loss,
    optimizer: { type: 'sgd', learningRate: 1e-300 },
    seed: 1,
    backend,
  };
  const net = await Network.create(spec);
  net.setWeights([{ weights: Array.from({ length: classes }, (_, o) => Array.from({ length: classes }, (_, i) => (o === i ? 1 : 0))) }]);
  return net;
}

describe.each(['wasm', 'js'] as const)('%s backend: cross-entropy of confident rows', (backend) => {
  it.each(MARGINS)('margin %i: loss([m, 0], [1, 0]) = log1p(e^−m) within 1e-14 relative', async (m) => {
    const net = await identity(backend, 2);
    const want = Math.log1p(Math.exp(-m));
    expect(rel(net.loss([m, 0], [1, 0]), want)).toBeLessThanOrEqual(TOL);
    expect(
      rel(
        net.loss(
          [
            [m, 0],
            [0, m],
          ],
          [
            [1, 0],
            [0, 1],
          ],
        ),
        want,
      ),
    ).toBeLessThanOrEqual(TOL); // a batch; the max not first
    expect(rel(net.evaluate({ inputs: [[m, 0]], targets: [[1, 0]] }).loss, want)).toBeLessThanOrEqual(TOL);
  });

  it.each(MARGINS)("margin %i: three classes, soft targets, and fit's reported losses", async (m) => {
    const three = await identity(backend, 3);
    expect(rel(three.loss([m, 0, 0], [1, 0, 0]), Math.log1p(2 * Math.exp(-m)))).toBeLessThanOrEqual(TOL);
    // −Σ y_c log softmax_c = 0.7·log1p(e^−m) + 0.3·(m + log1p(e^−m)) = 0.3m + log1p(e^−m).
    const net = await identity(backend, 2);
    expect(rel(net.loss([m, 0], [0.7, 0.3]), 0.3 * m + Math.log1p(Math.exp(-m)))).toBeLessThanOrEqual(TOL);
    const want = Math.log1p(Math.exp(-m));
    for (const batchSize of [1, 2]) {
      const fresh = await identity(backend, 2); // batch 1 on wasm: the per-shape module's loss
      const h = await fresh.fit(
        {
          inputs: [
            [m, 0],
            [m, 0],
          ],
          targets: [
            [1, 0],
            [1, 0],
          ],
        },
        { epochs: 1, batchSize, shuffle: false },
      );
      expect(rel(h.loss[0], want)).toBeLessThanOrEqual(TOL);
    }
  });

  it('the gradient is unchanged: dL/dW = (softmax(z) − y)·xᵀ, by hand', async () => {
    const net = await identity(backend, 2);
    for (const m of MARGINS) {
      const p1 = Math.exp(-m) / (1 + Math.exp(-m)); // softmax(z)₁; softmax(z)₀ − 1 = −p1
      const g = net.gradients([m, 0], [1, 0])[0].weights;
      // (a₀ − 1)·m: a₀ is rounded near 1 before the subtraction (as ever), so allow a few ulps of 1, times m.
      expect(Math.abs(g[0][0] + p1 * m)).toBeLessThanOrEqual(4 * m * Number.EPSILON);
      expect(rel(g[1][0], p1 * m)).toBeLessThan(1e-12);
      expect(Math.abs(g[0][1])).toBe(0);
      expect(Math.abs(g[1][1])).toBe(0);
    }
  });

  it.each(MARGINS)('binaryCrossEntropy at margin %i was already exact (softplus(−|z|) form) and stays so', async (m) => {
    const net = await identity(backend, 1, 'binaryCrossEntropy');
    expect(rel(net.loss([m], [1]), Math.log1p(Math.exp(-m)))).toBeLessThanOrEqual(TOL);
    expect(rel(net.loss([-m], [0]), Math.log1p(Math.exp(-m)))).toBeLessThanOrEqual(TOL);
  });
});

it('threads: the threaded loss is the exact form too', async () => {
  const net = await identity('wasm', 2);
  const rows = 16,
    m = 30;
  const h = await net.fit(
    { inputs: Array(rows).fill([m, 0]), targets: Array(rows).fill([1, 0]) },
    { epochs: 1, batchSize: 16, threads: 2 },
  );
  expect(h.threads).toBe(2);
  expect(rel(h.loss[0], Math.log1p(Math.exp(-m)))).toBeLessThanOrEqual(TOL);
});
