// An f32 network's data goes straight into its f32 heap (src/data.ts, precision 'f32'): a flat
// Float32Array is viewed in place, every other form is rounded once to f32 as it is copied and
// checked. Whatever the form, the network must see the same f32 numbers: fit, predict, evaluate,
// loss, gradients and trainStep give the bits of the oracle, the rounded rows written into the
// heap by hand and run through the kernels (or, for fit, the Float32Array rows, which no code of
// ours rounds). Numbers beyond f32's range, which would round to ±Infinity, are refused.
import { describe, it, expect } from 'vitest';
import { Network, BackpropError, type NetworkSpec } from '../src/index.js';
import { enableF32 } from '../src/f32.js';
import { toRows } from '../src/data.js';
import { toPairs } from '../src/pairs.js';
import { PLAN_FIELD } from '../src/plan.js';
import { unpackLayers, type LayerWeights } from '../src/layer-weights.js';
import { Rng } from '../src/rng.js';
import { randomRows } from './helpers/random.js';

enableF32();

const ROWS = 37,
  INPUTS = 5,
  OUTPUTS = 3;
const SPEC: NetworkSpec = {
  inputs: INPUTS,
  precision: 'f32',
  layers: [
    { units: 7, activation: 'tanh' },
    { units: OUTPUTS, activation: 'softmax' },
  ],
  loss: 'crossEntropy',
  optimizer: { type: 'adam', learningRate: 0.01 },
  seed: 3,
};
const rng = new Rng(12);
// f64 numbers that f32 does not hold: each form below must round them once, to the same f32.
const X = randomRows(rng, ROWS, INPUTS, 3);
const X32 = Float32Array.from(X.flat());
expect(X.flat().some((v, i) => v !== X32[i])).toBe(true);
const Y = X.map((r) => {
  const hot = r[0] > 1 ? 0 : r[1] > 0 ? 1 : 2;
  return [0, 1, 2].map((c) => (c === hot ? 1 : 0));
});
const Y32 = Float32Array.from(Y.flat());
const rowsOf = (flat: Float32Array | Float64Array, width: number) =>
  Array.from({ length: flat.length / width }, (_, r) => flat.slice(r * width, (r + 1) * width));

/** Every form the same numbers can come in: nested arrays of f64, nested typed rows, flat typed arrays. */
const FORMS = {
  'number[][] (f64 values)': { inputs: X, targets: Y, rows: undefined },
  'number[][] (their f32 roundings)': { inputs: rowsOf(X32, INPUTS).map((r) => Array.from(r)), targets: Y, rows: undefined },
  'Float32Array[]': { inputs: rowsOf(X32, INPUTS), targets: rowsOf(Y32, OUTPUTS), rows: undefined },
  'Float64Array[]': { inputs: rowsOf(new Float64Array(X.flat()), INPUTS), targets: Y, rows: undefined },
  'flat Float32Array': { inputs: X32, targets: Y32, rows: ROWS },
  'flat Float64Array': { inputs: new Float64Array(X.flat()), targets: new Float64Array(Y.flat()), rows: ROWS },
} as const;
const bits = (v: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(v).buffer));
const flatBits = (layers: LayerWeights[]) => bits(layers.flatMap((l) => [...l.weights.flat(), ...(l.bias ?? [])]));

describe.each(['wasm', 'js'] as const)('f32 data straight into the f32 heap (%s)', (backend) => {
  const make = () => Network.create(SPEC, { backend });

  /** The oracle: the rounded rows written into the heap by hand, then the forward pass. */
  async function oracleOutputs(): Promise<number[]> {
    const net = await make();
    const c = net.core;
    c.enter(ROWS);
    (c.backend.values() as Float32Array).set(X32, c.field(PLAN_FIELD.x));
    c.backend.kernels.forward(c.plan, ROWS, 0);
    return bits(c.view(c.outputAt, ROWS * OUTPUTS));
  }

  it('predict, loss, gradients and evaluate: every form gives the bits of the hand-loaded rows', async () => {
    const expected = await oracleOutputs();
    const net = await make();
    const ref = await make();
    const c = ref.core;
    c.enter(ROWS);
    const v = c.backend.values() as Float32Array;
    v.set(X32, c.field(PLAN_FIELD.x));
    v.set(Y32, c.field(PLAN_FIELD.y));
    c.backend.kernels.forward(c.plan, ROWS, 0);
    const loss = c.backend.kernels.batchLoss(c.plan, ROWS);
    c.backend.kernels.backward(c.plan, ROWS, 0);
    const grads = flatBits(unpackLayers(c.backend.values(), c.grads, c.spec, c.layout));
    for (const [form, d] of Object.entries(FORMS)) {
      const out = d.rows ? net.predict(d.inputs as Float32Array, d.rows) : net.predict(d.inputs as number[][]);
      const flat = Array.isArray(out) ? out.flatMap((r) => Array.from(r)) : Array.from(out);
      expect(bits(flat), form).toEqual(expected);
      expect(net.loss(d.inputs as number[][], d.targets as number[][]), form).toBe(loss);
      expect(flatBits(net.gradients(d.inputs as number[][], d.targets as number[][])), form).toEqual(grads);
      expect(net.evaluate({ inputs: d.inputs, targets: d.targets }, { batchSize: 64 }).loss, form).toBeCloseTo(loss, 12);
    }
    // One sample (the fast path into the X buffer): number[] of f64 values, its f32 rounding, Float32Array.
    const one = expected.slice(0, OUTPUTS);
    expect(bits(net.predict(X[0]))).toEqual(one);
    expect(bits(net.predict(X32.subarray(0, INPUTS)))).toEqual(one);
    expect(bits(net.predict(Array.from(X32.subarray(0, INPUTS))))).toEqual(one);
  });

  it('fit (batches, one sample, validation) and trainStep: every form trains to the bits of the Float32Array rows', async () => {
    for (const batchSize of [1, 8]) {
      const options = { epochs: 2, batchSize, validationSplit: 0.25 };
      const ref = await make();
      const history = await ref.fit({ inputs: X32, targets: Y32 }, options);
      for (const [form, d] of Object.entries(FORMS)) {
        const net = await make();
        expect(await net.fit({ inputs: d.inputs, targets: d.targets }, options), form).toEqual(history);
        expect(net.toJSON().params, form).toBe(ref.toJSON().params);
        const data = { inputs: d.inputs, targets: d.targets };
        const viaValidation = await make();
        const other = await make();
        await viaValidation.fit(data, { epochs: 1, batchSize, validationData: data });
        await other.fit({ inputs: X32, targets: Y32 }, { epochs: 1, batchSize, validationData: { inputs: X32, targets: Y32 } });
        expect(viaValidation.toJSON(), form).toEqual(other.toJSON());
      }
    }
    const [a, b] = [await make(), await make()];
    const stepped = [a.trainStep(X, Y), a.trainStep(X[3], Y[3])];
    expect([
      b.trainStep(X32 as unknown as number[][], Y32 as unknown as number[][]),
      b.trainStep(X32.subarray(15, 20), Y32.subarray(9, 12)),
    ]).toEqual(stepped);
    expect(a.toJSON()).toEqual(b.toJSON());
  });

  it('a refused f32 fit gives its data block back and changes nothing', async () => {
    const net = await make();
    await net.fit({ inputs: X32, targets: Y32 }, { epochs: 1, batchSize: 4 });
    const be = net.core.backend,
      inUse = be.inUse,
      before = JSON.stringify(net);
    const bad = X32.slice();
    bad[bad.length - 1] = NaN;
    for (const inputs of [bad, rowsOf(bad, INPUTS), rowsOf(bad, INPUTS).map((r) => Array.from(r))]) {
      const err = await net.fit({ inputs: inputs as Float32Array, targets: Y32 }, { epochs: 1, batchSize: 4 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'INVALID_DATA', field: `data.inputs[${ROWS - 1}][${INPUTS - 1}]` });
      expect(be.inUse).toBe(inUse);
      expect(JSON.stringify(net)).toBe(before);
    }
  });
});

describe('f32 rows are read as f32', () => {
  it('a flat Float32Array on an ordinary buffer is viewed in place, not copied; copy, shared buffers and f64 copy', () => {
    const x = new Float32Array(12).fill(0.1);
    const view = toRows(x, 3, 'x', 4, { precision: 'f32' }).data;
    expect(view).toBeInstanceOf(Float32Array);
    expect(view.buffer).toBe(x.buffer);
    const copied = toRows(x, 3, 'x', 4, { precision: 'f32', copy: true }).data;
    expect(copied.buffer).not.toBe(x.buffer);
    expect(Array.from(copied)).toEqual(Array.from(x));
    const shared = new Float32Array(new SharedArrayBuffer(48)).fill(0.1);
    expect(toRows(shared, 3, 'x', 4, { precision: 'f32' }).data.buffer).not.toBe(shared.buffer);
    const wide = toRows(x, 3, 'x', 4).data; // an f64 network's rows: widened exactly
    expect(wide).toBeInstanceOf(Float64Array);
    expect(Array.from(wide)).toEqual(Array.from(x));
  });

  it('nested numbers are rounded once (round to nearest even), as Float32Array.from rounds them', () => {
    const tie = 1 + 2 ** -24; // halfway between 1 and the next f32: rounds to 1 (even)
    const values = [tie, 1 + 3 * 2 ** -24, -0, 2 ** -149 / 2, 0.1, 3.4028235e38];
    const r = toRows([values, values], values.length, 'x', undefined, { precision: 'f32' });
    expect(r.data).toBeInstanceOf(Float32Array);
    expect(bits(r.data)).toEqual(bits([...values, ...values]));
    expect(Object.is(r.data[2], -0)).toBe(true);
  });

  it("crossEntropy targets: an f32 network's rows are checked as it holds them, rounded to f32, within 1e-9 + 2⁻²⁴", async () => {
    const soft = [
      [0.1, 0.2, 0.7],
      [1 / 3, 1 / 3, 1 / 3],
    ];
    const soft32 = Float32Array.from(soft.flat());
    const sums = soft.map((r) => r.reduce((s, v) => s + Math.fround(v), 0));
    expect(sums.every((s) => Math.abs(s - 1) > 1e-9 && Math.abs(s - 1) < 2 ** -24)).toBe(true); // refused at 1e-9
    const x = X.slice(0, 2);
    for (const y of [soft, soft32, rowsOf(soft32, 3)]) {
      const xs = ArrayBuffer.isView(y) ? Float32Array.from(x.flat()) : x; // flat targets come with flat inputs
      const got = toPairs(xs, y, INPUTS, 3, 'x', 'y', 'crossEntropy', { precision: 'f32' }).y.data;
      expect(got).toBeInstanceOf(Float32Array);
      expect(bits(got)).toEqual(bits(soft32));
    }
    // Through the network: batches, one sample (the fast path), fit; the same bits from every form.
    const net = await Network.create(SPEC);
    const loss = net.loss(x, soft);
    expect(net.loss(Float32Array.from(x.flat()), soft32)).toBe(loss);
    expect(net.loss(x, rowsOf(soft32, 3))).toBe(loss);
    expect(net.loss(x[0], soft32.subarray(0, 3))).toBe(net.loss(x[0], soft[0]));
    expect((await net.fit({ inputs: x, targets: rowsOf(soft32, 3) }, { epochs: 1 })).loss[0]).toBeGreaterThan(0);
    // Beyond the tolerance, or negative: refused, naming the row or the value; an f64 network keeps 1e-9.
    const off = [0.1, 0.2, 0.7000001]; // sums to 1 + 1e-7 (in f32 too)
    expect(() => net.loss(x, [off, soft[1]])).toThrow(
      'targets[0]: expected a row summing to 1 within 1e-9 + 2⁻²⁴ (targets rounded to f32)',
    );
    expect(() => net.loss(x[0], off)).toThrow('targets: expected a row summing to 1 within 1e-9 + 2⁻²⁴');
    expect(() => net.loss(x, [[0.5, 0.6, -0.1], soft[1]])).toThrow('targets[0][2]');
  });

  it('crossEntropy targets given as a Float32Array to an f64 network: checked within 1e-9 + 2⁻²⁴ too, trained as given', async () => {
    const wide = await Network.create({ ...SPEC, precision: 'f64' });
    const soft32 = Float32Array.from([0.1, 0.2, 0.7, 1 / 3, 1 / 3, 1 / 3]);
    const rounded = [Array.from(soft32.subarray(0, 3)), Array.from(soft32.subarray(3))]; // the same numbers as plain arrays
    const x = X.slice(0, 2);
    // Oracle: −Σ y·log ŷ by hand from the network's own predictions, averaged over the rows.
    const predicted = wide.predict(x) as Float64Array[];
    const rowLoss = (r: number) => -rounded[r].reduce((s, y, j) => s + y * Math.log(predicted[r][j]), 0);
    const expected = (rowLoss(0) + rowLoss(1)) / 2;
    for (const y of [soft32, rowsOf(soft32, 3)]) {
      const xs = ArrayBuffer.isView(y) ? Float64Array.from(x.flat()) : x;
      expect(wide.loss(xs, y)).toBeCloseTo(expected, 12);
    }
    expect(wide.loss(x[0], soft32.subarray(0, 3))).toBeCloseTo(rowLoss(0), 12); // the one-sample path
    const history = await wide.fit({ inputs: x, targets: rowsOf(soft32, 3) }, { epochs: 2 });
    expect(history.loss[0]).toBeCloseTo(expected, 12);
    // The same f32-rounded numbers as plain arrays claim f64 precision: 1e-9 holds there.
    expect(() => wide.loss(x, rounded)).toThrow('targets[0]: expected a row summing to 1 within 1e-9 (');
    expect(() => wide.loss(x[0], rounded[0])).toThrow('targets: expected a row summing to 1 within 1e-9 (');
    // Beyond 2⁻²⁴ a Float32Array row is refused as well, naming the row.
    const off32 = Float32Array.from([0.1, 0.2, 0.7000001, 1 / 3, 1 / 3, 1 / 3]);
    expect(() => wide.loss(Float64Array.from(x.flat()), off32)).toThrow('targets[0]: expected a row summing to 1 within 1e-9 + 2⁻²⁴');
    expect(() => wide.loss(x[0], off32.subarray(0, 3))).toThrow('targets: expected a row summing to 1 within 1e-9 + 2⁻²⁴');
  });
});

describe('numbers beyond f32 range', () => {
  const beyond = 3.5e38; // finite in f64, ±Infinity once rounded to f32

  it('an f32 network refuses them in every form, naming the number; an f64 network takes them', async () => {
    const net = await Network.create(SPEC);
    const wide = await Network.create({ ...SPEC, precision: 'f64' });
    const row = [0, 1, -beyond, 0, 0];
    const cases: [() => unknown, string][] = [
      [() => net.predict(row), 'inputs[2]'],
      [() => net.predict([X[0], row]), 'inputs[1][2]'],
      [() => net.predict([X[0], Float64Array.from(row)]), 'inputs[1][2]'],
      [() => net.predict(Float64Array.from([...X[0], ...row]), 2), 'inputs[1][2]'],
      [() => net.loss([X[0], row], Y.slice(0, 2)), 'inputs[1][2]'],
      [() => net.trainStep(row, Y[0]), 'inputs[2]'],
      [() => net.evaluate({ inputs: [row], targets: [Y[0]] }), 'data.inputs[0][2]'],
    ];
    const before = JSON.stringify(net);
    for (const [f, field] of cases) {
      let e: unknown;
      try {
        f();
      } catch (err) {
        e = err;
      }
      expect(e, field).toBeInstanceOf(BackpropError);
      expect(e).toMatchObject({ code: 'INVALID_DATA', field });
      expect((e as Error).message).toContain("f32's range");
      expect((e as Error).message).toContain('-3.5e+38');
    }
    const e = await net.fit({ inputs: [X[0], row], targets: Y.slice(0, 2) }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'INVALID_DATA', field: 'data.inputs[1][2]' });
    expect(JSON.stringify(net)).toBe(before);
    expect(Number.isFinite(wide.loss([row], [Y[0]]))).toBe(true);
    // f32's largest number is taken.
    expect(net.predict([0, 1, -3.4028234663852886e38, 0, 0])).toBeInstanceOf(Float32Array);
  });
});
