// Soak: 10,000 networks created, trained and dropped, and one network trained for thousands of
// epochs, keep the Wasm heap and the JS heap under fixed ceilings; Wasm memory growth in the
// middle of a network's life (even in the middle of its fit) changes nothing; a spec too large
// for memory is refused up front. The JS heap is measured after a forced full GC.
import { describe, it, expect } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Network, type NetworkSpec } from '../src/index.js';
import { wasmBackend, RESIDENT_BUDGET } from '../src/backends/wasm/index.js';
import { embeddedBytes } from '../src/backends/wasm/loader.js';
import { maxRelDiff } from './helpers/random.js';

const MiB = 2 ** 20;
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapUsed = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const XOR = {
  inputs: [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ],
  targets: [[0], [1], [1], [0]],
};
const flat = (net: Network) => net.getWeights().flatMap((l) => [...l.weights.flat(), ...(l.bias ?? [])]);

describe('soak', () => {
  it('10,000 networks created, trained and dropped (no dispose) stay under fixed ceilings', async () => {
    const be = await wasmBackend();
    const heapBefore = heapUsed();
    const sizes = [
      [20, 64, 10],
      [8, 200, 3],
      [50, 32, 1],
      [3, 5, 2],
    ]; // mixed sizes: the allocator must not fragment without bound
    let peakInUse = 0;
    for (let i = 0; i < 10_000; i++) {
      const [inputs, hidden, outputs] = sizes[i % sizes.length];
      const net = await Network.create({
        inputs,
        layers: [{ units: hidden, activation: 'tanh' }, { units: outputs }],
        optimizer: { type: 'sgd', momentum: 0.5 },
        seed: i,
        backend: 'wasm',
      });
      const x = [Array.from({ length: inputs }, (_, j) => ((i + j) % 7) / 7)];
      const y = [Array.from({ length: outputs }, (_, j) => (j === i % outputs ? 1 : 0))];
      expect(Number.isFinite(net.trainStep(x, y))).toBe(true);
      if (i % 500 === 0) expect((await net.fit({ inputs: x, targets: y }, { epochs: 2 })).loss.every(Number.isFinite)).toBe(true);
      peakInUse = Math.max(peakInUse, be.inUse);
    }
    // Without eviction these would hold ~400 MiB; the resident budget is 128 MiB.
    expect(peakInUse * 8).toBeLessThanOrEqual(RESIDENT_BUDGET * 8 + 4 * MiB);
    expect(be.exports.memory.buffer.byteLength).toBeLessThanOrEqual(2 * RESIDENT_BUDGET * 8);
    // Evicted networks' parameters live in JS arrays owned by their (dropped) networks.
    expect(heapUsed() - heapBefore).toBeLessThan(32 * MiB);
  });

  it('one network trained for 3,000 epochs (and 500 separate fits): heaps stay flat', async () => {
    const be = await wasmBackend();
    const net = await Network.create({
      inputs: 2,
      layers: [
        { units: 16, activation: 'tanh' },
        { units: 1, activation: 'sigmoid' },
      ],
      loss: 'binaryCrossEntropy',
      optimizer: { type: 'sgd', learningRate: 0.3, momentum: 0.9 },
      seed: 4,
      backend: 'wasm',
    });
    await net.fit(XOR, { epochs: 1 });
    const [inUse, bytes, heapBefore] = [be.inUse, be.exports.memory.buffer.byteLength, heapUsed()];
    const during = new Set<number>();
    const h = await net.fit(XOR, { epochs: 3000, batchSize: 2, onEpochEnd: () => void during.add(be.inUse) });
    expect(h.loss[2999]).toBeLessThan(0.01); // it really trained
    expect(during.size).toBe(1); // one data-set block for the whole fit, nothing per epoch
    for (let i = 0; i < 500; i++) await net.fit(XOR, { epochs: 1 });
    expect(be.inUse).toBe(inUse); // every fit freed its data-set block
    expect(be.exports.memory.buffer.byteLength).toBe(bytes);
    expect(heapUsed() - heapBefore).toBeLessThan(8 * MiB);
  });
});

describe('Wasm memory growth in mid-life', () => {
  /** A network on its own fresh instance (its memory starts small), and a reference twin on another. */
  const fresh = () => WebAssembly.compile(embeddedBytes() as BufferSource);
  const spec: NetworkSpec = {
    inputs: 2,
    layers: [{ units: 8, activation: 'tanh' }, { units: 1 }],
    optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.9 },
    seed: 8,
  };

  it('growth in the middle of a fit (another network allocates) leaves no stale view', async () => {
    const [mA, mRef] = [await fresh(), await fresh()];
    const beA = await wasmBackend(mA);
    const a = await Network.create(spec, { backend: 'wasm', wasm: mA });
    const ref = await Network.create(spec, { backend: 'wasm', wasm: mRef });
    const bytes = beA.exports.memory.buffer.byteLength;
    let big: Network | undefined;
    await a.fit(XOR, {
      epochs: 6,
      batchSize: 2,
      onEpochEnd: async (epoch) => {
        if (epoch !== 2) return;
        // 1000 × 1000: 8 MB per block, far past the fresh memory; it must grow now.
        big = await Network.create({ inputs: 1000, layers: [{ units: 1000 }] }, { backend: 'wasm', wasm: mA });
        big.trainStep(new Float64Array(1000), new Float64Array(1000));
      },
    });
    await ref.fit(XOR, { epochs: 6, batchSize: 2 });
    expect(beA.exports.memory.buffer.byteLength).toBeGreaterThan(bytes + 16 * MiB);
    expect(JSON.stringify(a)).toBe(JSON.stringify(ref));
    expect(a.predict(XOR.inputs).map((r) => r[0])).toEqual(ref.predict(XOR.inputs).map((r) => r[0]));
    big!.dispose();
  });

  it('a network larger than the initial memory grows it and trains like the JS backend', async () => {
    const m = await fresh();
    const be = await wasmBackend(m);
    const bytes = be.exports.memory.buffer.byteLength;
    const small = await Network.create(spec, { backend: 'wasm', wasm: m });
    const before = flat(small);
    const bigSpec: NetworkSpec = {
      inputs: 600,
      layers: [
        { units: 500, activation: 'relu' },
        { units: 10, activation: 'softmax' },
      ],
      loss: 'crossEntropy',
      seed: 3,
    };
    const big = await Network.create(bigSpec, { backend: 'wasm', wasm: m });
    const oracle = await Network.create(bigSpec, { backend: 'js' });
    expect(be.exports.memory.buffer.byteLength).toBeGreaterThan(bytes);
    const x = Array.from({ length: 64 }, (_, r) => Array.from({ length: 600 }, (_, c) => ((r * 31 + c * 7) % 17) / 17 - 0.5));
    const y = x.map((_, r) => Array.from({ length: 10 }, (_, c) => (c === r % 10 ? 1 : 0)));
    // The data set copied into the heap by fit grows it again, mid-life of both networks.
    const [hw, hj] = [
      await big.fit({ inputs: x, targets: y }, { epochs: 3, batchSize: 16 }),
      await oracle.fit({ inputs: x, targets: y }, { epochs: 3, batchSize: 16 }),
    ];
    expect(maxRelDiff(hw.loss, hj.loss)).toBeLessThan(1e-12);
    expect(maxRelDiff(flat(big), flat(oracle))).toBeLessThan(1e-12);
    expect(flat(small)).toEqual(before); // the small network's parameters moved with the memory intact
  });
});

describe.concurrent('limits', () => {
  // A spec whose parameters cannot fit in memory must be refused up front with INVALID_SPEC.
  // Each case runs in its own process with a deadline, because today's failure modes include a
  // silent int32 wrap in the allocator (writes past the block) and a multi-minute init loop.
  const script = fileURLToPath(new URL('./helpers/create-huge.ts', import.meta.url));
  const cases: [string, number, number][] = [
    ['wasm', 20_000, 20_000], // 4·10⁸ parameters: 3 blocks need 9.6 GB > 4 GiB of Wasm memory
    ['wasm', 30_000, 30_000], // 9·10⁸: 3 blocks = 2.7·10⁹ elements, past int32
    ['js', 100_000, 100_000], // 10¹⁰ parameters
  ];
  it.each(cases)(
    '%s: %i inputs × %i units is refused with INVALID_SPEC, quickly',
    async (backend, inputs, units) => {
      const out = await new Promise<string>((resolve) =>
        execFile(
          process.execPath,
          ['--import', 'tsx', script, backend, String(inputs), String(units)],
          { timeout: 15_000 },
          (err, stdout) => resolve(stdout || `no answer in 15 s (${err?.message.split('\n')[0]})`),
        ),
      );
      expect(out).toMatch(/^INVALID_SPEC layers/);
    },
    20_000,
  );
});
