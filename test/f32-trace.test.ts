// trace() of an f32 network: every z, a, δ and ∂L/∂W computed in f32 by the network's own f32
// kernels — against a Math.fround hand derivation of the seed example (bit for bit), against
// gradients(), loss() and predict() of the same network (bit for bit), and against the f64 trace of
// the same weights (within f32's precision).
import { describe, it, expect } from 'vitest';
import { Network, type NetworkSpec } from '../src/index.js';
import { enableF32 } from '../src/f32.js';
import { sigmoid as sigmoid64 } from '../src/backends/js/activations.js';

enableF32();

const f32 = Math.fround;
const bits = (v: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(v).buffer));

describe.each(['wasm', 'js'] as const)('f32 trace on %s', (backend) => {
  it('the seed example: every value of the f32 hand derivation, bit for bit, and gradients() bit for bit', async () => {
    const net = await Network.create({
      inputs: 2,
      precision: 'f32',
      layers: [
        { units: 2, activation: 'sigmoid', bias: false },
        { units: 1, activation: 'sigmoid', bias: false },
      ],
      loss: 'halfSquaredError',
      optimizer: { type: 'sgd', learningRate: 1 },
      backend,
    });
    const W0 = [
        [0.1, 0.8],
        [0.4, 0.6],
      ],
      W1 = [0.3, 0.9];
    net.setWeights([{ weights: W0 }, { weights: [W1] }]);
    const X = [0.35, 0.9],
      Y = 0.5;
    // By hand, every operation rounded to f32 (ARCHITECTURE.md, Precision); σ in f64 from the f32 z, rounded once.
    const x = X.map(f32),
      w0 = W0.map((r) => r.map(f32)),
      w1 = W1.map(f32);
    const sig = (z: number) => f32(sigmoid64(z));
    const z1 = w0.map((r) => f32(f32(r[0] * x[0]) + f32(r[1] * x[1])));
    const a1 = z1.map(sig);
    const z2 = f32(f32(w1[0] * a1[0]) + f32(w1[1] * a1[1]));
    const o = sig(z2);
    const d = f32(Y - o);
    const loss = 0.5 * f32(d * d); // the loss is summed in f64
    const d2 = f32(f32(o - Y) * f32(o * f32(1 - o)));
    const d1 = a1.map((a, j) => f32(f32(d2 * w1[j]) * f32(a * f32(1 - a))));

    const t = net.trace(X, [Y]);
    expect(t.inputs).toBeInstanceOf(Float32Array);
    expect(bits(t.inputs)).toEqual(bits(x));
    for (const l of t.layers) for (const v of [l.z, l.a, l.delta]) expect(v).toBeInstanceOf(Float32Array);
    expect(bits(t.layers[0].z)).toEqual(bits(z1));
    expect(bits(t.layers[0].a)).toEqual(bits(a1));
    expect(bits(t.layers[1].z)).toEqual(bits([z2]));
    expect(bits(t.layers[1].a)).toEqual(bits([o]));
    expect(t.loss).toBe(loss);
    expect(bits(t.layers[1].delta!)).toEqual(bits([d2]));
    expect(bits(t.layers[0].delta!)).toEqual(bits(d1));
    expect(bits(t.layers[1].weightGradients!.flat())).toEqual(bits(a1.map((a) => f32(d2 * a))));
    expect(bits(t.layers[0].weightGradients!.flat())).toEqual(bits(d1.flatMap((dj) => x.map((xi) => f32(dj * xi)))));
    expect(t.layers.map((l) => ({ weights: l.weightGradients }))).toEqual(net.gradients(X, [Y]));
    expect(t.layers[0].biasGradients).toBeUndefined();
  });

  it('a batch with biases, L2, softmax: gradients(), loss() and predict() bit for bit; the f64 trace of the same weights within f32 precision', async () => {
    const spec: NetworkSpec = {
      inputs: 3,
      l2: 0.01,
      seed: 5,
      backend,
      precision: 'f32',
      loss: 'crossEntropy',
      layers: [
        { units: 4, activation: 'tanh' },
        { units: 5, activation: 'gelu' },
        { units: 3, activation: 'softmax' },
      ],
    };
    const net = await Network.create(spec);
    const wide = await Network.create({ ...spec, precision: 'f64' });
    wide.setWeights(net.getWeights()); // f32 values, exact in f64
    const x = [
      [0.2, -0.5, 0.9],
      [1.1, 0.3, -0.7],
      [-0.4, 0.8, 0.1],
    ];
    const y = [
      [1, 0, 0],
      [0, 0, 1],
      [0, 1, 0],
    ];
    const t = net.trace(x, y);
    const g = net.gradients(x, y);
    expect(t.loss).toBe(net.loss(x, y));
    t.layers.forEach((l, i) => {
      expect(bits(l.weightGradients!.flat())).toEqual(bits(g[i].weights.flat()));
      expect(bits(l.biasGradients!)).toEqual(bits(g[i].bias!));
    });
    expect(bits(t.layers[2].a)).toEqual(bits(net.predict(x).flatMap((r) => Array.from(r))));
    // Layer 0's z by hand: an ordered f32 sum over the inputs, then the bias.
    const w = net.getWeights()[0];
    const z0 = x.flatMap((r) => w.weights.map((wo, o) => f32(wo.reduce((s, v, i) => f32(s + f32(f32(r[i]) * v)), 0) + w.bias![o])));
    expect(bits(t.layers[0].z)).toEqual(bits(z0));
    // The f64 trace of the same weights: every value within f32's precision.
    const ref = wide.trace(x, y);
    expect(Math.abs(t.loss! - ref.loss!)).toBeLessThan(1e-6);
    t.layers.forEach((l, i) => {
      const r = ref.layers[i];
      const close = (a: ArrayLike<number>, b: ArrayLike<number>, scale = 1) =>
        Array.from(a).forEach((v, j) => expect(Math.abs(v - b[j])).toBeLessThan(1e-6 * scale));
      close(l.z, r.z, 4);
      close(l.a, r.a, 4);
      close(l.delta!, r.delta!);
      close(l.weightGradients!.flat(), r.weightGradients!.flat());
      close(l.biasGradients!, r.biasGradients!);
    });
  });

  it('without targets: z and a only, a = predict() bit for bit, for one sample and flat Float32Array rows', async () => {
    const net = await Network.create({
      inputs: 2,
      precision: 'f32',
      backend,
      seed: 2,
      layers: [{ units: 3, activation: 'relu' }, { units: 2 }],
    });
    const rows = new Float32Array([0.5, -1, 2, 0.25]);
    const t = net.trace(rows);
    expect(t.rows).toBe(2);
    expect(t.loss).toBeUndefined();
    expect(t.layers[0].delta).toBeUndefined();
    expect(bits(t.layers[1].a)).toEqual(bits(net.predict(rows, 2)));
    expect(bits(net.trace([0.5, -1]).layers[1].a)).toEqual(bits(net.predict([0.5, -1])));
  });
});
