// Every Wasm kernel against its plain TS twin on seeded random shapes (batch 1, odd widths,
// 0-size edges), in the release and the debug (assertions on) builds. Tolerance: 1e-12 relative.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { wasmBackend, type WasmBackend } from '../src/backends/wasm/index.js';
import { composeKernels } from '../src/backends/js/index.js';
import * as act from '../src/backends/js/activations.js';
import * as losses from '../src/backends/js/losses.js';
import * as opt from '../src/backends/js/optimizers.js';
import { gather } from '../src/backends/js/gather.js';
import * as reg from '../src/backends/js/regularize.js';
import { metric } from '../src/backends/js/metrics.js';
import { Metric } from '../src/kinds.js';
import { Act, LossKind } from '../src/kinds.js';
import { Rng } from '../src/rng.js';
import { Network } from '../src/index.js';
import { maxRelDiff } from './helpers/random.js';

const TOL = 1e-12;
const SHAPES: [number, number][] = [
  [1, 1],
  [1, 7],
  [3, 5],
  [32, 10],
  [0, 4],
  [4, 0],
  [17, 33],
];

type Twin = (h: Float64Array, ...args: number[]) => number | void;

/** Runs a Wasm kernel and its twin on the same random heap; compares the written region and the return. */
function compare(
  be: WasmBackend,
  rng: Rng,
  regions: number[],
  run: (offsets: number[]) => [string, number[], Twin],
  out: number[],
  init?: (h: Float64Array, at: number[]) => void,
) {
  const at = regions.map((n) => be.alloc(Math.max(n, 1)));
  const h = be.heap();
  at.forEach((o, i) => {
    for (let j = 0; j < regions[i]; j++) h[o + j] = 4 * rng.next() - 2;
  });
  init?.(h, at);
  const copy = be.heap().slice();
  const [name, args, twin] = run(at);
  const wasmRet = (be.kernels as unknown as Record<string, (...a: number[]) => number>)[name](...args);
  const jsRet = twin(copy, ...args);
  for (const i of out)
    expect(maxRelDiff(be.heap().subarray(at[i], at[i] + regions[i]), copy.subarray(at[i], at[i] + regions[i])), name).toBeLessThan(TOL);
  if (typeof jsRet === 'number' && !(Number.isNaN(jsRet) && Number.isNaN(wasmRet)))
    expect(Math.abs(wasmRet - jsRet) / Math.max(1, Math.abs(jsRet)), name).toBeLessThan(TOL);
  at.forEach((o) => be.free(o));
}

const builds: [string, () => Promise<WasmBackend>][] = [
  ['release', () => wasmBackend()],
  ['debug', () => wasmBackend(readFileSync(new URL('../build/backprop.debug.wasm', import.meta.url)))],
];

describe.each(builds)('%s build: kernels vs TS twins', (_name, load) => {
  let be: WasmBackend;
  beforeAll(async () => {
    be = await load();
  });

  it.each(SHAPES)('bias, activations and their derivatives at %i×%i', (rows, cols) => {
    const rng = new Rng(rows * 100 + cols);
    const n = rows * cols;
    compare(be, rng, [cols, n], ([b, z]) => ['addBias', [rows, cols, b, z], act.addBias as Twin], [1]);
    compare(be, rng, [n, cols], ([dz, db]) => ['sumRows', [rows, cols, dz, db], act.sumRows as Twin], [1]);
    for (const kind of Object.values(Act)) {
      compare(be, rng, [n, n], ([z, a]) => ['activate', [kind, rows, cols, z, a], act.activate as Twin], [1]);
      compare(be, rng, [n], ([z]) => ['activate', [kind, rows, cols, z, z], act.activate as Twin], [0]); // A aliases Z
      compare(
        be,
        rng,
        [n, n, n, n],
        ([z, a, da, dz]) => ['activateBackward', [kind, rows, cols, z, a, da, dz], act.activateBackward as Twin],
        [3],
      );
      compare(be, rng, [n, n, n], ([z, a, d]) => ['activateBackward', [kind, rows, cols, z, a, d, d], act.activateBackward as Twin], [2]); // dZ aliases dA
    }
  });

  it.each(SHAPES.filter(([r]) => r > 0))('losses and their gradients at %i×%i', (rows, cols) => {
    const rng = new Rng(rows * 7 + cols);
    const n = rows * cols;
    for (const kind of Object.values(LossKind)) {
      compare(be, rng, [n, n, n], ([z, a, y]) => ['loss', [kind, rows, cols, z, a, y], losses.loss as Twin], []);
      compare(be, rng, [n, n, n], ([a, y, g]) => ['lossBackward', [kind, rows, cols, a, y, g], losses.lossBackward as Twin], [2]);
    }
  });

  it('sgd, plain, momentum and Nesterov, and gather', () => {
    const rng = new Rng(5);
    for (const n of [0, 1, 2, 31]) {
      for (const [mu, nest] of [
        [0, 0],
        [0.9, 0],
        [0.9, 1],
      ]) {
        compare(be, rng, [n, n, n], ([p, g, v]) => ['sgd', [n, p, g, v, 0.05, mu, nest], opt.sgd as Twin], [0, 2]);
      }
    }
    for (const n of [0, 1, 2, 31]) {
      compare(
        be,
        rng,
        [n, n, n, n],
        ([p, g, m, v]) => ['adam', [n, p, g, m, v, 0.01, 0.9, 0.999, 1e-8, 3, 0], opt.adam as Twin],
        [0, 2, 3],
        (h, [, , , v]) => {
          for (let i = 0; i < n; i++) h[v + i] = Math.abs(h[v + i]); // second moments are non-negative
        },
      );
      compare(
        be,
        rng,
        [n, n, n, n],
        ([p, g, m, v]) => ['adam', [n, p, g, m, v, 0.01, 0.8, 0.99, 1e-6, 1, 0.1], opt.adam as Twin],
        [0, 2, 3],
        (h, [, , , v]) => {
          for (let i = 0; i < n; i++) h[v + i] = Math.abs(h[v + i]);
        },
      );
      compare(
        be,
        rng,
        [n, n, n],
        ([p, g, s]) => ['rmsprop', [n, p, g, s, 0.01, 0.9, 1e-8], opt.rmsprop as Twin],
        [0, 2],
        (h, [, , s]) => {
          for (let i = 0; i < n; i++) h[s + i] = Math.abs(h[s + i]);
        },
      );
      compare(
        be,
        rng,
        [n, n, n],
        ([p, g, s]) => ['adagrad', [n, p, g, s, 0.1, 1e-10], opt.adagrad as Twin],
        [0, 2],
        (h, [, , s]) => {
          for (let i = 0; i < n; i++) h[s + i] = Math.abs(h[s + i]);
        },
      );
    }
    compare(
      be,
      rng,
      [10 * 3, 4, 2 * 3],
      ([data, perm, out]) => ['gather', [2, 3, data, perm, 1, out], gather as Twin],
      [2],
      (h, [, perm]) => {
        [7, 2, 9, 0].forEach((v, i) => (h[perm + i] = v));
      },
    );
  });
});

describe.each(builds)('%s build: regularization and metric kernels vs TS twins', (_name, load) => {
  it.each([0, 1, 2, 33])('n = %i', async (n) => {
    const be = await load();
    const rng = new Rng(n + 1);
    compare(be, rng, [n, n], ([x, y]) => ['axpy', [n, -0.7, x, y], reg.axpy as Twin], [1]);
    compare(be, rng, [n], ([x]) => ['sumSquares', [n, x], reg.sumSquares as Twin], []);
    compare(be, rng, [n], ([x]) => ['scale', [n, x, 0.3], reg.scale as Twin], [0]);
    compare(be, rng, [n], ([x]) => ['clipValue', [n, x, 0.5], reg.clipValue as Twin], [0]);
    compare(be, rng, [n, n], ([x, m]) => ['multiply', [n, x, m], reg.multiply as Twin], [0]);
    for (const [rate, seed] of [
      [0.5, 1],
      [0.1, 0xdeadbeef],
      [0.9, 7],
    ]) {
      compare(be, rng, [n], ([m]) => ['dropoutMask', [n, m, rate, seed], reg.dropoutMask as Twin], [0]);
    }
    for (const [rows, cols] of [
      [1, 1],
      [3, 4],
      [8, 10],
    ]) {
      for (const kind of Object.values(Metric)) {
        compare(be, rng, [rows * cols, rows * cols], ([a, y]) => ['metric', [kind, rows, cols, a, y], metric as Twin], []);
      }
    }
  });

  it('dropoutMask is bit-identical across the two (not just close)', async () => {
    const be = await load();
    const m = be.alloc(1000);
    be.kernels.dropoutMask(1000, m, 0.3, 12345);
    const js = new Float64Array(1000);
    reg.dropoutMask(js, 1000, 0, 0.3, 12345);
    expect(Array.from(be.heap().subarray(m, m + 1000))).toEqual(Array.from(js));
    be.free(m);
  });

  it('sumSquares is bit-identical across the two: one serial chain, the order of every earlier build', async () => {
    const be = await load();
    const rng = new Rng(99);
    for (const n of [0, 1, 7, 8, 9, 15, 16, 17, 1001, 101770]) {
      const x = be.alloc(Math.max(1, n));
      const h = be.heap();
      // Magnitudes over 2⁻³⁰…2³⁰, so that a different summation order shows in the last bits.
      for (let i = 0; i < n; i++) h[x + i] = (rng.next() - 0.5) * 2 ** Math.round(60 * rng.next() - 30);
      expect(be.kernels.sumSquares(n, x), `n = ${n}`).toBe(reg.sumSquares(be.heap(), n, x));
      be.free(x);
    }
  });
});

describe('the fused per-sample SGD step = forward1/backward1 + sgd, bit for bit', () => {
  // A clip value of 1e300 changes no number but turns the fused path off: the two networks then
  // run the same maths through the two Wasm paths.
  // Small networks would take their per-shape module (test/specialize.test.ts); `fast = null`
  // keeps them on assembly/fused.ts. The 37-wide case (odd widths: the f64x2 loops' scalar
  // tails) is past the per-shape size limit anyway.
  it.each([
    [{ type: 'sgd', learningRate: 0.5 }, 'sigmoid', 'halfSquaredError', 3],
    [{ type: 'sgd', learningRate: 0.1, momentum: 0.9 }, 'tanh', 'crossEntropy', 3],
    [{ type: 'sgd', learningRate: 0.1, momentum: 0.8, nesterov: true }, 'relu', 'binaryCrossEntropy', 3],
    [{ type: 'sgd', learningRate: 0.05, momentum: 0.9 }, 'tanh', 'halfSquaredError', 37],
    [{ type: 'sgd', learningRate: 0.05, momentum: 0.7, nesterov: true }, 'sigmoid', 'crossEntropy', 37],
  ] as const)('%j, %s hidden, %s, %i inputs', async (optimizer, hidden, loss, inputs) => {
    const out = loss === 'crossEntropy' ? 'softmax' : 'sigmoid';
    const wide = inputs > 3 ? 29 : 5;
    const make = (clip: object) =>
      Network.create({
        inputs,
        layers: [
          { units: wide, activation: hidden },
          { units: 4, activation: hidden, bias: false },
          { units: 2, activation: out },
        ],
        loss,
        optimizer: { ...optimizer, ...clip },
        backend: 'wasm',
        seed: 6,
      });
    const [fused, general] = [await make({}), await make({ clipValue: 1e300 })];
    (fused.core as unknown as { fast: null }).fast = null;
    const rng = new Rng(2);
    for (let s = 0; s < 20; s++) {
      const x = Array.from({ length: inputs }, () => rng.next());
      const y = loss === 'halfSquaredError' ? [0.3, 0.7] : s % 2 ? [1, 0] : [0, 1];
      expect(fused.trainStep(x, y)).toBe(general.trainStep(x, y));
    }
    expect(fused.toJSON().params).toBe(general.toJSON().params);
    expect(fused.toJSON().state).toBe(general.toJSON().state);
    // fit with batch 1 takes the fused path inside trainBatches too.
    const data = {
      inputs: randomRowsFlat(rng, 30, inputs),
      targets: Array.from({ length: 30 }, (_, i) => (loss === 'halfSquaredError' ? [0.2, 0.9] : i % 2 ? [1, 0] : [0, 1])),
    };
    const [hf, hg] = [await fused.fit(data, { epochs: 3, batchSize: 1 }), await general.fit(data, { epochs: 3, batchSize: 1 })];
    expect(hf.loss).toEqual(hg.loss);
    expect(fused.toJSON().params).toBe(general.toJSON().params);
  });
});

function randomRowsFlat(rng: Rng, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => 2 * rng.next() - 1));
}

describe('fused passes in Wasm = src/passes.ts over the Wasm primitives, bit for bit', () => {
  it.each([
    ['mse', 'tanh', 'linear'],
    ['crossEntropy', 'relu', 'softmax'],
    ['binaryCrossEntropy', 'leakyRelu', 'sigmoid'],
    ['halfSquaredError', 'sigmoid', 'softmax'],
  ] as const)('%s with %s hidden, %s output', async (loss, hidden, out) => {
    const net = await Network.create({
      inputs: 5,
      layers: [
        { units: 7, activation: hidden, dropout: 0.3, l2: 0.01 },
        { units: 3, activation: hidden, bias: false },
        { units: 4, activation: out },
      ],
      loss,
      optimizer: { type: 'adamw', learningRate: 0.1, clipNorm: 0.5, clipValue: 0.1 },
      backend: 'wasm',
      seed: 4,
    });
    const rng = new Rng(8);
    const x = Array.from({ length: 6 }, () => Array.from({ length: 5 }, () => rng.next()));
    const y = Array.from({ length: 6 }, (_, r) => [0, 1, 2, 3].map((c) => (c === r % 4 ? 1 : 0)));
    net.loss(x, y); // loads X/Y into the plan's buffers
    const inner = net.core;
    const be = inner.backend as WasmBackend;
    const composed = composeKernels(be.exports, () => be.heap());
    for (let s = 0; s < 3; s++) {
      const before = be.heap().slice();
      const fusedLoss = be.kernels.trainStep(inner.plan, 6);
      const fused = be.heap().slice();
      be.heap().set(before);
      const composedLoss = composed.trainStep(inner.plan, 6);
      expect(composedLoss).toBe(fusedLoss);
      expect(Buffer.compare(Buffer.from(be.heap().buffer), Buffer.from(fused.buffer))).toBe(0);
    }
  });
});
