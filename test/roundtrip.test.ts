// Exact round trip: −0, subnormals and the largest finite values survive toJSON/fromJSON bit for
// bit in parameters and optimizer state, on both backends and across them. The oracle for the
// saved bytes is Node's own Buffer base64, independent of src/serialize.ts.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Network, type NetworkSpec } from '../src/index.js';

const EDGE = [
  -0,
  0,
  Number.MIN_VALUE,
  -Number.MIN_VALUE, // smallest subnormals
  2.2250738585072009e-308,
  -2.2250738585072009e-308, // largest subnormal
  2.2250738585072014e-308, // smallest normal
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  1 - Number.EPSILON / 2,
  1 + Number.EPSILON,
  Math.PI,
  -1e-300,
  123456789.12345679,
];

const bitsOf = (a: ArrayLike<number>) => Buffer.from(Float64Array.from(a).buffer).toString('hex');
const fromBase64 = (s: string) => {
  const b = Buffer.from(s, 'base64');
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
};
const flat = (net: Network) => net.getWeights().flatMap((l) => [...l.weights.flat(), ...(l.bias ?? [])]);

// 2 inputs → 4 units (bias) → 3 units (no bias): 12 + 12 = 24 parameters, params then biases per layer.
const spec: NetworkSpec = {
  inputs: 2,
  layers: [
    { units: 4, activation: 'tanh' },
    { units: 3, activation: 'linear', bias: false },
  ],
  loss: 'mse',
  optimizer: { type: 'sgd', momentum: 0.9 },
};

/** Lays 24 values out as setWeights() wants them, in getWeights() order. */
function asWeights(v: number[]) {
  return [
    { weights: [0, 1, 2, 3].map((o) => v.slice(2 * o, 2 * o + 2)), bias: v.slice(8, 12) },
    { weights: [0, 1, 2].map((o) => v.slice(12 + 4 * o, 16 + 4 * o)) },
  ];
}
const values = (k: number) => Array.from({ length: 24 }, (_, i) => EDGE[(i + k) % EDGE.length]);

describe.each(['wasm', 'js'] as const)('exact round trip on %s', (backend) => {
  it('−0, subnormals and ±MAX_VALUE in the parameters, bit for bit', async () => {
    for (let k = 0; k < EDGE.length; k++) {
      const v = values(k);
      const net = await Network.create({ ...spec, backend });
      net.setWeights(asWeights(v));
      expect(bitsOf(flat(net))).toBe(bitsOf(v)); // through the heap and back
      const text = JSON.stringify(net);
      expect(bitsOf(fromBase64(JSON.parse(text).params))).toBe(bitsOf(v)); // the file holds exactly these bits
      for (const to of ['wasm', 'js'] as const) {
        const copy = await Network.fromJSON(text, { backend: to });
        expect(bitsOf(flat(copy)), `${backend} → ${to}`).toBe(bitsOf(v));
        expect(JSON.stringify(copy)).toBe(text);
      }
    }
  });

  it('the same in the optimizer state (a crafted file), and a loaded copy keeps training in step', async () => {
    const net = await Network.create({ ...spec, backend });
    const m = net.toJSON();
    const state = Float64Array.from(values(3));
    const crafted = { ...m, state: Buffer.from(state.buffer).toString('base64') };
    const copy = await Network.fromJSON(crafted, { backend });
    expect(bitsOf(fromBase64(copy.toJSON().state))).toBe(bitsOf(state));
    // Training a copy of the copy gives the same bits as training the copy.
    const twin = await Network.fromJSON(JSON.stringify(copy), { backend });
    const x = [
        [0.5, -0.25],
        [1, 2],
      ],
      y = [
        [0, 1, 0],
        [1, 0, 0],
      ];
    copy.trainStep(x, y);
    twin.trainStep(x, y);
    expect(JSON.stringify(twin)).toBe(JSON.stringify(copy));
  });

  it('any finite doubles (fast-check) round-trip bit for bit', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 24, maxLength: 24 }), async (v) => {
        const net = await Network.create({ ...spec, backend });
        net.setWeights(asWeights(v));
        const copy = await Network.fromJSON(JSON.stringify(net), { backend });
        expect(bitsOf(flat(copy))).toBe(bitsOf(v));
      }),
      { seed: 99, numRuns: 200 },
    );
  });
});
