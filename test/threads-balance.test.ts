// Threads that balance unequal cores (src/parallel/balance.ts): the split rule's invariants and
// hand-worked cases; fits whose split is deliberately skewed give the one-thread bits (or, for a
// layer whose GEMM blocking depends on its slice, the equal split's bits); and a stress test: the
// main thread slowed by a clock that spins a random while before it answers, so the measured
// split moves from chunk to chunk, and every fit still gives the one-thread bits. SOAK=1 runs the
// stress test for longer.
import { describe, it, expect, afterEach } from 'vitest';
import { Network, type NetworkSpec } from '../src/index.js';
import type { FitOptions } from '../src/fit-options.js';
import { Rng } from '../src/rng.js';
import { enableThreads } from '../src/parallel/enable.js';
import { splitPoints, unitRule, staticStarts, ROW_RULE, balanceHooks, type SliceRule } from '../src/parallel/balance.js';

enableThreads();
afterEach(() => {
  balanceHooks.shares = undefined;
  balanceHooks.delays = undefined;
  balanceHooks.onSplit = undefined;
});

const TILE: SliceRule = { step: 4, min: 4, max: Infinity };

describe('splitPoints', () => {
  it('hand-worked splits', () => {
    expect(splitPoints(128, TILE, [0, 0.5, 1])).toEqual([0, 64, 128]);
    expect(splitPoints(128, TILE, [0, 0.6, 1])).toEqual([0, 76, 128]); // 76.8: 76 is nearer than 80
    expect(splitPoints(10, TILE, [0, 0.5, 1])).toEqual([0, 4, 10]); // 8 would leave 2 units
    expect(splitPoints(3, TILE, [0, 0.5, 1])).toEqual([0, 0, 3]); // < 4 units: whole, to one thread
    expect(splitPoints(32, ROW_RULE, [0, 0.55, 1])).toEqual([0, 18, 32]); // 17.6
    expect(splitPoints(7, ROW_RULE, [0, 0.5, 1])).toEqual([0, 0, 7]); // 4 + 3 would put 3 rows on a thread
    expect(splitPoints(13, ROW_RULE, [0, 1 / 3, 2 / 3, 1])).toEqual([0, 4, 9, 13]);
    expect(splitPoints(9, ROW_RULE, [0, 1 / 3, 2 / 3, 1])).toEqual([0, 4, 4, 9]); // 3 + 3 + 3 cannot be
    // A sensitive layer's rules: slices ≤ 128 units (200 = at least 72 + at most 128), or > 128.
    expect(splitPoints(200, { step: 4, min: 4, max: 128 }, [0, 0.8, 1])).toEqual([0, 128, 200]);
    expect(splitPoints(300, { step: 4, min: 132, max: Infinity }, [0, 0.7, 1])).toEqual([0, 168, 300]); // 210 would leave 90
    expect(splitPoints(300, { step: 4, min: 132, max: Infinity }, [0, 0.3, 1])).toEqual([0, 132, 300]);
  });

  it('every split of random shares: starts on the step, slices empty, within the rule or whole, nearest the shares', () => {
    const rng = new Rng(3);
    const rules: SliceRule[] = [TILE, ROW_RULE, { step: 4, min: 4, max: 128 }, { step: 4, min: 132, max: Infinity }];
    for (let i = 0; i < 3000; i++) {
      const rule = rules[i % rules.length];
      const threads = 2 + (i % 3);
      const n =
        rule.max < Infinity
          ? 129 + Math.floor(rng.next() * (rule.max * threads - 129))
          : rule.min > 4
            ? rule.min * threads + Math.floor(rng.next() * 300)
            : Math.floor(rng.next() * 300);
      const shares = Array.from({ length: threads }, () => 0.1 + rng.next());
      const total = shares.reduce((a, v) => a + v, 0);
      const targets = shares.reduce((c, v) => [...c, c[c.length - 1] + v / total], [0]);
      const starts = splitPoints(n, rule, targets);
      expect(starts.length).toBe(threads + 1);
      expect(starts[0]).toBe(0);
      expect(starts[threads]).toBe(n);
      for (let t = 0; t < threads; t++) {
        const w = starts[t + 1] - starts[t];
        expect(w === 0 || (w >= rule.min && w <= rule.max) || (w === n && n < rule.min), `${n} ${starts}`).toBe(true);
        if (t > 0 && starts[t] !== n) expect(starts[t] % rule.step).toBe(0);
      }
      // With no upper bound and n ≥ min·T, each start lies within min + step of its share's point.
      if (rule.max === Infinity && n >= rule.min * threads)
        for (let t = 1; t < threads; t++) expect(Math.abs(starts[t] - targets[t] * n)).toBeLessThanOrEqual(rule.min + rule.step);
    }
  });

  it('unitRule: free below 128 units or inputs; for wider layers the side of 128 the static split is on, or static', () => {
    expect(unitRule({ units: 128, inputs: 784, bias: true }, 2)).toEqual(TILE);
    expect(unitRule({ units: 512, inputs: 100, bias: true }, 2)).toEqual(TILE);
    expect(unitRule({ units: 264, inputs: 784, bias: true }, 2)).toEqual({ step: 4, min: 132, max: Infinity });
    expect(unitRule({ units: 256, inputs: 784, bias: true }, 2)).toEqual({ step: 4, min: 4, max: 128 });
    expect(staticStarts(260, 2)).toEqual([0, 128, 260]);
    expect(unitRule({ units: 260, inputs: 784, bias: true }, 2)).toBeUndefined(); // 128 + 132: no split keeps those bits
  });
});

function data(rows: number, inputs: number, outputs: number, seed = 5) {
  const rng = new Rng(seed);
  const x = Array.from({ length: rows }, () => Array.from({ length: inputs }, () => 2 * rng.next() - 1));
  const y = x.map((r) => {
    const t = new Array(outputs).fill(0);
    t[Math.abs(Math.floor((r[0] + r[1] * r[2]) * outputs * 2)) % outputs] = 1;
    return t;
  });
  return { inputs: x, targets: y };
}

/** The network's saved model and history after a fit. */
async function fitted(spec: NetworkSpec, d: ReturnType<typeof data>, options: FitOptions) {
  const net = await Network.create(spec);
  const h = await net.fit(d, options);
  return { json: JSON.stringify(net), loss: h.loss, accuracy: h.accuracy, threads: h.threads };
}

const mlp = (hidden: number, inputs: number, seed: number): NetworkSpec => ({
  inputs,
  l2: 1e-4,
  layers: [{ units: hidden, activation: 'relu', dropout: 0.1 }, { units: 24, activation: 'tanh' }, { units: 10 }],
  loss: 'crossEntropy',
  optimizer: { type: 'adam', learningRate: 0.01 },
  seed,
});

describe('a skewed split gives the one-thread bits', () => {
  it.each([
    [[3, 1], 96], // thread 0 takes three quarters
    [[1, 3], 32],
    [[1, 2, 5], 16],
  ])('shares %j: the one-thread bits (128-unit layer split at %i, odd and short batches)', async (shares, at) => {
    const spec = mlp(128, 40, 31);
    const d = data(150, 40, 10);
    const options: FitOptions = { epochs: 3, batchSize: 23, yieldEveryMs: 1 }; // a short last batch of 12
    const one = await fitted(spec, d, options);
    balanceHooks.shares = () => shares;
    const seen: number[] = [];
    balanceHooks.onSplit = (units) => void seen.push(units[0][1]);
    const many = await fitted(spec, d, { ...options, threads: shares.length });
    expect(many.threads).toBe(shares.length);
    expect(new Set(seen)).toEqual(new Set([at]));
    expect(many.json).toBe(one.json);
    expect(many.loss).toEqual(one.loss);
    expect(many.accuracy).toEqual(one.accuracy);
  });

  it('a layer of > 128 units over > 128 inputs: slices on the equal split’s side of 128 units, its bits', async () => {
    // 300 units: equal halves > 128 (the one-thread bits), skewed 168 + 132; 200: halves ≤ 128 (the
    // equal split's bits), skewed 128 + 72.
    for (const [hidden, same, at] of [
      [300, 'one', 168],
      [200, 'equal', 128],
    ] as const) {
      const spec = mlp(hidden, 140, 32);
      const d = data(64, 140, 10);
      const options: FitOptions = { epochs: 2, batchSize: 16, yieldEveryMs: 1 };
      const reference = same === 'one' ? await fitted(spec, d, options) : await fitted(spec, d, { ...options, threads: 2 });
      balanceHooks.shares = () => [3, 1];
      const seen: number[] = [];
      balanceHooks.onSplit = (units) => void seen.push(units[0][1]);
      const skewed = await fitted(spec, d, { ...options, threads: 2 });
      expect(new Set(seen)).toEqual(new Set([at]));
      expect(skewed.json).toBe(reference.json);
      expect(skewed.loss).toEqual(reference.loss);
    }
  });
});

describe('stress: thread 0 slowed at random (spins before each barrier), the split moving', () => {
  const fits = process.env.SOAK ? 300 : 12;
  it(`${fits} fits of 2 and 3 threads: every one the one-thread bits, and the split moved`, async () => {
    const spec = mlp(64, 12, 33);
    const d = data(400, 12, 10);
    const options: FitOptions = { epochs: 2, batchSize: 20, yieldEveryMs: 3 };
    const one = await fitted(spec, d, options);
    const differ: string[] = [];
    const splits = new Set<string>();
    const thread0: number[] = [];
    balanceHooks.onSplit = (units, rows) => {
      splits.add(JSON.stringify([units, rows]));
      thread0.push(units[0][1] / 64);
    };
    for (let i = 0; i < fits; i++) {
      const rng = new Rng(i);
      balanceHooks.delays = () => [i % 4 === 0 ? 0 : Math.floor(rng.next() * 20000), 0, 0]; // thread 0 spins before each barrier
      const threads = 2 + (i % 2);
      const many = await fitted(spec, d, { ...options, threads });
      expect(many.threads).toBe(threads);
      if (many.json !== one.json || JSON.stringify(many.loss) !== JSON.stringify(one.loss)) differ.push(`fit ${i} (${threads} threads)`);
    }
    expect(differ).toEqual([]);
    expect(splits.size).toBeGreaterThan(4);
    // The slowed thread got less than an equal share of the 64 units, on the whole.
    expect(thread0.reduce((a, v) => a + v, 0) / thread0.length).toBeLessThan(0.45);
  }, 120_000);
});
