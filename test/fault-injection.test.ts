// Allocation failure: an allocation either succeeds or changes nothing. For each operation that
// allocates (create, fromJSON, fit's batch buffers and data block, predict of a big batch, one-sample
// training's per-shape module, threads, restoring an evicted network), the test hook makes the k-th
// allocation fail, for k = 1, 2, … until the operation completes without reaching k. After each
// failure: the operation either refused with OUT_OF_MEMORY or succeeded anyway (a fallback), the
// failing network is bit-identical to an untouched twin (toJSON, predict) and keeps working like
// it, and every other network in the same heap is bit-identical to what it was.
import { describe, it, expect, afterEach } from 'vitest';
import { Network, BackpropError, type NetworkSpec, type CreateOptions } from '../src/index.js';
import { faults } from '../src/backends/out-of-memory.js';
import { wasmBackend } from '../src/backends/wasm/index.js';
import { embeddedBytes } from '../src/backends/wasm/loader.js';
import { threadsRuntime } from '../src/backends/wasm/threads.js';
import { Homes } from '../src/backends/homes.js';
import { enableThreads } from '../src/parallel/enable.js';
import { enableF32 } from '../src/f32.js';

enableThreads();
enableF32();
afterEach(() => void (faults.countdown = 0));

// Small enough for a per-shape module (no L2 or dropout), with optimizer state to keep.
const SPEC: NetworkSpec = {
  inputs: 3,
  layers: [
    { units: 6, activation: 'tanh' },
    { units: 2, activation: 'linear' },
  ],
  loss: 'mse',
  optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 },
  seed: 7,
};
const PEER: NetworkSpec = {
  inputs: 3,
  layers: [
    { units: 9, activation: 'relu' },
    { units: 4, activation: 'softmax' },
  ],
  loss: 'crossEntropy',
  optimizer: { type: 'adam', learningRate: 0.01 },
  seed: 9,
};
const rows = (n: number, width: number, shift: number) =>
  Array.from({ length: n }, (_, r) => Array.from({ length: width }, (_, c) => Math.sin(r * 1.3 + c * 0.7 + shift)));
const DATA = { inputs: rows(24, 3, 0), targets: rows(24, 2, 1) };
const PEER_DATA = { inputs: rows(16, 3, 2), targets: rows(16, 4, 3).map((r) => r.map((_, i) => Number(i === r.indexOf(Math.max(...r))))) };
const PROBE = new Float64Array(rows(5, 3, 4).flat());
const BIG = new Float64Array(rows(300, 3, 5).flat()); // more rows than predict's 256-row chunk

/** Everything observable: the saved model (bits of parameters, state, counters, stream) and outputs. */
const snap = (net: Network) => ({ json: JSON.stringify(net.toJSON()), out: Array.from(net.predict(PROBE, 5)) });

interface Setting {
  backend: 'wasm' | 'js';
  options?: CreateOptions;
  /** The victim's and its peers' precision (default f64). */
  precision?: 'f32';
  /** Runs after the victim and its twin exist: e.g. evicts the victim. */
  prepare?: (victim: Network, twin: Network) => Promise<void>;
}

/** Networks that share the victim's heap (on js each network has its own), trained a little. */
async function peers(s: Setting): Promise<Network[]> {
  const out: Network[] = [];
  for (const seed of [1, 2]) {
    const p = await Network.create({ ...PEER, seed, precision: s.precision }, { backend: s.backend, ...s.options });
    await p.fit(PEER_DATA, { epochs: 2, batchSize: 4 });
    out.push(p);
  }
  return out;
}

/** Runs `op` with the k-th allocation failing, for k = 1, 2, … Returns how many allocations it made. */
async function injectEach(s: Setting, op: (net: Network) => unknown, fields: RegExp): Promise<number> {
  for (let k = 1; k < 50; k++) {
    const others = await peers(s);
    const seen = others.map(snap);
    const victim = await Network.create({ ...SPEC, precision: s.precision }, { backend: s.backend, ...s.options });
    const twin = await Network.create({ ...SPEC, precision: s.precision }, { backend: s.backend, ...s.options });
    await victim.fit(DATA, { epochs: 1, batchSize: 5 }); // optimizer state and a shuffled stream to keep
    await twin.fit(DATA, { epochs: 1, batchSize: 5 });
    await s.prepare?.(victim, twin);
    faults.countdown = k;
    let result: unknown,
      error: unknown,
      ok = false;
    try {
      result = await op(victim);
      ok = true;
    } catch (e) {
      error = e;
    }
    const fired = faults.countdown === 0;
    faults.countdown = 0;
    if (ok) {
      expect(await op(twin)).toEqual(result); // a fallback gives what the operation gives
    } else {
      expect(error).toBeInstanceOf(BackpropError);
      expect((error as BackpropError).code).toBe('OUT_OF_MEMORY');
      expect((error as BackpropError).message).toMatch(
        /expected a size that fits in memory \(an injected allocation failure\), got (a batch of \d+ rows? × \d+ units|a network of \d+ parameters|a data set of \d+ rows|the buffers that 2 threads share)/,
      );
      expect((error as BackpropError).field).toMatch(fields);
    }
    expect(snap(victim)).toEqual(snap(twin));
    // The failing network keeps working, exactly like its twin.
    for (const n of [victim, twin]) await n.fit(DATA, { epochs: 2, batchSize: 4 });
    expect(snap(victim)).toEqual(snap(twin));
    expect(others.map(snap)).toEqual(seen);
    [...others, victim, twin].forEach((n) => n.dispose());
    if (!fired) return k - 1;
  }
  throw new Error('the operation allocates 50 times or more');
}

/** The same for operations that make a network: a refusal must leave the heap as it was. */
async function injectEachMake(s: Setting, make: () => Promise<Network>, field: string): Promise<number> {
  const be = s.backend === 'wasm' ? await wasmBackend() : undefined;
  for (let k = 1; k < 50; k++) {
    const others = await peers(s);
    const seen = others.map(snap);
    const inUse = be?.inUse;
    faults.countdown = k;
    let net: Network | undefined, error: unknown;
    try {
      net = await make();
    } catch (e) {
      error = e;
    }
    const fired = faults.countdown === 0;
    faults.countdown = 0;
    const after = be?.inUse;
    const ref = await make();
    if (net) {
      expect(snap(net)).toEqual(snap(ref));
      net.dispose();
    } else {
      expect(error).toBeInstanceOf(BackpropError);
      expect((error as BackpropError).code).toBe('OUT_OF_MEMORY');
      expect((error as BackpropError).field).toBe(field);
      expect(after).toBe(inUse); // nothing half-allocated stays behind
    }
    ref.dispose();
    expect(others.map(snap)).toEqual(seen);
    others.forEach((n) => n.dispose());
    if (!fired) return k - 1;
  }
  throw new Error('the operation allocates 50 times or more');
}

describe.each(['wasm', 'js'] as const)('an allocation that fails changes nothing (%s)', (backend) => {
  const s: Setting = { backend };
  it('create and fromJSON', async () => {
    expect(await injectEachMake(s, () => Network.create(SPEC, { backend }), 'layers')).toBeGreaterThanOrEqual(2); // model block, batch buffers
    const saved = JSON.stringify(
      await (async () => {
        const n = await Network.create(SPEC, { backend });
        await n.fit(DATA, { epochs: 2, batchSize: 5 });
        return n;
      })(),
    );
    expect(await injectEachMake(s, () => Network.fromJSON(saved, { backend }), 'model.spec.layers')).toBeGreaterThanOrEqual(2);
  });

  it('fit: batch buffers and the data block', async () => {
    // Batch 12 grows the buffers (capacity 5 → 12), then the data block.
    expect(
      await injectEach(s, (n) => n.fit(DATA, { epochs: 2, batchSize: 12, validationSplit: 0.25 }), /^(options\.batchSize|data\.inputs)$/),
    ).toBeGreaterThanOrEqual(2);
  });

  it('predict, loss, gradients, evaluate and trainStep of batches larger than any before', async () => {
    expect(await injectEach(s, (n) => n.predict(BIG, 300), /^inputs$/)).toBeGreaterThanOrEqual(1);
    expect(await injectEach(s, (n) => n.loss(DATA.inputs, DATA.targets), /^inputs$/)).toBeGreaterThanOrEqual(1);
    expect(await injectEach(s, (n) => n.gradients(DATA.inputs, DATA.targets), /^inputs$/)).toBeGreaterThanOrEqual(1);
    expect(await injectEach(s, (n) => n.evaluate(DATA, { batchSize: 24 }), /^options\.batchSize$/)).toBeGreaterThanOrEqual(1);
    expect(await injectEach(s, (n) => n.trainStep(DATA.inputs, DATA.targets), /^inputs$/)).toBeGreaterThanOrEqual(1);
    // 6 rows after 5: the buffers ask for double (10 rows) and, refused, for exactly 6.
    expect(await injectEach(s, (n) => n.loss(DATA.inputs.slice(0, 6), DATA.targets.slice(0, 6)), /^inputs$/)).toBe(1);
  });

  it('one-sample training (per-shape modules on wasm)', async () => {
    expect(await injectEach(s, (n) => n.fit(DATA, { epochs: 2, batchSize: 1 }), /^data\.inputs$/)).toBeGreaterThanOrEqual(
      backend === 'wasm' ? 2 : 1,
    );
    expect(await injectEach(s, (n) => n.trainStep(DATA.inputs[0], DATA.targets[0]), /^inputs$/)).toBeGreaterThanOrEqual(
      backend === 'wasm' ? 1 : 0,
    ); // the undo copy's room (first trainStep)
  });
});

describe('an allocation that fails changes nothing (wasm: threads, eviction)', () => {
  it('threaded fit: the mirror, control block, shared buffers and data block in the shared heap', async () => {
    const rt = await threadsRuntime('f64');
    const held = rt.backend.inUse;
    expect(
      await injectEach(
        { backend: 'wasm' },
        (n) => n.fit(DATA, { epochs: 2, batchSize: 8, threads: 2 }),
        /^(options\.threads|options\.batchSize|data\.inputs)$/,
      ),
    ).toBeGreaterThanOrEqual(5);
    expect(rt.backend.inUse).toBe(held); // nothing leaked in the shared heap, failed or not
  });

  it('threaded fit of an f32 network: the same, in the f32 threads build’s shared heap', async () => {
    const rt = await threadsRuntime('f32');
    const held = rt.backend.inUse;
    expect(
      await injectEach(
        { backend: 'wasm', precision: 'f32' },
        (n) => n.fit(DATA, { epochs: 2, batchSize: 8, threads: 2 }),
        /^(options\.threads|options\.batchSize|data\.inputs)$/,
      ),
    ).toBeGreaterThanOrEqual(5);
    expect(rt.backend.inUse).toBe(held);
  });

  it('restoring an evicted network', async () => {
    const module = await WebAssembly.compile(embeddedBytes() as BufferSource);
    const be = await wasmBackend(module);
    (be as { homes: Homes }).homes = new Homes(be, 1); // every network that enters evicts the others
    const s: Setting = {
      backend: 'wasm',
      options: { wasm: module },
      prepare: async (victim, twin) => {
        const bully = await Network.create(PEER, { wasm: module });
        bully.predict(PROBE, 5); // evicts victim and twin
        expect(victim.core['home'].model).toBe(-1);
        bully.dispose();
        void twin;
      },
    };
    expect(await injectEach(s, (n) => n.predict(PROBE, 5), /^inputs$/)).toBe(2); // model block, batch buffers
    expect(await injectEach(s, (n) => n.getWeights(), /^network$/)).toBe(2);
    expect(
      await injectEach(s, (n) => n.fit(DATA, { epochs: 1, batchSize: 6 }), /^(options\.batchSize|data\.inputs)$/),
    ).toBeGreaterThanOrEqual(3);
  });
});

describe('the reported case: batch buffers larger than memory', () => {
  // Before: a plain RangeError after the old batch buffers were freed, the plan still pointing
  // there; the next network got that memory and a.predict() wrote into its first weights.
  it.each([
    ['wasm', 'Wasm memory holds at most 4 GiB'],
    ['js', "a js network's heap holds at most 4 GiB"],
  ] as const)('%s: fit of 130 rows × 2²⁰ units is refused with OUT_OF_MEMORY, and no network moves', async (backend, limit) => {
    const a = await Network.create(
      {
        inputs: 1,
        layers: [
          { units: 2 ** 20, activation: 'linear' },
          { units: 1, activation: 'linear' },
        ],
        loss: 'mse',
      },
      { backend },
    );
    const twin = await Network.create(SPEC, { backend });
    // (Its toJSON() is 67 MB of text: compare the parameter and state blocks' bytes instead.)
    const blocks = () => Buffer.from(a.core.view(a.core.params, a.core.grads - a.core.params).slice().buffer);
    const [saved, out] = [blocks(), a.predict([0.5])];
    const x = Array.from({ length: 130 }, (_, i) => [i / 130]);
    const err = await a.fit({ inputs: x, targets: x }, { epochs: 1, batchSize: 130 }).catch((e) => e);
    expect(err).toBeInstanceOf(BackpropError);
    expect(err).toMatchObject({ code: 'OUT_OF_MEMORY', field: 'options.batchSize' });
    expect(err.message).toBe(
      `options.batchSize: expected a size that fits in memory (${limit}), got a batch of 130 rows × 1,048,576 units (the widest layer), whose buffers need 4.1 GiB`,
    );
    const b = await Network.create(SPEC, { backend });
    expect(a.predict([0.5])).toEqual(out);
    expect(snap(b)).toEqual(snap(twin));
    expect(blocks().equals(saved)).toBe(true);
  });
});
