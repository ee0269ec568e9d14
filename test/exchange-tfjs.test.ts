// TF.js Layers exchange, judged by @tensorflow/tfjs-layers itself (CPU backend): our export must
// load there and predict what we predict; a model built and saved by TF.js must load here and
// predict what TF.js predicts. TF.js computes in float32, so those comparisons use f32 tolerances.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Network, BackpropError, toTFJS, toTFJSFiles, fromTFJS, type LayerWeights } from '../src/index.js';
import { Rng } from '../src/rng.js';
import { randomRows, maxRelDiff } from './helpers/random.js';
import { ACTS, randomNet } from './helpers/exchange-net.js';
import { firstWithSuffix } from '../src/exchange/suffix-match.js';

type Tf = typeof import('@tensorflow/tfjs-core');
type Tfl = typeof import('@tensorflow/tfjs-layers');
let tf: Tf, tfl: Tfl;
beforeAll(async () => {
  tf = await import('@tensorflow/tfjs-core');
  tfl = await import('@tensorflow/tfjs-layers');
  await import('@tensorflow/tfjs-backend-cpu');
  tf.env().set('PROD', true); // silences the CPU backend's "install tfjs-node" banner
  await tf.setBackend('cpu');
});

// max |a−b| / max(1, |b|): f32 arithmetic and f32-rounded weights; measured ≤ 8e-7 on these nets.
const F32_TOL = 1e-5;

const roundedToF32 = (w: LayerWeights[]): LayerWeights[] =>
  w.map((l) => ({ weights: l.weights.map((r) => r.map(Math.fround)), ...(l.bias ? { bias: l.bias.map(Math.fround) } : {}) }));

function tfPredict(model: import('@tensorflow/tfjs-layers').LayersModel, x: number[][]): Float64Array {
  const t = tf.tensor2d(x);
  const y = model.predict(t) as import('@tensorflow/tfjs-core').Tensor;
  const out = Float64Array.from(y.dataSync());
  t.dispose();
  y.dispose();
  return out;
}

describe('toTFJS, loaded by tfjs-layers', () => {
  it.each(ACTS)('%s output: tf.loadLayersModel(fromMemory) predicts what predict() does (f32 tolerance)', async (out) => {
    for (const seed of [1, 2]) {
      const net = await randomNet(out, seed);
      const model = await tfl.loadLayersModel(tf.io.fromMemory(toTFJS(net)));
      expect(model.layers.map((l) => l.getClassName())).toEqual([
        'Dense',
        'Dense',
        'Dense',
        'Dense',
        'LeakyReLU',
        'Dense',
        'Dense',
        ...(out === 'leakyRelu' ? ['LeakyReLU'] : []),
      ]);
      // Kernel [in][out] in TF.js = our weights transposed, rounded to float32.
      const kernel = model.layers[0].getWeights()[0];
      expect(kernel.shape).toEqual([5, 7]);
      const k = kernel.arraySync() as number[][];
      expect(k[4][2]).toBe(Math.fround(net.getWeights()[0].weights[2][4]));
      const x = randomRows(new Rng(seed + 10), 9, 5, 3);
      const y = tfPredict(model, x);
      const f32net = await Network.create(
        { inputs: 5, layers: net.spec.layers.map(({ units, activation, bias }) => ({ units, activation, bias })), loss: net.spec.loss },
        { backend: 'js' },
      );
      f32net.setWeights(roundedToF32(net.getWeights()));
      expect(maxRelDiff(y, f32net.predict(Float64Array.from(x.flat()), 9))).toBeLessThan(F32_TOL);
      // Against the unrounded f64 network the weights' own rounding (~6e-8 relative) adds in.
      expect(maxRelDiff(y, net.predict(Float64Array.from(x.flat()), 9))).toBeLessThan(F32_TOL);
      model.dispose();
    }
  });

  it('model.json + weights file served over HTTP load with tf.loadLayersModel(url)', async () => {
    const net = await randomNet('softmax', 3);
    const files = toTFJSFiles(net);
    const server: Server = createServer((req, res) => {
      const name = req.url!.replace(/^\/(\.\/)?/, '') as keyof typeof files;
      if (!(name in files)) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': name.endsWith('.json') ? 'application/json' : 'application/octet-stream' }).end(files[name]);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/model.json`;
      const model = await tfl.loadLayersModel(url);
      const x = randomRows(new Rng(4), 6, 5, 3);
      expect(maxRelDiff(tfPredict(model, x), net.predict(Float64Array.from(x.flat()), 6))).toBeLessThan(F32_TOL);
      model.dispose();
    } finally {
      await new Promise((r) => server.close(r));
    }
    // The same pair reads back here.
    const back = await fromTFJS({ modelJson: files['model.json'], weightData: files['model.weights.bin'] }, { backend: 'js' });
    expect(back.getWeights()).toEqual(roundedToF32(net.getWeights()));
  });
});

describe('fromTFJS', () => {
  it.each(ACTS)('%s output: round trip keeps the spec and the f32-rounded weights exactly', async (out) => {
    const net = await randomNet(out, 5);
    const back = await fromTFJS(toTFJS(net), { backend: 'js' });
    expect(back.spec).toEqual(net.spec); // loss, optimizer, seed ride in userDefinedMetadata
    expect(back.getWeights()).toEqual(roundedToF32(net.getWeights()));
  });

  it('a Keras-style Sequential built and saved by TF.js loads and predicts as TF.js does', async () => {
    const model = tfl.sequential();
    model.add(tfl.layers.dense({ units: 6, inputShape: [4], activation: 'relu' }));
    model.add(tfl.layers.dense({ units: 5, activation: 'tanh', useBias: false }));
    model.add(tfl.layers.dense({ units: 5, biasInitializer: 'randomNormal' }));
    model.add(tfl.layers.leakyReLU({ alpha: 0.01 }));
    model.add(tfl.layers.dropout({ rate: 0.5 }));
    model.add(tfl.layers.dense({ units: 4, activation: 'sigmoid', biasInitializer: 'randomNormal' }));
    model.add(tfl.layers.dense({ units: 3 }));
    model.add(tfl.layers.activation({ activation: 'softmax' }));
    const rng = new Rng(12); // seeded weights instead of TF.js's unseeded initializers
    model.setWeights(model.getWeights().map((w) => tf.tensor(randomRows(rng, 1, w.size, 1.2)[0], w.shape)));
    let saved: unknown;
    await model.save(
      tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })),
    );
    const net = await fromTFJS(saved, { backend: 'js' });
    expect(net.spec.layers.map((l) => [l.inputs, l.units, l.activation, l.bias])).toEqual([
      [4, 6, 'relu', true],
      [6, 5, 'tanh', false],
      [5, 5, 'leakyRelu', true],
      [5, 4, 'sigmoid', true],
      [4, 3, 'softmax', true],
    ]);
    expect(net.spec.loss).toBe('crossEntropy'); // no backprop metadata: the softmax output implies it
    // Weights are TF.js's float32 values, widened exactly and transposed (model.layers[5] is the 4th Dense).
    const tfKernel = model.layers[5].getWeights()[0].arraySync() as number[][];
    const tfBias = Array.from(model.layers[5].getWeights()[1].dataSync());
    expect(net.getWeights()[3].weights).toEqual(tfKernel[0].map((_, o) => tfKernel.map((row) => row[o])));
    expect(net.getWeights()[3].bias).toEqual(tfBias);
    const x = randomRows(new Rng(8), 11, 4, 2);
    expect(maxRelDiff(net.predict(Float64Array.from(x.flat()), 11), tfPredict(model, x))).toBeLessThan(F32_TOL);
    model.dispose();
  });
});

describe('fromTFJS rejects what it cannot represent, naming the field', () => {
  async function rejects(p: Promise<unknown>, field: string, expected: RegExp) {
    const e = await p.then(
      () => undefined,
      (err) => err,
    );
    expect(e).toBeInstanceOf(BackpropError);
    expect(e.code).toBe('INVALID_MODEL');
    expect(e.field).toBe(field);
    expect(e.message).toMatch(expected);
  }
  let good: ReturnType<typeof toTFJS>;
  beforeAll(async () => {
    good = toTFJS(await randomNet('leakyRelu', 1));
  });
  const layers = () =>
    JSON.parse(
      JSON.stringify(
        (good.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers,
      ),
    );
  const withLayers = (l: unknown[]) => ({ ...good, modelTopology: { class_name: 'Sequential', config: { layers: l } } });

  it('topologies other than a Sequential of Dense layers', async () => {
    await rejects(
      fromTFJS({ ...good, modelTopology: { class_name: 'Model', config: {} } }),
      'modelTopology.class_name',
      /'Sequential', got "Model"/,
    );
    const conv = layers();
    conv.splice(1, 0, { class_name: 'Conv2D', config: {} });
    await rejects(
      fromTFJS(withLayers(conv)),
      'modelTopology.config.layers[1].class_name',
      /one of InputLayer, Dense, Activation, LeakyReLU, Dropout, got "Conv2D"/,
    );
    const mish = layers();
    mish[0].config.activation = 'mish';
    await rejects(
      fromTFJS(withLayers(mish)),
      'modelTopology.config.layers[0].config.activation',
      /one of linear, sigmoid, tanh, relu, .*softmax.* got "mish"/,
    );
    const alpha = layers();
    alpha[4].config.alpha = 0.3;
    await rejects(
      fromTFJS(withLayers(alpha)),
      'modelTopology.config.layers[4].config.alpha',
      /0.01 \(backprop's leakyRelu slope\), got 0.3/,
    );
    const stacked = layers();
    stacked.splice(1, 0, { class_name: 'Activation', config: { activation: 'relu' } });
    await rejects(
      fromTFJS(withLayers(stacked)),
      'modelTopology.config.layers[1].class_name',
      /only right after a Dense layer with activation 'linear'/,
    );
    const noShape = layers();
    delete noShape[0].config.batch_input_shape;
    await rejects(
      fromTFJS(withLayers(noShape)),
      'modelTopology.config.layers[0].config.batch_input_shape',
      /\[null, inputs\] on the first layer/,
    );
  });

  it('weights that do not match', async () => {
    await rejects(
      fromTFJS({ ...good, weightData: good.weightData.slice(0, 40) }),
      'weightData',
      /at least 140 bytes for dense_1\/kernel, got 40 bytes/,
    );
    const renamed = good.weightSpecs.map((s) => (s.name === 'dense_2/kernel' ? { ...s, name: 'other/kernel' } : s));
    await rejects(fromTFJS({ ...good, weightSpecs: renamed }), 'weightSpecs', /a weight named "dense_2\/kernel", got none/);
    const reshaped = good.weightSpecs.map((s) => (s.name === 'dense_1/kernel' ? { ...s, shape: [7, 5] } : s));
    await rejects(fromTFJS({ ...good, weightSpecs: reshaped }), 'weightSpecs (dense_1/kernel).shape', /\[5, 7\], got \[7, 5\]/);
    const int = good.weightSpecs.map((s, k) => (k === 0 ? { ...s, dtype: 'int32' } : s));
    await rejects(fromTFJS({ ...good, weightSpecs: int }), 'weightSpecs[0].dtype', /'float32', got "int32"/);
    const quantized = good.weightSpecs.map((s, k) => (k === 0 ? { ...s, quantization: { dtype: 'uint8', scale: 1, min: 0 } } : s));
    await rejects(fromTFJS({ ...good, weightSpecs: quantized }), 'weightSpecs[0].quantization', /unquantized/);
    const nan = new Float32Array(good.weightData.slice(0));
    nan[3] = NaN;
    await rejects(fromTFJS({ ...good, weightData: nan.buffer }), 'weightData (dense_1/kernel[3])', /finite number, got NaN/);
  });

  it('inputs that are not artifacts', async () => {
    await rejects(fromTFJS('model.json'), 'artifacts', /modelTopology, weightSpecs, weightData/);
    await rejects(fromTFJS({ modelJson: '{not json', weightData: new ArrayBuffer(0) }), 'artifacts.modelJson', /JSON text of a model.json/);
    await rejects(fromTFJS({ ...good, weightData: 'AAAA' }), 'artifacts.weightData', /ArrayBuffer, Uint8Array/);
    await rejects(
      fromTFJS(toTFJS(await randomNet('tanh', 1)), { loss: 'crossEntropy' }),
      'model.layers[5].activation',
      /'softmax' with loss 'crossEntropy'/,
    );
  });
});

describe('fromTFJS reads what it is handed once, as plain data', () => {
  async function rejects(p: Promise<unknown>, field: string, expected: RegExp) {
    const e = await p.then(
      () => undefined,
      (err) => err,
    );
    expect(e, String(e)).toBeInstanceOf(BackpropError);
    expect([e.code, e.field]).toEqual(['INVALID_MODEL', field]);
    expect(e.message).toMatch(expected);
  }
  let net: Network, good: ReturnType<typeof toTFJS>;
  beforeAll(async () => {
    net = await randomNet('sigmoid', 3);
    good = toTFJS(net);
  });
  const loadsLikeGood = async (artifacts: unknown) => {
    const back = await fromTFJS(artifacts, { backend: 'js' });
    expect(back.getWeights()).toEqual(roundedToF32(net.getWeights()));
  };

  it('weightSpecs without Array.prototype: an array is read as one, an array-like is refused', async () => {
    // A real array whose prototype is gone (no forEach): this threw "specs.forEach is not a function".
    await loadsLikeGood({ ...good, weightSpecs: Object.setPrototypeOf([...good.weightSpecs], null) });
    await loadsLikeGood({ ...good, weightSpecs: new Proxy([...good.weightSpecs], {}) });
    const arrayLike = Object.assign(Object.create(null), { ...good.weightSpecs, length: good.weightSpecs.length });
    await rejects(
      fromTFJS({ ...good, weightSpecs: arrayLike }),
      'artifacts.weightSpecs',
      /an array of \{ name, shape, dtype \}, got an object/,
    );
    const layers = (good.modelTopology as { config: { layers: unknown[] } }).config.layers;
    const bareLayers = {
      ...good,
      modelTopology: { class_name: 'Sequential', config: { layers: Object.setPrototypeOf([...layers], null) } },
    };
    await loadsLikeGood(bareLayers);
  });

  it('getters and Proxies that throw are INVALID_MODEL at their path; a value is read once', async () => {
    const throwing = new Proxy([...good.weightSpecs], {
      get: (t, k) =>
        k === '1'
          ? (() => {
              throw new Error('boom');
            })()
          : Reflect.get(t, k),
    });
    await rejects(fromTFJS({ ...good, weightSpecs: throwing }), 'artifacts.weightSpecs[1]', /plain data, got a getter or Proxy that threw/);
    const getter = good.weightSpecs.map((w, k) =>
      k === 2
        ? Object.defineProperty({ ...w }, 'shape', {
            enumerable: true,
            get: () => {
              throw new TypeError('no');
            },
          })
        : w,
    );
    await rejects(fromTFJS({ ...good, weightSpecs: getter }), 'artifacts.weightSpecs[2].shape', /plain data/);
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    await rejects(fromTFJS(proxy), 'artifacts', /plain data/);
    const options = await fromTFJS(good, proxy as never).catch((e) => e);
    expect([options.code, options.field]).toEqual(['INVALID_OPTION', 'options']);
    await rejects(fromTFJS({ ...good, weightData: new Proxy(good.weightData, {}) }), 'artifacts.weightData', /ArrayBuffer, Uint8Array/);
    // A name that reads well once and differently after: read once, it loads.
    let reads = 0;
    const fickle = good.weightSpecs.map((w, k) =>
      k === 0 ? Object.defineProperty({ ...w }, 'name', { enumerable: true, get: () => (reads++ === 0 ? w.name : 42) }) : w,
    );
    await loadsLikeGood({ ...good, weightSpecs: fickle });
    expect(reads).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('prototype-polluting keys stay keys and pollute nothing', async () => {
    const poisoned = JSON.parse(
      toTFJSFiles(net)['model.json'].replace(
        '"modelTopology":{',
        '"modelTopology":{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},',
      ),
    );
    await loadsLikeGood({ modelJson: poisoned, weightData: good.weightData });
    await loadsLikeGood({ modelJson: JSON.stringify(poisoned), weightData: good.weightData });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // 'constructor' is no activation (it used to be found on the lookup table's prototype).
    const layers = JSON.parse(
      JSON.stringify((good.modelTopology as { config: { layers: { config: Record<string, unknown> }[] } }).config.layers),
    );
    layers[0].config.activation = 'constructor';
    await rejects(
      fromTFJS({ ...good, modelTopology: { class_name: 'Sequential', config: { layers } } }),
      'modelTopology.config.layers[0].config.activation',
      /one of linear, sigmoid/,
    );
  });

  it('a model file does not choose the backend: backend or wasm in its spec is refused', async () => {
    for (const key of ['backend', 'wasm']) {
      const meta = { backprop: { spec: { ...(good.userDefinedMetadata.backprop.spec as object), [key]: 'js' } } };
      await rejects(
        fromTFJS({ ...good, userDefinedMetadata: meta }),
        `model.${key}`,
        new RegExp(`no ${key} in a model file \\(pass options.${key}`),
      );
    }
  });

  it('repeated weight names, and layers that would share one weight, are refused', async () => {
    const twice = [...good.weightSpecs, { ...good.weightSpecs[0] }];
    await rejects(
      fromTFJS({ ...good, weightSpecs: twice }),
      `weightSpecs[${good.weightSpecs.length}].name`,
      /a name no other weight has, got "dense_1\/kernel"/,
    );
    const layers = JSON.parse(
      JSON.stringify((good.modelTopology as { config: { layers: { config: Record<string, unknown> }[] } }).config.layers),
    );
    layers[1].config.name = 'dense_1';
    await rejects(
      fromTFJS({ ...good, modelTopology: { class_name: 'Sequential', config: { layers } } }),
      'modelTopology.config.layers[1].config.name',
      /a name no other Dense layer has/,
    );
  });

  it('layer and parameter limits are checked while the topology is read', async () => {
    const dense = (i: number, units: number, inputs?: number) => ({
      class_name: 'Dense',
      config: { units, use_bias: false, name: `d${i}`, ...(inputs ? { batch_input_shape: [null, inputs] } : {}) },
    });
    const deep = {
      modelTopology: {
        class_name: 'Sequential',
        config: { layers: Array.from({ length: 1100 }, (_, i) => dense(i, 1, i ? undefined : 1)) },
      },
      weightSpecs: [],
      weightData: new ArrayBuffer(0),
    };
    await rejects(fromTFJS(deep), 'modelTopology.config.layers[1024]', /at most 1024 Dense layers/);
    const wide = {
      modelTopology: { class_name: 'Sequential', config: { layers: [dense(0, 8192, 8192), dense(1, 8192)] } },
      weightSpecs: [],
      weightData: new ArrayBuffer(0),
    };
    await rejects(
      fromTFJS(wide),
      'modelTopology.config.layers[1].config.units',
      /at most 67108864 parameters in all, got 134217728 so far/,
    );
  });
});

describe('firstWithSuffix (the weight lookup by "/<layer>/<part>")', () => {
  it('finds, for each key, the first name ending in "/" + key, as a scan of every name would', () => {
    const rng = new Rng(31);
    const pick = (parts: string[], n: number) => Array.from({ length: n }, () => parts[rng.int(parts.length)]).join('/');
    for (let round = 0; round < 200; round++) {
      const alphabet = ['a', 'b', 'ab', '', 'kernel'];
      const names = Array.from({ length: 1 + rng.int(30) }, () => pick(alphabet, 1 + rng.int(6)));
      const keys = Array.from({ length: 1 + rng.int(10) }, () => pick(alphabet, 1 + rng.int(4)));
      const got = firstWithSuffix(names, keys);
      for (const key of keys) {
        const scan = names.findIndex((n) => n.endsWith(`/${key}`));
        expect(got.get(key), `${JSON.stringify(names)} / ${key}`).toBe(scan < 0 ? undefined : scan);
      }
    }
  });

  it('a many-layer artifact whose every weight is found by suffix loads; 8,000 layers are refused at the limit', async () => {
    const scoped = (n: number) => ({
      modelTopology: {
        class_name: 'Sequential',
        config: {
          layers: Array.from({ length: n }, (_, i) => ({
            class_name: 'Dense',
            config: { units: 1, name: `dense_${i}`, ...(i ? {} : { batch_input_shape: [null, 1] }) },
          })),
        },
      },
      weightSpecs: Array.from({ length: n }, (_, i) => [
        { name: `outer/dense_${i}/kernel`, shape: [1, 1], dtype: 'float32' },
        { name: `outer/dense_${i}/bias`, shape: [1], dtype: 'float32' },
      ]).flat(),
      weightData: Float32Array.from({ length: 2 * n }, (_, k) => k / 8).buffer,
    });
    const net = await fromTFJS(scoped(1024), { backend: 'js' });
    expect(net.getWeights()[1000]).toEqual({ weights: [[2000 / 8]], bias: [2001 / 8] });
    await expect(fromTFJS(scoped(8000))).rejects.toMatchObject({ code: 'INVALID_MODEL', field: 'modelTopology.config.layers[1024]' });
  });
});

afterAll(() => {
  tf?.disposeVariables();
});
