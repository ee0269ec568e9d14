// A one-thread fit copies its training rows straight into a data block in the heap (src/fit.ts
// DirectBlock): the block is allocated once the row count is known, before any value is read.
// So a fit refused for a value, a row count or an abort must give the block back and leave the
// network as it was; and the rows held back by validationSplit, which are copied out of the
// block, must train and validate exactly as the same rows handed over flat.
import { describe, it, expect } from 'vitest';
import { Network, type NetworkSpec } from '../src/index.js';
import { Rng } from '../src/rng.js';

const SPEC: NetworkSpec = {
  inputs: 3,
  layers: [
    { units: 5, activation: 'tanh' },
    { units: 2, activation: 'softmax' },
  ],
  loss: 'crossEntropy',
  optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.5 },
  seed: 4,
};
const rng = new Rng(9);
const X = Array.from({ length: 30 }, () => Array.from({ length: 3 }, () => 2 * rng.next() - 1));
const Y = X.map((x) => (x[0] + x[1] > 0 ? [1, 0] : [0, 1]));

describe.each(['wasm', 'js'] as const)('fit hands its rows straight to the heap (%s)', (backend) => {
  const make = () => Network.create(SPEC, { backend });

  it('a refused fit gives its data block back and changes nothing', async () => {
    const net = await make();
    await net.fit({ inputs: X, targets: Y }, { epochs: 1, batchSize: 4 }); // resident, work block sized
    const be = net.core.backend,
      inUse = be.inUse,
      before = JSON.stringify(net);
    const refused = async (data: { inputs: unknown; targets: unknown }, field: string, code = 'INVALID_DATA', options = {}) => {
      const err = await net.fit(data as never, { epochs: 2, batchSize: 4, ...options }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code, field });
      expect(be.inUse).toBe(inUse);
      expect(JSON.stringify(net)).toBe(before);
    };
    const lastNaN = X.map((r, i) => (i === X.length - 1 ? [r[0], r[1], NaN] : r));
    await refused({ inputs: lastNaN, targets: Y }, `data.inputs[${X.length - 1}][2]`);
    const flat = new Float64Array(X.flat());
    flat[flat.length - 1] = Infinity;
    await refused({ inputs: flat, targets: new Float64Array(Y.flat()) }, `data.inputs[${X.length - 1}][2]`);
    await refused({ inputs: X, targets: Y.map((r, i) => (i === 7 ? [r[0], NaN] : r)) }, 'data.targets[7][1]');
    await refused({ inputs: X, targets: Y.map((r, i) => (i === 7 ? [2, -1] : r)) }, 'data.targets[7][1]'); // not a distribution
    // Targets of another row count: read in full first (their own first bad value is named), then refused for the count.
    await refused({ inputs: X, targets: [[NaN, 1], ...Y.slice(2)] }, 'data.targets[0][0]');
    await refused({ inputs: X, targets: Y.slice(1) }, 'data.targets');
    await refused({ inputs: X, targets: Y }, 'options.validationSplit', 'INVALID_OPTION', { validationSplit: 0.01 });
    await refused({ inputs: X, targets: Y }, 'options.validationData.inputs[0]', 'INVALID_DATA', {
      validationData: { inputs: [[1, 2]], targets: [[1, 0]] },
    });
    const err = await net.fit({ inputs: X, targets: Y }, { signal: AbortSignal.abort(new Error('gone')) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: 'gone' });
    expect(be.inUse).toBe(inUse);
    expect(JSON.stringify(net)).toBe(before);
  });

  it('nested rows with validationSplit train and validate as the same rows handed over flat, bit for bit', async () => {
    for (const batchSize of [1, 4, 64]) {
      const [nested, flat] = [await make(), await make()];
      const opts = { epochs: 3, batchSize, validationSplit: 0.2 };
      const h = await nested.fit({ inputs: X, targets: Y }, opts);
      const ref = await flat.fit({ inputs: new Float64Array(X.flat()), targets: new Float64Array(Y.flat()) }, opts);
      expect(h).toEqual(ref);
      expect(h.valLoss!.every(Number.isFinite)).toBe(true);
      expect(JSON.stringify(nested)).toBe(JSON.stringify(flat));
    }
  });
});
