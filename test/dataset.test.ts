// Dataset: column kinds, the encoding fitted on training rows (checked against sums computed here
// from the CSV text), splits and folds, and networks created from it — Iris end to end.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { Dataset, Network, BackpropError } from '../src/index.js';

const IRIS = readFileSync(new URL('./fixtures/iris.csv', import.meta.url), 'utf8');
const BIRDS = readFileSync(new URL('./fixtures/birds.csv', import.meta.url), 'utf8');
const LINEAR = readFileSync(new URL('./fixtures/linear.csv', import.meta.url), 'utf8');
/** The CSV's rows as plain cells, for oracles computed independently of the reader. */
const cells = (text: string) =>
  text
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));

describe('Dataset on Iris', () => {
  const data = Dataset.fromCSV(IRIS, { target: 'species' });

  it('reads 150 rows, 4 numeric features, 3 text classes (sorted), 50 rows each', () => {
    expect(data.rows).toBe(150);
    expect(data.columns).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width'].map((name) => ({ name, kind: 'numeric' })));
    expect(data.task).toBe('classification');
    expect(data.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    const y = data.toArrays().targets;
    for (let k = 0; k < 3; k++) expect(Array.from({ length: 150 }, (_, r) => y[r * 3 + k]).reduce((a, b) => a + b)).toBe(50);
    // The data set's column means, as published for Fisher's data (UCI's two known errata fixed).
    const means = [0, 1, 2, 3].map((c) => cells(IRIS).reduce((s, r) => s + Number(r[c]), 0) / 150);
    expect(means.map((m) => m.toFixed(3))).toEqual(['5.843', '3.057', '3.758', '1.199']);
  });

  it('a stratified split keeps each class within one row of its share; the test side uses the train side’s scaling', () => {
    const { train, test } = data.split({ test: 0.2, seed: 1, stratify: true });
    expect([train.rows, test.rows]).toEqual([120, 30]);
    const perClass = (d: Dataset) => {
      const y = d.toArrays().targets;
      return [0, 1, 2].map((k) => Array.from({ length: d.rows }, (_, r) => y[r * 3 + k]).reduce((a, b) => a + b));
    };
    expect(perClass(test)).toEqual([10, 10, 10]);
    // Mean and population std of sepal_length over the training rows, from the raw cells.
    const rows = cells(IRIS);
    const x = train.toArrays().inputs;
    const testX = test.toArrays().inputs;
    const f = train.preprocessing.json.features[0];
    if (f.kind !== 'numeric') throw new Error('numeric expected');
    // Standardized training column: mean 0 and std 1 exactly as computed; the test column is not.
    const col = Array.from({ length: 120 }, (_, r) => x[r * 4]);
    const m = col.reduce((a, b) => a + b) / 120;
    expect(Math.abs(m)).toBeLessThan(1e-12);
    expect(Math.sqrt(col.reduce((s, v) => s + (v - m) ** 2, 0) / 120)).toBeCloseTo(1, 12);
    const rawTest = Array.from({ length: 30 }, (_, r) => testX[r * 4] * f.std + f.mean);
    rawTest.forEach((v) => expect(rows.some((r) => Math.abs(Number(r[0]) - v) < 1e-12)).toBe(true));
    expect(test.preprocessing).toBe(train.preprocessing);
  });

  it('kFold(5): every row is in exactly one test fold; stratified folds hold 10 of each class', () => {
    const folds = data.kFold(5, { seed: 2, stratify: true });
    expect(folds).toHaveLength(5);
    const count = new Uint8Array(150);
    for (const { train, test } of folds) {
      expect(train.rows + test.rows).toBe(150);
      for (const r of test.index) count[r]++;
      const y = test.toArrays().targets;
      expect([0, 1, 2].map((k) => Array.from({ length: test.rows }, (_, r) => y[r * 3 + k]).reduce((a, b) => a + b))).toEqual([10, 10, 10]);
    }
    expect(Array.from(count).every((c) => c === 1)).toBe(true);
  });

  it('a network created from it reaches ≥ 93% held-out accuracy; predictClass and evaluate agree with predict', async () => {
    const { train, test } = data.split({ test: 0.2, seed: 1, stratify: true });
    const net = await Network.create({ inputs: train, layers: [{ units: 16 }], optimizer: { type: 'adam', learningRate: 0.01 }, seed: 1 });
    expect(net.spec.loss).toBe('crossEntropy');
    expect(net.spec.layers.map((l) => [l.units, l.activation])).toEqual([
      [16, 'relu'],
      [3, 'softmax'],
    ]);
    await net.fit(train, { epochs: 60, batchSize: 16, validationData: test });
    const report = net.evaluate(test);
    if (!('confusionMatrix' in report)) throw new Error('a classification report expected');
    expect(report.accuracy).toBeGreaterThanOrEqual(0.93);
    // Independent: argmax of predict() on raw records, compared with the labels in the file.
    const rows = cells(IRIS);
    const records = rows.map((r) => ({
      sepal_length: Number(r[0]),
      sepal_width: Number(r[1]),
      petal_length: Number(r[2]),
      petal_width: Number(r[3]),
    }));
    const names = net.predictClass(records);
    const probs = net.predict(records);
    names.forEach((n, i) => expect(n).toBe(data.classes[probs[i].indexOf(Math.max(...probs[i]))]));
    const matrix = [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ];
    for (const r of test.index) matrix[data.classes.indexOf(rows[r][4])][data.classes.indexOf(names[r] as string)]++;
    expect(report.confusionMatrix).toEqual(matrix);
    const tp = matrix[1][1],
      predicted = matrix[0][1] + matrix[1][1] + matrix[2][1];
    expect(report.perClass.versicolor.precision).toBe(tp / predicted);
    expect(report.perClass.versicolor.recall).toBe(tp / 10);
    expect(report.perClass.versicolor.support).toBe(10);
    expect(report.loss).toBe(
      net.evaluate({ inputs: test.toArrays(net.preprocessing!).inputs, targets: test.toArrays(net.preprocessing!).targets }).loss,
    );
    expect(net.predictClass({ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 })).toBe('setosa');
    expect(net.predictClass({ sepal_length: '6.9', sepal_width: 3.1, petal_length: 5.4, petal_width: 2.1, species: 'ignored' })).toBe(
      'virginica',
    );

    // Saved and loaded: the preprocessing travels; predictions are the same bits.
    const json = JSON.parse(JSON.stringify(net));
    expect(json.version).toBe(2);
    const back = await Network.fromJSON(json);
    expect(back.predictClass(records)).toEqual(names);
    expect(back.predict(records[7])).toEqual(net.predict(records[7]));
  });

  it('bad records and mismatched data get BackpropError naming the place', async () => {
    const net = await Network.create({ inputs: data, layers: [{ units: 4 }], seed: 1 });
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as BackpropError;
      }
      throw new Error('no error');
    };
    expect(err(() => net.predict({ sepal_length: 5, sepal_width: 3, petal_length: 1 }))).toMatchObject({
      code: 'INVALID_DATA',
      field: 'inputs[0].petal_width',
    });
    expect(err(() => net.predict([{ sepal_length: 5, sepal_width: 3, petal_length: 1, petal_width: 'wide' }]))).toMatchObject({
      code: 'INVALID_DATA',
      field: 'inputs[0].petal_width',
    });
    const plain = await Network.create({ inputs: 4, layers: [{ units: 3 }], loss: 'crossEntropy' });
    expect(err(() => plain.predict({ a: 1 }))).toMatchObject({ code: 'INVALID_DATA', field: 'inputs' });
    expect(err(() => Dataset.fromCSV(IRIS, { target: 'kind' }))).toMatchObject({ code: 'INVALID_OPTION', field: 'options.target' });
    expect(err(() => Dataset.fromCSV(IRIS.replace('5.0,3.6,1.4,0.2', '5.0,3.6,1.4,NaN')))).toMatchObject({
      code: 'INVALID_DATA',
      field: 'line 6, column "petal_width"',
    });
  });
});

describe('Dataset: categories, missing cells, regression', () => {
  it('one-hot over the training rows’ categories (sorted); unseen is all zeros, or an error with strict', () => {
    const text = 'color,size,y\nred,1,0\nblue,2,1\nred,3,0\nblue,4,1\n';
    const d = Dataset.fromCSV(text);
    expect(d.columns).toEqual([
      { name: 'color', kind: 'categorical' },
      { name: 'size', kind: 'numeric' },
    ]);
    expect(d.width).toBe(3);
    const x = d.toArrays().inputs;
    expect(Array.from(x.subarray(0, 3))).toEqual([0, 1, (1 - 2.5) / Math.sqrt(1.25)]); // blue, red; size standardized
    const pre = d.preprocessing;
    expect(Array.from(pre.encodeRecords([{ color: 'green', size: 2.5 }], 'r'))).toEqual([0, 0, 0]);
    const strict = Dataset.fromCSV(text, { strict: true }).preprocessing;
    expect(() => strict.encodeRecords([{ color: 'green', size: 1 }], 'r')).toThrow(
      'r[0].color: expected one of the categories seen in training: blue, red, got "green"',
    );
    const constant = Dataset.fromCSV('c,y\n5,0\n5,1\n').preprocessing.json.features[0];
    expect(constant).toMatchObject({ mean: 5, std: 1 }); // a constant column: std taken as 1, encodes as 0
    const overridden = Dataset.fromCSV('zip,id,y\n02134,1,0\n10001,2,1\n', { columns: { zip: 'categorical', id: 'ignore' } });
    expect(overridden.columns).toEqual([{ name: 'zip', kind: 'categorical' }]);
    expect(overridden.preprocessing.json.features[0]).toMatchObject({ categories: ['2134', '10001'] }); // numbers sorted as numbers
  });

  it('fromRecords encodes as fromCSV does', () => {
    const csv = Dataset.fromCSV('color,size,ok\nred,1,true\nblue,2,false\nred,3,true\n', { target: 'ok' });
    const rec = Dataset.fromRecords(
      [
        { color: 'red', size: 1, ok: true },
        { color: 'blue', size: 2, ok: false },
        { color: 'red', size: 3, ok: true },
      ],
      { target: 'ok' },
    );
    expect(rec.classes).toEqual(['false', 'true']);
    expect(rec.toArrays()).toEqual(csv.toArrays());
  });

  it('birds (categorical columns, 4% missing): refused by default, trained with --missing mean to ≥ 90%', async () => {
    expect(() => Dataset.fromCSV(BIRDS, { target: 'species' })).toThrow(/^line \d+, column "\w+": expected a value/);
    const dropped = Dataset.fromCSV(BIRDS, { target: 'species', missing: 'drop' });
    const missingRows = cells(BIRDS).filter((r) => r.some((c) => c === '' || c === 'NA')).length;
    expect(dropped.dropped).toBe(missingRows);
    const data = Dataset.fromCSV(BIRDS, { target: 'species', missing: 'mean' });
    expect(data.columns.filter((c) => c.kind === 'categorical').map((c) => c.name)).toEqual(['island', 'sex']);
    const { train, test } = data.split({ test: 0.25, seed: 3, stratify: true });
    const net = await Network.create({ inputs: train, layers: [{ units: 16 }], optimizer: { type: 'adam', learningRate: 0.01 }, seed: 2 });
    await net.fit(train, { epochs: 40, batchSize: 16 });
    const v2 = await Network.fromJSON(JSON.stringify(net));
    expect(v2.predict({ island: 'Dream', bill_length: 47, bill_depth: 18, flipper_length: null, body_mass: 3700, sex: '' })).toEqual(
      net.predict({
        island: 'Dream',
        bill_length: 47,
        bill_depth: 18,
        flipper_length: net.preprocessing!.json.features[3].fill,
        body_mass: 3700,
        sex: net.preprocessing!.json.features[5].fill,
      }),
    ); // missing values in a record take the saved fill
    const r = net.evaluate(test);
    expect('accuracy' in r && r.accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('regression with known coefficients: a linear model recovers them; evaluate gives rmse and r2', async () => {
    const data = Dataset.fromCSV(LINEAR, { target: 'y' });
    expect(data.task).toBe('regression');
    const net = await Network.create({ inputs: data, layers: [], optimizer: { type: 'adam', learningRate: 0.05 }, seed: 1 });
    expect(net.spec.loss).toBe('mse');
    await net.fit(data, { epochs: 150, batchSize: 32 });
    const r = net.evaluate(data);
    if (!('rmse' in r)) throw new Error('a regression report expected');
    expect(r.rmse).toBeLessThan(0.15); // the noise is 0.1
    expect(r.r2).toBeGreaterThan(0.999);
    // Slopes in raw units: the weight on a standardized column divided by its std.
    const pre = net.preprocessing!.json.features;
    const w = net.getWeights()[0].weights[0];
    const x1 = pre[0],
      x2 = pre[1];
    if (x1.kind !== 'numeric' || x2.kind !== 'numeric') throw new Error('numeric expected');
    expect(w[0] / x1.std).toBeCloseTo(3, 1);
    expect(w[1] / x2.std).toBeCloseTo(-2, 1);
    expect(net.predict({ x1: 1, x2: 2, color: 'red', x3: 0 })[0]).toBeCloseTo(3 - 4 + 4 + 7, 1);
  });

  it('several target columns make a multi-output regression', async () => {
    const d = Dataset.fromCSV('a,b,s,t\n1,2,3,-1\n2,1,3,1\n0,0,0,0\n1,1,2,0\n', { target: ['s', 't'] });
    expect(d.outputs).toBe(2);
    const net = await Network.create({ inputs: d, layers: [], seed: 1 });
    expect(net.outputs).toBe(2);
    expect(Array.from(d.toArrays().targets)).toEqual([3, -1, 3, 1, 0, 0, 2, 0]);
  });
});

describe('plain networks', () => {
  it('predictClass is the argmax index (0/1 at 0.5 for one output); version 1 files still load', async () => {
    const net = await Network.create({ inputs: 2, layers: [{ units: 3, activation: 'linear' }], loss: 'mse', seed: 1 });
    net.setWeights([
      {
        weights: [
          [1, 0],
          [0, 1],
          [-1, -1],
        ],
      },
    ]);
    expect(net.predictClass([2, 1])).toBe(0);
    expect(
      net.predictClass([
        [0, 3],
        [-5, -5],
      ]),
    ).toEqual([1, 2]);
    expect(net.predictClass(new Float64Array([2, 1, 0, 3]), 2)).toEqual([0, 1]);
    const one = await Network.create({ inputs: 1, layers: [{ units: 1, activation: 'sigmoid' }], loss: 'binaryCrossEntropy' });
    one.setWeights([{ weights: [[1]] }]);
    expect(one.predictClass([[-1], [1]])).toEqual([0, 1]);
    const v1 = { ...net.toJSON(), version: 1 };
    await expect(Network.fromJSON({ ...v1, version: 4 })).rejects.toMatchObject({ code: 'INVALID_MODEL', field: 'model.version' });
    expect((await Network.fromJSON(v1)).predictClass([2, 1])).toBe(0);
    await expect(Network.fromJSON({ ...v1, preprocessing: {} })).rejects.toMatchObject({ code: 'INVALID_MODEL' });
  });
});

describe('saved preprocessing, mutated', () => {
  it('every mutation loads (and then predicts or refuses with BackpropError) or is refused with INVALID_MODEL', async () => {
    const data = Dataset.fromCSV(BIRDS, { target: 'species', missing: 'mode' });
    const good = (await Network.create({ inputs: data, layers: [{ units: 4 }], seed: 1 })).toJSON();
    const junk = [null, -1, 0, 1e308, 'x', '', [], {}, ['a'], true, { __proto__: null }, [1, 2], NaN];
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, path: (string | number)[]) => {
      paths.push(path);
      if (typeof v === 'object' && v !== null) for (const [k, c] of Object.entries(v)) walk(c, [...path, Array.isArray(v) ? Number(k) : k]);
    };
    walk(good.preprocessing, ['preprocessing']);
    let loaded = 0,
      refused = 0;
    const record = { island: 'Dream', bill_length: 40, bill_depth: 18, flipper_length: 190, body_mass: 3700, sex: 'male' };
    for (let i = 0; i < 400; i++) {
      const m = JSON.parse(JSON.stringify(good));
      const path = paths[(i * 7919) % paths.length];
      let at = m;
      for (const k of path.slice(0, -1)) at = at[k];
      const last = path[path.length - 1];
      if (i % 5 === 4) delete at[last];
      else at[last] = junk[i % junk.length];
      try {
        const net = await Network.fromJSON(m);
        loaded++;
        try {
          const c = net.predictClass(record);
          expect(typeof c === 'string' || typeof c === 'number').toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(BackpropError);
        }
      } catch (e) {
        expect(e).toBeInstanceOf(BackpropError);
        expect((e as BackpropError).code).toBe('INVALID_MODEL');
        expect((e as BackpropError).field).toMatch(/^model\.preprocessing/);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(300);
    expect(loaded + refused).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('records with holes', () => {
  it('a hole in an array of records is refused, not encoded as zeros', async () => {
    const data = Dataset.fromCSV(IRIS, { target: 'species' });
    const net = await Network.create({ inputs: data, layers: [{ units: 4 }], seed: 1 });
    const r = { sepal_length: 5, sepal_width: 3, petal_length: 1, petal_width: 0.2 };
    // eslint-disable-next-line no-sparse-arrays
    expect(() => net.predict([r, , r] as Record<string, unknown>[])).toThrow('inputs[1]: expected a record: an object of column values');
  });
});
