// Data is read once: every value the caller hands in (weights, samples, batches, data sets) is read
// exactly once, copied, and the copy checked. Getters and Proxies that answer differently on each
// read, rows that grow while being read and typed arrays with a lying `length` either give what
// their one read said or are refused with INVALID_DATA — never NaN in the weights, a RangeError,
// or a write outside the network's memory.
import { describe, it, expect } from 'vitest';
import { Network, BackpropError, type NetworkSpec } from '../src/index.js';

const SPEC: NetworkSpec = {
  inputs: 2,
  layers: [
    { units: 3, activation: 'tanh' },
    { units: 2, activation: 'linear' },
  ],
  loss: 'mse',
  optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.5 },
  seed: 3,
};
const X = [
  [0.5, -0.25],
  [1, 2],
  [-1, 0.75],
];
const Y = [
  [0.1, 0.2],
  [0.3, -0.4],
  [0, 1],
];

/** A copy of `row` whose elements answer `row[i]` on the first read and `later` on every other; reads counted. */
function fickle(row: number[], later: unknown, reads: number[] = []): number[] {
  return new Proxy(row.slice(), {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) {
        const i = Number(key);
        reads[i] = (reads[i] ?? 0) + 1;
        return reads[i] === 1 ? target[i] : later;
      }
      return Reflect.get(target, key, receiver);
    },
  });
}
const fickleRows = (rows: number[][], later: unknown, reads: number[][] = []) => rows.map((r, i) => fickle(r, later, (reads[i] = [])));

describe.each(['wasm', 'js'] as const)('values are read once (%s)', (backend) => {
  const make = () => Network.create(SPEC, { backend });

  it('setWeights: each weight read once, so a value that turns NaN on the next read never gets in', async () => {
    const [net, twin] = [await make(), await make()];
    const w = [
      {
        weights: [
          [0.1, 0.2],
          [0.3, 0.4],
          [0.5, 0.6],
        ],
        bias: [0.01, 0.02, 0.03],
      },
      {
        weights: [
          [1, 2, 3],
          [4, 5, 6],
        ],
        bias: [-1, 1],
      },
    ];
    const reads: number[][] = [];
    net.setWeights(w.map((l, i) => ({ weights: fickleRows(l.weights, NaN, reads), bias: fickle(l.bias, NaN, (reads[10 + i] = [])) })));
    twin.setWeights(w);
    expect(reads.flat().every((n) => n === 1)).toBe(true);
    expect(net.getWeights()).toEqual(w);
    expect(JSON.stringify(net)).toBe(JSON.stringify(twin));
  });

  it("setWeights: a bias given as rows is refused (it used to spill into the next layer's weights)", async () => {
    const net = await make();
    const before = JSON.stringify(net);
    const w = [
      {
        weights: [
          [0.1, 0.2],
          [0.3, 0.4],
          [0.5, 0.6],
        ],
        bias: [
          [1, 2, 3],
          [4, 5, 6],
        ],
      },
      {
        weights: [
          [1, 2, 3],
          [4, 5, 6],
        ],
      },
    ];
    expect(() => net.setWeights(w as never)).toThrow(expect.objectContaining({ code: 'INVALID_DATA', field: 'weights[0].bias' }));
    expect(JSON.stringify(net)).toBe(before);
  });

  it('setWeights: getters on a layer object are read once', async () => {
    const [net, twin] = [await make(), await make()];
    const w = [
      {
        weights: [
          [0.1, 0.2],
          [0.3, 0.4],
          [0.5, 0.6],
        ],
        bias: [0.01, 0.02, 0.03],
      },
      {
        weights: [
          [1, 2, 3],
          [4, 5, 6],
        ],
        bias: [-1, 1],
      },
    ];
    let n = 0;
    // First read: a good bias; a second read would see one of the wrong length.
    const second = {
      weights: w[1].weights,
      get bias() {
        return n++ === 0 ? [-1, 1] : [1, 2, 3, 4, 5, 6, 7];
      },
    };
    net.setWeights([w[0], second]);
    twin.setWeights(w);
    expect(JSON.stringify(net)).toBe(JSON.stringify(twin));
  });

  it('predict, loss, gradients, trainStep, evaluate and fit take the first read of every value', async () => {
    const [net, twin] = [await make(), await make()];
    const reads: number[][] = [];
    expect(net.predict(fickleRows(X, Infinity, reads))).toEqual(twin.predict(X));
    expect(reads.flat().every((n) => n === 1)).toBe(true);
    expect(net.predict(fickle(X[0], NaN))).toEqual(twin.predict(X[0]));
    expect(net.loss(fickleRows(X, NaN), fickleRows(Y, NaN))).toBe(twin.loss(X, Y));
    expect(net.gradients(fickleRows(X, NaN), fickleRows(Y, NaN))).toEqual(twin.gradients(X, Y));
    expect(net.evaluate({ inputs: fickleRows(X, NaN), targets: fickleRows(Y, NaN) })).toEqual(twin.evaluate({ inputs: X, targets: Y }));
    expect(net.trainStep(fickleRows(X, NaN), fickleRows(Y, NaN))).toBe(twin.trainStep(X, Y));
    expect(net.trainStep(fickle(X[1], NaN), fickle(Y[1], NaN))).toBe(twin.trainStep(X[1], Y[1]));
    const opts = { epochs: 3, batchSize: 2, validationData: { inputs: fickleRows(X, NaN), targets: fickleRows(Y, NaN) } };
    expect(await net.fit({ inputs: fickleRows(X, NaN), targets: fickleRows(Y, NaN) }, opts)).toEqual(
      await twin.fit({ inputs: X, targets: Y }, { ...opts, validationData: { inputs: X, targets: Y } }),
    );
    expect(JSON.stringify(net)).toBe(JSON.stringify(twin));
  });

  it('fit keeps its own copy of what it reads after an await: the caller changing its arrays mid-fit changes nothing', async () => {
    for (const split of [false, true]) {
      const [net, twin] = [await make(), await make()];
      const flat = (rows: number[][]) => new Float64Array(rows.flat());
      const data = () => ({ inputs: flat([...X, ...X]), targets: flat([...Y, ...Y]) });
      const [mine, theirs] = [data(), data()];
      const opts = (d: typeof mine) => (split ? { validationSplit: 0.5 } : { validationData: d });
      const spoil = () => void [mine.inputs, mine.targets].forEach((a) => a.fill(NaN));
      const h = await net.fit(mine, { epochs: 3, batchSize: 2, ...opts(mine), onEpochEnd: (e) => void (e === 0 && spoil()) });
      const ref = await twin.fit(theirs, { epochs: 3, batchSize: 2, ...opts(theirs) });
      expect(h).toEqual(ref);
      expect(h.valLoss!.every(Number.isFinite)).toBe(true);
      expect(JSON.stringify(net)).toBe(JSON.stringify(twin));
    }
  });

  it('a row that grows while it is read does not overflow the copy', async () => {
    const [net, twin] = [await make(), await make()];
    const growing = () => {
      const row = [1, 2];
      Object.defineProperty(row, 1, { get: () => (row.push(3, 4, 5), 2), enumerable: true, configurable: true });
      return row;
    };
    expect(net.predict([[1, 2], growing()])).toEqual(
      twin.predict([
        [1, 2],
        [1, 2],
      ]),
    );
    expect(net.loss([growing(), [1, 2]], Y.slice(0, 2))).toBe(
      twin.loss(
        [
          [1, 2],
          [1, 2],
        ],
        Y.slice(0, 2),
      ),
    );
  });

  it('typed arrays are measured by their real length, whatever an own `length` says', async () => {
    const net = await make();
    const bystander = await make();
    await bystander.fit({ inputs: X, targets: Y }, { epochs: 2, batchSize: 2 });
    const saved = JSON.stringify(bystander);
    const lying = (n: number, claimed: number) => Object.defineProperty(new Float64Array(n).fill(7), 'length', { value: claimed });
    const refused = (f: () => unknown, field: string) => {
      const e = (() => {
        try {
          f();
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(BackpropError);
      expect(e).toMatchObject({ code: 'INVALID_DATA', field });
    };
    refused(() => net.predict(lying(2000, 4), 2), 'inputs');
    expect(() => net.predict(lying(2000, 4), 2)).toThrow('inputs: expected 2 × 2 = 4 numbers, got a Float64Array of length 2000');
    refused(() => net.loss(lying(2000, 4), new Float64Array(4)), 'targets');
    const before = JSON.stringify(net);
    const err = await net.fit({ inputs: lying(2000, 4), targets: new Float64Array(4) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_DATA', field: 'data.targets' });
    expect(JSON.stringify(net)).toBe(before);
    expect(JSON.stringify(bystander)).toBe(saved);
    // A shorter real length than claimed: the sample fast path reads past it and takes the general way.
    refused(() => net.predict(lying(1, 2)), 'inputs');
  });

  it('typed arrays of numbers are numbers; BigInt arrays are refused with INVALID_DATA', async () => {
    const [net, twin] = [await make(), await make()];
    expect(net.predict(new Float32Array([0.5, -0.25]))).toEqual(twin.predict([0.5, -0.25]));
    expect(net.predict(new Int8Array([1, 2, -1, 0]) as unknown as Float64Array, 2)).toEqual(
      twin.predict(new Float64Array([1, 2, -1, 0]), 2),
    );
    expect(net.predict([new Float32Array([1, 2]), new Uint8Array([3, 4])])).toEqual(
      twin.predict([
        [1, 2],
        [3, 4],
      ]),
    );
    for (const [f, field] of [
      [() => net.predict(new BigInt64Array(2) as unknown as Float64Array, 1), 'inputs'],
      [() => net.predict(new BigInt64Array(2) as unknown as number[]), 'inputs'],
      [() => net.predict([new BigUint64Array(2)] as unknown as number[][]), 'inputs[0]'],
      [() => net.loss(new Float64Array(2), new BigInt64Array(2) as unknown as number[]), 'targets'],
    ] as const) {
      try {
        f();
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(BackpropError);
        expect(e).toMatchObject({ code: 'INVALID_DATA', field });
        expect((e as Error).message).toMatch(/not of BigInts/);
      }
    }
  });
});
