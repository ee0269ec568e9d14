// Memory: dropped networks do not grow the heap without bound (no dispose() needed), evicted
// networks come back bit-identical, and Wasm memory growth never leaves a stale view behind.
import { describe, it, expect } from 'vitest';
import { Network } from '../src/index.js';
import { wasmBackend, RESIDENT_BUDGET } from '../src/backends/wasm/index.js';
import { embeddedBytes } from '../src/backends/wasm/loader.js';
import { Homes } from '../src/backends/homes.js';

const MiB = 2 ** 20;
const XOR = { inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[0], [1], [1], [0]] };

describe('memory', () => {
  it('10,000 networks created and dropped in a tight async loop stay under a ceiling', async () => {
    const be = await wasmBackend();
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < 10_000; i++) {
      const net = await Network.create({ inputs: 20, layers: [{ units: 64 }, { units: 10 }], backend: 'wasm' });
      net.predict(new Float64Array(20));
    }
    const wasmBytes = be.exports.memory.buffer.byteLength;
    // ~480 MiB would be needed without eviction; the budget is 128 MiB, and fragmentation may add some.
    expect(be.inUse * 8).toBeLessThanOrEqual(RESIDENT_BUDGET * 8);
    expect(wasmBytes).toBeLessThanOrEqual(2 * RESIDENT_BUDGET * 8);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * MiB);
  });

  it('dispose() frees at once and a disposed network refuses work', async () => {
    const be = await wasmBackend();
    const net = await Network.create({ inputs: 100, layers: [{ units: 100 }], backend: 'wasm' });
    const held = be.inUse;
    net.dispose();
    net.dispose();
    expect(be.inUse).toBeLessThanOrEqual(held - 3 * 100 * 101); // parameters, state and gradients
    expect(() => net.predict(new Float64Array(100))).toThrow(/network: expected a network that has not been disposed/);
  });

  it('an evicted network resumes training bit-identically to one that never left', async () => {
    const module = await WebAssembly.compile(embeddedBytes() as BufferSource);
    const be = await wasmBackend(module);
    (be as { homes: Homes }).homes = new Homes(be, 4096); // a tiny budget: every other network evicts it
    const spec = { inputs: 2, layers: [{ units: 8, activation: 'tanh' as const }, { units: 1, activation: 'sigmoid' as const }], loss: 'binaryCrossEntropy' as const, optimizer: { type: 'sgd' as const, learningRate: 0.5, momentum: 0.9 }, seed: 4 };
    const a = await Network.create(spec, { wasm: module });
    const ref = await Network.create(spec, { backend: 'wasm' });
    for (let round = 0; round < 5; round++) {
      await a.fit(XOR, { epochs: 3, batchSize: 2 });
      await ref.fit(XOR, { epochs: 3, batchSize: 2 });
      const bully = await Network.create({ inputs: 30, layers: [{ units: 60 }] }, { wasm: module });
      bully.predict(new Float64Array(30));
      expect(be.homes.resident).toBe(1); // only the bully is resident now
    }
    expect(JSON.stringify(a)).toBe(JSON.stringify(ref));
  });

  it('memory growth mid-life leaves no detached views: a network keeps working', async () => {
    const be = await wasmBackend();
    const net = await Network.create({ inputs: 2, layers: [{ units: 4, activation: 'tanh' }, { units: 1 }], backend: 'wasm', seed: 8 });
    const before = Array.from(net.predict(XOR.inputs), (r) => r[0]);
    const bytes = be.exports.memory.buffer.byteLength;
    const big = await Network.create({ inputs: 2000, layers: [{ units: 2000 }], backend: 'wasm' }); // 32 MB more
    expect(be.exports.memory.buffer.byteLength).toBeGreaterThan(bytes);
    expect(Array.from(net.predict(XOR.inputs), (r) => r[0])).toEqual(before);
    const h = await net.fit(XOR, { epochs: 2 });
    expect(h.loss.every(Number.isFinite)).toBe(true);
    big.dispose();
  });
});
