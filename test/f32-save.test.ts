// Saved f32 networks: toJSON keeps every f32 bit of parameters and optimizer state at 4 bytes a
// value, and fromJSON restores a network that continues exactly as the original (both backends).
import { describe, it, expect } from 'vitest';
import { Network, BackpropError, type ModelJSON } from '../src/index.js';
import { encodeF64 } from '../src/serialize.js';
import { enableF32 } from '../src/f32.js';

enableF32(); // the opt-in f32 entry ('backprop-wasm/f32'): the f32 Wasm module and the f32 twins

const spec = {
  inputs: 3,
  precision: 'f32' as const,
  seed: 5,
  loss: 'crossEntropy' as const,
  optimizer: { type: 'adam' as const, learningRate: 0.01 },
  layers: [
    { units: 6, activation: 'gelu' as const },
    { units: 3, activation: 'softmax' as const },
  ],
};
const x = Array.from({ length: 24 }, (_, i) => [Math.sin(i), Math.cos(3 * i), (i % 5) / 5]);
const y = x.map((_, i) => [0, 1, 2].map((c) => (c === i % 3 ? 1 : 0)));
const PARAMS = 3 * 6 + 6 + 6 * 3 + 3;

/** The bits of every value in a base64 f32 block. */
const f32Bits = (base64: string) => Array.from(new Uint32Array(new Uint8Array(Buffer.from(base64, 'base64')).buffer));

describe.each(['js', 'wasm'] as const)('saved f32 networks on %s', (backend) => {
  it('round trip: the same bits, and training goes on exactly as the original', async () => {
    const net = await Network.create({ ...spec, backend });
    await net.fit({ inputs: x, targets: y }, { epochs: 3, batchSize: 8 });
    const saved = net.toJSON();
    expect(saved.version).toBe(3);
    expect(saved.spec.precision).toBe('f32');
    // 4 bytes a value: the parameters, and Adam's two state blocks.
    expect(saved.params.length).toBe(Math.ceil((4 * PARAMS) / 3) * 4);
    expect(saved.state.length).toBe(Math.ceil((4 * 2 * PARAMS) / 3) * 4);
    // The stored values are the network's weights, bit for bit (getWeights widens f32 exactly).
    const flat = net.getWeights().flatMap((l) => [...l.weights.flat(), ...(l.bias ?? [])]);
    expect(f32Bits(saved.params)).toEqual(Array.from(new Uint32Array(Float32Array.from(flat).buffer)));
    const back = await Network.fromJSON(JSON.parse(JSON.stringify(saved)), { backend });
    expect(back.spec.precision).toBe('f32');
    expect(JSON.stringify(back.toJSON())).toBe(JSON.stringify(saved));
    const [a, b] = [
      await net.fit({ inputs: x, targets: y }, { epochs: 2, batchSize: 8, shuffle: false }),
      await back.fit({ inputs: x, targets: y }, { epochs: 2, batchSize: 8, shuffle: false }),
    ];
    expect(b.loss).toEqual(a.loss);
    expect(back.toJSON()).toEqual(net.toJSON());
  });

  it('a file saved on one backend loads on the other with the same bits', async () => {
    const other = backend === 'js' ? 'wasm' : 'js';
    const net = await Network.create({ ...spec, backend });
    await net.fit({ inputs: x, targets: y }, { epochs: 1, batchSize: 4 });
    const back = await Network.fromJSON(net.toJSON(), { backend: other });
    expect(back.backend).toBe(other);
    expect(back.toJSON()).toEqual(net.toJSON());
  });

  it('an f32 file whose values were written as f64 is INVALID_MODEL at model.params', async () => {
    const net = await Network.create({ ...spec, backend });
    const saved: ModelJSON = net.toJSON();
    const flat = net.getWeights().flatMap((l) => [...l.weights.flat(), ...(l.bias ?? [])]);
    const wrong = { ...saved, params: encodeF64(Float64Array.from(flat)) };
    const err = await Network.fromJSON(wrong, { backend }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BackpropError);
    expect((err as BackpropError).field).toBe('model.params');
    expect((err as BackpropError).message).toMatch(new RegExp(`${PARAMS} f32 values`));
  });
});

it("an f64 network's file is unchanged: version 2, f64 values, no precision", async () => {
  const net = await Network.create({ ...spec, precision: 'f64', backend: 'js' });
  const saved = net.toJSON();
  expect(saved.version).toBe(2);
  expect('precision' in saved.spec).toBe(false);
  expect(saved.params.length).toBe(Math.ceil((8 * PARAMS) / 3) * 4);
});
