// Node vs headless Chromium on the Wasm backend: the seeded workload (test/helpers/
// seeded-workload.ts) is bundled for the browser with esbuild, served from 127.0.0.1, trained in
// Debian's Chromium via playwright-core, and its saved models must equal Node's byte for byte.
// The page also reports whether a per-shape module compiled there, and whether the opt-in fma
// build runs (Chromium has relaxed SIMD on by default) within 1e-10 of the default.
// Self-contained on purpose (test/browser/ has its own harness for bundler tests).
import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { runWorkload } from './helpers/seeded-workload.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE = existsSync(CHROMIUM);
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
if (!HAVE)
  console.warn(
    `determinism-browser skipped: no Chromium at ${CHROMIUM} (apt-get update && apt-get install -y chromium, or set CHROMIUM_PATH)`,
  );

async function bundle(dir: string): Promise<void> {
  const { build } = await import('esbuild');
  const workload = fileURLToPath(new URL('./helpers/seeded-workload.ts', import.meta.url));
  await build({
    stdin: {
      // Also: whether a one-row trainStep runs on a per-shape module here (compiled synchronously
      // on the page's main thread; src/backends/wasm/specialize.ts).
      contents: `import { runWorkload } from ${JSON.stringify(workload)};
        import { Network } from ${JSON.stringify(fileURLToPath(new URL('../src/index.ts', import.meta.url)))};
        import { enableFma } from ${JSON.stringify(fileURLToPath(new URL('../src/fma.ts', import.meta.url)))};
        runWorkload('wasm').then(async (r) => {
          const n = await Network.create({ inputs: 2, layers: [{ units: 3, activation: 'sigmoid' }, { units: 1 }], loss: 'mse' });
          n.trainStep([1, 2], [0]);
          window.__perShape = n.core.perSample() !== n.core.backend.kernels;
          // Chromium has relaxed SIMD by default: the fma build runs, within 1e-10 of the default.
          enableFma();
          const spec = { inputs: 16, layers: [{ units: 24, activation: 'tanh' }, { units: 3 }], loss: 'mse', seed: 3 };
          const data = { inputs: Array.from({ length: 32 }, (_, i) => Array.from({ length: 16 }, (_, j) => ((i * 7 + j * 3) % 11) / 11 - 0.5)), targets: Array.from({ length: 32 }, (_, i) => [i % 2, (i % 3) / 2, 0.5]) };
          const [f, d] = [await Network.create(spec, { fma: true }), await Network.create(spec)];
          await f.fit(data, { epochs: 5, batchSize: 8 });
          await d.fit(data, { epochs: 5, batchSize: 8 });
          const wf = f.getWeights().flatMap((l) => [...l.weights.flat(), ...l.bias]), wd = d.getWeights().flatMap((l) => [...l.weights.flat(), ...l.bias]);
          window.__fma = { on: f.fma, maxDiff: Math.max(...wf.map((v, i) => Math.abs(v - wd[i]))), differs: wf.some((v, i) => v !== wd[i]) };
          window.__result = r;
        }, (e) => { window.__error = String(e && e.stack || e); });`,
      resolveDir: dir,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(dir, 'bundle.js'),
    logLevel: 'silent',
  });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="bundle.js"></script>');
}

describe.skipIf(!HAVE)('determinism: Node vs Chromium (wasm backend)', () => {
  it('the seeded workload trains to bit-identical models in both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'backprop-determinism-'));
    const server = createServer(async (req, res) => {
      const name = req.url === '/' ? 'index.html' : req.url === '/bundle.js' ? 'bundle.js' : null;
      if (!name) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': name.endsWith('.js') ? 'text/javascript' : 'text/html' }).end(await readFile(join(dir, name)));
    });
    const { chromium } = await import('playwright-core');
    let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
    try {
      await bundle(dir);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForFunction(() => (window as any).__result || (window as any).__error, undefined, { timeout: 30_000 });
      const { result, error, simd, perShape, fma } = await page.evaluate(() => ({
        result: (window as any).__result,
        error: (window as any).__error,
        simd: typeof WebAssembly.validate,
        perShape: (window as any).__perShape,
        fma: (window as any).__fma,
      }));
      expect(error ?? errors[0]).toBeUndefined();
      expect(simd).toBe('function');
      const node = await runWorkload('wasm');
      expect(Object.keys(result)).toEqual(Object.keys(node));
      expect(perShape, 'a per-shape module compiled on the page (synchronously, main thread)').toBe(true);
      expect(fma.on, 'the fma build runs where relaxed SIMD is on by default').toBe(true);
      expect(fma.differs, 'FMA really ran: some bits differ from the default build').toBe(true);
      expect(fma.maxDiff).toBeLessThan(1e-10);
      // Whole saved models: params, optimizer state, counters and the shuffling stream.
      const differ = Object.keys(node).filter((name) => result[name] !== node[name]);
      expect(
        differ,
        'models that differ between Node and Chromium (name@init: before any training, i.e. the seeded initialization)',
      ).toEqual([]);
    } finally {
      await browser?.close();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
