// net.save / Network.load in headless Chromium, under TF.js's scheme names: localstorage://,
// indexeddb:// (a 784-512-512-10 model, ~14 MB of JSON), downloads://, an http URL and a
// File/Blob, on a page and in a Web Worker (IndexedDB exists there, localStorage and downloads
// do not: clear BackpropErrors). A model too big for localStorage's quota is a SAVE_FAILED
// BackpropError and leaves the entry saved before it as it was.
// Oracle: JSON.stringify(net.toJSON()) of the saved network; the same seeded model built in Node
// (Wasm f64 is deterministic, so the page's text equals Node's bit for bit).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Network } from '../../src/index.js';
import { ROOT } from './pack.js';
import { serve, type Served } from './serve.js';
import { HAVE_CHROMIUM, HOW_TO_INSTALL, launch } from './chromium.js';

const SMALL = {
  inputs: 3,
  layers: [
    { units: 4, activation: 'tanh' as const },
    { units: 2, activation: 'softmax' as const },
  ],
  optimizer: { type: 'sgd' as const, momentum: 0.9 },
  seed: 7,
};
const BIG = { inputs: 784, layers: [{ units: 512 }, { units: 512 }, { units: 10, activation: 'softmax' as const }], seed: 8 };

// Runs in the worker: each place, and what it answers.
const WORKER = `import { Network } from '${join(ROOT, 'src/index.ts')}';
const outcome = async (f) => { try { return { ok: await f() }; } catch (e) { return { name: e.name, code: e.code, field: e.field, message: e.message }; } };
self.onmessage = async ({ data: spec }) => {
  const net = await Network.create(spec);
  const text = JSON.stringify(net);
  self.postMessage({
    indexeddb: await outcome(async () => { await net.save('indexeddb://w'); return JSON.stringify(await Network.load('indexeddb://w')) === text; }),
    localstorage: await outcome(() => net.save('localstorage://w')),
    downloads: await outcome(() => net.save('downloads://w')),
    blob: await outcome(async () => JSON.stringify(await Network.load(new Blob([text]))) === text),
  });
};`;

const PAGE = `import * as lib from '${join(ROOT, 'src/index.ts')}';
globalThis.lib = lib;
globalThis.runWorker = (spec) => new Promise((resolve, reject) => {
  const w = new Worker('./worker.js', { type: 'module' });
  w.onmessage = (e) => { resolve(e.data); w.terminate(); };
  w.onerror = (e) => reject(new Error(e.message));
  w.postMessage(spec);
});
globalThis.ready = true;`;

if (!HAVE_CHROMIUM) console.warn(HOW_TO_INSTALL);

describe.skipIf(!HAVE_CHROMIUM)('save and load in headless Chromium', () => {
  let dir: string;
  let server: Served;
  let browser: Browser;
  let page: Page;
  let smallText: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'backprop-save-browser-'));
    const { build } = await import('esbuild');
    for (const [name, contents] of [
      ['page.js', PAGE],
      ['worker.js', WORKER],
    ]) {
      const r = await build({
        stdin: { contents, resolveDir: ROOT, sourcefile: name },
        bundle: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        outfile: join(dir, name),
        logLevel: 'silent',
      });
      expect(r.warnings).toEqual([]);
    }
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><meta charset="utf-8"><body><script type="module" src="./page.js"></script></body>',
    );
    smallText = JSON.stringify(await Network.create(SMALL, { backend: 'wasm' }));
    writeFileSync(join(dir, 'model.json'), smallText);
    [server, browser] = await Promise.all([serve(dir), launch()]);
    page = await (await browser.newContext({ acceptDownloads: true })).newPage();
    await page.goto(`${server.url}/index.html`);
    await page.waitForFunction(() => (globalThis as { ready?: boolean }).ready);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  type Lib = typeof import('../../src/index.js');
  type Outcome<T> = { ok?: T; error?: { name: string; code?: string; field?: string; message: string } };
  const inPage = <T, A>(f: (lib: Lib, arg: A) => Promise<T>, arg: A): Promise<Outcome<T>> =>
    page.evaluate(
      async ([source, a]) => {
        const fn = (0, eval)(`(${source})`);
        try {
          return { ok: await fn((globalThis as unknown as { lib: Lib }).lib, a) };
        } catch (e) {
          const { name, code, field, message } = e as { name: string; code?: string; field?: string; message: string };
          return { error: { name, code, field, message } };
        }
      },
      [f.toString(), arg] as const,
    ) as Promise<Outcome<T>>;

  it("localstorage://: saves toJSON()'s text and loads it bit for bit (as Node computes it)", async () => {
    const r = await inPage(async (lib, spec) => {
      const net = await lib.Network.create(spec);
      await net.save('localstorage://small');
      const stored = localStorage.getItem('backprop-wasm/models/small');
      const back = await lib.Network.load('localstorage://small');
      return { stored, back: JSON.stringify(back), backend: back.backend };
    }, SMALL);
    expect(r).toEqual({ ok: { stored: smallText, back: smallText, backend: 'wasm' } });
  });

  it('indexeddb://: a 784-512-512-10 model (with optimizer state) round-trips bit for bit', async () => {
    const r = await inPage(async (lib, spec) => {
      const net = await lib.Network.create(spec);
      const text = JSON.stringify(net);
      const saved = await net.save('indexeddb://big');
      const back = await lib.Network.load('indexeddb://big');
      return { same: JSON.stringify(back) === text, characters: saved.characters, units: back.spec.layers.map((l) => l.units) };
    }, BIG);
    const ok = r.ok!;
    expect(ok.same).toBe(true);
    expect(ok.units).toEqual([512, 512, 10]);
    expect(ok.characters).toBeGreaterThan(10_000_000); // params and state: 2 × 669,706 f64 in base64
  }, 60_000);

  it('localStorage over quota: a SAVE_FAILED BackpropError, and the entry saved before is unchanged', async () => {
    const r = await inPage(
      async (lib, [small, big]) => {
        const first = await lib.Network.create(small);
        await first.save('localstorage://q');
        let error: unknown;
        try {
          await (await lib.Network.create(big)).save('localstorage://q');
        } catch (e) {
          const { name, code, field, message } = e as { name: string; code: string; field: string; message: string };
          error = { name, code, field, message };
        }
        return { error, kept: JSON.stringify(await lib.Network.load('localstorage://q')) === JSON.stringify(first) };
      },
      [SMALL, BIG] as const,
    );
    const ok = r.ok! as { error: { message: string }; kept: boolean };
    expect(ok.error).toMatchObject({ name: 'BackpropError', code: 'SAVE_FAILED', field: 'localstorage://q' });
    expect(ok.error.message).toMatch(/QuotaExceededError/);
    expect(ok.kept).toBe(true);
  }, 60_000);

  it("downloads://: the browser downloads <name>.json holding toJSON()'s text", async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      inPage(async (lib, spec) => (await lib.Network.create(spec)).save('downloads://mine'), SMALL),
    ]);
    expect(download.suggestedFilename()).toBe('mine.json');
    expect(readFileSync((await download.path())!, 'utf8')).toBe(smallText);
  });

  it('an http URL (absolute or relative to the page), a File; a missing name or URL is LOAD_FAILED', async () => {
    const r = await inPage(async (lib, url) => {
      const text = async (x: Promise<unknown>) => JSON.stringify(await x);
      const absolute = await text(lib.Network.load(`${url}/model.json`));
      const relative = await text(lib.Network.load('model.json'));
      const file = await text(lib.Network.load(new File([absolute], 'picked.json')));
      const fails = [];
      for (const where of [`${url}/nothing.json`, 'indexeddb://never-saved', 'localstorage://never-saved']) {
        try {
          await lib.Network.load(where);
        } catch (e) {
          fails.push([(e as { code: string }).code, (e as { field: string }).field]);
        }
      }
      return { absolute, relative, file, fails };
    }, server.url);
    expect(r).toEqual({
      ok: {
        absolute: smallText,
        relative: smallText,
        file: smallText,
        fails: [
          ['LOAD_FAILED', `${server.url}/nothing.json`],
          ['LOAD_FAILED', 'indexeddb://never-saved'],
          ['LOAD_FAILED', 'localstorage://never-saved'],
        ],
      },
    });
  });

  it('in a Web Worker: indexeddb:// works; localstorage:// and downloads:// are refused saying why', async () => {
    const r = (await page.evaluate(
      (spec) => (globalThis as unknown as { runWorker(s: unknown): Promise<unknown> }).runWorker(spec),
      SMALL,
    )) as Record<string, { ok?: unknown; code?: string; field?: string; message?: string; name?: string }>;
    expect(r.indexeddb).toEqual({ ok: true });
    expect(r.blob).toEqual({ ok: true });
    expect(r.localstorage).toMatchObject({ name: 'BackpropError', code: 'SAVE_FAILED', field: 'localstorage://w' });
    expect(r.localstorage.message).toMatch(/Web Workers do not \(indexeddb:\/\/ works in both\)/);
    expect(r.downloads).toMatchObject({ name: 'BackpropError', code: 'SAVE_FAILED', field: 'downloads://w' });
    expect(r.downloads.message).toMatch(/Web Workers have none/);
  });
});
