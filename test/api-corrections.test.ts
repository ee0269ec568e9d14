// Issue 14's API corrections, each against an untouched twin or a hand-derived value:
// net.spec is a deeply frozen copy (mutating it changes neither training nor toJSON); a softmax
// output with no loss trains with crossEntropy; crossEntropy refuses targets that are not
// distributions, naming the row, and changes nothing; AdamW options on 'adam' do not compile.
import { describe, it, expect } from 'vitest';
import { Network, BackpropError, type NetworkSpec, type OptimizerSpec } from '../src/index.js';

const XOR = {
  inputs: [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ],
  targets: [
    [1, 0],
    [0, 1],
    [0, 1],
    [1, 0],
  ],
};
const CLASSIFIER: NetworkSpec = {
  inputs: 2,
  layers: [
    { units: 4, activation: 'tanh' },
    { units: 2, activation: 'softmax' },
  ],
  optimizer: { type: 'sgd', learningRate: 0.5 },
  seed: 2,
};

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e as BackpropError;
  }
  throw new Error('expected a BackpropError');
};

describe('net.spec', () => {
  it('is frozen at every depth: writing to it throws and changes neither training nor toJSON', async () => {
    const net = await Network.create({ ...CLASSIFIER, loss: 'crossEntropy' });
    const twin = await Network.create({ ...CLASSIFIER, loss: 'crossEntropy' });
    const spec = net.spec as unknown as { optimizer: { learningRate: number }; layers: { activation: string }[] };
    expect(() => (spec.optimizer.learningRate = 3)).toThrow(TypeError);
    expect(() => (spec.layers[0].activation = 'bogus')).toThrow(TypeError);
    expect(() => (spec.layers as unknown[]).push({})).toThrow(TypeError);
    expect(net.toJSON()).toEqual(twin.toJSON());
    const a = await net.fit(XOR, { epochs: 20, batchSize: 4 });
    const b = await twin.fit(XOR, { epochs: 20, batchSize: 4 });
    expect(a.loss).toEqual(b.loss);
    expect(await Network.fromJSON(JSON.stringify(net))).toBeInstanceOf(Network);
  });
});

describe('the loss a softmax output implies', () => {
  it('defaults to crossEntropy (trains as the explicit spec, reports accuracy)', async () => {
    const implied = await Network.create(CLASSIFIER);
    const explicit = await Network.create({ ...CLASSIFIER, loss: 'crossEntropy' });
    expect(implied.spec.loss).toBe('crossEntropy');
    expect(implied.metric).toBe('accuracy');
    // −log softmax at the target, by hand, for the first sample
    const z = implied.predict(XOR.inputs[0]);
    expect(implied.loss(XOR.inputs[0], XOR.targets[0])).toBeCloseTo(-Math.log(z[0]), 12);
    const a = await implied.fit(XOR, { epochs: 10, batchSize: 2 });
    const b = await explicit.fit(XOR, { epochs: 10, batchSize: 2 });
    expect(a.loss).toEqual(b.loss);
    expect(a.accuracy).toEqual(b.accuracy);
  });

  it('other outputs still default to mse', async () => {
    const net = await Network.create({ inputs: 2, layers: [{ units: 1, activation: 'sigmoid' }] });
    expect(net.spec.loss).toBe('mse');
  });
});

describe('crossEntropy targets must be distributions', () => {
  const cases: [string, (net: Network) => unknown, string, RegExp][] = [
    [
      'a row summing to 2 (batch)',
      (n) =>
        n.trainStep(
          [
            [0, 0],
            [0, 1],
          ],
          [
            [1, 0],
            [2, 0],
          ],
        ),
      'targets[1]',
      /summing to 1 within 1e-9 .*, got a row summing to 2$/,
    ],
    [
      'a negative entry (batch)',
      (n) =>
        n.loss(
          [
            [0, 0],
            [0, 1],
          ],
          [
            [-1, 2],
            [0, 1],
          ],
        ),
      'targets[0][0]',
      /≥ 0.*got -1/,
    ],
    ['one sample', (n) => n.trainStep([0, 1], [0.5, 0.6]), 'targets', /got a row summing to 1.1/],
    [
      'evaluate',
      (n) =>
        n.evaluate({
          inputs: XOR.inputs,
          targets: [
            [1, 0],
            [0, 1],
            [0, 1],
            [0, 0],
          ],
        }),
      'data.targets[3]',
      /summing to 0/,
    ],
    [
      'gradients, flat rows',
      (n) => n.gradients(new Float64Array([0, 0, 1, 1]), new Float64Array([1, 0, 0.5, 0.4])),
      'targets[1]',
      /summing to 0.9/,
    ],
  ];
  it.each(cases)('%s: INVALID_DATA naming the row, network unchanged', async (_, call, field, message) => {
    const net = await Network.create(CLASSIFIER);
    const before = JSON.stringify(net);
    const e = refusal(() => call(net));
    expect(e).toBeInstanceOf(BackpropError);
    expect(e.code).toBe('INVALID_DATA');
    expect(e.field).toBe(field);
    expect(e.message).toMatch(message);
    expect(JSON.stringify(net)).toBe(before);
  });

  it('fit and validationData refuse them too', async () => {
    const net = await Network.create(CLASSIFIER);
    await expect(
      net.fit({
        inputs: XOR.inputs,
        targets: [
          [1, 0],
          [0, 1],
          [3, -2],
          [1, 0],
        ],
      }),
    ).rejects.toMatchObject({ code: 'INVALID_DATA', field: 'data.targets[2][1]' });
    await expect(net.fit(XOR, { validationData: { inputs: [[0, 0]], targets: [[0.3, 0.3]] } })).rejects.toMatchObject({
      code: 'INVALID_DATA',
      field: 'options.validationData.targets[0]',
    });
  });

  it('accepts soft labels and sums off by rounding only', async () => {
    const net = await Network.create(CLASSIFIER);
    expect(
      Number.isFinite(
        net.trainStep(
          [
            [0, 0],
            [1, 1],
          ],
          [
            [0.1 + 0.2, 0.7],
            [0.25, 0.75],
          ],
        ),
      ),
    ).toBe(true);
    expect(Number.isFinite(net.trainStep([0, 1], [1 - 1e-10, 0]))).toBe(true);
  });
});

describe('AdamW has its own type', () => {
  it("'adam' with weightDecay does not compile, and is refused at run time", async () => {
    // @ts-expect-error weightDecay belongs to { type: 'adamw' } (npm test's tsc fails if this compiles)
    const wrong: OptimizerSpec = { type: 'adam', weightDecay: 0.1 };
    const right: OptimizerSpec = { type: 'adamw', weightDecay: 0.1 };
    await expect(Network.create({ inputs: 1, layers: [{ units: 1 }], optimizer: wrong })).rejects.toMatchObject({
      code: 'INVALID_SPEC',
      field: 'optimizer.weightDecay',
    });
    expect((await Network.create({ inputs: 1, layers: [{ units: 1 }], optimizer: right })).spec.optimizer.weightDecay).toBe(0.1);
  });
});
