// Memory: dispose() frees at once, and evicted networks come back bit-identical. The soak
// (10,000 dropped networks, long training) and Wasm growth mid-life are in test/soak.test.ts.
import { describe, it, expect } from 'vitest';
import { Network } from '../src/index.js';
import { wasmBackend } from '../src/backends/wasm/index.js';
import { embeddedBytes } from '../src/backends/wasm/loader.js';
import { Homes } from '../src/backends/homes.js';

const XOR = {
  inputs: [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ],
  targets: [[0], [1], [1], [0]],
};

describe('memory', () => {
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
    const spec = {
      inputs: 2,
      layers: [
        { units: 8, activation: 'tanh' as const },
        { units: 1, activation: 'sigmoid' as const },
      ],
      loss: 'binaryCrossEntropy' as const,
      optimizer: { type: 'sgd' as const, learningRate: 0.5, momentum: 0.9 },
      seed: 4,
    };
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
});
