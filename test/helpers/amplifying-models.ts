// Hostile model files that try to make an import do more work, or take more memory, than their
// size: shared tensors, repeated names, huge dims over tiny data, deep chains, floods of tiny
// fields. Each is under 11 MiB; `expect` says what the import must do with it. Run as a script
// (`node --import tsx test/helpers/amplifying-models.ts`) it imports every case in this one
// process and prints one JSON line per case: outcome, milliseconds, and peak RSS growth.
import { Writer } from '../../src/exchange/protobuf.js';

const FLOAT = 1;
const MiB = 2 ** 20;

export interface Case {
  name: string;
  kind: 'onnx' | 'tfjs';
  /** 'loaded', or the error field the refusal must name (a prefix). */
  expect: string;
  make: () => unknown;
}

// ---- ONNX ----------------------------------------------------------------------------------

const tensor = (name: string, dims: number[], raw: Uint8Array, type = FLOAT) =>
  new Writer().packedInts(1, dims).int(2, type).string(8, name).bytes(9, raw);
const valueInfo = (name: string) => new Writer().string(1, name).message(2, new Writer().message(1, new Writer().int(1, FLOAT)));
const gemm = (input: string, weight: string, output: string) =>
  new Writer()
    .string(1, input)
    .string(1, weight)
    .string(2, output)
    .string(4, 'Gemm')
    .message(5, new Writer().string(1, 'transB').int(3, 1).int(20, 2));

/** `pattern` (the bytes of one or more whole fields) `count` times, built in one allocation. */
function repeated(pattern: number[], count: number): Uint8Array {
  const out = new Uint8Array(pattern.length * count);
  for (let i = 0; i < out.length; i++) out[i] = pattern[i % pattern.length];
  return out;
}
const concat = (a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

/**
 * A model around a graph: `build(g)` adds nodes from "x" and returns the last output; `junk`
 * (whole fields) is appended to the graph's bytes, since a message is just its fields in a row.
 */
function onnx(build: (g: Writer) => string, extra?: (m: Writer) => void, junk: Uint8Array = new Uint8Array(0)): Uint8Array {
  const g = new Writer();
  const out = build(g);
  g.message(11, valueInfo('x')).message(12, valueInfo(out));
  const m = new Writer().int(1, 8).bytes(7, concat(g.finish(), junk)).message(8, new Writer().string(1, '').int(2, 17));
  extra?.(m);
  return m.finish();
}

/** `layers` Gemm layers of width × width, each over its own initializer (or all over one). */
function gemmChain(layers: number, width: number, shared: boolean): Uint8Array {
  return onnx((g) => {
    const raw = new Uint8Array(width * width * 4);
    if (shared) g.message(5, tensor('W', [width, width], raw));
    let cur = 'x';
    for (let i = 0; i < layers; i++) {
      if (!shared) g.message(5, tensor(`W${i}`, [width, width], raw));
      g.message(1, gemm(cur, shared ? 'W' : `W${i}`, `h${i}`));
      cur = `h${i}`;
    }
    return cur;
  });
}

/** One Gemm layer, then `n` Identity nodes. */
const identityChain = (n: number) =>
  onnx((g) => {
    g.message(5, tensor('W', [2, 2], new Uint8Array(16)));
    g.message(1, gemm('x', 'W', 'h'));
    let cur = 'h';
    for (let i = 0; i < n; i++) {
      g.message(1, new Writer().string(1, cur).string(2, `i${i}`).string(4, 'Identity'));
      cur = `i${i}`;
    }
    return cur;
  });

/** A valid one-layer model whose graph also carries `bytes` of unknown varint fields, 3 bytes each. */
const floodedGraph = (bytes: number) =>
  onnx(
    (g) => (g.message(5, tensor('W', [2, 2], new Uint8Array(16))), g.message(1, gemm('x', 'W', 'y')), 'y'),
    undefined,
    repeated([0xc0, 0x3e, 1], Math.floor(bytes / 3)), // field 1000, wire 0 (tag 8000 = 0xc0 0x3e), value 1
  );

/** An initializer whose 2,000 × 1,000 floats come as 2,000,000 unpacked float_data fields (5 bytes each). */
const unpackedFloats = () =>
  onnx((g) => {
    const header = new Writer().packedInts(1, [2000, 1000]).int(2, FLOAT).string(8, 'W').finish();
    g.bytes(5, concat(header, repeated([0x25, 0, 0, 0, 0x3f], 2_000_000))); // field 4, wire 5: 0.5
    g.message(1, gemm('x', 'W', 'y'));
    return 'y';
  });

const ONNX: Case[] = [
  {
    name: 'onnx: 2,000 Gemm nodes sharing one 512×512 initializer (1 MiB)',
    kind: 'onnx',
    expect: 'graph.node[1].input[1]',
    make: () => gemmChain(2000, 512, true),
  },
  { name: 'onnx: 1,100 Gemm layers of 1×1 (deep chain)', kind: 'onnx', expect: 'graph.node[1024]', make: () => gemmChain(1100, 1, false) },
  {
    name: 'onnx: dims [2^26, 2^26] over 4 bytes',
    kind: 'onnx',
    expect: 'graph.initializer[0]',
    make: () => onnx((g) => (g.message(5, tensor('W', [2 ** 26, 2 ** 26], new Uint8Array(4))), g.message(1, gemm('x', 'W', 'y')), 'y')),
  },
  {
    name: 'onnx: dims of rank 100,000',
    kind: 'onnx',
    expect: 'graph.initializer[0].dims',
    make: () => onnx((g) => (g.message(5, tensor('W', Array(100_000).fill(1), new Uint8Array(4))), g.message(1, gemm('x', 'W', 'y')), 'y')),
  },
  {
    name: 'onnx: 2,000,000 unpacked float_data fields (9.5 MiB)',
    kind: 'onnx',
    expect: 'graph.initializer[0].float_data',
    make: unpackedFloats,
  },
  {
    name: 'onnx: a Gemm node with 63 tensor attributes of 32,000 unpacked floats each (10 MiB)',
    kind: 'onnx',
    expect: 'loaded',
    make: () =>
      onnx((g) => {
        const floats = concat(new Writer().packedInts(1, [32_000]).int(2, FLOAT).finish(), repeated([0x25, 0, 0, 0, 0x3f], 32_000));
        const n = gemm('x', 'W', 'y');
        for (let k = 0; k < 63; k++) n.message(5, new Writer().string(1, `junk${k}`).bytes(5, floats));
        g.message(5, tensor('W', [2, 2], new Uint8Array(16))).message(1, n);
        return 'y';
      }),
  },
  { name: 'onnx: 8,000 Identity nodes after a layer', kind: 'onnx', expect: 'loaded', make: () => identityChain(8000) },
  { name: 'onnx: 9,000 Identity nodes after a layer', kind: 'onnx', expect: 'model.graph.node', make: () => identityChain(9000) },
  { name: 'onnx: 10 MiB of unknown one-byte fields in the graph', kind: 'onnx', expect: 'loaded', make: () => floodedGraph(10 * MiB) },
  {
    name: 'onnx: 10 MiB metadata JSON',
    kind: 'onnx',
    expect: 'model.metadata_props[0].value',
    make: () =>
      onnx(
        (g) => (g.message(5, tensor('W', [2, 2], new Uint8Array(16))), g.message(1, gemm('x', 'W', 'y')), 'y'),
        (m) =>
          m.message(
            14,
            new Writer().string(1, 'backprop').string(2, `{"spec":${'['.repeat(10)}${'{},'.repeat((10 * MiB) / 3)}{}${']'.repeat(10)}}`),
          ),
      ),
  },
  {
    name: 'onnx: ten 1 MiB metadata JSONs under our key (the last wins)',
    kind: 'onnx',
    expect: 'loaded',
    make: () =>
      onnx(
        (g) => (g.message(5, tensor('W', [2, 2], new Uint8Array(16))), g.message(1, gemm('x', 'W', 'y')), 'y'),
        (m) => {
          const entry = new Writer().string(1, 'backprop').string(2, `{"spec":[${'{},'.repeat((MiB - 20) / 3)}{}]}`);
          for (let k = 0; k < 10; k++) m.message(14, entry);
        },
      ),
  },
  {
    name: 'onnx: one 1280 × 2048 float layer (10 MiB), loads',
    kind: 'onnx',
    expect: 'loaded',
    make: () =>
      onnx((g) => (g.message(5, tensor('W', [1280, 2048], new Uint8Array(1280 * 2048 * 4))), g.message(1, gemm('x', 'W', 'y')), 'y')),
  },
];

// ---- TF.js ---------------------------------------------------------------------------------

const dense = (name: string, units: number, inputs?: number) => ({
  class_name: 'Dense',
  config: { units, activation: 'linear', use_bias: false, name, ...(inputs ? { batch_input_shape: [null, inputs] } : {}) },
});
const artifacts = (layers: object[], weightSpecs: object[], bytes: number) => ({
  modelTopology: { class_name: 'Sequential', config: { layers } },
  weightSpecs,
  weightData: new ArrayBuffer(bytes),
});

/** `n` Dense layers of 1 unit whose weights are saved under a scope ("outer/dense_i/kernel"). */
const scoped = (n: number) =>
  artifacts(
    Array.from({ length: n }, (_, i) => dense(`dense_${i}`, 1, i === 0 ? 1 : undefined)),
    Array.from({ length: n }, (_, i) => ({ name: `outer/dense_${i}/kernel`, shape: [1, 1], dtype: 'float32' })),
    4 * n,
  );

const TFJS: Case[] = [
  {
    name: 'tfjs: 2,000 Dense layers sharing one name and 512×512 kernel (1 MiB)',
    kind: 'tfjs',
    expect: 'modelTopology.config.layers[1].config.name',
    make: () =>
      artifacts(
        Array.from({ length: 2000 }, (_, i) => dense('d', 512, i === 0 ? 512 : undefined)),
        [{ name: 'd/kernel', shape: [512, 512], dtype: 'float32' }],
        512 * 512 * 4,
      ),
  },
  {
    name: 'tfjs: two layers reaching one weight through its suffix',
    kind: 'tfjs',
    expect: 'weightSpecs (d/kernel)',
    make: () => artifacts([dense('a/d', 2, 2), dense('d', 2)], [{ name: 'x/a/d/kernel', shape: [2, 2], dtype: 'float32' }], 16),
  },
  {
    name: 'tfjs: 8,000 scoped Dense layers (deep chain)',
    kind: 'tfjs',
    expect: 'modelTopology.config.layers[1024]',
    make: () => scoped(8000),
  },
  { name: 'tfjs: 1,024 scoped Dense layers (every lookup by suffix), loads', kind: 'tfjs', expect: 'loaded', make: () => scoped(1024) },
  {
    name: 'tfjs: shape [2^26, 2^26] over 4 bytes',
    kind: 'tfjs',
    expect: 'weightData',
    make: () => artifacts([dense('d', 2, 2)], [{ name: 'd/kernel', shape: [2 ** 26, 2 ** 26], dtype: 'float32' }], 4),
  },
  {
    name: 'tfjs: 4,000 empty weight specs with 250-component names (2 MiB), the key 250 deep',
    kind: 'tfjs',
    expect: 'weightSpecs',
    make: () =>
      artifacts(
        [dense('d/'.repeat(249) + 'd', 1, 1)],
        Array.from({ length: 4000 }, (_, i) => ({ name: `${i}${'/d'.repeat(250)}/kernel`, shape: [0], dtype: 'float32' })),
        0,
      ),
  },
  {
    name: 'tfjs: 2 MiB model.json of empty objects',
    kind: 'tfjs',
    expect: 'modelJson',
    make: () => ({ modelJson: `{"weightsManifest":[],"x":[${'{},'.repeat((2 * MiB - 100) / 3)}{}]}`, weightData: new ArrayBuffer(0) }),
  },
  {
    name: 'tfjs: 10 MiB model.json',
    kind: 'tfjs',
    expect: 'artifacts.modelJson',
    make: () => ({ modelJson: `{"x":"${'x'.repeat(10 * MiB)}"}`, weightData: new ArrayBuffer(0) }),
  },
  {
    name: 'tfjs: model.json nested 100,000 deep',
    kind: 'tfjs',
    expect: 'modelJson',
    make: () => ({ modelJson: `{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, weightData: new ArrayBuffer(0) }),
  },
  {
    name: 'tfjs: one 2048 × 1280 Dense layer (10 MiB), loads',
    kind: 'tfjs',
    expect: 'loaded',
    make: () => artifacts([dense('d', 1280, 2048)], [{ name: 'd/kernel', shape: [2048, 1280], dtype: 'float32' }], 2048 * 1280 * 4),
  },
];

export const CASES: Case[] = [...ONNX, ...TFJS];

export interface Result {
  name: string;
  outcome: string; // 'loaded' or the refusal's code and field
  ms: number;
  rssMiB: number; // peak growth of resident memory while the import ran, over what it was before
}

/**
 * Imports every case in this process, one after another, after a full GC each (run node with
 * --expose-gc). Resident memory is sampled every millisecond by a worker thread, which keeps
 * sampling while the import runs synchronously on this one.
 */
export async function runAll(only?: RegExp): Promise<Result[]> {
  const { Worker } = await import('node:worker_threads');
  const { fromONNX, fromTFJS, BackpropError } = await import('../../src/index.js');
  const peak = new Int32Array(new SharedArrayBuffer(4)); // KiB
  const sampler = new Worker(
    `const { workerData: peak } = require('node:worker_threads');
     setInterval(() => { const kib = Math.round(process.memoryUsage.rss() / 1024); if (kib > Atomics.load(peak, 0)) Atomics.store(peak, 0, kib); }, 1);`,
    { eval: true, workerData: peak },
  );
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const results: Result[] = [];
  for (const c of CASES) {
    if (only && !only.test(c.name)) continue;
    const input = c.make();
    gc();
    const before = process.memoryUsage.rss() / 1024;
    Atomics.store(peak, 0, 0);
    await new Promise((r) => setTimeout(r, 5)); // a first sample
    const t0 = performance.now();
    let outcome: string;
    try {
      const net = await (c.kind === 'onnx' ? fromONNX(input as Uint8Array) : fromTFJS(input));
      outcome = net.predict(new Float64Array(net.inputs)).length === net.outputs ? 'loaded' : 'loaded, but predict gave the wrong length';
      net.dispose();
    } catch (e) {
      outcome = e instanceof BackpropError ? `${e.code} ${e.field.slice(0, 120)}` : `threw ${String(e).slice(0, 200)}`;
    }
    const ms = Math.round(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 5)); // a last sample
    results.push({ name: c.name, outcome, ms, rssMiB: Math.round((Math.max(Atomics.load(peak, 0), before) - before) / 1024) });
  }
  await sampler.terminate();
  return results;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, '/'))) {
  for (const r of await runAll(process.argv[2] ? new RegExp(process.argv[2]) : undefined)) console.log(JSON.stringify(r));
}
