// A threaded fit reads its rows straight into the threads' shared heap when an earlier threaded fit
// loaded it (src/fit-data.ts readRows, src/parallel/open.ts threadsHeap): the same bits as one
// thread (f64 and f32, with validationSplit), nothing copied into a new array, the block freed after
// the fit; and when the trainer then falls back to one thread or fails to open, the rows go back
// to the network's heap (one-thread bits) or the block is freed.
import { describe, it, expect, vi } from 'vitest';
import { Network, type NetworkSpec } from '../src/index.js';
import { enableThreads } from '../src/parallel/enable.js';
import { enableF32 } from '../src/f32.js';
import { Threaded } from '../src/parallel/trainer.js';
import { loadedThreadsRuntime } from '../src/backends/wasm/threads.js';
import { threadsData } from './helpers/threads-data.js';

enableThreads();
enableF32();

const spec = (precision: 'f64' | 'f32'): NetworkSpec => ({
  inputs: 6,
  layers: [
    { units: 16, activation: 'tanh' },
    { units: 3, activation: 'softmax' },
  ],
  loss: 'crossEntropy',
  optimizer: { type: 'adam', learningRate: 0.01 },
  seed: 4,
  precision,
});
const d = threadsData(96, 6, 3, 'class', 7);
const options = { epochs: 2, batchSize: 16, validationSplit: 0.25 };

describe.each(['f64', 'f32'] as const)('rows read into the threads heap (%s)', (precision) => {
  it('the second threaded fit reads into the shared heap: one-thread bits, block freed, no copy of the rows', async () => {
    await (await Network.create(spec(precision))).fit(d, { ...options, threads: 2 }); // loads the threads runtime
    const rt = loadedThreadsRuntime(precision)!;
    expect(rt.backend.precision).toBe(precision);
    const inUse = rt.backend.inUse;
    const one = await Network.create(spec(precision)),
      two = await Network.create(spec(precision));
    const h1 = await one.fit(d, options);
    // The rows are in the shared heap before the trainer opens (the old way: copied into a new array,
    // and into the heap after it opened): fit viewed the heap's values by then.
    const values = vi.spyOn(rt.backend, 'values');
    const realOpen = Threaded.open.bind(Threaded);
    let viewsBeforeOpen = -1;
    const open = vi.spyOn(Threaded, 'open').mockImplementation((...args) => {
      viewsBeforeOpen = values.mock.calls.length;
      return realOpen(...args);
    });
    let h2;
    try {
      h2 = await two.fit(d, { ...options, threads: 2 });
    } finally {
      open.mockRestore();
      values.mockRestore();
    }
    expect(h2.threads).toBe(2);
    expect(viewsBeforeOpen).toBeGreaterThan(0);
    expect(JSON.stringify(two)).toBe(JSON.stringify(one));
    expect(h2.loss).toEqual(h1.loss);
    expect(h2.valLoss).toEqual(h1.valLoss);
    expect(rt.backend.inUse).toBe(inUse);
  });

  it('the trainer falls back to one thread after the rows went into the shared heap: one-thread bits, block freed', async () => {
    const rt = loadedThreadsRuntime(precision)!;
    const inUse = rt.backend.inUse;
    const one = await Network.create(spec(precision)),
      two = await Network.create(spec(precision));
    const h1 = await one.fit(d, options);
    const open = vi.spyOn(Threaded, 'open').mockResolvedValue(undefined);
    try {
      const h2 = await two.fit(d, { ...options, threads: 2 });
      expect(open).toHaveBeenCalledTimes(1);
      expect(h2.threads).toBe(1);
      expect(h2.loss).toEqual(h1.loss);
    } finally {
      open.mockRestore();
    }
    expect(JSON.stringify(two)).toBe(JSON.stringify(one));
    expect(rt.backend.inUse).toBe(inUse);
  });

  it('the trainer fails to open after the rows went into the shared heap: the error, the block freed, the network unchanged', async () => {
    const rt = loadedThreadsRuntime(precision)!;
    const inUse = rt.backend.inUse;
    const net = await Network.create(spec(precision));
    const before = JSON.stringify(net);
    const open = vi.spyOn(Threaded, 'open').mockRejectedValue(new Error('no room'));
    try {
      await expect(net.fit(d, { ...options, threads: 2 })).rejects.toThrow('no room');
    } finally {
      open.mockRestore();
    }
    expect(rt.backend.inUse).toBe(inUse);
    expect(JSON.stringify(net)).toBe(before);
  });
});
