// The f32 Wasm build (build/backprop.f32.wasm) against the f32 twins (src/backends/js/f32/): every
// kernel on seeded random f32 data, bit for bit where both do the same operations in the same
// order; the fused passes against src/passes.ts over the f32 Wasm primitives; the seed network
// against an f32 hand derivation; ±1000 logits; f32 networks through the public API.
import { describe, it, expect, beforeAll } from 'vitest';
import { wasmF32Backend, type WasmBackend } from '../src/backends/wasm/index.js';
import { composeKernels, type Primitives } from '../src/backends/js/index.js';
import { f32Primitives } from '../src/backends/js/f32/index.js';
import { sigmoid as sigmoid64 } from '../src/backends/js/activations.js';
import { ACTIVATIONS, Act, LOSSES, LossKind, Metric } from '../src/kinds.js';
import { Rng } from '../src/rng.js';
import { Network } from '../src/index.js';
import { enableF32 } from '../src/f32.js';

enableF32(); // the f32 module (the opt-in entry 'backprop-wasm/f32'); test/f32-optin.test.ts runs without it

const f32 = Math.fround;
let be: WasmBackend;
beforeAll(async () => {
  be = await wasmF32Backend();
});

/**
 * Runs `name` on the Wasm f32 module and on the f32 twin over a copy of the same memory. Regions
 * are f32 element counts, filled with uniform values in [−2, 2) rounded to f32 (`init` may change
 * them); `out` lists the regions whose bits must agree. Returns [wasm result, twin result].
 */
function run(
  name: keyof Primitives,
  regions: number[],
  args: (at: number[]) => number[],
  out: number[],
  rng: Rng,
  init?: (v: Float32Array, c: Float64Array, at: number[]) => void,
  zeroSign = true,
): [number, number] {
  const at = regions.map((n) => 2 * be.alloc(Math.max(2, Math.ceil(n / 2) + 2)));
  const v = be.values() as Float32Array;
  at.forEach((o, i) => {
    for (let j = 0; j < regions[i]; j++) v[o + j] = f32(4 * rng.next() - 2);
  });
  init?.(v, be.heap(), at);
  const copy = be.exports.memory.buffer.slice(0);
  const twin = f32Primitives(
    () => new Float32Array(copy),
    () => new Float64Array(copy),
  );
  const a = args(at);
  const wasmRet = (be.kernels[name] as (...x: number[]) => number)(...a);
  const twinRet = (twin[name] as (...x: number[]) => number)(...a);
  const got = new Uint32Array(be.exports.memory.buffer),
    want = new Uint32Array(copy);
  for (const i of out) {
    // zeroSign false: −0 and +0 count as equal (relu's Wasm select gives +0 where the twin's dA·0 gives −0).
    const bits = (a: Uint32Array) => Array.from(a.subarray(at[i], at[i] + regions[i]), (b) => (zeroSign || b !== 0x80000000 ? b : 0));
    const w = bits(got),
      t = bits(want);
    expect(w, `${name}: region ${i}`).toEqual(t);
  }
  at.forEach((o) => be.free(o / 2));
  return [wasmRet, twinRet];
}

const SHAPES: [number, number][] = [
  [1, 1],
  [1, 7],
  [3, 5],
  [32, 10],
  [17, 33],
  [4, 0],
];
const ELEMENTWISE = ACTIVATIONS.filter((a) => a !== 'softmax');

describe('f32 Wasm kernels = the f32 twins, bit for bit', () => {
  it('addBias, sumRows', () => {
    const rng = new Rng(1);
    for (const [r, c] of SHAPES) {
      run('addBias', [c, r * c], (at) => [r, c, at[0], at[1]], [1], rng);
      run('sumRows', [r * c, c], (at) => [r, c, at[0], at[1]], [1], rng);
    }
  });

  it('activate and activateBackward, every kind (softmax per row)', () => {
    const rng = new Rng(2);
    for (const kind of [...ELEMENTWISE, 'softmax' as const]) {
      for (const [r, c] of SHAPES) {
        const n = r * c;
        run('activate', [n, n], (at) => [Act[kind], r, c, at[0], at[1]], [1], rng);
        // a = f(z) first, so that the derivatives that read a see a consistent pair.
        run(
          'activateBackward',
          [n, n, n, n],
          (at) => [Act[kind], r, c, at[0], at[1], at[2], at[3]],
          [3],
          rng,
          (v, _c, at) => {
            const twin = f32Primitives(
              () => v,
              () => new Float64Array(v.buffer),
            );
            twin.activate(Act[kind], r, c, at[0], at[1]);
          },
          kind !== 'relu',
        );
      }
    }
  });

  it('loss and lossBackward, every loss; the loss is returned as the same f64 number', () => {
    const rng = new Rng(3);
    for (const loss of LOSSES) {
      for (const [r, c] of SHAPES.filter(([r, c]) => r * c > 0)) {
        const n = r * c;
        const targets = (v: Float32Array, _c: Float64Array, at: number[]) => {
          for (let i = 0; i < n; i++) v[at[2] + i] = loss === 'crossEntropy' ? (i % c === (i / c) % c ? 1 : 0) : f32(rng.next());
          for (let i = 0; i < n; i++) v[at[1] + i] = f32(rng.next()); // outputs in (0, 1)
        };
        const [w, t] = run('loss', [n, n, n], (at) => [LossKind[loss], r, c, at[0], at[1], at[2]], [], rng, targets);
        expect(w, loss).toBe(t);
        run('lossBackward', [n, n, n], (at) => [LossKind[loss], r, c, at[1], at[2], at[0]], [0], rng, targets);
      }
    }
  });

  it('sgd (plain, momentum, Nesterov), adam, adamw, rmsprop, adagrad: values and the divergence flag', () => {
    const rng = new Rng(4);
    for (const n of [1, 3, 4, 7, 33, 128]) {
      for (const [mu, nesterov] of [
        [0, 0],
        [0.9, 0],
        [0.8, 1],
      ]) {
        const [w, t] = run('sgd', [n, n, n], (at) => [n, at[0], at[1], at[2], 0.1, mu, nesterov], [0, 2], rng);
        expect(w).toBe(t);
      }
      for (const decay of [0, 0.01]) {
        const positive = (v: Float32Array, _c: Float64Array, at: number[]) => {
          for (let i = 0; i < n; i++) v[at[3] + i] = f32(rng.next());
        };
        const [w, t] = run(
          'adam',
          [n, n, n, n],
          (at) => [n, at[0], at[1], at[2], at[3], 0.01, 0.9, 0.999, 1e-7, 3, decay],
          [0, 2, 3],
          rng,
          positive,
        );
        expect(w).toBe(t);
      }
      const positive = (v: Float32Array, _c: Float64Array, at: number[]) => {
        for (let i = 0; i < n; i++) v[at[2] + i] = f32(rng.next());
      };
      expect(run('rmsprop', [n, n, n], (at) => [n, at[0], at[1], at[2], 0.01, 0.9, 1e-7], [0, 2], rng, positive)).toEqual([0, 0]);
      expect(run('adagrad', [n, n, n], (at) => [n, at[0], at[1], at[2], 0.01, 1e-7], [0, 2], rng, positive)).toEqual([0, 0]);
    }
    // An update that overflows f32 (3e38 − 1e3·(−1e36)) is reported by both, in the SIMD lanes and the tail.
    for (const n of [4, 5]) {
      const huge = (v: Float32Array, _c: Float64Array, at: number[]) => {
        v.fill(f32(3e38), at[0], at[0] + n);
        v.fill(f32(-1e36), at[1], at[1] + n);
      };
      expect(run('sgd', [n, n, n], (at) => [n, at[0], at[1], at[2], 1e3, 0, 0], [0], new Rng(5), huge)).toEqual([1, 1]);
    }
  });

  it('axpy, sumSquares, scale, clipValue, multiply, dropoutMask, metric, gather', () => {
    const rng = new Rng(6);
    for (const n of [0, 1, 5, 64, 333]) {
      run('axpy', [n, n], (at) => [n, 0.3, at[0], at[1]], [1], rng);
      const [w, t] = run('sumSquares', [n], (at) => [n, at[0]], [], rng);
      expect(w).toBe(t);
      run('scale', [n], (at) => [n, at[0], 0.7], [0], rng);
      run('clipValue', [n], (at) => [n, at[0], 0.5], [0], rng);
      run('multiply', [n, n], (at) => [n, at[0], at[1]], [0], rng);
      run('dropoutMask', [n], (at) => [n, at[0], 0.3, 12345], [0], rng);
    }
    for (const kind of [Metric.categoricalAccuracy, Metric.binaryAccuracy, Metric.mae]) {
      const [w, t] = run('metric', [320, 320], (at) => [kind, 32, 10, at[0], at[1]], [], rng);
      expect(w).toBe(t);
    }
    // gather: rows picked by a permutation of f64 cells (at element 2·cell).
    const perm = (_v: Float32Array, c: Float64Array, at: number[]) => {
      for (let i = 0; i < 6; i++) c[at[2] / 2 + i] = (5 * i + 2) % 6;
    };
    run('gather', [6 * 7, 4 * 7, 12], (at) => [4, 7, at[0], at[2], 1, at[1]], [1], rng, perm);
  });

  it('sumSquares over magnitudes 2⁻³⁰…2³⁰ (where the f64 sum of f32 squares rounds, so its order shows): the twin’s eight partial sums, bit for bit', () => {
    const rng = new Rng(16);
    const wide = (v: Float32Array, _c: Float64Array, at: number[]) => {
      for (let i = 0; i < 101770; i++) v[at[0] + i] = f32((rng.next() - 0.5) * 2 ** Math.round(60 * rng.next() - 30));
    };
    for (const n of [7, 8, 9, 17, 1001, 101770]) {
      const [w, t] = run('sumSquares', [101770], (at) => [n, at[0]], [], rng, wide);
      expect(w, `n = ${n}`).toBe(t);
    }
  });

  it("gemmABt, gemmAtB, gemmAB at depths k ≤ 64 (one kc block: the twin's summation order)", () => {
    const rng = new Rng(7);
    for (const [m, n, k] of [
      [1, 1, 1],
      [4, 8, 16],
      [5, 9, 33],
      [32, 10, 64],
      [13, 17, 7],
    ]) {
      for (const acc of [0, 1]) {
        run('gemmABt', [m * k, n * k, m * n], (at) => [m, n, k, at[0], at[1], at[2], acc], [2], rng);
        run('gemmAtB', [k * m, k * n, m * n], (at) => [m, n, k, at[0], at[1], at[2], acc], [2], rng);
        run('gemmAB', [m * k, k * n, m * n], (at) => [m, n, k, at[0], at[1], at[2], acc], [2], rng);
      }
    }
  });

  it('negative control: the bitwise comparison sees one ulp (an input one ulp apart gives different bits)', () => {
    const v = be.values() as Float32Array;
    const at = 2 * be.alloc(8);
    v.fill(f32(1.2345), at, at + 8);
    const copy = be.exports.memory.buffer.slice(0);
    new Uint32Array(copy)[at + 3] += 1; // the twin's copy of element 3, one ulp up
    be.kernels.scale(8, at, 0.7);
    f32Primitives(
      () => new Float32Array(copy),
      () => new Float64Array(copy),
    ).scale(8, at, 0.7);
    const [got, want] = [new Uint32Array(be.exports.memory.buffer), new Uint32Array(copy)];
    expect(Array.from(got.subarray(at, at + 3))).toEqual(Array.from(want.subarray(at, at + 3)));
    expect(got[at + 3]).not.toBe(want[at + 3]);
    be.free(at / 2);
  });
});

describe('f32 networks on Wasm: the passes and the paths', () => {
  it.each([
    ['mse', 'tanh', 'linear'],
    ['crossEntropy', 'relu', 'softmax'],
    ['binaryCrossEntropy', 'leakyRelu', 'sigmoid'],
    ['halfSquaredError', 'sigmoid', 'softmax'],
  ] as const)(
    'fused passes in Wasm = src/passes.ts over the f32 Wasm primitives, bit for bit (%s, %s hidden, %s output)',
    async (loss, hidden, out) => {
      const net = await Network.create({
        inputs: 5,
        precision: 'f32',
        layers: [
          { units: 7, activation: hidden, dropout: 0.3, l2: 0.01 },
          { units: 3, activation: hidden, bias: false },
          { units: 4, activation: out },
        ],
        loss,
        optimizer: { type: 'adamw', learningRate: 0.1, clipNorm: 0.5, clipValue: 0.1 },
        seed: 4,
      });
      const rng = new Rng(8);
      const x = Array.from({ length: 6 }, () => Array.from({ length: 5 }, () => rng.next()));
      const y = Array.from({ length: 6 }, (_, r) => [0, 1, 2, 3].map((c) => (c === r % 4 ? 1 : 0)));
      net.loss(x, y); // loads X/Y into the plan's buffers
      const core = net.core;
      const w = core.backend as WasmBackend;
      expect(w.precision).toBe('f32');
      const composed = composeKernels(w.exports, () => w.heap(), 2);
      for (let s = 0; s < 3; s++) {
        const before = w.heap().slice();
        const fusedLoss = w.kernels.trainStep(core.plan, 6);
        const fused = w.heap().slice();
        w.heap().set(before);
        const composedLoss = composed.trainStep(core.plan, 6);
        expect(composedLoss).toBe(fusedLoss);
        expect(Buffer.compare(Buffer.from(w.heap().buffer), Buffer.from(fused.buffer))).toBe(0);
      }
    },
  );

  it('the same f32 network on Wasm and on the f32 twins (backend js): equal bits through fit (batches and one sample), predict and the saved model', async () => {
    const spec = {
      inputs: 6,
      precision: 'f32' as const,
      layers: [
        { units: 9, activation: 'gelu' as const },
        { units: 3, activation: 'softmax' as const },
      ],
      loss: 'crossEntropy' as const,
      optimizer: { type: 'adam' as const, learningRate: 0.05 },
      seed: 11,
    };
    const [wasm, js] = [await Network.create({ ...spec, backend: 'wasm' }), await Network.create({ ...spec, backend: 'js' })];
    expect([wasm.backend, js.backend]).toEqual(['wasm', 'js']);
    const rng = new Rng(12);
    const inputs = Array.from({ length: 40 }, () => Array.from({ length: 6 }, () => 2 * rng.next() - 1));
    const targets = inputs.map((r) => [0, 1, 2].map((c) => (c === (r[0] > 0 ? 0 : r[1] > 0 ? 1 : 2) ? 1 : 0)));
    const [hw, hj] = [
      await wasm.fit({ inputs, targets }, { epochs: 3, batchSize: 8 }),
      await js.fit({ inputs, targets }, { epochs: 3, batchSize: 8 }),
    ];
    expect(hw.loss).toEqual(hj.loss);
    const [sw, sj] = [
      await wasm.fit({ inputs, targets }, { epochs: 2, batchSize: 1 }),
      await js.fit({ inputs, targets }, { epochs: 2, batchSize: 1 }),
    ];
    expect(sw.loss).toEqual(sj.loss);
    expect(wasm.predict(inputs)).toEqual(js.predict(inputs));
    expect(wasm.toJSON()).toEqual(js.toJSON());
  });

  it('the fused one-sample SGD step (fused.ts) = forward1/backward1 + sgd in f32, bit for bit', async () => {
    for (const [optimizer, hidden, loss, inputs] of [
      [{ type: 'sgd', learningRate: 0.5 }, 'sigmoid', 'halfSquaredError', 3],
      [{ type: 'sgd', learningRate: 0.1, momentum: 0.9 }, 'tanh', 'crossEntropy', 37],
      [{ type: 'sgd', learningRate: 0.05, momentum: 0.7, nesterov: true }, 'relu', 'binaryCrossEntropy', 37],
    ] as const) {
      const out = loss === 'crossEntropy' ? 'softmax' : 'sigmoid';
      // A clip value of 1e30 changes no number but turns the fused path off.
      const make = (clip: object) =>
        Network.create({
          inputs,
          precision: 'f32',
          layers: [
            { units: 29, activation: hidden },
            { units: 4, activation: hidden, bias: false },
            { units: 2, activation: out },
          ],
          loss,
          optimizer: { ...optimizer, ...clip },
          seed: 6,
        });
      const [fused, general] = [await make({}), await make({ clipValue: 1e30 })];
      const rng = new Rng(2);
      for (let s = 0; s < 20; s++) {
        const x = Array.from({ length: inputs }, () => rng.next());
        const y = loss === 'halfSquaredError' ? [0.3, 0.7] : s % 2 ? [1, 0] : [0, 1];
        expect(fused.trainStep(x, y)).toBe(general.trainStep(x, y));
      }
      expect(fused.toJSON().params).toBe(general.toJSON().params);
      expect(fused.toJSON().state).toBe(general.toJSON().state);
    }
  });

  it('the seed 2-2-1 network follows an f32 hand derivation bit for bit for 100 steps (trainStep and fit with batch 1)', async () => {
    const X = [0.35, 0.9].map(f32),
      Y = 0.5;
    const W = [0.1, 0.8, 0.4, 0.6, 0.3, 0.9].map(f32);
    // By hand, every operation rounded to f32: σ in f64 from the f32 z, rounded once; σ′ = a(1−a).
    const w = [...W],
      losses: number[] = [];
    const sig = (z: number) => f32(sigmoid64(z));
    const dot2 = (a0: number, a1: number, b0: number, b1: number) => f32(f32(a0 * b0) + f32(a1 * b1));
    for (let s = 0; s < 100; s++) {
      const h = [sig(dot2(w[0], w[1], X[0], X[1])), sig(dot2(w[2], w[3], X[0], X[1]))];
      const o = sig(dot2(w[4], w[5], h[0], h[1]));
      const d = f32(Y - o);
      losses.push(0.5 * f32(d * d));
      const dOut = f32(f32(o - Y) * f32(o * f32(1 - o)));
      const dHid = h.map((hj, j) => f32(f32(dOut * w[4 + j]) * f32(hj * f32(1 - hj))));
      for (let j = 0; j < 2; j++) w[4 + j] = f32(w[4 + j] - f32(dOut * h[j]));
      for (let j = 0; j < 2; j++) for (let k = 0; k < 2; k++) w[2 * j + k] = f32(w[2 * j + k] - f32(dHid[j] * X[k]));
    }
    const spec = {
      inputs: 2,
      precision: 'f32' as const,
      layers: [
        { units: 2, activation: 'sigmoid' as const, bias: false },
        { units: 1, activation: 'sigmoid' as const, bias: false },
      ],
      loss: 'halfSquaredError' as const,
      optimizer: { type: 'sgd' as const, learningRate: 1 },
    };
    const weights = [
      {
        weights: [
          [W[0], W[1]],
          [W[2], W[3]],
        ],
      },
      { weights: [[W[4], W[5]]] },
    ];
    const net = await Network.create(spec);
    net.setWeights(weights);
    expect(Array.from({ length: 100 }, () => net.trainStep(X, [Y]))).toEqual(losses);
    expect(net.getWeights().flatMap((l) => l.weights.flat())).toEqual(w);
    const byFit = await Network.create(spec);
    byFit.setWeights(weights);
    const h = await byFit.fit({ inputs: [X], targets: [[Y]] }, { epochs: 100, batchSize: 1 });
    expect(h.loss).toEqual(losses);
    expect(byFit.getWeights().flatMap((l) => l.weights.flat())).toEqual(w);
  });

  it('sigmoid, softmax and the cross-entropies at ±1000 in f32: finite, exact where the maths is', async () => {
    const v = be.values() as Float32Array;
    const at = 2 * be.alloc(40);
    v.set([1000, -1000, 0, 999, -1000, -1000, 1000, 1000, 1000], at);
    be.kernels.activate(Act.softmax, 3, 3, at, at + 12);
    expect(Array.from(v.subarray(at + 12, at + 21))).toEqual([1, 0, 0, 1, 0, 0, f32(1 / 3), f32(1 / 3), f32(1 / 3)]);
    v.set([0, 1, 0], at + 24);
    expect(be.kernels.loss(LossKind.crossEntropy, 1, 3, at, at + 12, at + 24)).toBe(2000);
    be.kernels.lossBackward(LossKind.crossEntropy, 1, 3, at + 12, at + 24, at + 28);
    expect(Array.from(v.subarray(at + 28, at + 31))).toEqual([1, -1, 0]);
    v.set([1000, -1000, 1000, -1000], at);
    be.kernels.activate(Act.sigmoid, 1, 4, at, at + 12);
    expect(Array.from(v.subarray(at + 12, at + 16))).toEqual([1, 0, 1, 0]);
    v.set([0, 0, 1, 1], at + 24);
    expect(be.kernels.loss(LossKind.binaryCrossEntropy, 1, 4, at, at + 12, at + 24)).toBe(500);
    v.set([1, 1, 1, 1], at + 32);
    be.kernels.activateBackward(Act.sigmoid, 1, 4, at, at + 12, at + 32, at + 36);
    expect(Array.from(v.subarray(at + 36, at + 40))).toEqual([0, 0, 0, 0]);
    be.free(at / 2);
  });
});

describe('f32 networks: the API', () => {
  const spec = {
    inputs: 3,
    precision: 'f32' as const,
    layers: [
      { units: 5, activation: 'tanh' as const },
      { units: 2, activation: 'softmax' as const },
    ],
    optimizer: { type: 'adam' as const, learningRate: 0.01 },
    seed: 9,
  };

  it('precision is validated, defaults to f64, and f64 files stay version 2 without it', async () => {
    await expect(Network.create({ ...spec, precision: 'f16' as never })).rejects.toMatchObject({
      code: 'INVALID_SPEC',
      field: 'precision',
    });
    const f64 = await Network.create({ ...spec, precision: undefined });
    expect(f64.spec.precision).toBe('f64');
    expect(f64.toJSON().version).toBe(2);
    expect('precision' in f64.toJSON().spec).toBe(false);
  });

  it('predict returns Float32Array; Float32Array inputs are taken as they are', async () => {
    const net = await Network.create(spec);
    const x = new Float32Array([0.1, -0.2, 0.3, 0.4, 0.5, -0.6]);
    const one = net.predict(x.subarray(0, 3));
    expect(one).toBeInstanceOf(Float32Array);
    const both = net.predict(x, 2);
    expect(both).toBeInstanceOf(Float32Array);
    expect(Array.from(both.subarray(0, 2))).toEqual(Array.from(one));
    expect(net.predict([[0.1, -0.2, 0.3]])[0]).toBeInstanceOf(Float32Array);
  });

  it('save and load round trip exactly (f32 values in the file, version 3), and training goes on with the same bits', async () => {
    const net = await Network.create(spec);
    const data = {
      inputs: [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
        [1, 1, 0],
      ],
      targets: [
        [1, 0],
        [0, 1],
        [1, 0],
        [0, 1],
      ],
    };
    await net.fit(data, { epochs: 5, batchSize: 2 });
    const json = net.toJSON();
    expect(json.version).toBe(3);
    expect(json.spec.precision).toBe('f32');
    expect(json.params.length).toBe(Math.ceil((net.parameterCount * 4) / 3) * 4); // 4 bytes a value
    const back = await Network.fromJSON(JSON.stringify(json));
    expect(back.spec.precision).toBe('f32');
    expect(back.toJSON()).toEqual(json);
    const [a, b] = [await net.fit(data, { epochs: 3, batchSize: 2 }), await back.fit(data, { epochs: 3, batchSize: 2 })];
    expect(b.loss).toEqual(a.loss);
    expect(back.toJSON().params).toBe(net.toJSON().params);
  });
});
