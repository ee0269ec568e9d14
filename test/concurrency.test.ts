// Concurrency in one process: fits of several networks interleaved on the event loop (sharing
// one Wasm instance and allocator, with and without evictions between their epochs) give exactly
// the bits each would get alone; calls on other networks from inside a fit's callback, and a
// dispose() mid-fit, disturb nobody else.
import { describe, it, expect } from 'vitest';
import { Network, BackpropError, type NetworkSpec } from '../src/index.js';
import { wasmBackend } from '../src/backends/wasm/index.js';
import { embeddedBytes } from '../src/backends/wasm/loader.js';
import { Homes } from '../src/backends/homes.js';
import { Rng } from '../src/rng.js';

const specs: NetworkSpec[] = [
  {
    inputs: 3,
    layers: [{ units: 12, activation: 'tanh' }, { units: 2 }],
    loss: 'mse',
    optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 },
    seed: 1,
  },
  {
    inputs: 3,
    layers: [
      { units: 7, activation: 'relu', dropout: 0.2 },
      { units: 4, activation: 'softmax' },
    ],
    loss: 'crossEntropy',
    optimizer: { type: 'adam', learningRate: 0.01 },
    seed: 2,
  },
  {
    inputs: 3,
    layers: [
      { units: 5, activation: 'sigmoid' },
      { units: 1, activation: 'sigmoid' },
    ],
    loss: 'binaryCrossEntropy',
    optimizer: { type: 'sgd', learningRate: 0.5 },
    seed: 3,
  },
];
const dataFor = (spec: NetworkSpec, seed: number) => {
  const rng = new Rng(seed);
  const out = spec.layers[spec.layers.length - 1].units;
  const inputs = Array.from({ length: 40 }, () => Array.from({ length: spec.inputs }, () => 2 * rng.next() - 1));
  const targets = inputs.map((x) =>
    Array.from({ length: out }, (_, o) => (spec.loss === 'mse' ? x[0] * x[1] - o : Number(x[0] + x[2] > 0 === (o % 2 === 0)))),
  );
  if (spec.loss === 'crossEntropy') targets.forEach((t, i) => t.fill(0).splice(i % out, 1, 1));
  return { inputs, targets };
};
const OPTS = { epochs: 15, batchSize: 6 };

/** Each spec trained alone, one after the other: the reference bits. */
async function alone(backend: 'wasm' | 'js'): Promise<string[]> {
  const out: string[] = [];
  for (const [i, spec] of specs.entries()) {
    const net = await Network.create({ ...spec, backend });
    await net.fit(dataFor(spec, i), OPTS);
    out.push(JSON.stringify(net));
  }
  return out;
}

describe('interleaved fits do not disturb each other', () => {
  it.each(['wasm', 'js'] as const)('three networks fitting at once on %s give the bits each gets alone', async (backend) => {
    const ref = await alone(backend);
    const nets = await Promise.all(specs.map((s) => Network.create({ ...s, backend })));
    const order: number[] = [];
    await Promise.all(nets.map((n, i) => n.fit(dataFor(specs[i], i), { ...OPTS, onEpochEnd: () => void order.push(i) })));
    // They really interleaved: every network ended an epoch before any ended its third (run one
    // after another, the last would start after the first's 15th). Not an exact alternation: under
    // load, the chunk scheduler may split an epoch into two chunks, and another fit runs between.
    const first = [0, 1, 2].map((i) => order.indexOf(i));
    const third = [0, 1, 2].map((i) => order.findIndex((_, at) => order.slice(0, at + 1).filter((v) => v === i).length === 3));
    expect(Math.max(...first)).toBeLessThan(Math.min(...third));
    // And each ended exactly as alone.
    expect(nets.map((n) => JSON.stringify(n))).toEqual(ref);
  });

  it('the same when every switch evicts the other networks (tiny resident budget)', async () => {
    const module = await WebAssembly.compile(embeddedBytes() as BufferSource);
    const be = await wasmBackend(module);
    (be as { homes: Homes }).homes = new Homes(be, 512); // room for one network at a time
    const ref = await alone('wasm');
    const nets = await Promise.all(specs.map((s) => Network.create({ ...s, backend: 'wasm' }, { wasm: module })));
    let evictedSome = false;
    await Promise.all(
      nets.map((n, i) =>
        n.fit(dataFor(specs[i], i), { ...OPTS, onEpochEnd: () => void (evictedSome ||= be.homes.resident < nets.length) }),
      ),
    );
    expect(evictedSome).toBe(true);
    expect(nets.map((n) => JSON.stringify(n))).toEqual(ref);
  });

  it('predict, loss, trainStep and setWeights on other networks inside a fit callback', async () => {
    const ref = await alone('wasm');
    const [a, b] = await Promise.all([Network.create({ ...specs[0], backend: 'wasm' }), Network.create({ ...specs[0], backend: 'wasm' })]);
    const other = await Network.create({ ...specs[2], backend: 'wasm' });
    const d2 = dataFor(specs[2], 2);
    await a.fit(dataFor(specs[0], 0), {
      ...OPTS,
      onEpochEnd: () => {
        b.predict(dataFor(specs[0], 9).inputs); // a twin of a with another batch size grows its buffers
        b.trainStep(dataFor(specs[0], 9).inputs, dataFor(specs[0], 9).targets);
        other.loss(d2.inputs, d2.targets);
        other.setWeights(other.getWeights());
        a.predict(d2.inputs.map((r) => r.slice(0, 3))); // a itself, between its own epochs
      },
    });
    expect(JSON.stringify(a)).toBe(ref[0]);
  });

  it('dispose() mid-fit stops that fit with DISPOSED, frees its memory, and leaves the others alone', async () => {
    const be = await wasmBackend();
    const ref = await alone('wasm');
    const inUse = be.inUse;
    const [victim, survivor] = [
      await Network.create({ ...specs[1], backend: 'wasm' }),
      await Network.create({ ...specs[0], backend: 'wasm' }),
    ];
    const [v, s] = await Promise.allSettled([
      victim.fit(dataFor(specs[1], 1), { ...OPTS, onEpochEnd: (epoch) => void (epoch === 3 && victim.dispose()) }),
      survivor.fit(dataFor(specs[0], 0), OPTS),
    ]);
    expect(v.status).toBe('rejected');
    const e = (v as PromiseRejectedResult).reason;
    expect(e).toBeInstanceOf(BackpropError);
    expect((e as BackpropError).code).toBe('DISPOSED');
    expect(s.status).toBe('fulfilled');
    expect(JSON.stringify(survivor)).toBe(ref[0]);
    survivor.dispose();
    expect(be.inUse).toBe(inUse); // the victim's blocks and its data set went back
  });
});

describe('an evicted network', () => {
  it("refuses its offsets until the public API brings it back (a caller's missing enter() fails loudly, not silently)", async () => {
    const module = await WebAssembly.compile(embeddedBytes() as BufferSource);
    const be = await wasmBackend(module);
    (be as { homes: Homes }).homes = new Homes(be, 1); // every network that enters evicts the others
    const a = await Network.create({ ...specs[0], backend: 'wasm' }, { wasm: module });
    const before = JSON.stringify(a);
    await Network.create({ ...specs[2], backend: 'wasm' }, { wasm: module }); // evicts a
    expect(be.homes.resident).toBe(1);
    expect(() => a.core.params).toThrow(/used while evicted/);
    expect(() => a.core.plan).toThrow(/used while evicted/);
    expect(JSON.stringify(a)).toBe(before); // the API re-enters: same bits as before eviction
    expect(a.core.params).toBeGreaterThanOrEqual(0);
  });
});
