// The playground (examples/web/playground.html) in Debian's headless Chromium: the backprop view
// shows the seed example's numbers and net.gradients' values on its edges (checked here in Node),
// the playground learns XOR, a URL reproduces the same state, and nothing overflows a 390 px
// phone screen. Screenshots go to test-artifacts/.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { Network } from '../../src/index.js';
import { HAVE_CHROMIUM, HOW_TO_INSTALL, launch } from './chromium.js';
import { buildAndServeDemo, type DemoSite } from './demo-server.js';

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const shot = (page: Page, name: string) => page.screenshot({ path: new URL(name, ARTIFACTS).pathname, fullPage: true });
if (!HAVE_CHROMIUM) console.warn(`playground.test: ${HOW_TO_INSTALL}`);

// 2-8-8-1 tanh on XOR, 500 points: the setting the issue measures frames/s on.
const XOR =
  '#data=xor&points=500&noise=0&train=50&seed=3&features=x1,x2&layers=8,8&act=tanh&opt=adam&lr=0.03&batch=10&l2=0&dropout=0&speed=3';

describe.skipIf(!HAVE_CHROMIUM)('playground (examples/web/playground.html)', () => {
  let site: DemoSite;
  let browser: Browser;
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    [site, browser] = await Promise.all([buildAndServeDemo(), launch()]);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  async function open(hash: string, width = 1280): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${site.url}playground.html${hash}`);
    return page;
  }
  const data = (page: Page, key: string) => page.evaluate((k) => document.body.dataset[k] ?? '', key);
  const full = (page: Page, id: string) => page.locator(`#${id}`).getAttribute('data-full');

  it('backprop view: the seed example’s loss, Step and Run 100, and ∂L/∂w on the edges equal to net.gradients', async () => {
    const page = await open('#seed');
    await page.waitForFunction(() => document.body.dataset.seedLoss !== undefined, null, { timeout: 30_000 });
    expect(await full(page, 'seed-loss')).toBe('0.01810390383656677');
    await page.check('input[data-act="full"]');
    expect(await page.textContent('#seed-loss')).toBe('0.01810390383656677');
    await page.click('button[data-act="backward"]');
    // Edit a weight and the input, then compare every edge with gradients computed here, in Node.
    await page.fill('input[data-edit="w1[0][1]"]', '-1.25');
    await page.press('input[data-edit="w1[0][1]"]', 'Enter');
    await page.fill('input[data-edit="x0"]', '0.7');
    await page.press('input[data-edit="x0"]', 'Enter');
    await page.click('button[data-act="backward"]');
    const shown = await page.evaluate(() => {
      const value = (sel: string) => Number((document.querySelector(sel) as HTMLInputElement).value);
      const grad = (id: string) => document.getElementById(id)!.dataset.full!;
      return {
        x: [value('[data-edit="x0"]'), value('[data-edit="x1"]')],
        y: value('[data-edit="y"]'),
        w0: [0, 1].map((j) => [0, 1].map((i) => value(`[data-edit="w0[${j}][${i}]"]`))),
        w1: [[0, 1].map((j) => value(`[data-edit="w1[0][${j}]"]`))],
        g0: [0, 1].map((j) => [0, 1].map((i) => grad(`g0-${j}-${i}`))),
        g1: [[0, 1].map((j) => grad(`g1-0-${j}`))],
        loss: grad('seed-loss'),
      };
    });
    expect(shown.x).toEqual([0.7, 0.9]);
    expect(shown.w1).toEqual([[0.3, -1.25]]);
    const net = await Network.create({
      inputs: 2,
      loss: 'halfSquaredError',
      optimizer: { type: 'sgd', learningRate: 1 },
      layers: [
        { units: 2, activation: 'sigmoid', bias: false },
        { units: 1, activation: 'sigmoid', bias: false },
      ],
    });
    net.setWeights([{ weights: shown.w0 }, { weights: shown.w1 }]);
    const g = net.gradients(shown.x, [shown.y]);
    expect(shown.g0).toEqual(g[0].weights.map((row) => row.map(String)));
    expect(shown.g1).toEqual(g[1].weights.map((row) => row.map(String)));
    expect(shown.loss).toBe(String(net.loss(shown.x, [shown.y])));
    await shot(page, 'playground-seed-backward.png');
    // Back to the write-up's numbers: one step, then 100 from the start.
    await page.click('button[data-act="reset"]');
    await page.click('button[data-act="step"]');
    expect(await page.textContent('#seed-loss')).toBe('0.016565382326770402');
    await page.click('button[data-act="reset"]');
    await page.click('button[data-act="run100"]');
    expect(await page.textContent('#seed-loss')).toBe('2.9182137718196697e-7');
    expect(await full(page, 'seed-loss')).toBe(String(2.9182137718196697e-7));
    expect(await page.textContent('#seed-steps')).toBe('100');
    expect(await page.textContent('.note')).toContain('5.929448176860616e-7');
    await shot(page, 'playground-seed.png');
    await page.close();
  }, 60_000);

  it('learns XOR to a test loss below 0.05 within 10 s (prints frames/s and steps per frame)', async () => {
    const page = await open(XOR);
    await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 30_000 });
    expect(await data(page, 'backend')).toBe('wasm');
    const before = Number(await data(page, 'testLoss'));
    expect(before).toBeGreaterThan(0.3);
    const started = Date.now();
    await page.click('#play');
    await page.waitForFunction(() => Number(document.body.dataset.testLoss) < 0.05, null, { timeout: 10_000 });
    const took = Date.now() - started;
    await page.waitForTimeout(1200); // one more frames/s reading
    await page.click('#play');
    const m: Record<string, string | undefined> = await page.evaluate(() => ({ ...document.body.dataset, weights: undefined }));
    console.log(
      `playground XOR 2-8-8-1, 500 points, 64×64 grid: test loss < 0.05 after ${took} ms (epoch ${m.epoch}); ${m.fps} frames/s, ${m.stepsPerFrame} steps/frame, ${m.stepsPerSecond} steps/s`,
    );
    expect(Number(m.testLoss)).toBeLessThan(0.05);
    expect(Number(m.fps)).toBeGreaterThan(0);
    await shot(page, 'playground-xor.png');
    await page.close();
  }, 60_000);

  it('a URL reproduces the same network, data and seed: same weights and loss after the same steps', async () => {
    const run = async (hash: string) => {
      const page = await open(hash);
      await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 30_000 });
      for (let i = 0; i < 5; i++) await page.click('#step');
      await page.waitForFunction(() => document.body.dataset.epoch === '5');
      const r = {
        weights: await data(page, 'weights'),
        loss: await data(page, 'trainLoss'),
        hash: await page.evaluate(() => location.hash),
      };
      await page.close();
      return r;
    };
    const hash =
      '#data=spiral&points=300&noise=0.1&train=60&seed=42&features=x1,x2,sinx1&layers=5,3&act=relu&opt=rmsprop&lr=0.01&batch=5&l2=0.001&dropout=0.1&speed=1';
    const [a, b, other] = await Promise.all([run(hash), run(hash), run(hash.replace('seed=42', 'seed=43'))]);
    expect(a.hash).toBe(hash);
    expect(JSON.parse(a.weights).length).toBe(3);
    expect(b.weights).toBe(a.weights);
    expect(b.loss).toBe(a.loss);
    expect(other.weights).not.toBe(a.weights);
  }, 60_000);

  it('fits a 390 px phone screen without horizontal overflow (playground and backprop view)', async () => {
    for (const [hash, name] of [
      [XOR, 'playground-390.png'],
      ['#seed', 'playground-seed-390.png'],
    ] as const) {
      const page = await open(hash, 390);
      await page.waitForFunction(() => document.body.dataset.state === 'ready' || document.body.dataset.seedLoss !== undefined, null, {
        timeout: 30_000,
      });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await shot(page, name);
      await page.close();
    }
    expect(errors).toEqual([]);
  }, 60_000);
});
