// Bad input throws a BackpropError naming the field and what was expected, and changes nothing.
import { describe, it, expect } from 'vitest';
import { Network, BackpropError, type NetworkSpec } from '../src/index.js';

const spec: NetworkSpec = {
  inputs: 2,
  layers: [
    { units: 3, activation: 'tanh' },
    { units: 1, activation: 'sigmoid' },
  ],
  loss: 'binaryCrossEntropy',
  seed: 2,
};

function expectError(f: () => unknown, field: string, expected: RegExp) {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(BackpropError);
    expect((e as BackpropError).field).toBe(field);
    expect((e as BackpropError).message).toMatch(expected);
    expect((e as BackpropError).message.startsWith(`${field}: expected`)).toBe(true);
    return;
  }
  throw new Error(`no error for ${field}`);
}

async function expectRejects(p: Promise<unknown>, field: string, expected: RegExp) {
  const e = await p.then(
    () => undefined,
    (err) => err,
  );
  expect(e, `rejects for ${field}`).toBeInstanceOf(BackpropError);
  expect(e.field).toBe(field);
  expect(e.message).toMatch(expected);
}

describe('bad specs', () => {
  it.each([
    [{ ...spec, inputs: 0 }, 'inputs', /positive integer, got 0/],
    [{ ...spec, inputs: 2.5 }, 'inputs', /positive integer, got 2.5/],
    [{ ...spec, layers: [] }, 'layers', /non-empty array/],
    [{ ...spec, layers: [{ units: -1 }] }, 'layers[0].units', /positive integer, got -1/],
    [
      {
        ...spec,
        layers: [
          { units: 3, activation: 'mish' },
          { units: 1, activation: 'sigmoid' },
        ],
      },
      'layers[0].activation',
      /one of linear, sigmoid, tanh, relu, leakyRelu, elu, selu, softplus, swish, gelu, softmax, got "mish"/,
    ],
    [
      {
        ...spec,
        layers: [
          { units: 3, activation: 'softmax' },
          { units: 1, activation: 'sigmoid' },
        ],
      },
      'layers[0].activation',
      /softmax only on the output layer/,
    ],
    [
      {
        ...spec,
        layers: [
          { units: 3, dropoutRate: 0.5 },
          { units: 1, activation: 'sigmoid' },
        ],
      },
      'layers[0].dropoutRate',
      /one of the options units, activation, bias, l2, dropout, got an unknown option/,
    ],
    [
      {
        ...spec,
        layers: [
          { units: 3, dropout: 1 },
          { units: 1, activation: 'sigmoid' },
        ],
      },
      'layers[0].dropout',
      /rate in \[0, 1\), got 1/,
    ],
    [{ ...spec, layers: [{ units: 3 }, { units: 1, activation: 'sigmoid', dropout: 0.2 }] }, 'layers[1].dropout', /0 on the output layer/],
    [
      {
        ...spec,
        layers: [
          { units: 3, l2: -1 },
          { units: 1, activation: 'sigmoid' },
        ],
      },
      'layers[0].l2',
      /finite number ≥ 0, got -1/,
    ],
    [{ ...spec, l2: NaN }, 'l2', /finite number ≥ 0, got NaN/],
    [{ ...spec, optimizer: { type: 'adam', beta1: 1 } }, 'optimizer.beta1', /\[0, 1\), got 1/],
    [
      { ...spec, optimizer: { type: 'adam', momentum: 0.9 } },
      'optimizer.momentum',
      /one of the options type, learningRate, beta1, beta2, epsilon, clipNorm, clipValue/,
    ],
    [{ ...spec, optimizer: { type: 'rmsprop', epsilon: 0 } }, 'optimizer.epsilon', /> 0, got 0/],
    [{ ...spec, optimizer: { type: 'sgd', clipNorm: -2 } }, 'optimizer.clipNorm', /> 0, got -2/],
    [{ ...spec, loss: 'hinge' }, 'loss', /one of halfSquaredError, mse, crossEntropy, binaryCrossEntropy, got "hinge"/],
    [{ ...spec, loss: 'crossEntropy' }, 'layers[1].activation', /'softmax' with loss 'crossEntropy', got "sigmoid"/],
    [{ ...spec, optimizer: { type: 'adamax' } }, 'optimizer.type', /one of sgd, adam, adamw, rmsprop, adagrad, got "adamax"/],
    [{ ...spec, optimizer: { type: 'sgd', learningRate: NaN } }, 'optimizer.learningRate', /finite number, got NaN/],
    [{ ...spec, optimizer: { type: 'sgd', learningRate: Infinity } }, 'optimizer.learningRate', /finite number, got Infinity/],
    [{ ...spec, optimizer: { type: 'sgd', learningRate: -1 } }, 'optimizer.learningRate', /> 0, got -1/],
    [{ ...spec, optimizer: { type: 'sgd', momentum: 1 } }, 'optimizer.momentum', /\[0, 1\), got 1/],
    [{ ...spec, optimizer: { type: 'sgd', lr: 1 } }, 'optimizer.lr', /one of the options type, learningRate, momentum, nesterov/],
    [{ ...spec, seed: -3 }, 'seed', /integer in \[0, 2³²\), got -3/],
    [{ ...spec, backend: 'gpu' }, 'backend', /'auto', 'wasm' or 'js', got "gpu"/],
    [{ ...spec, hidden: 3 }, 'hidden', /one of the options/],
  ])('%#: %s → %s', async (bad, field, expected) => {
    await expectRejects(Network.create(bad as NetworkSpec), field, expected);
  });
});

describe.each(['wasm', 'js'] as const)('bad data on %s leaves the network unchanged', (backend) => {
  it('rejects wrong shapes and non-finite numbers, naming the place', async () => {
    const net = await Network.create({ ...spec, backend });
    const before = JSON.stringify(net);
    const x = [
      [0, 1],
      [1, 0],
    ];
    const y = [[1], [0]];
    expectError(() => net.predict([1, 2, 3]), 'inputs', /2 numbers \(one sample\), got an array of length 3/);
    expectError(() => net.predict([[1, 2], [3]]), 'inputs[1]', /2 numbers, got an array of length 1/);
    expectError(() => net.predict([1, NaN]), 'inputs[1]', /finite number, got NaN/);
    expectError(() => net.predict(new Float64Array(5), 2), 'inputs', /2 × 2 = 4 numbers/);
    expectError(() => net.trainStep(x, [[1], [Infinity]]), 'targets[1][0]', /finite number, got Infinity/);
    expectError(() => net.trainStep(x, [[1]]), 'targets', /2 rows like inputs, got one sample/);
    expectError(
      () =>
        net.trainStep(x, [
          [1, 0],
          [0, 1],
        ]),
      'targets[0]',
      /1 numbers, got an array of length 2/,
    );
    expectError(
      () =>
        net.loss(
          [
            [1, 2],
            [3, -Infinity],
          ],
          y,
        ),
      'inputs[1][1]',
      /finite number, got -Infinity/,
    );
    expectError(() => net.gradients('ab' as never, y), 'inputs', /sample of 2 numbers/);
    expectError(() => net.setWeights([{ weights: [[1, 2]] }]), 'weights', /array of 2 layers/);
    expectError(
      () =>
        net.setWeights([
          {
            weights: [
              [1, 2],
              [3, 4],
              [5, NaN],
            ],
          },
          { weights: [[1, 2, 3]] },
        ]),
      'weights[0].weights[2][1]',
      /finite number, got NaN/,
    );
    expectError(
      () =>
        net.setWeights([
          {
            weights: [
              [1, 2],
              [3, 4],
              [5, 6],
            ],
          },
          { weights: [[1, 2, 3]], bias: [1, 2] },
        ]),
      'weights[1].bias',
      /1 numbers/,
    );
    await expectRejects(net.fit({ inputs: x, targets: y }, { epochs: 0 }), 'options.epochs', /positive integer, got 0/);
    await expectRejects(net.fit({ inputs: x, targets: y }, { batchSize: 1.5 }), 'options.batchSize', /positive integer, got 1.5/);
    await expectRejects(
      net.fit({ inputs: x, targets: y }, { verbose: true } as never),
      'options.verbose',
      /one of the options epochs, batchSize, shuffle, validationSplit/,
    );
    await expectRejects(net.fit({ inputs: x, targets: y }, { validationSplit: 1 }), 'options.validationSplit', /\[0, 1\), got 1/);
    await expectRejects(
      net.fit({ inputs: x, targets: y }, { validationSplit: 0.1 }),
      'options.validationSplit',
      /leaving ≥ 1 row on each side of 2 rows/,
    );
    await expectRejects(
      net.fit({ inputs: x, targets: y }, { schedule: { type: 'step', every: 2 } } as never),
      'options.schedule.factor',
      /a number in \(0, 1\]$/,
    );
    await expectRejects(
      net.fit({ inputs: x, targets: y }, { schedule: () => NaN }),
      'options.schedule',
      /finite learning rate > 0 \(epoch 0, step 0\), got NaN/,
    );
    await expectRejects(
      net.fit({ inputs: x, targets: y }, { validationData: { inputs: x, targets: [[1]] } }),
      'options.validationData.targets',
      /2 rows like options.validationData.inputs/,
    );
    await expectRejects(net.fit({ inputs: x, targets: [[0], [NaN]] }), 'data.targets[1][0]', /finite number, got NaN/);
    await expectRejects(net.fit(undefined as never), 'data.inputs', /a sample of 2 numbers or a non-empty array/);
    expect(JSON.stringify(net)).toBe(before);
  });
});

describe('malformed saved models', () => {
  it('are rejected with the field named', async () => {
    const good = (await Network.create(spec)).toJSON();
    const cases: [unknown, string, RegExp][] = [
      ['{not json', 'model', /JSON text/],
      [42, 'model', /object from toJSON\(\), got 42/],
      [{ ...good, format: 'keras' }, 'model.format', /'backprop', got "keras"/],
      [{ ...good, version: 99 }, 'model.version', /1, 2 or 3 \(this build reads format versions 1 to 3\), got 99/],
      [{ ...good, extra: 1 }, 'model.extra', /one of the options/],
      [
        { ...good, spec: { ...good.spec, layers: [{ units: 0, activation: 'relu', bias: true }] } },
        'model.spec.layers[0].units',
        /positive integer, got 0/,
      ],
      [
        {
          ...good,
          spec: {
            ...good.spec,
            inputs: 1e6,
            layers: [
              { units: 1e6, activation: 'relu', bias: true },
              { units: 1, activation: 'sigmoid', bias: true },
            ],
          },
        },
        'model.spec.layers',
        /at most 67108864 parameters in all, got 1000002000001 parameters/,
      ],
      [
        {
          ...good,
          spec: {
            ...good.spec,
            layers: [
              { units: 3, activation: 'tanh', bias: true, l2: 0, dropout: 0 },
              { units: 2, activation: 'sigmoid', bias: true, l2: 0, dropout: 0 },
            ],
          },
        },
        'model.params',
        /f64 values/,
      ],
      [{ ...good, params: good.params.slice(0, -4) }, 'model.params', /base64 characters\), got \d+ characters/],
      [{ ...good, params: '!' + good.params.slice(1) }, 'model.params', /valid base64/],
      [{ ...good, state: 7 }, 'model.state', /base64 string, got 7/],
      [{ ...good, rng: -1 }, 'model.rng', /integer in \[0, 2³²\)/],
    ];
    for (const [m, field, expected] of cases) await expectRejects(Network.fromJSON(m), field, expected);
  });

  it('rejects NaN or Infinity smuggled into the parameter bytes', async () => {
    const net = await Network.create(spec);
    const m = net.toJSON();
    const bytes = Uint8Array.from(atob(m.params), (c) => c.charCodeAt(0));
    new DataView(bytes.buffer).setFloat64(8, NaN, true);
    const params = btoa(String.fromCharCode(...bytes));
    await expectRejects(Network.fromJSON({ ...m, params }), 'model.params[1]', /finite number, got NaN/);
  });
});

describe('values that cannot be read', () => {
  it('a revoked Proxy or an array with a throwing element still gets a BackpropError naming the field', async () => {
    const net = await Network.create({ inputs: 2, layers: [{ units: 1, activation: 'linear' }], loss: 'mse', seed: 1 });
    const { proxy, revoke } = Proxy.revocable([1, 2], {});
    revoke();
    const throwing = [1, 2];
    Object.defineProperty(throwing, 0, {
      get: () => {
        throw new RangeError('no');
      },
    });
    for (const x of [proxy, throwing]) {
      const e = (() => {
        try {
          net.predict(x as unknown as number[]);
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(BackpropError);
      expect((e as BackpropError).field).toBe('inputs');
    }
  });
});
