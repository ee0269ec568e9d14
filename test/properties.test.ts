// Property-based tests of the public API (fast-check): random valid specs and data train and
// predict with finite output, and the two backends agree; one random corruption of a spec, of
// data or of an option throws a BackpropError naming the corrupted field, and leaves the network
// exactly as it was (saved model bit for bit, and the same next training step as an untouched
// twin). Runs are seeded (FC_SEED overrides) so the suite is reproducible; a failure prints the
// seed and the shrunk counterexample.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Network, BackpropError, type NetworkSpec, type LayerSpec } from '../src/index.js';

const RUNS = { seed: Number(process.env.FC_SEED ?? 20250101), numRuns: 60 };

type Backend = 'wasm' | 'js';
const HIDDEN = ['linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu'] as const;
const LOSSES = ['mse', 'halfSquaredError', 'crossEntropy', 'binaryCrossEntropy'] as const;

/** A valid spec: 0–2 hidden layers, an output layer that suits the loss, SGD (± momentum, Nesterov) or Adam. */
const specArb: fc.Arbitrary<NetworkSpec> = fc
  .record({
    inputs: fc.integer({ min: 1, max: 5 }),
    hidden: fc.array(fc.record({ units: fc.integer({ min: 1, max: 6 }), activation: fc.constantFrom(...HIDDEN), bias: fc.boolean() }), {
      maxLength: 2,
    }),
    outputs: fc.integer({ min: 1, max: 4 }),
    outAct: fc.constantFrom('linear', 'sigmoid', 'tanh'),
    outBias: fc.boolean(),
    loss: fc.constantFrom(...LOSSES),
    optimizer: fc.oneof(
      fc.record({
        type: fc.constant('sgd' as const),
        learningRate: fc.double({ min: 1e-3, max: 0.05, noNaN: true }),
        momentum: fc.double({ min: 0, max: 0.9, noNaN: true }),
        nesterov: fc.boolean(),
      }),
      fc.record({ type: fc.constant('adam' as const), learningRate: fc.double({ min: 1e-3, max: 0.02, noNaN: true }) }),
    ),
    seed: fc.nat(),
  })
  .map(({ inputs, hidden, outputs, outAct, outBias, loss, optimizer, seed }) => {
    const out: LayerSpec =
      loss === 'crossEntropy'
        ? { units: Math.max(2, outputs), activation: 'softmax', bias: outBias }
        : loss === 'binaryCrossEntropy'
          ? { units: outputs, activation: 'sigmoid', bias: outBias }
          : { units: outputs, activation: outAct as LayerSpec['activation'], bias: outBias };
    return { inputs, layers: [...hidden, out], loss, optimizer, seed };
  });

const outputsOf = (s: NetworkSpec) => s.layers[s.layers.length - 1].units;

/** Rows of inputs and targets that suit the spec's loss (one-hot, 0/1 or reals). */
const dataArb = (s: NetworkSpec) =>
  fc.integer({ min: 1, max: 6 }).chain((rows) =>
    fc.record({
      inputs: fc.array(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: s.inputs, maxLength: s.inputs }), {
        minLength: rows,
        maxLength: rows,
      }),
      targets: fc.array(
        s.loss === 'crossEntropy'
          ? fc.nat(outputsOf(s) - 1).map((hot) => Array.from({ length: outputsOf(s) }, (_, i) => (i === hot ? 1 : 0)))
          : s.loss === 'binaryCrossEntropy'
            ? fc.array(fc.constantFrom(0, 1), { minLength: outputsOf(s), maxLength: outputsOf(s) })
            : fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: outputsOf(s), maxLength: outputsOf(s) }),
        { minLength: rows, maxLength: rows },
      ),
    }),
  );

const specAndData = specArb.chain((spec) => dataArb(spec).map((data) => ({ spec, data })));

const allFinite = (a: ArrayLike<number>) => Array.prototype.every.call(a, Number.isFinite);

/** Runs f, which must throw (or reject with) a BackpropError; returns it. */
async function caught(f: () => unknown): Promise<BackpropError> {
  let e: unknown;
  try {
    await f();
  } catch (err) {
    e = err;
  }
  if (!(e instanceof BackpropError)) throw new Error(`expected a BackpropError, got ${e === undefined ? 'no error' : String(e)}`);
  expect(e.message.startsWith(`${e.field}: expected ${e.expected}`), e.message).toBe(true);
  return e;
}

describe('valid input trains and predicts with finite output', () => {
  it('random specs and data: fit, trainStep, loss, gradients, predict are finite; wasm and js agree', async () => {
    await fc.assert(
      fc.asyncProperty(specAndData, fc.integer({ min: 1, max: 4 }), async ({ spec, data }, batchSize) => {
        const outs: Float64Array[] = [];
        for (const backend of ['wasm', 'js'] as Backend[]) {
          const net = await Network.create({ ...spec, backend });
          const h = await net.fit(data, { epochs: 3, batchSize });
          expect(h.loss.length).toBe(3);
          expect(allFinite(h.loss)).toBe(true);
          expect(Number.isFinite(net.trainStep(data.inputs, data.targets))).toBe(true);
          expect(Number.isFinite(net.loss(data.inputs, data.targets))).toBe(true);
          expect(net.gradients(data.inputs, data.targets).every((l) => allFinite(l.weights.flat()) && allFinite(l.bias ?? []))).toBe(true);
          const p = net.predict(data.inputs);
          expect(p.length).toBe(data.inputs.length);
          p.forEach((row) => expect(row.length === outputsOf(spec) && allFinite(row)).toBe(true));
          outs.push(Float64Array.from(p.flatMap((r) => Array.from(r))));
        }
        // The TS backend is the oracle: a few steps keep the two within 1e-9 (|Δ| / max(1, |y|)).
        outs[0].forEach((v, i) => expect(Math.abs(v - outs[1][i]) / Math.max(1, Math.abs(outs[1][i]))).toBeLessThan(1e-9));
      }),
      { ...RUNS, numRuns: 40 },
    );
  });
});

// ---- corrupted specs ---------------------------------------------------------------------

type Corruption = { path: string; apply: (s: any) => void };

/** One corruption of a valid spec, and the field the error must name. */
const specCorruptionArb = (spec: NetworkSpec): fc.Arbitrary<Corruption> => {
  const n = spec.layers.length;
  const layer = fc.nat(n - 1);
  return fc.oneof(
    fc
      .constantFrom(0, -1, 1.5, NaN, Infinity, '2', null, true, 2 ** 53)
      .map((v) => ({ path: 'inputs', apply: (s: any) => (s.inputs = v) })),
    fc.constantFrom([], {}, 'layers', null, 3).map((v) => ({ path: 'layers', apply: (s: any) => (s.layers = v) })),
    fc
      .tuple(layer, fc.constantFrom(null, 'layer', 7, []))
      .map(([i, v]) => ({ path: `layers[${i}]`, apply: (s: any) => (s.layers[i] = v) })),
    fc
      .tuple(layer, fc.constantFrom(0, -3, 2.5, Infinity, NaN, '4', null, {}))
      .map(([i, v]) => ({ path: `layers[${i}].units`, apply: (s: any) => (s.layers[i].units = v) })),
    fc
      .tuple(layer, fc.constantFrom('swish', 'ReLU', 3, true, {}))
      .map(([i, v]) => ({ path: `layers[${i}].activation`, apply: (s: any) => (s.layers[i].activation = v) })),
    fc
      .tuple(layer, fc.constantFrom('yes', 1, 0, null, {}))
      .map(([i, v]) => ({ path: `layers[${i}].bias`, apply: (s: any) => (s.layers[i].bias = v) })),
    fc.tuple(layer, fc.constantFrom('__proto__', 'constructor', 'units2', 'dropoutRate')).map(([i, k]) => ({
      path: `layers[${i}].${k}`,
      apply: (s: any) => Object.defineProperty(s.layers[i], k, { value: 1, enumerable: true }),
    })),
    fc.constantFrom('hinge', 'MSE', 3, {}).map((v) => ({ path: 'loss', apply: (s: any) => (s.loss = v) })),
    fc.constantFrom('sgd', null, 3, []).map((v) => ({ path: 'optimizer', apply: (s: any) => (s.optimizer = v) })),
    fc.constantFrom('adamax', 'SGD', 3, null).map((v) => ({ path: 'optimizer.type', apply: (s: any) => (s.optimizer.type = v) })),
    fc
      .constantFrom(0, -0.1, NaN, Infinity, -Infinity, '0.1', null)
      .map((v) => ({ path: 'optimizer.learningRate', apply: (s: any) => (s.optimizer.learningRate = v) })),
    fc.constantFrom(-1, 1.5, 2 ** 32, NaN, '1', null).map((v) => ({ path: 'seed', apply: (s: any) => (s.seed = v) })),
    fc
      .constantFrom('__proto__', 'constructor', 'hidden', 'activation')
      .map((k) => ({ path: k, apply: (s: any) => Object.defineProperty(s, k, { value: 1, enumerable: true }) })),
  );
};

describe('an invalid spec is refused with the field named', () => {
  it('one random corruption of a valid spec → INVALID_SPEC at that field', async () => {
    await fc.assert(
      fc.asyncProperty(
        specArb.chain((spec) => specCorruptionArb(spec).map((c) => ({ spec, c }))),
        fc.constantFrom<Backend>('wasm', 'js'),
        async ({ spec, c }, backend) => {
          const bad = structuredClone(spec) as any;
          c.apply(bad);
          const e = await caught(() => Network.create(bad, { backend }));
          expect([e.code, e.field]).toEqual(['INVALID_SPEC', c.path]);
        },
      ),
      { ...RUNS, numRuns: 300 },
    );
  });
});

// ---- corrupted data and options on a live network ------------------------------------------

/** A value that is not a valid sample of `width` numbers, with the field suffix it must be blamed on. */
const badSampleArb = (width: number): fc.Arbitrary<{ v: unknown; at: string }> =>
  fc.oneof(
    fc.constantFrom(NaN, Infinity, -Infinity, '1', null, undefined, true, 10n, {}).chain((x) =>
      fc.nat(width - 1).map((i) => {
        const v: unknown[] = Array(width).fill(0.5);
        v[i] = x;
        return { v, at: `[${i}]` };
      }),
    ),
    fc
      .integer({ min: 0, max: width + 3 })
      .filter((n) => n !== width)
      .map((n) => ({ v: Array(n).fill(0), at: '' })),
    fc.nat(width - 1).map((i) => {
      const v: unknown[] = Array(width).fill(0.25);
      delete v[i]; // a hole
      return { v, at: `[${i}]` };
    }),
  );

/** A batch with one bad row (or a bad shape); `at` is the suffix the error's field must carry. */
const badBatchArb = (width: number, rows: number): fc.Arbitrary<{ v: unknown; at: string }> =>
  fc.oneof(
    fc.tuple(fc.nat(rows - 1), badSampleArb(width)).map(([r, s]) => {
      const v: unknown[] = Array.from({ length: rows }, () => Array(width).fill(0.1));
      v[r] = s.v;
      // A row of the wrong length is blamed on the row; a bad number on [row][column].
      return { v, at: s.at === '' ? `[${r}]` : `[${r}]${s.at}` };
    }),
    fc.nat(rows - 1).map((r) => {
      const v: unknown[] = Array.from({ length: rows + 1 }, () => Array(width).fill(0.1));
      delete v[r + 1]; // a missing row (row 0 stays, so this is a batch, not a sample)
      return { v, at: `[${r + 1}]` };
    }),
    fc.constantFrom('abc', 7, null, {}, []).map((v) => ({ v, at: '' })),
  );

type Op = { name: string; field: RegExp; run: (net: Network) => unknown };

const opArb = (spec: NetworkSpec): fc.Arbitrary<Op> => {
  const ins = spec.inputs,
    outs = outputsOf(spec);
  const goodX = (n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: ins }, (_, j) => ((i + j) % 3) / 3));
  const goodY = (n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: outs }, (_, j) => (i + j) % 2));
  const re = (s: string) => new RegExp(`^${s.replace(/[[\].]/g, '\\$&')}$`);
  const rows = fc.integer({ min: 1, max: 4 });
  return fc.oneof(
    badSampleArb(ins).map((b) => ({
      name: 'predict(sample)',
      field: re(`inputs${b.at}`),
      run: (n: Network) => n.predict(b.v as number[]),
    })),
    rows.chain((r) =>
      badBatchArb(ins, r + 1).map((b) => ({
        name: 'predict(batch)',
        field: re(`inputs${b.at}`),
        run: (n: Network) => n.predict(b.v as number[][]),
      })),
    ),
    rows.chain((r) =>
      badBatchArb(ins, r).map((b) => ({
        name: 'trainStep(bad x)',
        field: re(`inputs${b.at}`),
        run: (n: Network) => n.trainStep(b.v as number[][], goodY(r)),
      })),
    ),
    rows.chain((r) =>
      badBatchArb(outs, r).map((b) => ({
        name: 'trainStep(bad y)',
        field: /^targets/,
        run: (n: Network) => n.trainStep(goodX(r), b.v as number[][]),
      })),
    ),
    rows.chain((r) =>
      badBatchArb(outs, r).map((b) => ({
        name: 'loss(bad y)',
        field: /^targets/,
        run: (n: Network) => n.loss(goodX(r), b.v as number[][]),
      })),
    ),
    rows.chain((r) =>
      badBatchArb(ins, r).map((b) => ({
        name: 'gradients(bad x)',
        field: re(`inputs${b.at}`),
        run: (n: Network) => n.gradients(b.v as number[][], goodY(r)),
      })),
    ),
    rows.chain((r) =>
      badBatchArb(ins, r).map((b) => ({
        name: 'fit(bad x)',
        field: re(`data.inputs${b.at}`),
        run: (n: Network) => n.fit({ inputs: b.v as number[][], targets: goodY(r) }),
      })),
    ),
    rows.chain((r) =>
      badBatchArb(outs, r).map((b) => ({
        name: 'fit(bad y)',
        field: /^data\.targets/,
        run: (n: Network) => n.fit({ inputs: goodX(r), targets: b.v as number[][] }),
      })),
    ),
    fc
      .integer({ min: 2, max: 5 })
      .chain((r) =>
        fc
          .integer({ min: 1, max: r - 1 })
          .map((k) => ({ name: 'rows mismatch', field: /^targets$/, run: (n: Network) => n.trainStep(goodX(r), goodY(k)) })),
      ),
    fc.tuple(fc.constantFrom('epochs', 'batchSize'), fc.constantFrom(0, -1, 1.5, NaN, Infinity, '3', null)).map(([k, v]) => ({
      name: `fit(${k}: ${String(v)})`,
      field: re(`options.${k}`),
      run: (n: Network) => n.fit({ inputs: goodX(3), targets: goodY(3) }, { [k]: v } as never),
    })),
    fc.constantFrom('verbose', '__proto__', 'constructor').map((k) => ({
      name: `fit(${k})`,
      field: re(`options.${k}`),
      run: (n: Network) => n.fit({ inputs: goodX(3), targets: goodY(3) }, JSON.parse(`{"${k}": 1}`)),
    })),
    fc.constantFrom(NaN, Infinity, 'w', null).chain((x) =>
      fc.nat(spec.layers.length - 1).map((l) => ({
        name: 'setWeights',
        field: /^weights\[\d+\]/,
        run: (n: Network) => {
          const w = n.getWeights();
          w[l].weights[0][0] = x as number;
          return n.setWeights(w);
        },
      })),
    ),
  );
};

describe('invalid data or options leave the network exactly as it was', () => {
  it('one bad call → INVALID_DATA / INVALID_OPTION naming the field; state identical bit for bit; next step as an untouched twin', async () => {
    await fc.assert(
      fc.asyncProperty(
        specAndData.chain(({ spec, data }) => fc.array(opArb(spec), { minLength: 1, maxLength: 3 }).map((ops) => ({ spec, data, ops }))),
        fc.constantFrom<Backend>('wasm', 'js'),
        async ({ spec, data, ops }, backend) => {
          const net = await Network.create({ ...spec, backend });
          await net.fit(data, { epochs: 1, batchSize: 2 }); // non-trivial optimizer state and counters
          const before = JSON.stringify(net);
          const twin = await Network.fromJSON(before, { backend });
          for (const op of ops) {
            const e = await caught(() => op.run(net));
            expect(['INVALID_DATA', 'INVALID_OPTION'], `${op.name}: ${e.message}`).toContain(e.code);
            expect(e.field, `${op.name}: ${e.message}`).toMatch(op.field);
            expect(JSON.stringify(net), op.name).toBe(before);
          }
          // Nothing hidden changed either: both continue identically.
          net.trainStep(data.inputs, data.targets);
          twin.trainStep(data.inputs, data.targets);
          await net.fit(data, { epochs: 2, batchSize: 3 });
          await twin.fit(data, { epochs: 2, batchSize: 3 });
          expect(JSON.stringify(net)).toBe(JSON.stringify(twin));
        },
      ),
      { ...RUNS, numRuns: 150 },
    );
  });
});
