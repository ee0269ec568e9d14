// Multi-core fit in a real browser: backprop as users install it (npm pack → npm install), with
// `backprop-wasm/threads`, bundled with zero configuration by each bundler, trains with threads: 2 in
// headless Chromium — on the page's main thread and inside a Web Worker — from workers made of a
// Blob URL. On a cross-origin-isolated page (COOP/COEP) two threads must run and follow Node's
// one-thread run within 1e-12 (|Δ| / max(1, |v|); only the order of summation differs), and an f32
// network's threaded fit (the f32 threads build) must give Node's one-thread f32 bits, while
// timers keep firing on the page; without those headers, or under a CSP that blocks blob: workers,
// fit must fall back to one thread with one console warning that says what to change.
// Oracle: the same seeded runs in this process on threads: 1 (src/, wasm).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { Network } from '../../src/index.js';
import { enableF32 } from '../../src/f32.js';
import { packAndInstall, ROOT, type Packed } from './pack.js';
import { bundle, type Bundler } from './bundle.js';
import { HAVE_CHROMIUM, HOW_TO_INSTALL, launch } from './chromium.js';
import { serve, type Route, type Served } from './serve.js';
// @ts-expect-error plain JS fixture, shared with the page
import { RUNS } from './fixtures/threads-data.js';

interface Run {
  name: string;
  spec: Parameters<typeof Network.create>[0];
  data: { inputs: number[][]; targets: number[][] };
  fit: Record<string, unknown>;
}
interface Result {
  name: string;
  backend: string;
  threads: number;
  loss: number[];
  accuracy: number[];
  params: string;
  ms: number;
  ticks?: number;
  frames?: number;
}

const TOL = 1e-12;
const BUNDLERS: Bundler[] = ['esbuild', 'vite', 'webpack', 'rollup'];
const FIXTURES = join(ROOT, 'test/browser/fixtures');

/** Saved values: 8 bytes each, or 4 in an f32 network's model. */
const decode = (b64: string, precision = 'f64') =>
  Array.from(new (precision === 'f32' ? Float32Array : Float64Array)(new Uint8Array(Buffer.from(b64, 'base64')).buffer));
function relDiff(a: number[], b: number[]): number {
  expect(b).toHaveLength(a.length);
  return a.reduce((d, v, i) => Math.max(d, Math.abs(v - b[i]) / Math.max(1, Math.abs(v))), 0);
}

/** The runs in Node on one thread, plus each network's initial parameters. */
async function oracle() {
  enableF32();
  return Promise.all(
    (RUNS as Run[]).map(async (run) => {
      const net = await Network.create(run.spec);
      const precision = net.spec.precision;
      const initial = decode(net.toJSON().params, precision);
      const h = await net.fit(run.data, { ...run.fit, threads: 1 });
      const saved = net.toJSON().params;
      return {
        name: run.name,
        backend: net.backend,
        precision,
        loss: h.loss,
        accuracy: h.accuracy!,
        saved,
        params: decode(saved, precision),
        initial,
      };
    }),
  );
}

/** The Content Security Policy the README recommends for Wasm; it does not allow blob: workers. */
const CSP = "script-src 'self' 'wasm-unsafe-eval'";

/**
 * Path prefixes add headers: /coi/ those of cross-origin isolation, /csp/ the CSP above,
 * /csp-blob/ the CSP with blob: workers allowed.
 */
const isolating: Route = (requested) => {
  let path = requested;
  const headers: Record<string, string> = {};
  const csp = path.match(/^\/(csp|csp-blob)\//);
  if (csp) {
    path = path.slice(csp[0].length - 1);
    headers['content-security-policy'] = csp[1] === 'csp' ? CSP : `${CSP}; worker-src 'self' blob:`;
  }
  if (path.startsWith('/coi/')) {
    path = path.slice(4);
    headers['cross-origin-opener-policy'] = 'same-origin';
    headers['cross-origin-embedder-policy'] = 'require-corp';
  }
  return { path, headers };
};

/** Counts the page's workers made from blob: URLs (backprop's; the fixture's own worker is a file). */
function countBlobWorkers() {
  const w = window as unknown as { Worker: typeof Worker; __blobWorkers: number };
  w.__blobWorkers = 0;
  w.Worker = class extends w.Worker {
    constructor(url: string | URL, options?: WorkerOptions) {
      if (String(url).startsWith('blob:')) w.__blobWorkers++;
      super(url, options);
    }
  };
}

if (!HAVE_CHROMIUM) console.warn(HOW_TO_INSTALL);

describe.skipIf(!HAVE_CHROMIUM)('fit({ threads: 2 }) in headless Chromium', () => {
  let packed: Packed;
  let app: string;
  let server: Served;
  let browser: Browser;
  let expected: Awaited<ReturnType<typeof oracle>>;

  beforeAll(async () => {
    packed = packAndInstall();
    // A subdirectory of the app that has backprop installed: bundle() builds its main.js and worker.js.
    app = join(packed.app, 'threads');
    mkdirSync(app);
    copyFileSync(join(FIXTURES, 'threads.js'), join(app, 'main.js'));
    copyFileSync(join(FIXTURES, 'threads-worker.js'), join(app, 'worker.js'));
    for (const f of ['threads-train.js', 'threads-data.js', 'index.html']) copyFileSync(join(FIXTURES, f), join(app, f));
    [server, browser, expected] = await Promise.all([serve(join(packed.tmp, 'out'), isolating), launch(), oracle()]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (packed) rmSync(packed.tmp, { recursive: true, force: true });
  });

  /** Opens a page, waits for the fixture's result and collects backprop's console warnings. */
  async function open(path: string) {
    const page = await browser.newPage();
    await page.addInitScript(countBlobWorkers);
    const warnings: string[] = [];
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'warning' && m.text().includes('backprop:') && warnings.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    try {
      await page.goto(`${server.url}/${path}`);
      const handle = await page.waitForFunction(() => (window as { __result?: unknown }).__result, null, { timeout: 30_000 });
      const result = (await handle.jsonValue()) as { error?: string; isolated: boolean; page: Result[]; worker: Result[] | null };
      expect(result.error).toBeUndefined();
      expect(errors).toEqual([]);
      return { ...result, warnings, blobWorkers: (await page.evaluate('window.__blobWorkers')) as number };
    } finally {
      await page.close();
    }
  }

  function expectOracle(got: Result[], threads: number) {
    expect(got.map((r) => r.name)).toEqual(expected.map((r) => r.name));
    got.forEach((r, i) => {
      const want = expected[i];
      expect(r.backend).toBe('wasm');
      expect(want.backend).toBe('wasm');
      expect(r.threads, r.name).toBe(threads);
      if (want.precision === 'f32') {
        // Every thread has ≥ 4 rows of every batch: the one-thread f32 bits.
        expect(r.params, `${r.name} params`).toBe(want.saved);
        expect(r.loss, `${r.name} loss`).toEqual(want.loss);
        expect(r.accuracy, `${r.name} accuracy`).toEqual(want.accuracy);
      }
      expect(relDiff(want.loss, r.loss), `${r.name} loss`).toBeLessThanOrEqual(TOL);
      expect(relDiff(want.accuracy, r.accuracy), `${r.name} accuracy`).toBeLessThanOrEqual(TOL);
      const params = decode(r.params, want.precision);
      expect(relDiff(want.params, params), `${r.name} params`).toBeLessThanOrEqual(TOL);
      // The comparison is between trained networks, not two copies of the initial weights.
      expect(relDiff(want.initial, params), `${r.name} moved`).toBeGreaterThan(1e-3);
    });
  }

  it.each(BUNDLERS)(
    '%s: two threads on an isolated page and in its worker; one thread and one warning without isolation',
    async (bundler) => {
      const warnings = await bundle(bundler, app, join(packed.tmp, 'out', bundler));
      expect(warnings, warnings.join('\n')).toEqual([]);

      const isolated = await open(`coi/${bundler}/index.html`);
      expect(isolated.isolated).toBe(true);
      expect(isolated.warnings).toEqual([]);
      expectOracle(isolated.page, 2);
      // One helper per threads build (thread 1; the page is thread 0): the f64 build's, started by the
      // first fit and reused by the second, and the f32 build's, started by the f32 fit.
      expect((RUNS as Run[]).map((r) => r.spec.precision ?? 'f64')).toEqual(['f64', 'f64', 'f32']);
      expect(isolated.blobWorkers).toBe(2);
      expectOracle(isolated.worker!, 2);
      // The page stayed responsive: the 5 ms timer kept firing while the larger run trained.
      const big = isolated.page[1];
      console.log(
        `${bundler}: ${big.name} trained in ${big.ms.toFixed(0)} ms on 2 threads (page), ${isolated.worker![1].ms.toFixed(0)} ms (worker); ${big.ticks} timer ticks, ${big.frames} frames meanwhile`,
      );
      expect(big.ticks).toBeGreaterThanOrEqual(3);

      const plain = await open(`${bundler}/index.html?worker=0`);
      expect(plain.isolated).toBe(false);
      expectOracle(plain.page, 1);
      expect(plain.blobWorkers).toBe(0);
      expect(plain.warnings).toHaveLength(1);
      expect(plain.warnings[0]).toMatch(
        /fit runs on one thread: the page is not cross-origin isolated \(serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp\)/,
      );
    },
    60_000,
  );

  it('under a CSP without blob: workers: one thread, and the warning says what to allow; with worker-src blob: two threads', async () => {
    await bundle('esbuild', app, join(packed.tmp, 'out/esbuild')); // again: tests may run alone
    const blocked = await open('csp/coi/esbuild/index.html?worker=0');
    expect(blocked.isolated).toBe(true);
    expectOracle(blocked.page, 1);
    expect(blocked.warnings).toHaveLength(1);
    expect(blocked.warnings[0]).toMatch(
      /one thread: worker threads could not be started \(the Content Security Policy blocks workers from blob: URLs \(worker-src\); allow them with worker-src 'self' blob:\)/,
    );

    const allowed = await open('csp-blob/coi/esbuild/index.html');
    expect(allowed.warnings).toEqual([]);
    expectOracle(allowed.page, 2);
    expectOracle(allowed.worker!, 2);
  });
});
