// Data-parallel fit (options.threads): threads: 2 follows the one-thread trajectory within 1e-12
// (|Δ| / max(1, |v|), on every epoch's loss and metric, the parameters and the optimizer state),
// and matches it bit for bit when every thread gets ≥ 4 rows of every batch (the threads run the
// one-thread kernels on row and unit blocks: only blocks thinner than a GEMM tile sum in another
// order); threads: 1 is today's path, bit for bit; bad values are refused; where threads cannot run,
// fit falls back to one thread and says so; workers never keep a process alive.
import { ELEMENTWISE_ACTIVATIONS } from '../src/kinds/activations.js';
import { describe, it, expect, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { Network, BackpropError, earlyStopping, type NetworkSpec } from '../src/index.js';
import type { FitOptions } from '../src/fit-options.js';
import { loadMnist, PIXELS, CLASSES } from '../bench/mnist.js';
import { enableThreads } from '../src/parallel/enable.js';
import { shortThreadedFits } from './helpers/short-threaded-fits.js';
import { threadsData } from './helpers/threads-data.js';
import { threadedFitScript } from './helpers/threaded-fit-script.js';

enableThreads();

const TOL = 1e-12;

/** Parameters, optimizer state (decoded from the saved model), counters and shuffle state. */
function snapshot(net: Network) {
  const m = net.toJSON();
  const f64 = (b64: string) => Array.from(new Float64Array(new Uint8Array(Buffer.from(b64, 'base64')).buffer));
  return { params: f64(m.params), state: f64(m.state), counters: m.counters, rng: m.rng };
}
const relDiff = (a: number[], b: number[]) => {
  expect(a.length).toBe(b.length);
  return a.reduce((d, v, i) => Math.max(d, Math.abs(v - b[i]) / Math.max(1, Math.abs(v))), 0);
};

function expectClose(one: Network, two: Network, h1: Record<string, unknown>, h2: Record<string, unknown>) {
  const [a, b] = [snapshot(one), snapshot(two)];
  expect(relDiff(a.params, b.params)).toBeLessThanOrEqual(TOL);
  expect(relDiff(a.state, b.state)).toBeLessThanOrEqual(TOL);
  expect(b.counters).toEqual(a.counters);
  expect(b.rng).toBe(a.rng);
  for (const key of ['loss', 'accuracy', 'mae', 'valLoss', 'valAccuracy', 'lr']) {
    if (h1[key] === undefined) continue;
    expect(relDiff(h1[key] as number[], h2[key] as number[]), key).toBeLessThanOrEqual(TOL);
  }
  // And the trajectory really moved: the comparison is not between two untrained networks.
  expect(relDiff(a.params, snapshot(netLike(one)).params)).toBeGreaterThan(1e-3);
}
const initial = new WeakMap<Network, Network>();
const netLike = (n: Network) => initial.get(n)!;

const data = (rows: number, inputs: number, outputs: number, kind: 'class' | 'reg', seed = 5) =>
  threadsData(rows, inputs, outputs, kind, seed);

async function pair(spec: NetworkSpec, d: { inputs: number[][]; targets: number[][] }, options: FitOptions, threads: number | 'auto' = 2) {
  const one = await Network.create(spec),
    two = await Network.create(spec);
  initial.set(one, await Network.create(spec));
  const h1 = await one.fit(d, options);
  const h2 = await two.fit(d, { ...options, threads });
  return { one, two, h1, h2 };
}

const cases: [string, NetworkSpec, FitOptions, 'class' | 'reg'][] = [
  [
    'sgd + nesterov momentum, tanh, mse, last batch short',
    {
      inputs: 5,
      layers: [
        { units: 24, activation: 'tanh' },
        { units: 3, activation: 'linear' },
      ],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true },
      seed: 11,
    },
    { epochs: 6, batchSize: 13 },
    'reg',
  ],
  [
    'adam, relu, dropout and L2, crossEntropy',
    {
      inputs: 6,
      l2: 1e-3,
      layers: [{ units: 32, activation: 'relu', dropout: 0.25 }, { units: 16, activation: 'leakyRelu', dropout: 0.1 }, { units: 4 }],
      loss: 'crossEntropy',
      optimizer: { type: 'adam', learningRate: 0.01 },
      seed: 12,
    },
    { epochs: 5, batchSize: 20, validationSplit: 0.2 },
    'class',
  ],
  [
    'adamw with clipNorm (the serial step), sigmoid, binaryCrossEntropy, odd batch',
    {
      inputs: 4,
      layers: [
        { units: 9, activation: 'sigmoid' },
        { units: 2, activation: 'sigmoid' },
      ],
      loss: 'binaryCrossEntropy',
      optimizer: { type: 'adamw', learningRate: 0.02, weightDecay: 0.01, clipNorm: 0.5 },
      seed: 13,
    },
    { epochs: 5, batchSize: 7 },
    'class',
  ],
  [
    'rmsprop with clipValue, halfSquaredError, cosine schedule',
    {
      inputs: 3,
      layers: [
        { units: 11, activation: 'relu' },
        { units: 2, activation: 'linear' },
      ],
      loss: 'halfSquaredError',
      optimizer: { type: 'rmsprop', learningRate: 0.01, clipValue: 0.05 },
      seed: 14,
    },
    { epochs: 4, batchSize: 16, schedule: { type: 'cosine', minFactor: 0.1 } },
    'reg',
  ],
  [
    'adagrad, batches smaller than the thread count (1 row)',
    {
      inputs: 3,
      layers: [{ units: 5, activation: 'tanh' }, { units: 2 }],
      loss: 'crossEntropy',
      optimizer: { type: 'adagrad', learningRate: 0.05 },
      seed: 15,
    },
    { epochs: 2, batchSize: 1 },
    'class',
  ],
];

describe('threads: 2 follows the one-thread trajectory within 1e-12 (the bits for batches of ≥ 2 rows)', () => {
  it.each(cases)('%s', async (_name, spec, options, kind) => {
    const d = data(150, spec.inputs, spec.layers[spec.layers.length - 1].units, kind);
    const { one, two, h1, h2 } = await pair(spec, d, options);
    expect(h2.threads).toBe(2);
    expect(h1.threads).toBeUndefined();
    expectClose(one, two, h1 as never, h2 as never);
    if (options.batchSize! > 1) {
      // No row block thinner than 4 rows unless it is the whole batch (src/parallel/balance.ts):
      // odd and short batches give the one-thread bits too, not only 1e-12.
      expect(JSON.stringify(two)).toBe(JSON.stringify(one));
      expect({ ...h2, threads: undefined }).toEqual({ ...h1, threads: undefined });
    }
  });

  it('three threads, and callbacks that read and write the network between epochs', async () => {
    const spec = cases[1][1];
    const d = data(200, 6, 4, 'class', 8);
    const seen: Record<number, number[][]> = { 1: [], 3: [] };
    const options = (t: number): FitOptions => ({
      epochs: 6,
      batchSize: 24,
      validationSplit: 0.25,
      threads: t,
      callbacks: [earlyStopping({ patience: 1, restoreBest: true, minDelta: 0.02 })],
      onEpochEnd: (epoch, _logs, control) => {
        seen[t].push(control.network.predict([0.1, 0.2, 0.3, -0.4, 0.5, 0.6]) as unknown as number[]);
        if (epoch === 2)
          control.network.setWeights(
            control.network.getWeights().map((l) => ({ weights: l.weights.map((r) => r.map((v) => v * 0.5)), bias: l.bias })),
          );
      },
    });
    const one = await Network.create(spec),
      three = await Network.create(spec);
    initial.set(one, await Network.create(spec));
    const h1 = await one.fit(d, options(1));
    const h3 = await three.fit(d, options(3));
    expect(h3.threads).toBe(3);
    expect(h3.epochs).toBe(h1.epochs);
    expect(seen[3].length).toBe(seen[1].length);
    seen[1].forEach((p, i) => expect(relDiff(Array.from(p), Array.from(seen[3][i]))).toBeLessThanOrEqual(TOL));
    expectClose(one, three, h1 as never, h3 as never);
  });

  it("MNIST 784-128-10, adam, batch 32, one epoch of 8,000 digits (and threads: 'auto')", async () => {
    const m = loadMnist(8000, 2000);
    const spec: NetworkSpec = {
      inputs: PIXELS,
      layers: [
        { units: 128, activation: 'relu' },
        { units: CLASSES, activation: 'softmax' },
      ],
      loss: 'crossEntropy',
      optimizer: { type: 'adam', learningRate: 0.001 },
      seed: 1,
      backend: 'wasm',
    };
    const d = { inputs: m.trainX, targets: m.trainY } as unknown as { inputs: number[][]; targets: number[][] };
    const { one, two, h1, h2 } = await pair(spec, d, { epochs: 1, batchSize: 32 }, 'auto');
    expect(h2.threads).toBe(Math.min(4, (await import('node:os')).availableParallelism()));
    expectClose(one, two, h1 as never, h2 as never);
    const test = { inputs: m.testX, targets: m.testY };
    expect(Math.abs(one.evaluate(test).accuracy! - two.evaluate(test).accuracy!)).toBeLessThanOrEqual(1 / 2000);
    expect(two.evaluate(test).accuracy).toBeGreaterThan(0.85);
  });
});

// Every thread ≥ 4 rows of every batch: the data sizes are multiples of batchSize, batchSize ≥ 4 × threads.
const exact: [string, NetworkSpec, FitOptions, 'class' | 'reg', number][] = [
  [
    'sgd + nesterov, two hidden layers (tanh, relu), mse; 2 threads',
    {
      inputs: 5,
      layers: [
        { units: 24, activation: 'tanh' },
        { units: 13, activation: 'relu' },
        { units: 3, activation: 'linear' },
      ],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true },
      seed: 21,
    },
    { epochs: 4, batchSize: 12 },
    'reg',
    2,
  ],
  [
    'adam, dropout and L2 on every layer, crossEntropy, validation; 3 threads',
    { ...cases[1][1], seed: 22 },
    { epochs: 4, batchSize: 24, validationSplit: 0.2 },
    'class',
    3,
  ],
  [
    'adamw with clipNorm (the serial step), binaryCrossEntropy; 2 threads',
    { ...cases[2][1], seed: 23 },
    { epochs: 4, batchSize: 16 },
    'class',
    2,
  ],
  [
    'rmsprop with clipValue, halfSquaredError, cosine schedule; 2 threads',
    { ...cases[3][1], seed: 24 },
    { epochs: 3, batchSize: 8, schedule: { type: 'cosine', minFactor: 0.1 } },
    'reg',
    2,
  ],
  // Every hidden activation of the table (src/kinds/activations.ts), one layer each: a new kind is held to the one-thread bits unlisted.
  [
    'every elementwise activation, one hidden layer each, mse; 2 threads',
    {
      inputs: 4,
      layers: [...ELEMENTWISE_ACTIVATIONS.map((activation) => ({ units: 8, activation })), { units: 2, activation: 'linear' }],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.02, momentum: 0.9 },
      seed: 26,
    },
    { epochs: 3, batchSize: 16 },
    'reg',
    2,
  ],
  [
    'adagrad, no hidden layer, its 5 units all on one thread (thinner slices would not be bit for bit); 4 threads',
    {
      inputs: 7,
      layers: [{ units: 5, activation: 'sigmoid' }],
      loss: 'binaryCrossEntropy',
      optimizer: { type: 'adagrad', learningRate: 0.1 },
      seed: 25,
    },
    { epochs: 3, batchSize: 20 },
    'class',
    4,
  ],
];

describe('every thread with ≥ 4 rows of every batch: the one-thread bits', () => {
  it.each(exact)('%s', async (_name, spec, options, kind, threads) => {
    const rows = 240; // a multiple of every batchSize above, also after a 0.2 validation split
    const d = data(rows, spec.inputs, spec.layers[spec.layers.length - 1].units, kind, 9);
    const { one, two, h1, h2 } = await pair(spec, d, options, threads);
    expect(h2.threads).toBe(threads);
    expect(JSON.stringify(two)).toBe(JSON.stringify(one)); // parameters, optimizer state, counters, shuffle state
    expect({ ...h2, threads: undefined }).toEqual({ ...h1, threads: undefined }); // every epoch's loss, metric, lr
    expect(relDiff(snapshot(one).params, snapshot(netLike(one)).params)).toBeGreaterThan(1e-3);
  });

  it('MNIST 784-128-10, adam, batch 32 and 256, one epoch of 8,000 digits', async () => {
    const m = loadMnist(8000, 0);
    const spec: NetworkSpec = {
      inputs: PIXELS,
      layers: [
        { units: 128, activation: 'relu' },
        { units: CLASSES, activation: 'softmax' },
      ],
      loss: 'crossEntropy',
      optimizer: { type: 'adam', learningRate: 0.001 },
      seed: 4,
      backend: 'wasm',
    };
    const d = { inputs: m.trainX, targets: m.trainY } as unknown as { inputs: number[][]; targets: number[][] };
    for (const batchSize of [32, 256]) {
      const { one, two, h1, h2 } = await pair(spec, d, { epochs: 1, batchSize }, 2);
      expect(h2.threads).toBe(2);
      expect(JSON.stringify(two)).toBe(JSON.stringify(one));
      expect(h2.loss).toEqual(h1.loss);
      expect(h2.accuracy).toEqual(h1.accuracy);
    }
  });
});

describe('many short threaded fits on more threads than cores (test/helpers/short-threaded-fits.ts)', () => {
  it('40 fits of 3 and 4 threads, one batch per chunk: every one the one-thread bits', async () => {
    const [, spec, options, kind] = exact[0];
    const d = data(96, spec.inputs, spec.layers[spec.layers.length - 1].units, kind);
    const { differ, oneThreadLoss } = await shortThreadedFits(spec, d, options, 40);
    expect(differ, `one thread: ${JSON.stringify(oneThreadLoss)}`).toEqual([]);
  });
});

describe('threads: 1 and fallbacks', () => {
  it('threads: 1 is the one-thread path, bit for bit', async () => {
    const spec = cases[1][1];
    const d = data(120, 6, 4, 'class');
    const a = await Network.create(spec),
      b = await Network.create(spec);
    await a.fit(d, { epochs: 3, batchSize: 10 });
    const h = await b.fit(d, { epochs: 3, batchSize: 10, threads: 1 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(h.threads).toBeUndefined();
  });

  it.each([0, -1, 1.5, 65, NaN, '2', 'all', null])('threads: %s is refused with INVALID_OPTION, nothing changed', async (bad) => {
    const net = await Network.create(cases[0][1]);
    const before = JSON.stringify(net);
    const err = await net.fit(data(20, 5, 3, 'reg'), { threads: bad as never }).catch((e) => e);
    expect(err).toBeInstanceOf(BackpropError);
    expect(err).toMatchObject({ code: 'INVALID_OPTION', field: 'options.threads' });
    expect(err.message).toContain("'auto' or an integer from 1 to 64");
    expect(JSON.stringify(net)).toBe(before);
  });

  it("on the js backend: one thread, one warning, the js backend's own bits", async () => {
    const spec = { ...cases[0][1], backend: 'js' as const };
    const d = data(60, 5, 3, 'reg');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const a = await Network.create(spec),
        b = await Network.create(spec);
      await a.fit(d, { epochs: 2, batchSize: 8 });
      const h = await b.fit(d, { epochs: 2, batchSize: 8, threads: 2 });
      await b.fit(d, { epochs: 0 + 1, batchSize: 8, threads: 2 }); // warned once only
      expect(h.threads).toBe(1);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/one thread: threads need the wasm backend/);
      await a.fit(d, { epochs: 1, batchSize: 8 });
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    } finally {
      warn.mockRestore();
    }
  });

  it('a page that is not cross-origin isolated: one thread, and the warning says why', async () => {
    const g = globalThis as { crossOriginIsolated?: boolean };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    g.crossOriginIsolated = false;
    try {
      const net = await Network.create(cases[0][1]);
      const h = await net.fit(data(40, 5, 3, 'reg'), { epochs: 1, batchSize: 8, threads: 'auto' });
      expect(h.threads).toBe(1);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/not cross-origin isolated.*Cross-Origin-Opener-Policy/);
    } finally {
      delete g.crossOriginIsolated;
      warn.mockRestore();
    }
  });
});

describe('threaded fits end cleanly', () => {
  it('divergence: DIVERGED, and the network keeps finite weights', async () => {
    const spec: NetworkSpec = {
      inputs: 5,
      layers: [
        { units: 8, activation: 'relu' },
        { units: 3, activation: 'linear' },
      ],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 1e6 },
      seed: 3,
    };
    const net = await Network.create(spec);
    const err = await net.fit(data(80, 5, 3, 'reg'), { epochs: 20, batchSize: 8, threads: 2 }).catch((e) => e);
    expect(err).toMatchObject({ code: 'DIVERGED' });
    expect(snapshot(net).params.every(Number.isFinite)).toBe(true);
  });

  it('abort keeps the progress; dispose mid-fit rejects with DISPOSED', async () => {
    const d = data(400, 6, 4, 'class');
    const net = await Network.create(cases[1][1]);
    const start = JSON.stringify(net);
    const ac = new AbortController();
    const err = await net
      .fit(d, { epochs: 50, batchSize: 4, threads: 2, onEpochEnd: (e) => void (e === 1 && ac.abort(new Error('stop'))), signal: ac.signal })
      .catch((e) => e);
    expect(err.message).toBe('stop');
    expect(JSON.stringify(net)).not.toBe(start);
    expect(net.toJSON().counters[0]).toBe(200); // two epochs of 100 steps reached the network
    const other = await Network.create(cases[1][1]);
    const fit = other.fit(d, { epochs: 50, batchSize: 4, threads: 2, onEpochEnd: () => other.dispose() });
    await expect(fit).rejects.toMatchObject({ code: 'DISPOSED' });
  });

  it('CommonJS: require("backprop-wasm/threads") enables threads for require("backprop-wasm") (one shared state)', () => {
    // The built package (dist/, made by npm run build) resolved by name from inside the repository.
    const script = `
      const { Network } = require('backprop-wasm');
      require('backprop-wasm/threads').enableThreads();
      (async () => {
        const net = await Network.create({ inputs: 2, layers: [{ units: 8 }, { units: 1 }], loss: 'mse', seed: 1 });
        const h = await net.fit({ inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[0], [1], [1], [0]] }, { epochs: 3, batchSize: 4, threads: 2 });
        console.log('threads', h.threads);
      })();`;
    const r = spawnSync(process.execPath, ['--input-type=commonjs', '-e', script], {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('threads 2');
    expect(r.status).toBe(0);
  });

  it.each([true, false])(
    'a process that ran a threaded fit exits by itself (enableThreads called: %s)',
    (enable) => {
      const script = threadedFitScript(enable);
      // A hang is what this catches (it caught one: the barriers' timed waits, test/threads-barrier.test.ts);
      // 90 s leaves room for a full suite's load (0.5–2.4 s alone).
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: new URL('..', import.meta.url),
        encoding: 'utf8',
        timeout: 90_000,
      });
      if (enable) expect(r.stderr).toBe('');
      else
        expect(r.stderr).toMatch(
          /^backprop: fit runs on one thread: threads need the threads build: import \{ enableThreads \} from 'backprop-wasm\/threads'/,
        );
      expect(r.stdout.trim()).toBe(`threads ${enable ? 2 : 1}`);
      expect(r.status).toBe(0);
    },
    100_000,
  );
});
