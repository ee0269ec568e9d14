// The browser demo in Debian's headless Chromium: it loads, trains in a worker past 80% test
// accuracy within a bounded time, switches backend mid-run, stays responsive, and reads a
// drawn digit. A screenshot is kept in test-artifacts/demo.png.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildAndServeDemo, type DemoSite } from './demo-server.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const have = existsSync(CHROMIUM);
if (!have) console.warn(`demo.test: ${CHROMIUM} is missing (apt-get install chromium); skipping the browser demo test`);

describe.skipIf(!have)('browser demo (examples/web)', () => {
  let site: DemoSite;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    site = await buildAndServeDemo();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1100, height: 820 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(site.url);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  const data = (key: string) => page.evaluate((k) => document.body.dataset[k] ?? '', key);

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
  });

  it('trains past 80% test accuracy within 60 s, switching to js and back while staying responsive', async () => {
    const started = Date.now();
    await page.click('#train');
    await page.waitForFunction(() => Number(document.body.dataset.seen ?? 0) >= 640, null, { timeout: 30_000 });
    // Switch to the JS backend mid-run: the worker moves the network across and keeps going.
    await page.click('#backend-js + span');
    await page.waitForFunction(() => document.body.dataset.backend === 'js', null, { timeout: 20_000 });
    const seenOnJs = Number(await data('seen'));
    await page.waitForFunction((s) => Number(document.body.dataset.seen) > s, seenOnJs, { timeout: 20_000 });
    // The main thread answers at once while the worker trains.
    const t = Date.now();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
    expect(Date.now() - t).toBeLessThan(2000);
    await page.click('#backend-wasm + span');
    await page.waitForFunction(() => document.body.dataset.backend === 'wasm', null, { timeout: 20_000 });
    await page.waitForFunction(() => Number(document.body.dataset.accuracy) > 0.8, null, { timeout: 60_000 - (Date.now() - started) });
    const acc = Number(await data('accuracy'));
    expect(acc).toBeGreaterThan(0.8);
    expect(acc).toBeLessThanOrEqual(1);
    await page.waitForFunction(() => document.body.dataset.state === 'done', null, { timeout: 90_000 });
    expect(Number(await data('accuracy'))).toBeGreaterThan(0.85);
  }, 200_000);

  it('reads drawn digits: a vertical stroke is a 1, a loop is a 0', async () => {
    const one = await predictionAfter([[140, 40], [140, 240]]);
    expect(one.p).toHaveLength(10);
    expect(one.p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3); // softmax, 4 decimals each
    expect(one.digit).toBe(1);
    const loop: [number, number][] = Array.from({ length: 25 }, (_, i) => {
      const a = (i / 24) * 2 * Math.PI;
      return [140 + 65 * Math.sin(a), 140 - 95 * Math.cos(a)];
    });
    const zero = await predictionAfter(loop);
    expect(zero.digit).toBe(0);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL('demo.png', ARTIFACTS).pathname, fullPage: true });
    expect(errors).toEqual([]);
  }, 60_000);
});
