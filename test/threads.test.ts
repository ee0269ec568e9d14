// Data-parallel fit (options.threads) of f64 networks: the threads suite
// (test/helpers/threads-suite.ts, every case of test/helpers/threads-cases.ts; test/f32-threads.test.ts
// runs it in f32), then what does not depend on the precision: bad values are refused; where threads
// cannot run, fit falls back to one thread and says so; the CommonJS entries share one state; workers
// never keep a process alive.
import { describe, it, expect, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { Network, BackpropError } from '../src/index.js';
import { enableThreads } from '../src/parallel/enable.js';
import { threadedFitScript } from './helpers/threaded-fit-script.js';
import { threadsSuite, data } from './helpers/threads-suite.js';
import { CLOSE, inPrecision } from './helpers/threads-cases.js';

enableThreads();

threadsSuite('f64');

// Once, not per precision: options are checked and the fallbacks decided before the precision
// matters, and each fallback warns once per process (a second run would see no warning).
const cases = CLOSE.map(([name, spec, options, kind]) => [name, inPrecision(spec, 'f64'), options, kind] as const);

describe('threads: 1 and fallbacks', () => {
  it.each([0, -1, 1.5, 65, NaN, '2', 'all', null])('threads: %s is refused with INVALID_OPTION, nothing changed', async (bad) => {
    const net = await Network.create(cases[0][1]);
    const before = JSON.stringify(net);
    const err = await net.fit(data(20, 5, 3, 'reg'), { threads: bad as never }).catch((e) => e);
    expect(err).toBeInstanceOf(BackpropError);
    expect(err).toMatchObject({ code: 'INVALID_OPTION', field: 'options.threads' });
    expect(err.message).toContain("'auto' or an integer from 1 to 64");
    expect(JSON.stringify(net)).toBe(before);
  });

  it("on the js backend: one thread, one warning, the js backend's own bits", async () => {
    const spec = { ...cases[0][1], backend: 'js' as const };
    const d = data(60, 5, 3, 'reg');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const a = await Network.create(spec),
        b = await Network.create(spec);
      await a.fit(d, { epochs: 2, batchSize: 8 });
      const h = await b.fit(d, { epochs: 2, batchSize: 8, threads: 2 });
      await b.fit(d, { epochs: 0 + 1, batchSize: 8, threads: 2 }); // warned once only
      expect(h.threads).toBe(1);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/one thread: threads need the wasm backend/);
      await a.fit(d, { epochs: 1, batchSize: 8 });
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    } finally {
      warn.mockRestore();
    }
  });

  it('a page that is not cross-origin isolated: one thread, and the warning says why', async () => {
    const g = globalThis as { crossOriginIsolated?: boolean };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    g.crossOriginIsolated = false;
    try {
      const net = await Network.create(cases[0][1]);
      const h = await net.fit(data(40, 5, 3, 'reg'), { epochs: 1, batchSize: 8, threads: 'auto' });
      expect(h.threads).toBe(1);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/not cross-origin isolated.*Cross-Origin-Opener-Policy/);
    } finally {
      delete g.crossOriginIsolated;
      warn.mockRestore();
    }
  });
});

describe('threaded fits end cleanly', () => {
  it('CommonJS: require("backprop-wasm/threads") enables threads for require("backprop-wasm") (one shared state)', () => {
    // The built package (dist/, made by npm run build) resolved by name from inside the repository.
    const script = `
      const { Network } = require('backprop-wasm');
      require('backprop-wasm/threads').enableThreads();
      (async () => {
        const net = await Network.create({ inputs: 2, layers: [{ units: 8 }, { units: 1 }], loss: 'mse', seed: 1 });
        const h = await net.fit({ inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[0], [1], [1], [0]] }, { epochs: 3, batchSize: 4, threads: 2 });
        console.log('threads', h.threads);
      })();`;
    const r = spawnSync(process.execPath, ['--input-type=commonjs', '-e', script], {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('threads 2');
    expect(r.status).toBe(0);
  });

  it.each([true, false])(
    'a process that ran a threaded fit exits by itself (enableThreads called: %s)',
    (enable) => {
      const script = threadedFitScript(enable);
      // A hang is what this catches (it caught one: the barriers' timed waits, test/threads-barrier.test.ts);
      // 90 s leaves room for a full suite's load (0.5–2.4 s alone).
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: new URL('..', import.meta.url),
        encoding: 'utf8',
        timeout: 90_000,
      });
      if (enable) expect(r.stderr).toBe('');
      else
        expect(r.stderr).toMatch(
          /^backprop: fit runs on one thread: threads need the threads build: import \{ enableThreads \} from 'backprop-wasm\/threads'/,
        );
      expect(r.stdout.trim()).toBe(`threads ${enable ? 2 : 1}`);
      expect(r.status).toBe(0);
    },
    100_000,
  );
});
