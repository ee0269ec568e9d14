// f32 networks in ONNX and TF.js: exported as float tensors holding the f32 parameters bit for bit
// (judged by onnxruntime-node and TF.js, independent engines), and read back as f32 networks.
import { describe, it, expect, beforeAll } from 'vitest';
import { Network, toONNX, fromONNX, toTFJS, fromTFJS, type LayerWeights } from '../src/index.js';
import { Rng } from '../src/rng.js';
import { randomRows, maxRelDiff } from './helpers/random.js';
import { ACTS } from './helpers/exchange-net.js';
import type { Activation } from '../src/kinds/activations.js';
import { enableF32 } from '../src/f32.js';

enableF32(); // the opt-in f32 entry ('backprop-wasm/f32'): the f32 Wasm module and the f32 twins

type Ort = typeof import('onnxruntime-node');
let ort: Ort;
beforeAll(async () => {
  ort = await import('onnxruntime-node');
});

/** The exchange tests' network (every hidden activation, some layers without bias) in f32. */
async function f32Net(out: Activation, seed: number, backend: 'js' | 'wasm' = 'js'): Promise<Network> {
  const net = await Network.create(
    {
      inputs: 5,
      precision: 'f32',
      seed,
      layers: [
        { units: 7, activation: 'sigmoid' },
        { units: 6, activation: 'tanh', bias: false },
        { units: 8, activation: 'relu' },
        { units: 6, activation: 'leakyRelu' },
        { units: 5, activation: 'linear', bias: false },
        { units: 4, activation: out, bias: seed % 2 === 0 },
      ],
      loss: out === 'softmax' ? 'crossEntropy' : 'mse',
      optimizer: { type: 'adam', learningRate: 0.01 },
    },
    { backend },
  );
  const rng = new Rng(seed * 7919);
  net.setWeights(
    net.spec.layers.map((l): LayerWeights => ({
      weights: randomRows(rng, l.units, l.inputs, 1.5),
      ...(l.bias ? { bias: randomRows(rng, 1, l.units, 0.5)[0] } : {}),
    })),
  );
  return net;
}

/** The parameters' bits as toJSON stores them. */
const paramBits = (net: Network) => net.toJSON().params;

// ORT evaluates the same f32 graph with its own GEMM order and its own exp/tanh/erf in float: each
// layer's values differ by a few u = 2⁻²⁴ relative to their magnitudes (the float forms are within
// 3e-6 of the kernels: test/exchange-onnx.test.ts), and six layers with |w| ≤ 1.5 pass them on.
// Measured ≤ 1.7e-6 (≈ 27 u); bound 2e-5 of max(1, |y|). A shift of 1e-3 is seen (the check can fail).
const ORT_F32_TOL = 2e-5;

describe('f32 network → ONNX FLOAT', () => {
  it.each(ACTS)('%s output: onnxruntime (float32) = predict() within 2e-5; the model takes float32 only', async (out) => {
    for (const backend of ['js', 'wasm'] as const) {
      const net = await f32Net(out, 3, backend);
      const model = toONNX(net);
      const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'basic' });
      const rows = 9;
      const x = Float32Array.from(randomRows(new Rng(4), rows, 5, 3).flat());
      const result = await session.run({ input: new ort.Tensor('float32', x, [rows, 5]) });
      const y = result.output.data as Float32Array;
      expect(y).toBeInstanceOf(Float32Array);
      const p = net.predict(Float64Array.from(x), rows); // predict is typed for Float64Array (the values are f32 either way)
      expect(p).toBeInstanceOf(Float32Array);
      expect(maxRelDiff(y, p), backend).toBeLessThanOrEqual(ORT_F32_TOL);
      expect(
        maxRelDiff(
          y.map((v) => v + 1e-3),
          p,
        ),
      ).toBeGreaterThan(ORT_F32_TOL);
      await expect(session.run({ input: new ort.Tensor('float64', Float64Array.from(x), [rows, 5]) })).rejects.toThrow(/type|float/i);
    }
  });

  it('weights as 4-byte floats (4 bytes a weight fewer than the f64 export); the round trip gives an f32 network with the same bits', async () => {
    const net = await f32Net('softmax', 2);
    await net.fit(
      {
        inputs: randomRows(new Rng(1), 8, 5),
        targets: Array.from({ length: 8 }, (_, i) => [0, 1, 2, 3].map((c) => (c === i % 4 ? 1 : 0))),
      },
      { epochs: 2, batchSize: 4 },
    );
    const model = toONNX(net);
    const wide = await Network.create({ ...net.toJSON().spec, precision: 'f64' }, { backend: 'js' });
    wide.setWeights(net.getWeights());
    const sizeF64 = toONNX(wide).length;
    const values = net.getWeights().reduce((n, l) => n + l.weights.flat().length + (l.bias?.length ?? 0), 0);
    // 4 bytes saved per weight, less the few the f32 spec's metadata adds ("precision":"f32").
    expect(sizeF64 - model.length).toBeGreaterThanOrEqual(4 * values - 32);
    const back = await fromONNX(model);
    expect(back.spec.precision).toBe('f32');
    expect(paramBits(back)).toBe(paramBits(net));
    // The f64 twin network with the same (widened) weights predicts what the f32 one does, to f32 rounding.
    const x = randomRows(new Rng(2), 3, 5);
    const flat = Float64Array.from(x.flat());
    expect(maxRelDiff(back.predict(flat, 3), wide.predict(flat, 3))).toBeLessThan(1e-5);
  });

  it('options.precision chooses: f64 widens the FLOAT values exactly, f32 keeps their bits', async () => {
    const net = await f32Net('linear', 5);
    const model = toONNX(net);
    const wide = await fromONNX(model, { precision: 'f64' });
    expect(wide.spec.precision).toBe('f64');
    expect(wide.getWeights()).toEqual(net.getWeights());
    const kept = await fromONNX(model, { precision: 'f32' });
    expect(kept.spec.precision).toBe('f32');
    expect(paramBits(kept)).toBe(paramBits(net));
  });
});

describe('f32 network → TF.js', () => {
  it('weightData holds the f32 parameters bit for bit (kernels transposed); fromTFJS gives the f32 network back', async () => {
    const net = await f32Net('softmax', 4);
    const art = toTFJS(net);
    const data = new Float32Array(art.weightData);
    const expected: number[] = [];
    net.getWeights().forEach((l) => {
      const [units, inputs] = [l.weights.length, l.weights[0].length];
      for (let i = 0; i < inputs; i++) for (let o = 0; o < units; o++) expected.push(l.weights[o][i]);
      if (l.bias) expected.push(...l.bias);
    });
    expect(Array.from(new Uint32Array(data.buffer))).toEqual(Array.from(new Uint32Array(Float32Array.from(expected).buffer)));
    const back = await fromTFJS(art);
    expect(back.spec.precision).toBe('f32');
    expect(paramBits(back)).toBe(paramBits(net));
  });
});
