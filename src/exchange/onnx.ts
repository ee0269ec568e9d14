// ONNX export for dense networks: one Gemm per layer (W stays [out][in] thanks to transB=1, bias
// as its C input) then the activation node, all in f64 (tensor(double)) so an ONNX runtime
// reproduces predict() to rounding; an f32 network's in f32 (tensor(float)), its values as they
// are. Reading them back: onnx-read.ts.
import { ACTIVATION_KINDS, type OnnxNode } from '../kinds/activations.js';
import type { ExportedModel } from './build.js';
import { Writer } from './protobuf.js';
import { ONNX_OPSET, ONNX_IR_VERSION, DOUBLE, FLOAT, ATTR_INT, META_KEY } from './onnx-proto.js';

/** DOUBLE or FLOAT (TensorProto.DataType). */
type ElementType = typeof DOUBLE | typeof FLOAT;

/** A tensor of little-endian raw data: 8 bytes a value (DOUBLE), or 4 (FLOAT: values already f32 are stored exactly). */
function tensor(name: string, dims: number[], values: ArrayLike<number>, type: ElementType): Writer {
  const width = type === DOUBLE ? 8 : 4;
  const raw = new Uint8Array(values.length * width);
  const dv = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) {
    if (type === DOUBLE) dv.setFloat64(i * 8, values[i], true);
    else dv.setFloat32(i * 4, values[i], true);
  }
  return new Writer().packedInts(1, dims).int(2, type).string(8, name).bytes(9, raw);
}

function valueInfo(name: string, width: number, type: ElementType): Writer {
  const shape = new Writer().message(1, new Writer().string(2, 'N')).message(1, new Writer().int(1, width));
  const tensorType = new Writer().int(1, type).message(2, shape);
  return new Writer().string(1, name).message(2, new Writer().message(1, tensorType));
}

function node(op: string, name: string, inputs: string[], output: string, attrs: Writer[] = []): Writer {
  const n = new Writer();
  for (const i of inputs) n.string(1, i);
  n.string(2, output).string(3, name).string(4, op);
  for (const a of attrs) n.message(5, a);
  return n;
}
const intAttr = (name: string, v: number) => new Writer().string(1, name).int(3, v).int(20, ATTR_INT);

/**
 * The network as an ONNX model (bytes of a ModelProto): input "input" and output "output", both
 * tensor(double) of shape [N, width] with a dynamic batch N (tensor(float) for an f32 network, whose
 * weights and constants are then FLOAT: its f32 values bit for bit). The rest of the spec (loss,
 * optimizer, seed…) rides along in metadata_props so fromONNX() restores the same spec.
 * Network.toONNX() hands it the network's parts.
 */
export function writeONNX({ spec, weights, saved }: ExportedModel): Uint8Array {
  const type: ElementType = spec.precision === 'f32' ? FLOAT : DOUBLE;
  const graph = new Writer();
  const n = spec.layers.length;
  let x = 'input';
  spec.layers.forEach((l, i) => {
    const w = `layer${i}.weight`,
      b = `layer${i}.bias`;
    const out = i === n - 1 ? 'output' : `layer${i}.a`;
    const form = ACTIVATION_KINDS[l.activation].onnx;
    const z = form.length === 0 ? out : `layer${i}.z`;
    graph.message(5, tensor(w, [l.units, l.inputs], weights[i].weights.flat(), type));
    if (l.bias) graph.message(5, tensor(b, [l.units], weights[i].bias!, type));
    graph.message(1, node('Gemm', `layer${i}.gemm`, l.bias ? [x, w, b] : [x, w], z, [intAttr('transB', 1)]));
    // The activation's nodes (src/kinds/activations.ts); numbers become double scalar initializers,
    // so constants keep predict()'s bits (LeakyRelu's float32 alpha would not); float ones in f32,
    // the constants rounded to f32 as the f32 kernels round them.
    const name = (k: number) => (k === form.length - 1 ? out : `layer${i}.${l.activation}.${k}`);
    form.forEach((step: OnnxNode, k) => {
      const inputs = step.inputs.map((v, j) => {
        if (v === 'x') return z;
        if (typeof v === 'string') return name(Number(v.slice(1)));
        const c = `layer${i}.${l.activation}.${k}.c${j}`;
        graph.message(5, tensor(c, [], [v], type));
        return c;
      });
      graph.message(
        1,
        node(
          step.op,
          `layer${i}.${l.activation}${form.length > 1 ? `.${k}` : ''}`,
          inputs,
          name(k),
          Object.entries(step.ints ?? {}).map(([a, v]) => intAttr(a, v)),
        ),
      );
    });
    x = out;
  });
  graph
    .string(2, 'backprop-wasm')
    .message(11, valueInfo('input', spec.inputs, type))
    .message(12, valueInfo('output', spec.layers[n - 1].units, type));
  const meta = JSON.stringify({ spec: saved });
  return new Writer()
    .int(1, ONNX_IR_VERSION)
    .string(2, 'backprop-wasm')
    .message(7, graph)
    .message(8, new Writer().string(1, '').int(2, ONNX_OPSET))
    .message(14, new Writer().string(1, META_KEY).string(2, meta))
    .finish();
}
