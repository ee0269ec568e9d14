// Each optimizer against a hand-computed two-step trajectory, on both backends.
// The network is one weight w (1 input → 1 linear output, no bias) with mse loss
// L = (w·x − y)², so g = 2(w·x − y)·x — simple enough to follow each update by hand.
import { describe, it, expect } from 'vitest';
import { Network, type OptimizerSpec } from '../src/index.js';

const X = 1.5, Y = -0.5, W0 = 0.8;
const grad = (w: number) => 2 * (w * X - Y) * X;

/** Two updates by the textbook formulas, written out independently of the kernels. */
function byHand(o: OptimizerSpec): number[] {
  let w = W0, v = 0, m = 0, s = 0;
  const ws: number[] = [];
  for (let t = 1; t <= 2; t++) {
    const g = grad(w);
    switch (o.type) {
      case 'sgd': {
        const mu = o.momentum ?? 0;
        v = mu * v + g;
        w -= o.learningRate! * (o.nesterov ? g + mu * v : mu ? v : g);
        break;
      }
      case 'adam':
      case 'adamw': {
        const [b1, b2, eps] = [o.beta1 ?? 0.9, o.beta2 ?? 0.999, o.epsilon ?? 1e-8];
        m = b1 * m + (1 - b1) * g;
        v = b2 * v + (1 - b2) * g * g;
        const mHat = m / (1 - b1 ** t), vHat = v / (1 - b2 ** t);
        const decay = o.type === 'adamw' ? (o.weightDecay ?? 0.01) : 0;
        w -= o.learningRate! * (mHat / (Math.sqrt(vHat) + eps) + decay * w);
        break;
      }
      case 'rmsprop': {
        const rho = o.rho ?? 0.9;
        s = rho * s + (1 - rho) * g * g;
        w -= (o.learningRate! * g) / (Math.sqrt(s) + (o.epsilon ?? 1e-8));
        break;
      }
      case 'adagrad':
        s += g * g;
        w -= (o.learningRate! * g) / (Math.sqrt(s) + (o.epsilon ?? 1e-10));
        break;
    }
    ws.push(w);
  }
  return ws;
}

const OPTIMIZERS: OptimizerSpec[] = [
  { type: 'sgd', learningRate: 0.1 },
  { type: 'sgd', learningRate: 0.1, momentum: 0.9 },
  { type: 'sgd', learningRate: 0.1, momentum: 0.9, nesterov: true },
  { type: 'adam', learningRate: 0.05 },
  { type: 'adam', learningRate: 0.05, beta1: 0.5, beta2: 0.9, epsilon: 1e-6 },
  { type: 'adamw', learningRate: 0.05, weightDecay: 0.1 },
  { type: 'rmsprop', learningRate: 0.01, rho: 0.8 },
  { type: 'adagrad', learningRate: 0.3 },
];

describe.each(['wasm', 'js'] as const)('optimizers on %s', (backend) => {
  it.each(OPTIMIZERS.map((o) => [JSON.stringify(o), o] as const))('%s follows the hand trajectory', async (_name, optimizer) => {
    const net = await Network.create({ inputs: 1, layers: [{ units: 1, activation: 'linear', bias: false }], loss: 'mse', optimizer, backend });
    net.setWeights([{ weights: [[W0]] }]);
    const expected = byHand(optimizer);
    for (const want of expected) {
      net.trainStep([X], [Y]);
      expect(Math.abs(net.getWeights()[0].weights[0][0] - want)).toBeLessThan(1e-14);
    }
  });

  it('clipNorm bounds the update to lr·clipNorm; clipValue clamps each gradient', async () => {
    const make = (clip: object) =>
      Network.create({ inputs: 3, layers: [{ units: 2, activation: 'linear' }], loss: 'mse', optimizer: { type: 'sgd', learningRate: 1, ...clip }, backend, seed: 5 });
    const x = [3, -4, 5], y = [10, -10];
    const flat = (n: Network) => n.getWeights().flatMap((l) => [...l.weights.flat(), ...l.bias!]);
    const plain = await make({});
    const g = plain.gradients(x, y).flatMap((l) => [...l.weights.flat(), ...l.bias!]);
    const norm = Math.hypot(...g);
    expect(norm).toBeGreaterThan(2);
    const byNorm = await make({ clipNorm: 2 });
    const w0 = flat(byNorm);
    byNorm.trainStep(x, y);
    flat(byNorm).forEach((w, i) => expect(w).toBeCloseTo(w0[i] - (g[i] * 2) / norm, 13));
    const byValue = await make({ clipValue: 0.5 });
    byValue.trainStep(x, y);
    flat(byValue).forEach((w, i) => expect(w).toBeCloseTo(w0[i] - Math.max(-0.5, Math.min(0.5, g[i])), 13));
  });
});
