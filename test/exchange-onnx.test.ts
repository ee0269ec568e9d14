// ONNX export is judged by onnxruntime-node (an independent engine), not by our own reader:
// its outputs must equal predict() to 1e-12 relative. Import is checked by round trips and by
// graphs written the other common ways (MatMul+Add, float32, LeakyRelu), again against the runtime.
import { describe, it, expect, beforeAll } from 'vitest';
import { Network, BackpropError, toONNX, fromONNX } from '../src/index.js';
import { Writer } from '../src/exchange/protobuf.js';
import { Rng } from '../src/rng.js';
import { randomRows, maxRelDiff } from './helpers/random.js';
import { ACTS, randomNet } from './helpers/exchange-net.js';
import { ACTIVATION_KINDS, type Activation, type OnnxNode } from '../src/kinds/activations.js';
import { activate } from '../src/backends/js/activations.js';

type Ort = typeof import('onnxruntime-node');
let ort: Ort;
beforeAll(async () => {
  ort = await import('onnxruntime-node'); // a native binding: if it fails to load, every test here says why
});

const TOL = 1e-12; // max |a−b| / max(1, |b|); measured ≤ 4e-15 (the runtime sums in another order)

async function runOrt(model: Uint8Array, x: Float64Array, rows: number, cols: number, type: 'float64' | 'float32' = 'float64') {
  // 'basic': ORT's extended fusions would turn swish's x·Sigmoid(x) into QuickGelu, which has only a float kernel.
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'basic' });
  const input = type === 'float64' ? x : Float32Array.from(x);
  const result = await session.run({ [session.inputNames[0]]: new ort.Tensor(type, input, [rows, cols]) });
  return { session, y: Float64Array.from(result[session.outputNames[0]].data as Float64Array) };
}

/** Ops onnxruntime-node's CPU provider runs only in float: networks using them are checked by their form in float32 (below). */
const NO_DOUBLE_KERNEL = new Set(['Elu', 'Softplus', 'Erf']);
const runsInDouble = (a: Activation) => ACTIVATION_KINDS[a].onnx.every((n: OnnxNode) => !NO_DOUBLE_KERNEL.has(n.op));

describe('toONNX, run by onnxruntime-node', () => {
  it.each(ACTS)('%s output: runtime outputs = predict() within 1e-12, for 1 and 9 rows, both backends', async (out) => {
    if (!runsInDouble(out)) {
      // The limitation is the runtime's, and this says so: when it gains the kernel, this fails and the full check applies.
      await expect(runOrt(toONNX(await randomNet(out, 1)), new Float64Array(5), 1, 5)).rejects.toThrow(/Could not find an implementation/);
      return;
    }
    for (const [seed, backend] of [
      [1, 'js'],
      [2, 'auto'],
    ] as const) {
      const net = await randomNet(out, seed, backend);
      const model = toONNX(net);
      for (const rows of [1, 9]) {
        const x = Float64Array.from(randomRows(new Rng(seed + rows), rows, 5, 3).flat());
        const { session, y } = await runOrt(model, x, rows, 5);
        expect(session.inputNames).toEqual(['input']);
        expect(session.outputNames).toEqual(['output']);
        const p = net.predict(x, rows);
        expect(y.length).toBe(rows * 4);
        expect(maxRelDiff(y, p)).toBeLessThanOrEqual(TOL);
        // The check can fail: a shift of 1e-9 is seen.
        expect(
          maxRelDiff(
            y.map((v) => v + 1e-9),
            p,
          ),
        ).toBeGreaterThan(TOL);
      }
    }
  });

  it('leakyRelu keeps its exact f64 slope (PRelu with a double slope, not LeakyRelu’s float alpha)', async () => {
    const net = await Network.create({ inputs: 1, layers: [{ units: 1, activation: 'leakyRelu' }], seed: 1 }, { backend: 'js' });
    net.setWeights([{ weights: [[1]], bias: [0] }]);
    const { y } = await runOrt(toONNX(net), Float64Array.of(-3, 2), 2, 1);
    expect(Array.from(y)).toEqual([-3 * 0.01, 2]); // float alpha would give -0.029999999329447746
  });
});

/** A float32 model of one activation's ONNX form alone: input [N, 3] → the form's nodes → output. */
function formModel(a: Activation): Uint8Array {
  const info = (name: string) => {
    const shape = new Writer().message(1, new Writer().string(2, 'N')).message(1, new Writer().int(1, 3));
    return new Writer().string(1, name).message(2, new Writer().message(1, new Writer().int(1, 1).message(2, shape)));
  };
  const form: readonly OnnxNode[] = ACTIVATION_KINDS[a].onnx;
  const graph = new Writer();
  const name = (k: number) => (k === form.length - 1 ? 'output' : `t${k}`);
  form.forEach((step, k) => {
    const n = new Writer();
    step.inputs.forEach((v, j) => {
      if (typeof v === 'number') {
        const raw = new Uint8Array(Float32Array.of(v).buffer);
        graph.message(5, new Writer().int(2, 1).string(8, `c${k}.${j}`).bytes(9, raw));
      }
      n.string(1, v === 'x' ? 'input' : typeof v === 'number' ? `c${k}.${j}` : name(Number(v.slice(1))));
    });
    n.string(2, name(k)).string(3, `n${k}`).string(4, step.op);
    for (const [attr, v] of Object.entries(step.ints ?? {})) n.message(5, new Writer().string(1, attr).int(3, v).int(20, 2));
    graph.message(1, n);
  });
  if (form.length === 0) graph.message(1, new Writer().string(1, 'input').string(2, 'output').string(3, 'id').string(4, 'Identity'));
  graph.string(2, 'form').message(11, info('input')).message(12, info('output'));
  return new Writer().int(1, 8).message(7, graph).message(8, new Writer().string(1, '').int(2, 17)).finish();
}

describe('each activation’s ONNX form, run by onnxruntime-node in float32', () => {
  it.each(ACTS)(
    '%s: the form = the kernel’s f(x) within float32 rounding (3e-6 relative + 2e-7·max(1, |x|): the runtime’s float sigmoid is good to ~1e-8 absolute)',
    async (a) => {
      const x = Float64Array.from({ length: 3 * 40 }, (_, i) => Math.fround(-9 + (18 * i) / 119));
      const { y } = await runOrt(formModel(a), x, 40, 3, 'float32');
      const expected = new Float64Array(x.length);
      expected.set(x);
      activate(expected, ACTIVATION_KINDS[a].code, 40, 3, 0, 0);
      for (let i = 0; i < x.length; i++)
        expect(Math.abs(y[i] - expected[i]), `x = ${x[i]}`).toBeLessThanOrEqual(
          3e-6 * Math.abs(expected[i]) + 2e-7 * Math.max(1, Math.abs(x[i])),
        );
      // The check can fail: the kernel's f at a shifted point is seen.
      expect(Math.max(...Array.from(y, (v, i) => Math.abs(v - expected[(i + 1) % x.length])))).toBeGreaterThan(1e-3);
    },
  );
});

describe('fromONNX', () => {
  it.each(ACTS)('%s output: round trip keeps spec and weights bit for bit', async (out) => {
    const net = await randomNet(out, 3);
    const back = await fromONNX(toONNX(net), { backend: 'js' });
    expect(back.spec).toEqual(net.spec); // loss, optimizer and seed ride in metadata_props
    expect(back.getWeights()).toEqual(net.getWeights());
    const x = Float64Array.from(randomRows(new Rng(9), 4, 5, 3).flat());
    expect(back.predict(x, 4)).toEqual(net.predict(x, 4));
  });

  it('options override the metadata; without metadata the loss follows the output', async () => {
    const net = await randomNet('softmax', 3);
    const back = await fromONNX(toONNX(net), { backend: 'js', loss: 'mse', seed: 77 });
    expect([back.spec.loss, back.spec.seed]).toEqual(['mse', 77]);
    const plain = await fromONNX(foreignModel({}), { backend: 'js' });
    expect(plain.spec.loss).toBe('crossEntropy');
    const meta = await fromONNX(foreignModel({ withMeta: true }), { backend: 'js' });
    expect([meta.spec.loss, meta.spec.seed]).toEqual(['mse', 5]);
  });

  it('reads MatMul+Add / Relu / Identity graphs in double; predict() = onnxruntime within 1e-12', async () => {
    const model = foreignModel({});
    const net = await fromONNX(model, { backend: 'js' });
    expect(net.spec.layers.map((l) => [l.inputs, l.units, l.activation, l.bias])).toEqual([
      [3, 4, 'relu', true],
      [4, 2, 'softmax', false],
    ]);
    expect(net.getWeights()[0].weights[1]).toEqual([-0.5, 0.2, 0.6]); // column 1 of the [in][out] MatMul weight
    const x = Float64Array.from(randomRows(new Rng(3), 6, 3, 4).flat());
    const { y } = await runOrt(model, x, 6, 3);
    expect(maxRelDiff(net.predict(x, 6), y)).toBeLessThanOrEqual(TOL);
  });

  it('reads float32 graphs with LeakyRelu (as PyTorch exports them) into f64', async () => {
    // onnxruntime has no double LeakyRelu, hence float here (and PRelu in our own export).
    const model = foreignModel({ float: true, leaky: true });
    const net = await fromONNX(model, { backend: 'js' });
    expect(net.spec.layers[0].activation).toBe('leakyRelu');
    expect(net.getWeights()[0].weights[0][0]).toBe(Math.fround(0.3)); // widened exactly, not re-rounded
    const x = Float64Array.from(randomRows(new Rng(4), 5, 3, 4).flat().map(Math.fround));
    const { y } = await runOrt(model, x, 5, 3, 'float32');
    // float32 arithmetic (and alpha 0.01 as float32) in the runtime: ~1e-7 relative expected.
    expect(maxRelDiff(net.predict(x, 5), y)).toBeLessThan(1e-6);
  });
});

// ---- hand-written graphs in the layouts other exporters use ---------------------------------

const tensor = (name: string, dims: number[], v: number[], float = false) => {
  const t = new Writer()
    .packedInts(1, dims)
    .int(2, float ? 1 : 11)
    .string(8, name);
  if (float) return t.bytes(9, new Uint8Array(Float32Array.from(v).buffer));
  const raw = new Uint8Array(v.length * 8);
  v.forEach((x, i) => new DataView(raw.buffer).setFloat64(i * 8, x, true));
  return t.bytes(9, raw);
};
const valueInfo = (name: string, width: number, float = false) =>
  new Writer()
    .string(1, name)
    .message(
      2,
      new Writer().message(
        1,
        new Writer()
          .int(1, float ? 1 : 11)
          .message(2, new Writer().message(1, new Writer().string(2, 'batch')).message(1, new Writer().int(1, width))),
      ),
    );
const node = (op: string, inputs: string[], output: string, attrs: Writer[] = []) => {
  const n = new Writer();
  inputs.forEach((i) => n.string(1, i));
  n.string(2, output).string(3, `${op}_${output}`).string(4, op);
  attrs.forEach((a) => n.message(5, a));
  return n;
};

/** 3 → 4 (MatMul [in,out] + Add, LeakyRelu or Relu) → Identity → 2 (MatMul, Softmax), as other tools write it. */
function foreignModel(o: { float?: boolean; leaky?: boolean; withMeta?: boolean; mutate?: (g: Writer) => void }): Uint8Array {
  const f = o.float ?? false;
  const g = new Writer();
  const w1 = [0.3, -0.5, 0.8, 1.1, -0.7, 0.2, 0.9, -1.3, 0.4, 0.6, -0.1, 0.5]; // [3][4]
  g.message(5, tensor('w1', [3, 4], w1, f)).message(5, tensor('b1', [4], [0.1, -0.2, 0.3, -0.4], f));
  g.message(5, tensor('w2', [4, 2], [1, -1, 0.5, 0.25, -0.75, 2, 0.3, -0.6], f));
  g.message(1, node('MatMul', ['x', 'w1'], 'h'));
  g.message(1, node('Add', ['b1', 'h'], 'hb')); // bias first: Add is commutative
  if (o.leaky) g.message(1, node('LeakyRelu', ['hb'], 'a', [new Writer().string(1, 'alpha').float(2, 0.01).int(20, 1)]));
  else g.message(1, node('Relu', ['hb'], 'a'));
  g.message(1, node('Identity', ['a'], 'a2'));
  g.message(1, node('MatMul', ['a2', 'w2'], 'z'));
  g.message(1, node('Softmax', ['z'], 'probs', [new Writer().string(1, 'axis').int(3, 1).int(20, 2)]));
  o.mutate?.(g);
  g.string(2, 'foreign')
    .message(11, valueInfo('x', 3, f))
    .message(12, valueInfo('probs', 2, f));
  const m = new Writer().int(1, 7).string(2, 'hand').message(7, g).message(8, new Writer().string(1, '').int(2, 13));
  if (o.withMeta) m.message(14, new Writer().string(1, 'backprop').string(2, '{"spec":{"layers":[{},{}],"loss":"mse","seed":5}}'));
  return m.finish();
}

describe('fromONNX rejects what it cannot represent, naming the field', () => {
  async function rejects(p: Promise<unknown>, field: string | RegExp, expected: RegExp) {
    const e = await p.then(
      () => undefined,
      (err) => err,
    );
    expect(e).toBeInstanceOf(BackpropError);
    expect(e.code).toBe(field === 'options.bogus' ? 'INVALID_OPTION' : 'INVALID_MODEL');
    if (typeof field === 'string') expect(e.field).toBe(field);
    else expect(e.field).toMatch(field);
    expect(e.message).toMatch(expected);
  }

  it('bytes that are not a model', async () => {
    const good = foreignModel({});
    await rejects(fromONNX(good.subarray(0, good.length - 7)), /^model/, /protobuf|expected/);
    await rejects(fromONNX(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])), 'model', /protobuf message.*past the end/);
    await rejects(fromONNX(new Uint8Array(0)), 'model.graph', /a graph/);
    await rejects(fromONNX('model.onnx' as never), 'model', /bytes of an ONNX model/);
    await rejects(fromONNX(good, { bogus: 1 } as never), 'options.bogus', /one of the options/);
    // A Proxy passes `instanceof Uint8Array` but is no byte array: it would answer every read.
    await rejects(fromONNX(new Proxy(good, {})), 'model', /bytes of an ONNX model/);
    const { proxy, revoke } = Proxy.revocable(new ArrayBuffer(8), {});
    revoke();
    await rejects(fromONNX(proxy), 'model', /bytes of an ONNX model/);
    expect(await fromONNX(Buffer.from(good), { backend: 'js' })).toBeInstanceOf(Network); // a Node Buffer is a Uint8Array
  });

  it('unsupported ops, branches and tensors', async () => {
    const conv = foreignModel({ mutate: (g) => g.message(1, node('Conv', ['probs'], 'c')) });
    await rejects(fromONNX(conv), 'graph.node[6]', /one of Gemm, MatMul.*got op_type "Conv" \(node "Conv_c"\)/);
    const branch = foreignModel({ mutate: (g) => g.message(1, node('Relu', ['a'], 'r')) });
    await rejects(fromONNX(branch), 'graph.node[6].input[0]', /"probs" \(nodes must form one chain/);
    const doubleAct = foreignModel({ mutate: (g) => g.message(1, node('Tanh', ['probs'], 't')) });
    await rejects(fromONNX(doubleAct), 'graph.node[6]', /activation only right after/);
    const int64 = foreignModel({
      mutate: (g) => g.message(5, new Writer().packedInts(1, [1]).int(2, 7).string(8, 'k').bytes(9, new Uint8Array(8))),
    });
    await rejects(fromONNX(int64), 'graph.initializer[3].data_type', /11 \(DOUBLE\) or 1 \(FLOAT\), got 7/);
    const short = foreignModel({ mutate: (g) => g.message(5, tensor('k', [2, 2], [1, 2, 3])) });
    await rejects(fromONNX(short), 'graph.initializer[3]', /4 values for dims \[2, 2\], got 3/);
    const nan = foreignModel({ mutate: (g) => g.message(5, tensor('k', [2], [1, NaN])) });
    await rejects(fromONNX(nan), 'graph.initializer[3][1]', /finite number, got NaN/);
    const external = foreignModel({ mutate: (g) => g.message(5, new Writer().packedInts(1, [1]).int(2, 11).string(8, 'k').int(14, 1)) });
    await rejects(fromONNX(external), 'graph.initializer[3].data_location', /external data is not supported/);
    const alpha = foreignModel({
      mutate: (g) => g.message(1, node('Gemm', ['probs', 'w2'], 'q', [new Writer().string(1, 'transA').int(3, 1).int(20, 2)])),
    });
    await rejects(fromONNX(alpha), 'graph.node[6].attribute.transA', /expected 0, got 1/);
    const dangling = foreignModel({ mutate: (g) => g.message(1, node('Identity', ['probs'], 'other')) });
    await rejects(fromONNX(dangling), 'graph.output[0].name', /"other", the end of the node chain, got "probs"/);
  });

  it('random byte corruption gives a BackpropError or a valid network, never another exception', async () => {
    const good = toONNX(await randomNet('leakyRelu', 1));
    const rng = new Rng(17);
    let rejected = 0;
    for (let k = 0; k < 400; k++) {
      const b = good.slice();
      for (let j = 1 + rng.int(3); j > 0; j--) b[rng.int(b.length)] = rng.int(256);
      const e = await fromONNX(b, { backend: 'js' }).then(
        () => undefined,
        (err) => err,
      );
      if (e !== undefined) expect(e).toBeInstanceOf(BackpropError);
      if (e !== undefined) rejected++;
    }
    expect(rejected).toBeGreaterThan(100); // most corruptions are caught (flips inside weight bytes need not be)
  });

  it('a weight matrix two layers name is refused (it would be copied per layer); a shared bias loads', async () => {
    const model = (shareWeight: boolean) => {
      const g = new Writer();
      g.message(5, tensor('w', [2, 2], [1, 2, 3, 4]))
        .message(5, tensor('w2', [2, 2], [5, 6, 7, 8]))
        .message(5, tensor('b', [2], [0.5, -0.5]));
      const transB = new Writer().string(1, 'transB').int(3, 1).int(20, 2);
      g.message(1, node('Gemm', ['x', 'w', 'b'], 'h', [transB])).message(
        1,
        node('Gemm', ['h', shareWeight ? 'w' : 'w2', 'b'], 'y', [transB]),
      );
      g.message(11, valueInfo('x', 2)).message(12, valueInfo('y', 2));
      return new Writer().int(1, 8).message(7, g).message(8, new Writer().string(1, '').int(2, 17)).finish();
    };
    await rejects(
      fromONNX(model(true)),
      'graph.node[1].input[1]',
      /a weight matrix no other layer uses \(shared weights are not supported\), got "w"/,
    );
    const net = await fromONNX(model(false), { backend: 'js' });
    expect(net.getWeights()).toEqual([
      {
        weights: [
          [1, 2],
          [3, 4],
        ],
        bias: [0.5, -0.5],
      },
      {
        weights: [
          [5, 6],
          [7, 8],
        ],
        bias: [0.5, -0.5],
      },
    ]);
  });

  it('layers are counted while the graph is read: the 1,025th Gemm is refused at its node', async () => {
    const g = new Writer();
    let cur = 'x';
    for (let i = 0; i < 1030; i++) {
      g.message(5, tensor(`w${i}`, [1, 1], [1])).message(1, node('MatMul', [cur, `w${i}`], `h${i}`));
      cur = `h${i}`;
    }
    g.message(11, valueInfo('x', 1)).message(12, valueInfo(cur, 1));
    const model = new Writer().int(1, 8).message(7, g).message(8, new Writer().string(1, '').int(2, 17)).finish();
    await rejects(fromONNX(model), 'graph.node[1024]', /at most 1024 layers, got layer 1025/);
  });

  it('more nodes than any dense model needs are refused before they are parsed', async () => {
    const flood = foreignModel({
      mutate: (g) => {
        for (let i = 0; i < 8200; i++) g.message(1, new Writer());
      },
    });
    await rejects(fromONNX(flood), 'model.graph.node', /at most 8192 entries/);
  });

  it('an op named after an Object.prototype key is no activation', async () => {
    const model = foreignModel({ mutate: (g) => g.message(1, node('constructor', ['probs'], 'c')) });
    await rejects(fromONNX(model), 'graph.node[6]', /one of Gemm, MatMul.*got op_type "constructor"/);
  });

  it('a model file does not choose the backend: backend or wasm in its metadata spec is refused', async () => {
    for (const key of ['backend', 'wasm']) {
      const model = foreignModel({ mutate: () => {} });
      const meta = new Writer().string(1, 'backprop').string(2, JSON.stringify({ spec: { layers: [{}, {}], loss: 'mse', [key]: 'js' } }));
      const withMeta = new Uint8Array([...model, ...new Writer().message(14, meta).finish()]);
      await rejects(fromONNX(withMeta), `model.${key}`, new RegExp(`no ${key} in a model file`));
    }
  });

  it('a loss the imported layers cannot take', async () => {
    await rejects(
      fromONNX(toONNX(await randomNet('tanh', 1)), { loss: 'crossEntropy' }),
      'model.layers[5].activation',
      /'softmax' with loss 'crossEntropy'/,
    );
  });
});
