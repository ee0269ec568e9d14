// The MNIST page (examples/web/index.html) in Debian's headless Chromium: it loads, trains in a
// worker until stopped past 85% test accuracy, switches backend mid-run, stays responsive,
// continues without restarting, shows the confusion matrix and misclassified digits, saves and
// loads the model, reads a drawn digit, and fits a 390 px screen. Screenshots: test-artifacts/.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { Network } from '../../src/index.js';
import { HAVE_CHROMIUM, HOW_TO_INSTALL, launch } from './chromium.js';
import { buildAndServeDemo, type DemoSite } from './demo-server.js';

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
if (!HAVE_CHROMIUM) console.warn(`demo.test: ${HOW_TO_INSTALL}`);

describe.skipIf(!HAVE_CHROMIUM)('browser demo (examples/web/index.html)', () => {
  let site: DemoSite;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    [site, browser] = await Promise.all([buildAndServeDemo(), launch()]);
    page = await browser.newPage({ viewport: { width: 1100, height: 820 }, acceptDownloads: true });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(site.url);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  const data = (key: string) => page.evaluate((k) => document.body.dataset[k] ?? '', key);
  const stop = async () => {
    await page.click('#stop');
    await page.waitForFunction(() => document.body.dataset.state === 'done', null, { timeout: 30_000 });
  };

  /** Draws a polyline on the pad, in pad coordinates (0–280). */
  async function draw(points: [number, number][]): Promise<void> {
    const box = (await page.locator('#pad').boundingBox())!;
    const at = ([x, y]: [number, number]) => [box.x + (x * box.width) / 280, box.y + (y * box.height) / 280] as const;
    await page.mouse.move(...at(points[0]));
    await page.mouse.down();
    for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 8 });
    await page.mouse.up();
  }

  async function predictionAfter(points: [number, number][]): Promise<{ digit: number; p: number[] }> {
    await page.click('#clear');
    await draw(points);
    await page.waitForFunction(() => document.body.dataset.prediction !== '' && document.body.dataset.prediction !== undefined);
    await page.waitForTimeout(300); // the last stroke's prediction
    return { digit: Number(await data('prediction')), p: (await data('probabilities')).split(',').map(Number) };
  }

  it('loads the digits and the network on Wasm', async () => {
    await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 60_000 });
    expect(await data('backend')).toBe('wasm');
    expect(await page.textContent('#status')).toContain('8,000 training and 2,000 test digits');
    expect(await page.isDisabled('#continue')).toBe(true); // nothing to continue yet
    await page.screenshot({ path: new URL('demo-start.png', ARTIFACTS).pathname, fullPage: true });
  });

  it('trains until stopped past 85% test accuracy, switching to js and back while staying responsive', async () => {
    await page.click('#train');
    await page.waitForFunction(() => Number(document.body.dataset.seen ?? 0) >= 640, null, { timeout: 30_000 });
    await page.click('#backend-js + span');
    await page.waitForFunction(() => document.body.dataset.backend === 'js', null, { timeout: 20_000 });
    const seenOnJs = Number(await data('seen'));
    await page.waitForFunction((s) => Number(document.body.dataset.seen) > s, seenOnJs, { timeout: 20_000 });
    const t = Date.now();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
    expect(Date.now() - t).toBeLessThan(2000);
    await page.click('#backend-wasm + span');
    await page.waitForFunction(() => document.body.dataset.backend === 'wasm', null, { timeout: 20_000 });
    // Past one epoch (8,000 digits) it keeps going: no default end.
    await page.waitForFunction(() => Number(document.body.dataset.accuracy) > 0.85 && Number(document.body.dataset.seen) > 8000, null, {
      timeout: 60_000,
    });
    expect(await data('state')).toBe('training');
    await stop();
    expect(Number(await data('accuracy'))).toBeGreaterThan(0.85);
  }, 200_000);

  it('shows the confusion matrix, per-class accuracy and the misclassified digits of the whole test set', async () => {
    await page.waitForFunction(() => document.body.dataset.mistakes !== undefined, null, { timeout: 30_000 });
    const table = await page.evaluate(() => Array.from(document.querySelectorAll('#confusion td'), (td) => Number(td.textContent || 0)));
    expect(table).toHaveLength(100);
    expect(table.reduce((a, b) => a + b, 0)).toBe(2000);
    const right = table.filter((_, i) => i % 11 === 0).reduce((a, b) => a + b, 0);
    expect(Number(await data('mistakes'))).toBe(2000 - right);
    expect(await page.locator('#gallery figure').count()).toBe(Math.min(32, 2000 - right));
    expect(await page.locator('#per-class li').count()).toBe(10);
  });

  it('Continue keeps the network; Save downloads net.toJSON(); Load brings it back; Keep and Restore go through IndexedDB', async () => {
    const seen = Number(await data('seen'));
    await page.click('#continue');
    await page.waitForFunction((s) => Number(document.body.dataset.seen) > s + 640, seen, { timeout: 30_000 });
    await stop();
    await page.waitForFunction((s) => Number(document.body.dataset.evaluated) > s, seen, { timeout: 30_000 });
    const mistakes = await data('mistakes');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
    const file = await download.path();
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    const net = await Network.fromJSON(saved.network);
    expect(net.inputs).toBe(784);
    expect(saved.seen).toBeGreaterThan(seen);
    // Train from scratch briefly, then load the saved model: the evaluation is the saved one's again.
    await page.click('#train');
    await page.waitForFunction(() => Number(document.body.dataset.seen) >= 320, null, { timeout: 30_000 });
    await stop();
    await page.setInputFiles('#load', file);
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('Model loaded'), null, { timeout: 30_000 });
    await page.waitForFunction((m) => document.body.dataset.mistakes === m, mistakes, { timeout: 30_000 });
    // Keep puts it in this browser's IndexedDB (net.save in the worker); Restore brings it back.
    await page.click('#keep');
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('Model kept'), null, { timeout: 30_000 });
    await page.click('#train');
    await page.waitForFunction(() => Number(document.body.dataset.seen) >= 320, null, { timeout: 30_000 });
    await stop();
    await page.click('#restore');
    await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('Model restored'), null, {
      timeout: 30_000,
    });
    await page.waitForFunction((m) => document.body.dataset.mistakes === m, mistakes, { timeout: 30_000 });
  }, 120_000);

  it('reads drawn digits: a vertical stroke is a 1, a loop is a 0', async () => {
    const one = await predictionAfter([
      [140, 40],
      [140, 240],
    ]);
    expect(one.p).toHaveLength(10);
    expect(one.p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3); // softmax, 4 decimals each
    expect(one.digit).toBe(1);
    const loop: [number, number][] = Array.from({ length: 25 }, (_, i) => {
      const a = (i / 24) * 2 * Math.PI;
      return [140 + 65 * Math.sin(a), 140 - 95 * Math.cos(a)];
    });
    const zero = await predictionAfter(loop);
    expect(zero.digit).toBe(0);
    await page.screenshot({ path: new URL('demo.png', ARTIFACTS).pathname, fullPage: true });
  }, 60_000);

  it('offers threads only where the server sends COOP/COEP, and trains on them there', async () => {
    expect(await page.isVisible('#threads-label')).toBe(false);
    const isolated = await browser.newPage();
    isolated.on('pageerror', (e) => errors.push(e.message));
    await isolated.goto(`${site.url}isolated/index.html`);
    await isolated.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 60_000 });
    expect(await isolated.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await isolated.isVisible('#threads-label')).toBe(true);
    await isolated.check('#threads');
    await isolated.click('#train');
    await isolated.waitForFunction(() => Number(document.body.dataset.seen ?? 0) >= 1280, null, { timeout: 60_000 });
    await isolated.click('#stop');
    await isolated.waitForFunction(() => document.body.dataset.state === 'done', null, { timeout: 30_000 });
    expect(await isolated.textContent('#status')).not.toContain('Error');
    await isolated.close();
  }, 120_000);

  it('fits a 390 px phone screen without horizontal overflow', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: new URL('demo-390.png', ARTIFACTS).pathname, fullPage: true });
    expect(errors).toEqual([]);
  });
});
