// An update that overflows is divergence too (issue 12, item 3): a step whose new parameters or
// optimizer state are NaN or ±Infinity is not applied, trainStep and fit throw DIVERGED naming the
// parameters (fit: epoch and batch), and the network keeps the last finite step — its parameters,
// optimizer state and counters bit for bit, so its own toJSON() loads again. On both backends and
// every kernel path: the per-shape module, the generic one-sample kernels (the fused SGD step;
// forward + backward + step for Adam), batches, and threads. The oracle for "the last finite
// step" is a twin that ran only the finite batches.
import { describe, it, expect, vi } from 'vitest';
import { Network, BackpropError, type NetworkSpec } from '../src/index.js';
import { wasmBackend } from '../src/backends/wasm/index.js';
import { JsBackend } from '../src/backends/js/index.js';
import { enableThreads } from '../src/parallel/enable.js';

enableThreads();

type Backend = 'wasm' | 'js';
type Path = 'per-shape' | 'generic one-sample' | 'batch';
const PATHS: Path[] = ['per-shape', 'generic one-sample', 'batch'];

const linear = (optimizer: NetworkSpec['optimizer']): NetworkSpec => ({
  inputs: 1,
  layers: [{ units: 1, activation: 'linear', bias: false }],
  loss: 'halfSquaredError',
  optimizer,
  seed: 1,
});

async function make(spec: NetworkSpec, backend: Backend, path: Path, w?: number): Promise<Network> {
  const net = await Network.create({ ...spec, backend });
  if (w !== undefined) net.setWeights([{ weights: [[w]] }]);
  const core = net.core as unknown as { fast: unknown; perSample(): unknown; backend: { kernels: unknown } };
  if (path === 'generic one-sample') core.fast = null; // perSample() then gives the backend's own kernels
  if (path === 'per-shape' && backend === 'wasm') expect(core.perSample()).not.toBe(core.backend.kernels); // really generated
  return net;
}

/** The batch for a path: one row, or the same row twice (the batch kernels; same gradient). */
const rowsFor = (path: Path, x: number[], y: number[]) =>
  path === 'batch'
    ? [
        [x, x],
        [y, y],
      ]
    : [x, y];

function divergedOn(run: () => unknown): BackpropError {
  try {
    run();
  } catch (e) {
    return e as BackpropError;
  }
  throw new Error('no error: the step was applied');
}

async function expectRoundTrip(net: Network, backend: Backend) {
  const saved = JSON.stringify(net);
  const back = await Network.fromJSON(saved, { backend });
  expect(JSON.stringify(back)).toBe(saved);
}

describe.each(['wasm', 'js'] as const)('%s backend: trainStep whose update overflows', (backend) => {
  it.each(PATHS)('SGD at lr 1e308 (w = 0, x = 4, y = 1; plain and momentum), %s: DIVERGED, nothing changed', async (path) => {
    for (const momentum of [0, 0.9]) {
      const net = await make(linear({ type: 'sgd', learningRate: 1e308, momentum }), backend, path, 0);
      const before = JSON.stringify(net);
      const [x, y] = rowsFor(path, [4], [1]);
      const err = divergedOn(() => net.trainStep(x, y));
      expect(err).toBeInstanceOf(BackpropError);
      expect(err.code).toBe('DIVERGED');
      expect(err.field).toBe('parameters');
      expect(err.message).toBe(
        'parameters: expected finite parameters and optimizer state after the update (parameters left unchanged), got NaN or ±Infinity from the update',
      );
      expect(JSON.stringify(net)).toBe(before); // weights, momentum, step counter, dropout stream
      await expectRoundTrip(net, backend);
    }
  });

  it.each(PATHS)("Adam's second moment overflows (g = 1e200), %s: DIVERGED, moments and step count unchanged", async (path) => {
    const net = await make(linear({ type: 'adam', learningRate: 0.001 }), backend, path, 1);
    const before = JSON.stringify(net);
    const [x, y] = rowsFor(path, [1e100], [0]); // loss 5e199 is finite; g² is not
    const err = divergedOn(() => net.trainStep(x, y));
    expect(err.code).toBe('DIVERGED');
    expect(err.field).toBe('parameters');
    expect(JSON.stringify(net)).toBe(before);
    expect(net.toJSON().counters).toEqual([0, 0]);
    await expectRoundTrip(net, backend);
  });
});

/** Data whose first `finite` rows train normally (lr·x² ≈ 0.3 at lr 1e308) and whose next row overflows the update. */
function sgdData(finite: number, after: number) {
  const x = Math.sqrt(0.3e-308);
  const good = (i: number) => [[x], [x * (0.25 + 0.1 * (i % 5))]];
  const rows = [...Array.from({ length: finite }, (_, i) => good(i)), [[40], [1]], ...Array.from({ length: after }, (_, i) => good(i + 3))];
  return { inputs: rows.map((r) => r[0]), targets: rows.map((r) => r[1]) };
}
/** For Adam: rows x = 1, y = 0.5, then one with x = 1e100 (finite loss, g² overflows the second moment). */
function adamData(finite: number, after: number) {
  const good = [[1], [0.5]],
    bad = [[1e100], [0]];
  const rows = [...Array(finite).fill(good), bad, ...Array(after).fill(good)];
  return { inputs: rows.map((r) => r[0]), targets: rows.map((r) => r[1]) };
}
const head = (d: { inputs: number[][]; targets: number[][] }, n: number) => ({
  inputs: d.inputs.slice(0, n),
  targets: d.targets.slice(0, n),
});

describe.each(['wasm', 'js'] as const)('%s backend: fit whose update overflows', (backend) => {
  it.each([
    ['per-shape', 1],
    ['generic one-sample', 1],
    ['batch', 2],
  ] as const)('the first batch (+Infinity weights before), %s', async (path, batchSize) => {
    const net = await make(linear({ type: 'sgd', learningRate: 1e308 }), backend, path, 0);
    const before = JSON.stringify(net);
    const err = await net
      .fit({ inputs: [[4], [4]].slice(0, batchSize), targets: [[1], [1]].slice(0, batchSize) }, { epochs: 3, batchSize, shuffle: false })
      .then(
        () => undefined,
        (e) => e,
      );
    expect(err).toBeInstanceOf(BackpropError);
    expect(err.code).toBe('DIVERGED');
    expect(err.message).toBe(
      "parameters: expected finite parameters and optimizer state after each update; training stopped at epoch 1 of 3, batch 1 of 1, and kept the last finite weights, got NaN or ±Infinity from that batch's update (loss before it: 0.5)",
    );
    expect(JSON.stringify(net)).toBe(before);
    await expectRoundTrip(net, backend);
  });

  it.each([
    ['sgd', 'per-shape', 1],
    ['sgd', 'generic one-sample', 1],
    ['sgd', 'batch', 2],
    ['adam', 'per-shape', 1],
    ['adam', 'generic one-sample', 1],
    ['adam', 'batch', 2],
  ] as const)(
    '%s, a later batch inside a chunk (%s, batch %i): the network equals a twin that ran only the finite batches, bit for bit',
    async (opt, path, batchSize) => {
      const spec = linear(opt === 'sgd' ? { type: 'sgd', learningRate: 1e308 } : { type: 'adam', learningRate: 0.01 });
      const finite = 6,
        data = opt === 'sgd' ? sgdData(finite, 3) : adamData(finite, 3);
      const net = await make(spec, backend, path, 0.5);
      const twin = await make(spec, backend, path, 0.5);
      // One chunk of many batches (the first chunk of a fit is one batch; a long yield interval makes the rest one call).
      const err = await net.fit(data, { epochs: 2, batchSize, shuffle: false, yieldEveryMs: 60_000 }).then(
        () => undefined,
        (e) => e,
      );
      expect(err?.code).toBe('DIVERGED');
      expect(err.message).toContain(
        `training stopped at epoch 1 of 2, batch ${finite / batchSize + 1} of ${Math.ceil(10 / batchSize)}, and kept the last finite weights`,
      );
      await twin.fit(head(data, finite), { epochs: 1, batchSize, shuffle: false });
      expect(twin.toJSON().counters[0]).toBe(finite / batchSize); // the twin really trained
      expect(JSON.stringify(net)).toBe(JSON.stringify(twin));
      await expectRoundTrip(net, backend);
    },
  );
});

describe('threads: an update that overflows', () => {
  it.each([[{}], [{ clipNorm: 10 }]])(
    'stops every thread at that batch (%j: with clipNorm thread 0 steps all); the network equals a one-thread twin that ran only the finite batches, bit for bit',
    async (clip) => {
      const spec: NetworkSpec = { ...linear({ type: 'sgd', learningRate: 1e308, ...clip }), backend: 'wasm' };
      const data = sgdData(24, 15); // batches of 8: three finite, the fourth overflows
      const net = await Network.create(spec),
        twin = await Network.create(spec);
      const warn = vi.spyOn(console, 'warn');
      const err = await net.fit(data, { epochs: 1, batchSize: 8, shuffle: false, threads: 2, yieldEveryMs: 60_000 }).then(
        () => undefined,
        (e) => e,
      );
      expect(warn).not.toHaveBeenCalled(); // two threads really ran (no fallback to one)
      warn.mockRestore();
      expect(err?.code).toBe('DIVERGED');
      expect(err.message).toContain('training stopped at epoch 1 of 1, batch 4 of 5');
      await twin.fit(head(data, 24), { epochs: 1, batchSize: 8, shuffle: false });
      expect(twin.toJSON().counters[0]).toBe(3);
      expect(JSON.stringify(net)).toBe(JSON.stringify(twin));
      await expectRoundTrip(net, 'wasm');
    },
  );
});

describe('the optimizer kernels report a non-finite result from their own pass', () => {
  it.each(['wasm', 'js'] as const)('%s: 1 when a new parameter or state value is NaN or ±Infinity, else 0', async (name) => {
    const be = name === 'wasm' ? await wasmBackend() : new JsBackend();
    const n = 5,
      p = be.alloc(n),
      g = be.alloc(n),
      s1 = be.alloc(n),
      s2 = be.alloc(n);
    const reset = (gLast: number) => {
      const h = be.heap();
      for (let i = 0; i < n; i++) [h[p + i], h[g + i], h[s1 + i], h[s2 + i]] = [0.5, 0.1, 0, 0];
      h[g + n - 1] = gLast; // the scalar tail (n odd) as well as the two-lane body
    };
    const run = (gLast: number, f: () => number) => (reset(gLast), f());
    for (const bad of [1e200, 1e300]) {
      for (const at of [0, n - 1]) {
        reset(0.1);
        be.heap()[g + at] = bad;
        expect(be.kernels.sgd(n, p, g, s1, 1e200, 0, 0)).toBe(1); // p − 1e200·1e200 = −∞
        reset(0.1);
        be.heap()[g + at] = bad;
        expect(be.kernels.adam(n, p, g, s1, s2, 0.001, 0.9, 0.999, 1e-8, 1, 0)).toBe(1); // g² overflows v
        reset(0.1);
        be.heap()[g + at] = bad;
        expect(be.kernels.rmsprop(n, p, g, s1, 0.001, 0.9, 1e-8)).toBe(1);
        reset(0.1);
        be.heap()[g + at] = bad;
        expect(be.kernels.adagrad(n, p, g, s1, 0.01, 1e-10)).toBe(1);
      }
    }
    expect(run(1e200, () => be.kernels.sgd(n, p, g, s1, 1e200, 0.9, 1))).toBe(1);
    expect(run(0.1, () => be.kernels.sgd(n, p, g, s1, 0.1, 0, 0))).toBe(0);
    expect(run(0.1, () => be.kernels.sgd(n, p, g, s1, 0.1, 0.9, 1))).toBe(0);
    expect(run(0.1, () => be.kernels.adam(n, p, g, s1, s2, 0.001, 0.9, 0.999, 1e-8, 1, 0.01))).toBe(0);
    expect(run(0.1, () => be.kernels.rmsprop(n, p, g, s1, 0.001, 0.9, 1e-8))).toBe(0);
    expect(run(0.1, () => be.kernels.adagrad(n, p, g, s1, 0.01, 1e-10))).toBe(0);
    // Large but finite values whose sum overflows (the kernels' running sum): still 0.
    const huge = () => {
      const h = be.heap();
      for (let i = 0; i < n; i++) [h[p + i], h[g + i], h[s1 + i], h[s2 + i]] = [1.7e308, 0, 0, 0];
    };
    huge();
    expect(be.kernels.sgd(n, p, g, s1, 0.1, 0, 0)).toBe(0);
    huge();
    expect(be.kernels.sgd(n, p, g, s1, 0.1, 0.9, 0)).toBe(0);
    huge();
    expect(be.kernels.adam(n, p, g, s1, s2, 0.001, 0.9, 0.999, 1e-8, 1, 0)).toBe(0);
    expect(Array.from(be.heap().subarray(p, p + n))).toEqual(Array(n).fill(1.7e308));
    for (const at of [p, g, s1, s2]) be.free(at);
  });
});
