// The bench-only phase timing of threaded batches (balanceHooks.onPhases, assembly/parallel.ts
// mark()): switched on, a fit gives the same bits as without it, and each thread's phases add up to
// its chunk (every moment of a chunk is in exactly one phase; the chunk is timed on its own).
import { describe, it, expect } from 'vitest';
import { Network, type NetworkSpec } from '../src/index.js';
import { enableThreads } from '../src/parallel/enable.js';
import { balanceHooks } from '../src/parallel/balance.js';
import { PHASE, PHASES } from '../src/parallel/control.js';
import { threadsData } from './helpers/threads-data.js';

enableThreads();

const spec: NetworkSpec = {
  inputs: 12,
  layers: [
    { units: 16, activation: 'relu' },
    { units: 16, activation: 'tanh' },
    { units: 4, activation: 'softmax' },
  ],
  loss: 'crossEntropy',
  optimizer: { type: 'adam', learningRate: 0.01 },
  seed: 9,
};
const d = threadsData(256, 12, 4, 'class', 3);

describe('phase timing of threaded batches', () => {
  it('on: the same bits; per thread the phases add up to the chunk', async () => {
    const plain = await Network.create(spec),
      timed = await Network.create(spec);
    const h1 = await plain.fit(d, { epochs: 2, batchSize: 32, threads: 2 });
    const chunks: number[][][] = [];
    balanceHooks.onPhases = (ms) => chunks.push(ms);
    let h2;
    try {
      h2 = await timed.fit(d, { epochs: 2, batchSize: 32, threads: 2 });
    } finally {
      balanceHooks.onPhases = undefined;
    }
    expect(h2.threads).toBe(2);
    expect(h2.loss).toEqual(h1.loss);
    expect(JSON.stringify(timed)).toBe(JSON.stringify(plain));
    expect(chunks.length).toBeGreaterThan(0);
    for (const threads of chunks) {
      expect(threads).toHaveLength(2);
      for (const ms of threads) {
        expect(ms).toHaveLength(PHASES.length);
        for (const v of ms) expect(v).toBeGreaterThanOrEqual(0);
        const parts = ms.reduce((s, v, k) => (k === PHASE.chunk ? s : s + v), 0);
        expect(ms[PHASE.chunk]).toBeGreaterThan(0);
        // The marks and the chunk's clock readings differ only by the instants between them.
        expect(Math.abs(parts - ms[PHASE.chunk])).toBeLessThanOrEqual(0.01 * ms[PHASE.chunk] + 0.01);
        expect(ms[PHASE.hidden] + ms[PHASE.grads]).toBeGreaterThan(0);
      }
    }
  });
});
