// Threaded fits of f32 networks (the f32 threads build, build/backprop.threads.f32.wasm): the threads
// suite (test/helpers/threads-suite.ts, every case of test/helpers/threads-cases.ts, as
// test/threads.test.ts runs it in f64), then what only f32 has: where the f32 twins (backend 'js')
// give the Wasm bits (layers ≤ 64 wide), the threaded fit equals them too, an oracle that shares no
// code with the threads; f32 and f64 threaded fits at once, each on its own threads build; skewed
// splits at f32 element offsets; an update that overflows f32 (not f64) ends as on one thread.
import { describe, it, expect, vi, beforeEach, afterEach } from 'vitest';
import { Network, type NetworkSpec } from '../src/index.js';
import type { FitOptions } from '../src/fit-options.js';
import { enableThreads } from '../src/parallel/enable.js';
import { threadsData, type ThreadsData } from './helpers/threads-data.js';
import { EXACT, inPrecision } from './helpers/threads-cases.js';
import { threadsSuite } from './helpers/threads-suite.js';
import { Threaded } from '../src/parallel/trainer.js';
import { balanceHooks } from '../src/parallel/balance.js';
import { enableF32 } from '../src/f32.js';

enableThreads();
enableF32();

threadsSuite('f32');

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
  const one = await Network.create({ ...spec, backend });
  const many = await Network.create(spec);
  const h1 = await one.fit(d, options);
  const hn = await many.fit(d, { ...options, threads });
  return { one, many, h1, hn };
}

const f32 = (spec: Omit<NetworkSpec, 'precision'>): NetworkSpec => inPrecision(spec, 'f32');
const exact = EXACT.map(([name, spec, options, kind, threads]) => [name, f32(spec), options, kind, threads] as const);

describe('f32 only: the twins as an oracle, and f32 beside f64', () => {
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
});
