// Issue 5: backprop as users install it (npm pack → npm install in an empty app), bundled with
// zero configuration by Vite, webpack 5, Rollup and esbuild, or loaded unbundled from a
// <script type="module">, trains XOR on the wasm backend in headless Chromium, on the page and in
// a Web Worker; under a CSP without 'wasm-unsafe-eval' it falls back to js with one warning.
// Oracle: the same seeded run in this process (src/, same .wasm) — Wasm f64 arithmetic is
// deterministic, so the browser's final loss on wasm must equal it bit for bit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { Network } from '../../src/index.js';
import { embeddedBytes } from '../../src/backends/wasm/loader.js';
import { packAndInstall, ROOT, type Packed } from './pack.js';
import { serve, type Served } from './serve.js';
import { bundle, BUNDLERS, jsSizes, writeFixtureApp } from './bundle.js';
import { HAVE_CHROMIUM, HOW_TO_INSTALL, launch } from './chromium.js';

const XOR = {
  inputs: [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ],
  targets: [[0], [1], [1], [0]],
};
const SPEC = {
  inputs: 2,
  layers: [
    { units: 8, activation: 'tanh' as const },
    { units: 1, activation: 'sigmoid' as const },
  ],
  loss: 'binaryCrossEntropy' as const,
  optimizer: { type: 'sgd' as const, learningRate: 0.5, momentum: 0.9 },
  seed: 3,
};

async function oracle(backend: 'wasm' | 'js') {
  const net = await Network.create(SPEC, { backend });
  const { loss } = await net.fit(XOR, { epochs: 500, batchSize: 4 });
  return loss[loss.length - 1];
}

interface Trained {
  backend: string;
  otherBackend?: string;
  loss: number;
  predictions: number[];
  explicit?: string | { name: string; code: string; field: string; message: string };
}

/**
 * Gzipped bytes any one minified bundle may take (the page's, or the worker's): 50–63 KiB now.
 * esbuild inlines what the library loads on demand (the ONNX/TF.js readers, Dataset's model reader,
 * weighted fits) unless `splitting` is on; the others put those in chunks of their own.
 */
// Vite's worker 64 → 66 KiB: with precision 'f32' in Core, fit and the saved-model reader it
// measured 64.2 KiB gzipped (the f32 module and twins themselves are opt-in: backprop-wasm/f32).
// 66 → 67 KiB: reading rows as f32 straight into the f32 heap, f32 weighted fits and trace()
// took it from 65.9 to 66.2 KiB gzipped (measured on the same tree before and after); the lanes of
// the elementwise kernels, bias-gradient sums and sumSquares (+226 bytes of Wasm) took it to 66.7.
// 67 → 68 KiB: the threads' balancing (src/parallel/balance.ts, imported by fit through the
// trainer) took it from 66.7 to 67.5 KiB gzipped.
// The trainer (src/parallel/trainer.ts: pool, balancer, control block) then moved into the threads
// entry, which provides it to fit (src/parallel/open.ts): 67.6 → 63.6 KiB gzipped, budget unchanged.
const BUDGET = { vite: 68 * 1024, webpack: 64 * 1024, rollup: Infinity, esbuild: 72 * 1024 } as const;

// Counts how pages compile Wasm: streaming (from a Response) or from bytes.
function countCompiles() {
  const calls = { compileStreaming: 0, compile: 0 };
  (window as unknown as { __compiles: typeof calls }).__compiles = calls;
  for (const name of ['compileStreaming', 'compile'] as const) {
    const real = WebAssembly[name] as (...a: unknown[]) => unknown;
    (WebAssembly as unknown as Record<string, unknown>)[name] = (...a: unknown[]) => (calls[name]++, real.apply(WebAssembly, a));
  }
}

function expectXor(t: Trained, backend: 'wasm' | 'js', loss: number) {
  expect(t.backend).toBe(backend);
  // Wasm f64 arithmetic is exact by spec: same bits as in Node. JS's Math.exp/tanh are only
  // approximated by spec and may differ by an ulp between V8 versions: 1e-12 relative.
  if (backend === 'wasm') expect(t.loss).toBe(loss);
  else expect(Math.abs(t.loss - loss)).toBeLessThanOrEqual(1e-12 * loss);
  expect(t.loss).toBeLessThan(0.01);
  expect(t.predictions.map(Math.round)).toEqual([0, 1, 1, 0]);
}

let packed: Packed;
beforeAll(() => {
  packed = packAndInstall();
  writeFixtureApp(packed.app);
}, 120_000);
afterAll(() => packed && rmSync(packed.tmp, { recursive: true, force: true }));

describe('the packed package in Node', () => {
  const script = (src: string, ext: string) => {
    const file = join(packed.app, `check.${ext}`);
    writeFileSync(file, src);
    return JSON.parse(execFileSync(process.execPath, [file], { cwd: packed.app, encoding: 'utf8' }));
  };
  const body = `const net = await Network.create(${JSON.stringify(SPEC)});
    const { loss } = await net.fit(${JSON.stringify(XOR)}, { epochs: 500, batchSize: 4 });
    console.log(JSON.stringify({ backend: net.backend, loss: loss.at(-1), predictions: ${JSON.stringify(XOR.inputs)}.map((x) => net.predict(x)[0]) }));`;

  it('import works (ESM) and trains XOR on wasm', async () => {
    expectXor(script(`import { Network } from 'backprop-wasm';\n${body}`, 'mjs'), 'wasm', await oracle('wasm'));
  });

  it('require works (CommonJS) and trains XOR on wasm', async () => {
    expectXor(script(`const { Network } = require('backprop-wasm');\n(async () => { ${body} })();`, 'cjs'), 'wasm', await oracle('wasm'));
  });

  it('examples/worker/node.mjs trains XOR on wasm in a worker_thread and predicts with it on the main thread', async () => {
    copyFileSync(join(ROOT, 'examples/worker/node.mjs'), join(packed.app, 'node-worker.mjs'));
    const out = execFileSync(process.execPath, ['node-worker.mjs'], { cwd: packed.app, encoding: 'utf8' });
    const head = out.match(/^worker thread (\d+) trained on (\w+): loss [\d.]+ → (\S+)$/m);
    expect(head, out).not.toBeNull();
    expect(Number(head![1])).toBeGreaterThan(0); // thread 0 is the main thread
    expect(head![2]).toBe('wasm');
    expect(Number(head![3])).toBe(await oracle('wasm'));
    const predicted = [...out.matchAll(/^(\d),(\d) → ([\d.]+) \(predicted on thread 0\)$/gm)];
    expect(predicted.map((m) => [Number(m[1]) ^ Number(m[2]), Math.round(Number(m[3]))])).toEqual([
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ]);
  });
});

if (!HAVE_CHROMIUM) console.warn(HOW_TO_INSTALL);

describe.skipIf(!HAVE_CHROMIUM)('in headless Chromium', () => {
  let server: Served;
  let browser: Browser;
  let out: string;
  let wasmLoss: number;
  let jsLoss: number;

  beforeAll(async () => {
    out = join(packed.tmp, 'out');
    mkdirSync(join(out, 'wasm'), { recursive: true });
    symlinkSync(packed.app, join(out, 'plain'));
    writeFileSync(join(out, 'wasm/backprop.wasm'), embeddedBytes()); // served as application/wasm
    writeFileSync(join(out, 'wasm/backprop.bin'), embeddedBytes()); // served as octet-stream
    [server, browser, wasmLoss, jsLoss] = await Promise.all([serve(out), launch(), oracle('wasm'), oracle('js')]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Opens a page, waits for the fixture's result and collects backprop's console warnings. */
  async function open(path: string, { noSimd = false } = {}) {
    const page = await browser.newPage();
    await page.addInitScript(countCompiles);
    // A browser without Wasm SIMD: SIMD modules no longer validate (no Chromium flag turns SIMD off).
    if (noSimd) await page.addInitScript(() => void (WebAssembly.validate = () => false));
    const warnings: string[] = [];
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'warning' && m.text().includes('backprop:') && warnings.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    try {
      await page.goto(`${server.url}/${path}`);
      const handle = await page.waitForFunction(() => (window as { __result?: unknown }).__result, null, { timeout: 30_000 });
      const result = (await handle.jsonValue()) as { error?: string; page: Trained; worker: Trained | null };
      expect(errors).toEqual([]);
      expect(result.error).toBeUndefined();
      const compiles = (await page.evaluate('window.__compiles')) as { compileStreaming: number; compile: number };
      return { ...result, warnings, compiles };
    } finally {
      await page.close();
    }
  }

  it.each(BUNDLERS)(
    '%s: builds with no warnings; XOR trains on wasm on the page and in a Web Worker; a strict CSP falls back to js',
    async (bundler) => {
      const dir = join(out, bundler);
      const warnings = await bundle(bundler, packed.app, dir);
      expect(warnings, warnings.join('\n')).toEqual([]);
      const sizes = Object.entries(jsSizes(dir));
      const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
      console.log(`${bundler}: ${sizes.map(([f, s]) => `${f} ${kib(s.raw)} (${kib(s.gzip)} gzipped)`).join(', ')}`);
      // Rollup has no minifier here (no plugin installed), so only the minified outputs have a budget.
      for (const [f, s] of sizes) expect(s.gzip, f).toBeLessThan(BUDGET[bundler]);

      const normal = await open(`${bundler}/index.html`);
      expectXor(normal.page, 'wasm', wasmLoss);
      expect(normal.page.otherBackend).toBe('wasm');
      expect(normal.page.explicit).toBe('wasm');
      expect(normal.compiles).toEqual({ compileStreaming: 0, compile: 1 }); // the embedded module, once
      expectXor(normal.worker!, 'wasm', wasmLoss);
      expect(normal.warnings).toEqual([]);

      const csp = await open(`${bundler}/csp.html?worker=0`);
      expectXor(csp.page, 'js', jsLoss);
      expect(csp.page.otherBackend).toBe('js');
      expect(csp.page.explicit).toMatchObject({ name: 'BackpropError', code: 'BACKEND_UNAVAILABLE', field: 'backend' });
      expect((csp.page.explicit as { message: string }).message).toMatch(/Content Security Policy/);
      expect(csp.warnings).toHaveLength(1);
      expect(csp.warnings[0]).toMatch(/Content Security Policy forbids compiling WebAssembly .*'wasm-unsafe-eval'.*backend: 'js'/);
    },
    120_000,
  );

  it('no Wasm SIMD: auto falls back to js with one warning; backend: wasm throws', async () => {
    const r = await open('esbuild/index.html?worker=0', { noSimd: true });
    expectXor(r.page, 'js', jsLoss);
    expect(r.page.otherBackend).toBe('js');
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/WebAssembly with SIMD is not available here.*backend: 'js'/);
    expect(r.page.explicit).toMatchObject({
      name: 'BackpropError',
      code: 'BACKEND_UNAVAILABLE',
      field: 'backend',
      message: expect.stringMatching(/SIMD/),
    });
    expect(r.compiles).toEqual({ compileStreaming: 0, compile: 0 });
  });

  it('unbundled: a <script type="module"> with an import map trains XOR on wasm', async () => {
    const r = await open('plain/plain.html?worker=0');
    expectXor(r.page, 'wasm', wasmLoss);
    expect(r.warnings).toEqual([]);
  });

  it('wasm: a URL is fetched once and compiled streaming (application/wasm) or from bytes (other types)', async () => {
    for (const [file, compiles] of [
      ['backprop.wasm', { compileStreaming: 1, compile: 0 }],
      ['backprop.bin', { compileStreaming: 0, compile: 1 }],
    ] as const) {
      const before = server.requests.length;
      const r = await open(`esbuild/index.html?worker=0&wasm=${encodeURIComponent(`/wasm/${file}`)}`);
      expectXor(r.page, 'wasm', wasmLoss);
      expect(r.page.explicit).toBe('wasm');
      expect(r.compiles).toEqual(compiles);
      expect(server.requests.slice(before).filter((p) => p === `/wasm/${file}`)).toHaveLength(1);
    }
  });
});
