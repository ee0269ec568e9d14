// The per-shape modules' cases (src/backends/wasm/specialize.ts), for either precision: the
// generated step against the generic one-sample path it replaces — the same bits everywhere
// (parameters, optimizer state, counters, every layer's Z and A, the per-batch losses and
// metrics) for every activation, loss, bias and momentum variant, and for 150 random shapes. The
// oracle is the main module's generic path of that precision (itself tested against the TS twins
// of that precision), plus the TS twin directly. A negative control shows the comparison sees a
// one-ulp change. test/specialize.test.ts runs them in f64, test/specialize-f32.test.ts in f32.
import { describe, it, expect } from 'vitest';
import { Network, BackpropError, type NetworkSpec } from '../../src/index.js';
import type { Precision } from '../../src/spec.js';
import { ACTIVATIONS, ELEMENTWISE_ACTIVATIONS, type Activation } from '../../src/kinds/activations.js';
import { LOSSES, LOSS_KINDS } from '../../src/kinds/losses.js';
import { PLAN_FIELD, LAYER_FIELD, layerAt } from '../../src/plan.js';
import { generate, shapeOf, MAX_PARAMS } from '../../src/backends/wasm/specialize.js';
import { normalizeSpec } from '../../src/spec.js';
import { layoutOf } from '../../src/layout.js';
import { Rng } from '../../src/rng.js';
import { randomRows, randomTargets, maxRelDiff } from './random.js';

/** What differs between the precisions' cases. */
const BY_PRECISION = {
  // The next value above 0.1 as the step reads its lr (f32 rounds the f64 cell: one f64 ulp would not show).
  f64: { nextAboveTenth: 0.1 + 2 ** -56, twinTolerance: 1e-12, huge: { input: 1e150, learningRate: 1e155 } },
  // The wasm f32 build equals its f32 twin bit for bit through fit (test/f32-wasm.test.ts); inputs and
  // rates that stay finite in f32 but overflow the update.
  f32: { nextAboveTenth: nextF32Above(0.1), twinTolerance: 0, huge: { input: 1e17, learningRate: 1e20 } },
} satisfies Record<Precision, unknown>;

function nextF32Above(v: number): number {
  const f = new Float32Array([v]);
  new Uint32Array(f.buffer)[0]++;
  return f[0];
}

/** The widest 16-h-10 softmax network whose parameters, (16 + 1)·h + (h + 1)·10, stay within the precision's MAX_PARAMS. */
const nearLimit = (precision: Precision): NetworkSpec => ({
  inputs: 16,
  layers: [
    { units: Math.floor((MAX_PARAMS[precision] - 10) / 27), activation: 'relu' },
    { units: 10, activation: 'softmax' },
  ],
  loss: 'crossEntropy',
  optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 },
});

/** A 3-4-n network of the given activations and loss, plain SGD. */
export const base = (act: Activation, out: Activation, loss: NetworkSpec['loss'], extra: Partial<NetworkSpec> = {}): NetworkSpec => ({
  inputs: 3,
  layers: [
    { units: 4, activation: act },
    { units: out === 'softmax' || loss === 'crossEntropy' ? 3 : 2, activation: out },
  ],
  loss,
  optimizer: { type: 'sgd', learningRate: 0.1 },
  seed: 7,
  ...extra,
});

/** Registers the cases for networks of this precision (the f32 entry must be enabled first). */
export function perShapeCases(precision: Precision): void {
  const cases = BY_PRECISION[precision];
  const named = (title: string) => (precision === 'f64' ? title : `${title} (f32)`);
  /** Two networks from one spec: `fast` on its generated kernels, `generic` forced onto the main module's. */
  async function pair(spec: NetworkSpec) {
    const fast = await Network.create({ ...spec, backend: 'wasm', precision });
    const generic = await Network.create({ ...spec, backend: 'wasm', precision });
    (generic.core as unknown as { fast: null }).fast = null; // 'none generated': perSample() gives the backend's kernels
    expect(fast.core.perSample()).not.toBe(fast.core.backend.kernels); // the module, not the generic path, runs `fast`
    return { fast, generic };
  }

  /** Everything a step writes: the saved model (params, state, counters, rng) and each layer's Z and A. */
  function snapshot(net: Network): string {
    const c = net.core,
      h = c.backend.heap(), // f64 cells: the plan
      v = c.backend.values(); // values of the network's precision, at element offsets
    const zs = c.spec.layers.map((l, i) => {
      const t = layerAt(c.cellOf(c.plan), i);
      return [
        ...v.subarray(h[t + LAYER_FIELD.z], h[t + LAYER_FIELD.z] + l.units),
        ...v.subarray(h[t + LAYER_FIELD.a], h[t + LAYER_FIELD.a] + l.units),
      ];
    });
    return JSON.stringify(net) + JSON.stringify(zs.map((v) => v.map((x) => (Object.is(x, -0) ? '-0' : x))));
  }

  function dataFor(spec: NetworkSpec, rows: number, seed: number) {
    const rng = new Rng(seed);
    const outputs = spec.layers[spec.layers.length - 1].units;
    return { inputs: randomRows(rng, rows, spec.inputs, 2), targets: randomTargets(rng, spec.loss ?? 'mse', rows, outputs) };
  }

  /** Trains both networks of a pair alike — per-sample trainStep, then fit with batch 1 — comparing bits after each phase. */
  async function expectSameBits(spec: NetworkSpec, seed: number, fitOptions: object = {}) {
    const { fast, generic } = await pair(spec);
    expect(fast.core.perSample()).not.toBe(fast.core.backend.kernels);
    expect(generic.core.perSample()).toBe(generic.core.backend.kernels);
    const d = dataFor(spec, 24, seed);
    for (let i = 0; i < 24; i++) expect(fast.trainStep(d.inputs[i], d.targets[i])).toBe(generic.trainStep(d.inputs[i], d.targets[i]));
    expect(snapshot(fast)).toBe(snapshot(generic));
    const [hf, hg] = [
      await fast.fit(d, { epochs: 3, batchSize: 1, ...fitOptions }),
      await generic.fit(d, { epochs: 3, batchSize: 1, ...fitOptions }),
    ];
    expect(hf).toEqual(hg);
    expect(snapshot(fast)).toBe(snapshot(generic));
    return { fast, generic, data: d };
  }

  describe(named('generated per-shape kernels equal the generic fused step, bit for bit'), () => {
    // Every loss of the table whose gradient is not fused with its output (seed 1, 2, …).
    const unfusedLosses = LOSSES.filter((loss) => !LOSS_KINDS[loss].fused);
    it.each(ELEMENTWISE_ACTIVATIONS)(`hidden %s, every output activation with ${unfusedLosses.join(' and ')}`, async (act) => {
      for (const out of ACTIVATIONS) for (const [i, loss] of unfusedLosses.entries()) await expectSameBits(base(act, out, loss), i + 1);
    });

    it('softmax + crossEntropy and sigmoid + binaryCrossEntropy (the fused output gradients)', async () => {
      await expectSameBits(base('tanh', 'softmax', 'crossEntropy'), 3);
      await expectSameBits(base('relu', 'sigmoid', 'binaryCrossEntropy'), 4);
    });

    it('without biases, three layers, one unit wide, momentum and Nesterov, and near the size limit', async () => {
      await expectSameBits(
        {
          inputs: 2,
          layers: [
            { units: 2, activation: 'sigmoid', bias: false },
            { units: 1, activation: 'sigmoid', bias: false },
          ],
          loss: 'halfSquaredError',
          optimizer: { type: 'sgd', learningRate: 1 },
        },
        5,
      );
      await expectSameBits(
        {
          inputs: 5,
          layers: [{ units: 6, activation: 'tanh' }, { units: 3, activation: 'relu', bias: false }, { units: 2 }],
          loss: 'mse',
          optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 },
        },
        6,
      );
      await expectSameBits(
        {
          inputs: 1,
          layers: [{ units: 1, activation: 'leakyRelu' }, { units: 1 }],
          loss: 'mse',
          optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.5, nesterov: true },
        },
        7,
      );
      // Near the size limit: the widest 16-h-10 within MAX_PARAMS (f64 16-28-10, 766 parameters; f32 16-13-10, 361).
      await expectSameBits(nearLimit(precision), 10);
    });

    it.each([
      { type: 'adam', learningRate: 0.01 },
      { type: 'adamw', learningRate: 0.01, weightDecay: 0.05 },
      { type: 'rmsprop', learningRate: 0.01 },
      { type: 'adagrad', learningRate: 0.1 },
      { type: 'sgd', learningRate: 0.1, momentum: 0.9, clipNorm: 0.5 },
      { type: 'sgd', learningRate: 0.1, clipValue: 0.01 },
      { type: 'adam', learningRate: 0.01, clipNorm: 0.3, clipValue: 0.05 },
    ] as const)("unfused steps (gradients, then the main module's step()): %j", async (optimizer) => {
      await expectSameBits(base('tanh', 'softmax', 'crossEntropy', { optimizer }), 11);
      await expectSameBits(base('sigmoid', 'linear', 'mse', { optimizer }), 12, { schedule: { type: 'step', every: 1, factor: 0.5 } });
      await expectSameBits(
        {
          inputs: 2,
          layers: [
            { units: 2, activation: 'sigmoid', bias: false },
            { units: 1, activation: 'sigmoid', bias: false },
          ],
          loss: 'halfSquaredError',
          optimizer,
        },
        13,
      );
    });

    it('with shuffling and a learning-rate schedule (the per-batch rates path)', async () => {
      await expectSameBits(base('tanh', 'softmax', 'crossEntropy'), 8, { shuffle: true, schedule: { type: 'cosine' } });
      await expectSameBits(base('sigmoid', 'linear', 'mse', { optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.9 } }), 9, {
        schedule: (_epoch: number, s: number) => 0.1 / (1 + s),
      });
    });

    it('150 random small shapes and optimizers: the module validates and trains to the same bits', async () => {
      const rng = new Rng(2026);
      const acts = ELEMENTWISE_ACTIVATIONS;
      for (let n = 0; n < 150; n++) {
        const depth = 1 + rng.int(3),
          loss = LOSSES[rng.int(LOSSES.length)];
        const layers = Array.from({ length: depth }, (_, i) => {
          const last = i === depth - 1;
          const kind = LOSS_KINDS[loss];
          const activation: Activation = last && kind.fused ? kind.output : acts[rng.int(acts.length)];
          return { units: 1 + rng.int(last && kind.minOutputs > 1 ? 5 : 6), activation, bias: rng.int(4) > 0 };
        });
        layers[depth - 1] = { ...layers[depth - 1], units: Math.max(LOSS_KINDS[loss].minOutputs, layers[depth - 1].units) };
        const momentum = rng.int(2) ? 0 : 0.8;
        const optimizer: NetworkSpec['optimizer'] = [
          { type: 'sgd', learningRate: 0.05, momentum, nesterov: momentum > 0 && rng.int(2) === 1 },
          { type: 'adam', learningRate: 0.01 },
          { type: 'rmsprop', learningRate: 0.01, clipNorm: 1 },
        ][rng.int(3)] as NetworkSpec['optimizer'];
        const spec: NetworkSpec = { inputs: 1 + rng.int(6), layers, loss, optimizer, seed: n };
        const s = normalizeSpec(spec);
        expect(WebAssembly.validate(generate(shapeOf(s, layoutOf(s.layers).size)!))).toBe(true);
        const { fast, generic } = await pair(spec);
        const d = dataFor(spec, 8, n);
        for (let i = 0; i < 8; i++) expect(fast.trainStep(d.inputs[i], d.targets[i])).toBe(generic.trainStep(d.inputs[i], d.targets[i]));
        const outcome = (n: Network) =>
          n.fit(d, { epochs: 2, batchSize: 1 }).then(
            (h) => JSON.stringify(h),
            (e: Error) => e.message,
          );
        const [of, og] = await Promise.all([outcome(fast), outcome(generic)]);
        expect(of, JSON.stringify(spec)).toBe(og);
        expect(snapshot(fast), JSON.stringify(spec)).toBe(snapshot(generic));
      }
    });

    it('sums whose terms are all −0 (the generic z is +0 there): every activation, same bits', async () => {
      for (const act of ELEMENTWISE_ACTIVATIONS) {
        for (const momentum of [0, 0.9]) {
          const spec: NetworkSpec = {
            inputs: 3,
            layers: [
              { units: 2, activation: act, bias: false },
              { units: 2, activation: act, bias: false },
            ],
            loss: 'mse',
            optimizer: { type: 'sgd', learningRate: 0.1, momentum },
          };
          const { fast, generic } = await pair(spec);
          const w = [
            {
              weights: [
                [-1, -2, -3],
                [-0.5, -0.25, -4],
              ],
            },
            {
              weights: [
                [-1, -1],
                [-2, -0.5],
              ],
            },
          ];
          fast.setWeights(w);
          generic.setWeights(w);
          for (const x of [
            [0, 0, 0],
            [0, 0, 0],
            [1, 0, 0],
            [0, 0, 0],
          ])
            expect(fast.trainStep(x, [0.5, -0.5])).toBe(generic.trainStep(x, [0.5, -0.5]));
          const h = generic.core.backend.heap(),
            z = h[layerAt(generic.core.cellOf(generic.core.plan), 0) + LAYER_FIELD.z];
          if (act !== 'relu') expect(Object.is(generic.core.backend.values()[z], 0)).toBe(true); // the +0 case really happened
          expect(snapshot(fast)).toBe(snapshot(generic));
          await Promise.all(
            [fast, generic].map((n) =>
              n.fit(
                {
                  inputs: [
                    [0, 0, 0],
                    [0, 1, 0],
                  ],
                  targets: [
                    [0, 0],
                    [1, 1],
                  ],
                },
                { epochs: 3, batchSize: 1, shuffle: false },
              ),
            ),
          );
          expect(snapshot(fast)).toBe(snapshot(generic));
        }
      }
    });

    it('momentum that decays below the smallest normal is flushed to +0 alike (trainStep and fit)', async () => {
      // After the first row the first input is 0: the first layer's weights W[o][0] get g = 0 and
      // their momentum decays by μ = 0.9 per step, past 2⁻¹²⁶ (f32) or 2⁻¹⁰²² (f64) within 7,000
      // steps; unflushed it would stick at a subnormal (0.9 × a few ulps rounds back), never 0.
      const spec: NetworkSpec = {
        inputs: 2,
        layers: [{ units: 2, activation: 'tanh' }, { units: 1 }],
        loss: 'mse',
        optimizer: { type: 'sgd', learningRate: 0.01, momentum: 0.9 },
        seed: 3,
      };
      const rows = 7000,
        d = {
          inputs: Array.from({ length: rows }, (_, i) => [i === 0 ? 1 : 0, ((i * 7) % 10) / 10 - 0.5]),
          targets: Array.from({ length: rows }, (_, i) => [((i * 3) % 5) / 5]),
        };
      const velocities = (n: Network) => {
        const v = n.core.backend.values(),
          at = n.core.state;
        return [v[at], v[at + 2]]; // W[0][0], W[1][0]: layer 0's weights come first, row-major
      };
      for (const phase of ['trainStep', 'fit'] as const) {
        const { fast, generic } = await pair(spec);
        if (phase === 'trainStep')
          for (let i = 0; i < rows; i++)
            expect(fast.trainStep(d.inputs[i], d.targets[i])).toBe(generic.trainStep(d.inputs[i], d.targets[i]));
        else
          expect(await fast.fit(d, { epochs: 1, batchSize: 1, shuffle: false })).toEqual(
            await generic.fit(d, { epochs: 1, batchSize: 1, shuffle: false }),
          );
        generic.core.enter(1);
        expect(velocities(generic).map((x) => Object.is(x, 0))).toEqual([true, true]); // the flush really happened
        expect(snapshot(fast)).toBe(snapshot(generic));
      }
    });

    it('negative control: a one-ulp different learning rate shows in the comparison', async () => {
      const spec = base('tanh', 'linear', 'mse');
      const { fast, generic } = await pair(spec);
      const d = dataFor(spec, 4, 1);
      fast.trainStep(d.inputs[0], d.targets[0]);
      generic.core.withUndoRoom(); // as trainStep does first, so that it does not rewrite the plan after the edit below
      generic.core.enter(1);
      const h = generic.core.backend.heap();
      h[generic.core.cellOf(generic.core.plan) + PLAN_FIELD.lr] = cases.nextAboveTenth; // one ulp above 0.1 as the step reads it
      generic.trainStep(d.inputs[0], d.targets[0]);
      expect(snapshot(fast)).not.toBe(snapshot(generic));
    });

    const twinTitle =
      precision === 'f64'
        ? 'agrees with the TS reference path within 1e-12 (relative)'
        : 'equals the f32 TS reference path (the f32 twins) bit for bit';
    it(twinTitle, async () => {
      const spec = base('sigmoid', 'softmax', 'crossEntropy', { optimizer: { type: 'sgd', learningRate: 0.2, momentum: 0.9 } });
      const fast = await Network.create({ ...spec, backend: 'wasm', precision });
      const twin = await Network.create({ ...spec, backend: 'js', precision });
      expect(fast.core.perSample()).not.toBe(fast.core.backend.kernels);
      const d = dataFor(spec, 32, 11);
      await fast.fit(d, { epochs: 5, batchSize: 1 });
      await twin.fit(d, { epochs: 5, batchSize: 1 });
      const flat = (n: Network) => n.getWeights().flatMap((l) => [...l.weights.flat(), ...(l.bias ?? [])]);
      const agree = (a: number[], b: number[]) =>
        cases.twinTolerance === 0 ? expect(a).toEqual(b) : expect(maxRelDiff(a, b)).toBeLessThan(cases.twinTolerance);
      agree(flat(fast), flat(twin));
      agree(
        fast.predict(d.inputs).flatMap((r) => [...r]),
        twin.predict(d.inputs).flatMap((r) => [...r]),
      );
    });

    it('a non-finite loss stops alike: trainStep throws DIVERGED with parameters unchanged; fit names the same batch', async () => {
      const spec: NetworkSpec = {
        inputs: 2,
        layers: [{ units: 3, activation: 'relu' }, { units: 1 }],
        loss: 'mse',
        optimizer: { type: 'sgd', learningRate: cases.huge.learningRate },
        seed: 1,
      };
      const { fast, generic } = await pair(spec);
      const x = [cases.huge.input, -cases.huge.input],
        y = [1];
      const errors = [fast, generic].map((n) => {
        const before = JSON.stringify(n);
        for (let i = 0; i < 5; i++) {
          try {
            n.trainStep(x, y);
          } catch (e) {
            expect(e).toBeInstanceOf(BackpropError);
            expect((e as BackpropError).code).toBe('DIVERGED');
            return { step: i, unchanged: i === 0 ? JSON.stringify(n) === before : true, state: snapshot(n) };
          }
        }
        return undefined;
      });
      expect(errors[0]).toBeDefined();
      expect(errors[0]).toEqual(errors[1]);
      const d = {
        inputs: [
          [1, 2],
          [cases.huge.input, -cases.huge.input],
          [3, 4],
        ],
        targets: [[1], [1], [1]],
      };
      const [a, b] = await Promise.all([pair(spec), pair(spec)]);
      const msg = async (n: Network) =>
        n.fit(d, { epochs: 2, batchSize: 1, shuffle: false }).then(
          () => 'no error',
          (e: BackpropError) => `${e.code} ${e.message}`,
        );
      const [ma, mb] = [await msg(a.fast), await msg(b.generic)];
      expect(ma).toMatch(/^DIVERGED .*batch \d of 3/);
      expect(ma).toBe(mb);
      expect(snapshot(a.fast)).toBe(snapshot(b.generic));
    });
  });

  describe(named('which networks get a module'), () => {
    const kOf = async (spec: NetworkSpec, backend: 'wasm' | 'js' = 'wasm') => {
      const n = await Network.create({ ...spec, backend, precision });
      return n.core.perSample() === n.core.backend.kernels ? 'generic' : 'generated';
    };
    it('small networks on wasm only, any optimizer and clipping, but no L2 or dropout', async () => {
      const small = base('tanh', 'linear', 'mse');
      expect(await kOf(small)).toBe('generated');
      expect(await kOf(small, 'js')).toBe('generic');
      expect(await kOf({ ...small, optimizer: { type: 'adam' } })).toBe('generated');
      expect(await kOf({ ...small, optimizer: { type: 'sgd', clipNorm: 1 } })).toBe('generated');
      expect(await kOf({ ...small, layers: [{ units: 4, activation: 'tanh', dropout: 0.5 }, { units: 2 }] })).toBe('generic');
      expect(await kOf({ ...small, layers: [{ units: 4, activation: 'tanh', l2: 1e-3 }, { units: 2 }] })).toBe('generic');
      // 784-128-10 is far past MAX_PARAMS: the generic kernels (GEMM-based for batches) serve it.
      expect(
        await kOf({
          inputs: 784,
          layers: [
            { units: 128, activation: 'relu' },
            { units: 10, activation: 'softmax' },
          ],
          loss: 'crossEntropy',
        }),
      ).toBe('generic');
      const wide = { inputs: 30, layers: [{ units: 30, activation: 'tanh' as const }, { units: 20 }], loss: 'mse' as const };
      expect(layoutOf(normalizeSpec(wide).layers).size).toBeGreaterThan(MAX_PARAMS[precision]);
      expect(await kOf(wide)).toBe('generic');
      // The limit is the precision's: its widest 16-h-10 gets a module, one hidden unit more (27 parameters) does not.
      const limit = nearLimit(precision);
      expect(await kOf(limit)).toBe('generated');
      const over = { ...limit, layers: [{ ...limit.layers[0], units: limit.layers[0].units + 1 }, limit.layers[1]] };
      expect(layoutOf(normalizeSpec(over).layers).size).toBeGreaterThan(MAX_PARAMS[precision]);
      expect(await kOf(over)).toBe('generic');
    });

    it('networks restored from JSON get one too, and batches and multi-row steps still take the generic kernels (same bits)', async () => {
      const spec = base('relu', 'softmax', 'crossEntropy');
      const { fast, generic } = await pair(spec);
      const back = await Network.fromJSON(JSON.stringify(fast));
      expect(back.core.perSample()).not.toBe(back.core.backend.kernels);
      const d = dataFor(spec, 10, 3);
      expect(fast.trainStep(d.inputs, d.targets)).toBe(generic.trainStep(d.inputs, d.targets));
      expect(await fast.fit(d, { epochs: 2, batchSize: 4 })).toEqual(await generic.fit(d, { epochs: 2, batchSize: 4 }));
      expect(snapshot(fast)).toBe(snapshot(generic));
    });

    it('made on first per-sample use only, once per shape (cached), and not for predict or batches', async () => {
      const spec = base('sigmoid', 'linear', 'mse');
      const a = await Network.create({ ...spec, backend: 'wasm', precision });
      expect((a.core as unknown as { fast: unknown }).fast).toBeUndefined();
      a.predict([[1, 2, 3]]);
      await a.fit(dataFor(spec, 8, 1), { epochs: 1, batchSize: 4 });
      expect((a.core as unknown as { fast: unknown }).fast).toBeUndefined();
      a.trainStep([1, 2, 3], [0, 1]);
      const k = (a.core as unknown as { fast: unknown }).fast;
      expect(k).toBeTruthy();
      const b = await Network.create({ ...spec, backend: 'wasm', precision });
      expect(b.core.perSample()).toBe(k);
    });
  });
}
