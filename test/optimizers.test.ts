// Each optimizer against a hand-computed two-step trajectory, on both backends.
// The network is one weight w (1 input → 1 linear output, no bias) with mse loss
// L = (w·x − y)², so g = 2(w·x − y)·x — simple enough to follow each update by hand.
import { describe, it, expect } from 'vitest';
import { Network, type OptimizerSpec } from '../src/index.js';
import { OPTIMIZERS as TABLE, HYPER_PARAMETERS, hyperParametersOf } from '../src/kinds/optimizers.js';

const X = 1.5,
  Y = -0.5,
  W0 = 0.8;
const grad = (w: number) => 2 * (w * X - Y) * X;

/** Two updates by the textbook formulas, written out independently of the kernels. */
function byHand(o: OptimizerSpec): number[] {
  let w = W0,
    v = 0,
    m = 0,
    s = 0;
  const ws: number[] = [];
  // The documented defaults (README's optimizer table), written out here independently of src/kinds/.
  const lr = o.learningRate ?? { sgd: 0.01, adam: 0.001, adamw: 0.001, rmsprop: 0.001, adagrad: 0.01 }[o.type];
  for (let t = 1; t <= 2; t++) {
    const g = grad(w);
    switch (o.type) {
      case 'sgd': {
        const mu = o.momentum ?? 0;
        v = mu * v + g;
        w -= lr * (o.nesterov ? g + mu * v : mu ? v : g);
        break;
      }
      case 'adam':
      case 'adamw': {
        const [b1, b2, eps] = [o.beta1 ?? 0.9, o.beta2 ?? 0.999, o.epsilon ?? 1e-8];
        m = b1 * m + (1 - b1) * g;
        v = b2 * v + (1 - b2) * g * g;
        const mHat = m / (1 - b1 ** t),
          vHat = v / (1 - b2 ** t);
        const decay = o.type === 'adamw' ? (o.weightDecay ?? 0.01) : 0;
        w -= lr * (mHat / (Math.sqrt(vHat) + eps) + decay * w);
        break;
      }
      case 'rmsprop': {
        const rho = o.rho ?? 0.9;
        s = rho * s + (1 - rho) * g * g;
        w -= (lr * g) / (Math.sqrt(s) + (o.epsilon ?? 1e-8));
        break;
      }
      case 'adagrad':
        s += g * g;
        w -= (lr * g) / (Math.sqrt(s) + (o.epsilon ?? 1e-10));
        break;
      default:
        throw new Error(`no hand trajectory for optimizer ${(o satisfies never as OptimizerSpec).type}`);
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
  // Every optimizer of the table (src/kinds/optimizers.ts) with its defaults, and with every
  // hyper-parameter moved off its default: a new optimizer is checked here unlisted, and fails
  // until byHand() has its formula.
  ...TABLE.map((type) => ({ type }) as OptimizerSpec),
  ...TABLE.map((type) => {
    const moved = { positive: 3, fraction: 0.6, nonNegative: 0.05, flag: true };
    const o: Record<string, unknown> = { type };
    for (const key of hyperParametersOf(type))
      o[key] = key === 'learningRate' ? 0.02 : key === 'epsilon' ? 1e-3 : moved[HYPER_PARAMETERS[key].check];
    return o as unknown as OptimizerSpec;
  }),
];

describe.each(['wasm', 'js'] as const)('optimizers on %s', (backend) => {
  it.each(OPTIMIZERS.map((o) => [JSON.stringify(o), o] as const))('%s follows the hand trajectory', async (_name, optimizer) => {
    const net = await Network.create({
      inputs: 1,
      layers: [{ units: 1, activation: 'linear', bias: false }],
      loss: 'mse',
      optimizer,
      backend,
    });
    net.setWeights([{ weights: [[W0]] }]);
    const expected = byHand(optimizer);
    for (const want of expected) {
      net.trainStep([X], [Y]);
      expect(Math.abs(net.getWeights()[0].weights[0][0] - want)).toBeLessThan(1e-14);
    }
  });

  it('clipNorm bounds the update to lr·clipNorm; clipValue clamps each gradient', async () => {
    const make = (clip: object) =>
      Network.create({
        inputs: 3,
        layers: [{ units: 2, activation: 'linear' }],
        loss: 'mse',
        optimizer: { type: 'sgd', learningRate: 1, ...clip },
        backend,
        seed: 5,
      });
    const x = [3, -4, 5],
      y = [10, -10];
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

// Optimizer state below the smallest normal double, 2⁻¹⁰²², is flushed to +0 (assembly/
// optimizers.ts): decaying state would otherwise sink into subnormals and stick there, at a
// microcode assist per operation. Checked on the kernels of both backends against the rule
// written out here, and end to end: a converged momentum fit keeps no subnormal state.
describe('optimizer state never holds subnormals', () => {
  const MIN = 2 ** -1022;
  const isSub = (x: number) => x !== 0 && Math.abs(x) < MIN;
  const flush = (x: number) => (Math.abs(x) < MIN ? 0 : x);
  // Velocities/moments that one decay step takes across 2⁻¹⁰²² (or not), and NaN, ±0.
  const STATES = [MIN * 1.5, -MIN * 1.5, MIN * 1.05, MIN * 4, 2 ** -1000, -(2 ** -1000), 5e-324, -0, 0, NaN, 1e-300];

  it.each(['wasm', 'js'] as const)('the kernels on %s (sgd momentum, adam, rmsprop, adagrad), lane by lane', async (backend) => {
    const net = await Network.create({ inputs: 1, layers: [{ units: 1, bias: false }], loss: 'mse', backend });
    const { k, be } = { k: net.core.backend.kernels, be: net.core.backend };
    const n = STATES.length;
    const [p, g, s1, s2] = [be.alloc(n), be.alloc(n), be.alloc(n), be.alloc(n)];
    const run = (state: number[], grads: number[], call: () => void) => {
      const h = be.heap();
      h.fill(1, p, p + n);
      h.set(grads, g);
      h.set(state, s1);
      h.set(state, s2);
      call();
      return [Array.from(be.heap().subarray(s1, s1 + n)), Array.from(be.heap().subarray(s2, s2 + n))];
    };
    const zeros = new Array(n).fill(0);
    // Momentum 0.6 with g = 0: v' = flush(0.6·v + 0).
    const [v] = run(STATES, zeros, () => k.sgd(n, p, g, s1, 0.1, 0.6, 0));
    expect(v).toEqual(STATES.map((x) => flush(0.6 * x + 0)));
    // Adam with g = 0: m' = flush(β1·m + (1−β1)·0), v' = flush(β2·v + (1−β2)·0·0).
    const [m2, v2] = run(STATES, zeros, () => k.adam(n, p, g, s1, s2, 0.001, 0.5, 0.5, 1e-8, 1, 0));
    expect(m2).toEqual(STATES.map((x) => flush(0.5 * x + 0.5 * 0)));
    expect(v2).toEqual(STATES.map((x) => flush(0.5 * x + 0.5 * 0 * 0)));
    // RMSprop: s' = flush(ρs + (1−ρ)g²); Adagrad: s' = flush(s + g²) with g² subnormal (g = 1e-160).
    const tiny = new Array(n).fill(1e-160);
    const [r] = run(STATES, tiny, () => k.rmsprop(n, p, g, s1, 0.01, 0.5, 1e-8));
    expect(r).toEqual(STATES.map((x) => flush(0.5 * x + 0.5 * 1e-160 * 1e-160)));
    const [a] = run(zeros, tiny, () => k.adagrad(n, p, g, s1, 0.01, 1e-8));
    expect(a).toEqual(zeros.map((x) => flush(x + 1e-160 * 1e-160)));
    expect(a.every((x) => Object.is(x, 0))).toBe(true); // 1e-320 would have been stored before
    for (const list of [v, m2, v2, r, a]) expect(list.some(isSub)).toBe(false);
    expect(Number.isNaN(v[STATES.findIndex(Number.isNaN)])).toBe(true);
  });

  it.each(['wasm', 'js'] as const)(
    'a converged momentum fit on %s: no subnormal velocity, equal bits on every wasm path',
    async (backend) => {
      // The seed network on its one sample: the error reaches 0 and the velocity decays for good.
      const spec = {
        inputs: 2,
        layers: [
          { units: 2, activation: 'sigmoid' as const, bias: false },
          { units: 1, activation: 'sigmoid' as const, bias: false },
        ],
        loss: 'halfSquaredError' as const,
        optimizer: { type: 'sgd' as const, learningRate: 0.5, momentum: 0.9 },
        seed: 1,
      };
      const rows = 20_000;
      const data = { inputs: new Float64Array(2 * rows).map((_, i) => (i % 2 ? 0.9 : 0.35)), targets: new Float64Array(rows).fill(0.5) };
      const nets = await Promise.all([0, 1].map(() => Network.create({ ...spec, backend })));
      (nets[1].core as unknown as { fast: null }).fast = null; // the generic fused kernel (wasm)
      for (const n of nets) await n.fit(data, { epochs: 25, batchSize: 1, shuffle: false });
      const state = (n: Network) => Array.from(new Float64Array(Uint8Array.from(atob(n.toJSON().state), (c) => c.charCodeAt(0)).buffer));
      const v = state(nets[0]);
      expect(v.some(isSub)).toBe(false);
      expect(v.every((x) => x === 0)).toBe(true); // without the flush: ±2.47e-323, forever
      expect(JSON.stringify(nets[0])).toBe(JSON.stringify(nets[1]));
    },
  );
});
