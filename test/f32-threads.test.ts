// Threaded fits of f32 networks (the f32 threads build, build/backprop.threads.f32.wasm): with every
// thread given ≥ 4 rows of every batch, 2, 3 and 4 threads end with the bits of the one-thread f32
// fit of the same network — parameters, optimizer state, counters, shuffle state and every epoch's
// loss, metric and learning rate — as f64 threads do (assembly/shard.ts says why). Where the f32
// twins (backend 'js') give the Wasm bits (layers ≤ 64 wide), the threaded fit equals them too: an
// oracle that shares no code with the threads. Divergence, abort and dispose end as on one thread.
import { describe, it, expect, vi, beforeEach, afterEach } from 'vitest';
import { Network, type NetworkSpec } from '../src/index.js';
import type { FitOptions } from '../src/fit-options.js';
import { ELEMENTWISE_ACTIVATIONS } from '../src/kinds/activations.js';
import { loadMnist, PIXELS, CLASSES } from '../bench/mnist.js';
import { enableThreads } from '../src/parallel/enable.js';
import { shortThreadedFits } from './helpers/short-threaded-fits.js';
import { threadsData, type ThreadsData } from './helpers/threads-data.js';
import { Threaded } from '../src/parallel/trainer.js';
import { balanceHooks } from '../src/parallel/balance.js';
import { enableF32 } from '../src/f32.js';

enableThreads();
enableF32();

type Data = ThreadsData;

const data = (rows: number, inputs: number, outputs: number, kind: 'class' | 'reg', seed = 9) =>
  threadsData(rows, inputs, outputs, kind, seed);

/** The parameters of a network, decoded from its saved model (f32 values: 4 bytes each). */
function params(net: Network): number[] {
  const bytes = Buffer.from(net.toJSON().params, 'base64');
  return Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4));
}

/** Fits a fresh network on one thread and another on `threads`; both start from the same seed. */
async function pair(spec: NetworkSpec, d: Data, options: FitOptions, threads: number, backend: 'wasm' | 'js' = 'wasm') {
  const start = await Network.create(spec);
  const one = await Network.create({ ...spec, backend });
  const many = await Network.create(spec);
  const h1 = await one.fit(d, options);
  const hn = await many.fit(d, { ...options, threads });
  return { start, one, many, h1, hn };
}

const f32 = (spec: Omit<NetworkSpec, 'precision'>): NetworkSpec => ({ ...spec, precision: 'f32' });

// Every thread ≥ 4 rows of every batch: 240 rows is a multiple of every batchSize below (also after
// a 0.2 validation split), and batchSize ≥ 4 × threads.
const exact: [string, NetworkSpec, FitOptions, 'class' | 'reg', number][] = [
  [
    'sgd + nesterov momentum, two hidden layers (tanh, relu), mse; 2 threads',
    f32({
      inputs: 5,
      layers: [
        { units: 24, activation: 'tanh' },
        { units: 13, activation: 'relu' },
        { units: 3, activation: 'linear' },
      ],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true },
      seed: 21,
    }),
    { epochs: 4, batchSize: 12 },
    'reg',
    2,
  ],
  [
    'sgd with momentum (not Nesterov), sigmoid, halfSquaredError; 4 threads',
    f32({
      inputs: 6,
      layers: [
        { units: 20, activation: 'sigmoid' },
        { units: 2, activation: 'linear' },
      ],
      loss: 'halfSquaredError',
      optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.8 },
      seed: 27,
    }),
    { epochs: 4, batchSize: 16 },
    'reg',
    4,
  ],
  [
    'adam, dropout and L2 on every layer, crossEntropy, validation; 3 threads',
    f32({
      inputs: 6,
      l2: 1e-3,
      layers: [{ units: 32, activation: 'relu', dropout: 0.25 }, { units: 16, activation: 'leakyRelu', dropout: 0.1 }, { units: 4 }],
      loss: 'crossEntropy',
      optimizer: { type: 'adam', learningRate: 0.01 },
      seed: 22,
    }),
    { epochs: 4, batchSize: 24, validationSplit: 0.2 },
    'class',
    3,
  ],
  [
    'adamw with clipNorm (the serial step), sigmoid, binaryCrossEntropy; 2 threads',
    f32({
      inputs: 4,
      layers: [
        { units: 9, activation: 'sigmoid' },
        { units: 2, activation: 'sigmoid' },
      ],
      loss: 'binaryCrossEntropy',
      optimizer: { type: 'adamw', learningRate: 0.02, weightDecay: 0.01, clipNorm: 0.5 },
      seed: 23,
    }),
    { epochs: 4, batchSize: 16 },
    'class',
    2,
  ],
  [
    'sgd + nesterov with clipNorm, crossEntropy; 4 threads',
    f32({
      inputs: 5,
      layers: [{ units: 28, activation: 'tanh' }, { units: 3 }],
      loss: 'crossEntropy',
      optimizer: { type: 'sgd', learningRate: 0.2, momentum: 0.9, nesterov: true, clipNorm: 0.3 },
      seed: 28,
    }),
    { epochs: 3, batchSize: 20 },
    'class',
    4,
  ],
  [
    'rmsprop with clipValue, halfSquaredError, cosine schedule; 2 threads',
    f32({
      inputs: 3,
      layers: [
        { units: 11, activation: 'relu' },
        { units: 2, activation: 'linear' },
      ],
      loss: 'halfSquaredError',
      optimizer: { type: 'rmsprop', learningRate: 0.01, clipValue: 0.05 },
      seed: 24,
    }),
    { epochs: 3, batchSize: 8, schedule: { type: 'cosine', minFactor: 0.1 } },
    'reg',
    2,
  ],
  [
    'every elementwise activation, one hidden layer each, mse; 2 threads',
    f32({
      inputs: 4,
      layers: [...ELEMENTWISE_ACTIVATIONS.map((activation) => ({ units: 8, activation })), { units: 2, activation: 'linear' as const }],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.02, momentum: 0.9 },
      seed: 26,
    }),
    { epochs: 3, batchSize: 16 },
    'reg',
    2,
  ],
  [
    'adagrad, no hidden layer (its 5 units on one thread); 4 threads',
    f32({
      inputs: 7,
      layers: [{ units: 5, activation: 'sigmoid' }],
      loss: 'binaryCrossEntropy',
      optimizer: { type: 'adagrad', learningRate: 0.1 },
      seed: 25,
    }),
    { epochs: 3, batchSize: 20 },
    'class',
    4,
  ],
];

describe('f32, every thread with ≥ 4 rows of every batch: the one-thread f32 bits', () => {
  it.each(exact)('%s', async (_name, spec, options, kind, threads) => {
    const d = data(240, spec.inputs, spec.layers[spec.layers.length - 1].units, kind);
    const { start, one, many, h1, hn } = await pair(spec, d, options, threads);
    expect(hn.threads).toBe(threads);
    expect(many.spec.precision).toBe('f32');
    expect(JSON.stringify(many)).toBe(JSON.stringify(one)); // parameters, optimizer state, counters, shuffle state
    expect({ ...hn, threads: undefined }).toEqual({ ...h1, threads: undefined }); // every epoch's loss, metric, lr
    // The trajectory moved: not two untrained networks compared.
    const moved = params(one).reduce((m, v, i) => Math.max(m, Math.abs(v - params(start)[i])), 0);
    expect(moved).toBeGreaterThan(1e-3);
  });

  it('the f32 twins (backend js) give the same bits as 2 and 3 threads', async () => {
    const [, spec, options, kind] = exact[0];
    const d = data(240, spec.inputs, spec.layers[spec.layers.length - 1].units, kind);
    for (const threads of [2, 3]) {
      const { one, many, h1, hn } = await pair(spec, d, options, threads, 'js');
      expect(one.backend).toBe('js');
      expect(hn.threads).toBe(threads);
      expect(params(many)).toEqual(params(one));
      expect(many.toJSON().state).toBe(one.toJSON().state);
      expect(hn.loss).toEqual(h1.loss);
    }
  });

  it('MNIST 784-128-10, adam, batch 32 and 256, one epoch of 8,000 digits, 2 threads', async () => {
    const m = loadMnist(8000, 0);
    const spec = f32({
      inputs: PIXELS,
      layers: [
        { units: 128, activation: 'relu' },
        { units: CLASSES, activation: 'softmax' },
      ],
      loss: 'crossEntropy',
      optimizer: { type: 'adam', learningRate: 0.001 },
      seed: 4,
    });
    const d = { inputs: m.trainX, targets: m.trainY } as unknown as Data;
    for (const batchSize of [32, 256]) {
      const { one, many, h1, hn } = await pair(spec, d, { epochs: 1, batchSize }, 2);
      expect(hn.threads).toBe(2);
      expect(JSON.stringify(many)).toBe(JSON.stringify(one));
      expect(hn.loss).toEqual(h1.loss);
      expect(hn.accuracy).toEqual(h1.accuracy);
      expect(hn.accuracy![0]).toBeGreaterThan(0.5); // it learned (one class in ten by chance)
    }
  });

  it('20 short fits of 3 and 4 threads, one batch per chunk: every one the one-thread bits', async () => {
    // At f32 element offsets (test/helpers/short-threaded-fits.ts).
    const [, spec, options, kind] = exact[0];
    const d = data(96, spec.inputs, spec.layers[spec.layers.length - 1].units, kind);
    const { differ, oneThreadLoss } = await shortThreadedFits(spec, d, options, 20);
    expect(differ, `one thread: ${JSON.stringify(oneThreadLoss)}`).toEqual([]);
  });

  it('f32 and f64 threaded fits at the same time, each on its own threads build: each its one-thread bits', async () => {
    const [, spec, options, kind] = exact[2];
    const d = data(240, spec.inputs, spec.layers[spec.layers.length - 1].units, kind);
    const spec64: NetworkSpec = { ...spec, precision: 'f64' };
    const [one32, one64] = [await Network.create(spec), await Network.create(spec64)];
    await one32.fit(d, options);
    await one64.fit(d, options);
    const [a, b] = [await Network.create(spec), await Network.create(spec64)];
    const [ha, hb] = await Promise.all([a.fit(d, { ...options, threads: 2 }), b.fit(d, { ...options, threads: 3 })]);
    expect([ha.threads, hb.threads]).toEqual([2, 3]);
    expect(JSON.stringify(a)).toBe(JSON.stringify(one32));
    expect(JSON.stringify(b)).toBe(JSON.stringify(one64));
  });
});

describe('f32, a skewed split (src/parallel/balance.ts) gives the one-thread f32 bits', () => {
  afterEach(() => {
    balanceHooks.shares = undefined;
    balanceHooks.onSplit = undefined;
  });
  it.each([
    [[3, 1], 96],
    [[1, 2, 5], 16],
  ])('shares %j: the split tables at f32 element offsets (128-unit layer split at %i, odd and short batches)', async (shares, at) => {
    const spec = f32({
      inputs: 40,
      l2: 1e-4,
      layers: [{ units: 128, activation: 'relu', dropout: 0.1 }, { units: 24, activation: 'tanh' }, { units: 10 }],
      loss: 'crossEntropy',
      optimizer: { type: 'adam', learningRate: 0.01 },
      seed: 31,
    });
    const d = data(150, 40, 10, 'class');
    const options: FitOptions = { epochs: 3, batchSize: 23, yieldEveryMs: 1 }; // a short last batch of 12
    const one = await Network.create(spec);
    const h1 = await one.fit(d, options);
    balanceHooks.shares = () => shares;
    const seen: number[] = [];
    balanceHooks.onSplit = (units) => void seen.push(units[0][1]);
    const many = await Network.create(spec);
    const hn = await many.fit(d, { ...options, threads: shares.length });
    expect(hn.threads).toBe(shares.length);
    expect(new Set(seen)).toEqual(new Set([at]));
    expect(JSON.stringify(many)).toBe(JSON.stringify(one));
    expect(hn.loss).toEqual(h1.loss);
  });
});

describe('f32 threaded fits end as one-thread fits do', () => {
  // These fits reject, so no history says how many threads ran: the threaded trainer must have run
  // their chunks (a fit fallen back to one thread never calls it).
  let train: ReturnType<typeof vi.spyOn>;
  beforeEach(() => void (train = vi.spyOn(Threaded.prototype, 'train')));
  afterEach(() => {
    expect(train).toHaveBeenCalled();
    train.mockRestore();
  });

  it('divergence: DIVERGED at the same batch, and the network keeps the one-thread fit’s last finite step', async () => {
    const spec = f32({
      inputs: 5,
      layers: [
        { units: 8, activation: 'relu' },
        { units: 3, activation: 'linear' },
      ],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 1e6 },
      seed: 3,
    });
    const d = data(80, 5, 3, 'reg');
    const [one, two] = [await Network.create(spec), await Network.create(spec)];
    const e1 = await one.fit(d, { epochs: 20, batchSize: 8 }).catch((e: unknown) => e);
    const e2 = await two.fit(d, { epochs: 20, batchSize: 8, threads: 2 }).catch((e: unknown) => e);
    expect(e1).toMatchObject({ code: 'DIVERGED' });
    expect(e2).toMatchObject({ code: 'DIVERGED', field: (e1 as { field: string }).field, message: (e1 as Error).message });
    expect(params(two).every(Number.isFinite)).toBe(true);
    expect(JSON.stringify(two)).toBe(JSON.stringify(one));
  });

  it('an update that overflows (field parameters): the same batch and last finite step as one thread', async () => {
    // Adam's second moment of a huge gradient overflows f32 (g² > 3.4e38) while the loss is finite.
    const spec = f32({
      inputs: 4,
      layers: [{ units: 8, activation: 'linear' }, { units: 2 }],
      loss: 'mse',
      optimizer: { type: 'adam', learningRate: 0.01 },
      seed: 6,
    });
    const d = data(64, 4, 2, 'reg');
    const big = { inputs: d.inputs.map((r, i) => (i < 40 ? r : r.map((v) => v * 1e12))), targets: d.targets };
    const [one, two] = [await Network.create(spec), await Network.create(spec)];
    const e1 = await one.fit(big, { epochs: 2, batchSize: 8 }).catch((e: unknown) => e);
    const e2 = await two.fit(big, { epochs: 2, batchSize: 8, threads: 2 }).catch((e: unknown) => e);
    expect(e1).toMatchObject({ code: 'DIVERGED', field: 'parameters' });
    expect(e2).toMatchObject({ code: 'DIVERGED', field: 'parameters', message: (e1 as Error).message });
    expect(JSON.stringify(two)).toBe(JSON.stringify(one));
  });

  it('abort keeps the progress; dispose mid-fit rejects with DISPOSED', async () => {
    const spec = exact[2][1];
    const d = data(400, 6, 4, 'class');
    const net = await Network.create(spec);
    const ac = new AbortController();
    const err = await net
      .fit(d, { epochs: 50, batchSize: 8, threads: 2, onEpochEnd: (e) => void (e === 1 && ac.abort(new Error('stop'))), signal: ac.signal })
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe('stop');
    expect(net.toJSON().counters[0]).toBe(100); // two epochs of 50 steps reached the network
    const one = await Network.create(spec);
    await one.fit(d, { epochs: 2, batchSize: 8 });
    expect(JSON.stringify(net)).toBe(JSON.stringify(one)); // and they are the one-thread steps
    const other = await Network.create(spec);
    const fit = other.fit(d, { epochs: 50, batchSize: 8, threads: 2, onEpochEnd: () => other.dispose() });
    await expect(fit).rejects.toMatchObject({ code: 'DISPOSED' });
  });
});
