// The threads' barriers never leave a thread asleep: they sleep without a timeout (a timed
// memory.atomic.wait32 under Node 20 / V8 11.3 now and then never returns: fresh processes running
// a three-chunk threaded fit hung 4 times in ≈ 100 with 0.2 ms timed waits, 0 in 240 untimed), and
// every event a sleeper waits for notifies it, a failure of the main thread mid-chunk included.
// THREADS_EXIT_SOAK=n runs n fresh processes, two at a time, each of which must finish its threaded
// fit and exit by itself (≈ 1 s each alone).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { Network, type NetworkSpec } from '../src/index.js';
import { threadsRuntime, type ThreadsExports } from '../src/backends/wasm/threads.js';
import { enableThreads } from '../src/parallel/enable.js';
import { threadedFitScript } from './helpers/threaded-fit-script.js';

enableThreads();

const SPEC: NetworkSpec = {
  inputs: 3,
  layers: [{ units: 12, activation: 'tanh' }, { units: 2 }],
  loss: 'mse',
  optimizer: { type: 'adam', learningRate: 0.01 },
  seed: 3,
};
const rows = (n: number, width: number, shift: number) =>
  Array.from({ length: n }, (_, r) => Array.from({ length: width }, (_, c) => Math.cos(r * 0.9 + c * 1.7 + shift)));
const DATA = { inputs: rows(32, 3, 0), targets: rows(32, 2, 1) };
const OPTIONS = { epochs: 2, batchSize: 16, shuffle: false } as const;
const bits = (net: Network) => JSON.stringify(net.toJSON());

describe('barriers', () => {
  it.each(['backprop.threads.wat', 'backprop.threads.f32.wat'])(
    '%s sleeps at a barrier only without a timeout (i64.const -1 before every wait)',
    (file) => {
      const wat = readFileSync(new URL(`../build/${file}`, import.meta.url), 'utf8').split('\n');
      const waits = wat.flatMap((line, i) => (line.includes('memory.atomic.wait32') ? [wat[i - 1].trim()] : []));
      expect(waits.length).toBeGreaterThan(0);
      expect(waits).toEqual(waits.map(() => 'i64.const -1'));
    },
  );

  it('a failure of the main thread mid-chunk wakes the workers asleep at a barrier: they abort, park and serve the next fit', async () => {
    const rt = await threadsRuntime('f64');
    const real = rt.exports;
    const writable = rt as { exports: ThreadsExports };
    writable.exports = {
      ...real,
      trainShards: (ctl: number, tid: number, canWait: number) => {
        if (tid !== 0) return real.trainShards(ctl, tid, canWait);
        // Long enough for the worker to pass its spins and fall asleep at the first barrier.
        const until = performance.now() + 100;
        while (performance.now() < until);
        throw new Error('injected failure of thread 0');
      },
    };
    try {
      const net = await Network.create(SPEC);
      await expect(net.fit(DATA, { ...OPTIONS, threads: 2 })).rejects.toThrow('injected failure of thread 0');
    } finally {
      writable.exports = real;
    }
    // The worker parked (the failed fit's close() returned) and trains the next fit: the one-thread bits.
    const [one, two] = [await Network.create(SPEC), await Network.create(SPEC)];
    await one.fit(DATA, OPTIONS);
    const h = await two.fit(DATA, { ...OPTIONS, threads: 2 });
    expect(h.threads).toBe(2);
    expect(bits(two)).toBe(bits(one));
  }, 20_000);

  const soak = Number(process.env.THREADS_EXIT_SOAK ?? 0);
  it.runIf(soak > 0)(
    `${soak} fresh processes each finish a threaded fit and exit by themselves (THREADS_EXIT_SOAK)`,
    async () => {
      const script = threadedFitScript(true);
      const one = () =>
        new Promise<string>((resolve) => {
          const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
            cwd: new URL('..', import.meta.url),
            timeout: 40_000,
          });
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += String(d)));
          child.on('close', (code, signal) => resolve(`${out.trim()} (exit ${code ?? signal})`));
        });
      const results: string[] = [];
      for (let i = 0; i < soak; i += 2) results.push(...(await Promise.all([one(), ...(i + 1 < soak ? [one()] : [])])));
      expect(results.filter((r) => r !== 'threads 2 (exit 0)')).toEqual([]);
    },
    soak * 45_000,
  );
});
