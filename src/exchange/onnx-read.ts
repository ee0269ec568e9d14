// ONNX import: the dense/activation graphs toONNX writes, and the usual variants other exporters
// write (MatMul + Add, float32 tensors, LeakyRelu, Identity/Dropout, Constant weights).
import type { Network } from '../network.js';
import { BackpropError, words } from '../errors.js';
import { LEAKY_SLOPE, type Activation } from '../kinds.js';
import { buildImported, checkImportOptions, type Imported, type ImportOptions } from './build.js';
import { readFields, ints, fixed, text, last, toInt, WireError, type Field } from './protobuf.js';
import { DOUBLE, FLOAT, META_KEY } from './onnx-proto.js';

export type { ImportOptions };

const bad = (field: string, expected: string, got?: unknown): never => {
  throw got === undefined ? new BackpropError('INVALID_MODEL', field, expected) : new BackpropError('INVALID_MODEL', field, expected, got);
};

/** Reads a sub-message, turning wire-level garbage into INVALID_MODEL at `field`. */
function fieldsOf(bytes: Uint8Array, field: string): Map<number, Field[]> {
  try {
    return readFields(bytes);
  } catch (e) {
    return bad(field, 'a protobuf message', words((e as Error).message));
  }
}
function wire<T>(field: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof WireError) bad(field, 'a well-formed protobuf field', words(e.message));
    throw e;
  }
}
const msg = (f: Field | undefined, field: string): Map<number, Field[]> =>
  f === undefined ? new Map() : f.wire === 2 ? fieldsOf(f.bytes, field) : bad(field, 'an embedded message', words(`wire type ${f.wire}`));
const str = (m: Map<number, Field[]>, n: number, field: string): string => wire(field, () => text(last(m.get(n))) ?? '');
const strs = (m: Map<number, Field[]>, n: number, field: string): string[] => wire(field, () => (m.get(n) ?? []).map((f) => text(f)!));
const int = (m: Map<number, Field[]>, n: number, field: string, fallback: number): number =>
  wire(field, () => {
    const f = last(m.get(n));
    if (f === undefined) return fallback;
    if (f.wire !== 0) throw new WireError(`wire type ${f.wire} where an integer was expected`);
    return toInt(f.int);
  });

interface Tensor {
  dims: number[];
  values: Float64Array;
}

/** A TensorProto holding doubles or floats (raw_data or the typed field), widened to f64. */
function readTensor(m: Map<number, Field[]>, field: string): Tensor {
  if (int(m, 14, `${field}.data_location`, 0) !== 0) bad(`${field}.data_location`, 'data stored inside the model (external data is not supported)');
  if (m.has(3)) bad(`${field}.segment`, 'an unsegmented tensor');
  const dims = wire(`${field}.dims`, () => ints(m.get(1)));
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) bad(`${field}.dims`, 'non-negative sizes', words(`[${dims.join(', ')}]`));
  const count = dims.reduce((a, b) => a * b, 1);
  const type = int(m, 2, `${field}.data_type`, 0);
  if (type !== DOUBLE && type !== FLOAT) bad(`${field}.data_type`, `${DOUBLE} (DOUBLE) or ${FLOAT} (FLOAT)`, type);
  const width = type === DOUBLE ? 8 : 4;
  const raw = last(m.get(9));
  const values = wire(`${field}.${raw ? 'raw_data' : type === DOUBLE ? 'double_data' : 'float_data'}`, () =>
    raw ? fixed([raw], width) : fixed(m.get(type === DOUBLE ? 10 : 4), width),
  );
  if (values.length !== count) bad(field, `${count} values for dims [${dims.join(', ')}]`, values.length);
  const at = values.findIndex((v) => !Number.isFinite(v));
  if (at >= 0) bad(`${field}[${at}]`, 'a finite number', values[at]);
  return { dims, values: Float64Array.from(values) };
}

interface Attr {
  i?: number;
  f?: number;
  t?: Map<number, Field[]>;
}
interface Node {
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, Attr>;
  field: string;
}

function readNode(f: Field, field: string): Node {
  const m = msg(f, field);
  const domain = str(m, 7, `${field}.domain`);
  if (domain !== '' && domain !== 'ai.onnx') bad(`${field}.domain`, "the default ONNX domain ('' or 'ai.onnx')", domain);
  const attrs = new Map<string, Attr>();
  (m.get(5) ?? []).forEach((af, k) => {
    const a = msg(af, `${field}.attribute[${k}]`);
    const name = str(a, 1, `${field}.attribute[${k}].name`);
    const f32 = last(a.get(2));
    attrs.set(name, {
      i: a.has(3) ? int(a, 3, `${field}.attribute.${name}`, 0) : undefined,
      f: f32 && f32.wire === 5 ? wire(`${field}.attribute.${name}`, () => fixed([f32], 4)[0]) : undefined,
      t: a.has(5) ? msg(last(a.get(5)), `${field}.attribute.${name}`) : undefined,
    });
  });
  return { op: str(m, 4, `${field}.op_type`), name: str(m, 3, `${field}.name`), inputs: strs(m, 1, `${field}.input`), outputs: strs(m, 2, `${field}.output`), attrs, field };
}

const ELEMENTWISE: Record<string, Activation> = { Sigmoid: 'sigmoid', Tanh: 'tanh', Relu: 'relu' };

/** Follows the chain input → (Gemm|MatMul [Add]) [activation] → … → output, layer by layer. */
function readGraph(g: Map<number, Field[]>, opset: number): Imported {
  const consts = new Map<string, Tensor>();
  (g.get(5) ?? []).forEach((f, k) => {
    const m = msg(f, `graph.initializer[${k}]`);
    consts.set(str(m, 8, `graph.initializer[${k}].name`), readTensor(m, `graph.initializer[${k}]`));
  });
  // Older IR versions list initializers among the inputs too; the data input is the one left.
  const inputs = (g.get(11) ?? []).map((f, k) => ({ m: msg(f, `graph.input[${k}]`), k })).filter(({ m, k }) => !consts.has(str(m, 1, `graph.input[${k}].name`)));
  if (inputs.length !== 1) bad('graph.input', 'exactly one data input (besides initializers)', inputs.length);
  const { m: input, k: inputAt } = inputs[0];
  const outputs = g.get(12) ?? [];
  if (outputs.length !== 1) bad('graph.output', 'exactly one output', outputs.length);
  const outName = str(msg(outputs[0], 'graph.output[0]'), 1, 'graph.output[0].name');
  let declaredWidth: number | undefined;
  {
    const field = `graph.input[${inputAt}].type`;
    const tensorType = msg(last(msg(last(input.get(2)), field).get(1)), `${field}.tensor_type`);
    const elem = int(tensorType, 1, `${field}.tensor_type.elem_type`, DOUBLE);
    if (elem !== DOUBLE && elem !== FLOAT) bad(`${field}.tensor_type.elem_type`, `${DOUBLE} (DOUBLE) or ${FLOAT} (FLOAT)`, elem);
    if (tensorType.has(2)) {
      const dims = msg(last(tensorType.get(2)), `${field}.tensor_type.shape`).get(1) ?? [];
      if (dims.length !== 2) bad(`${field}.tensor_type.shape`, 'rank 2: [batch, features]', words(`rank ${dims.length}`));
      const d = msg(dims[1], `${field}.tensor_type.shape.dim[1]`);
      if (d.has(1)) declaredWidth = int(d, 1, `${field}.tensor_type.shape.dim[1].dim_value`, 0);
    }
  }

  const built: Imported = { inputs: 0, layers: [], weights: [] };
  let cur = str(input, 1, `graph.input[${inputAt}].name`);
  let width = declaredWidth;
  // Stage of the newest layer: what may still follow its matrix product.
  let stage: 'none' | 'product' | 'biased' | 'activated' = 'none';
  const constant = (n: Node, k: number, what: string): Tensor => {
    const t = consts.get(n.inputs[k]);
    return t ?? bad(`${n.field}.input[${k}]`, `${what} as an initializer or Constant`, n.inputs[k] ?? words('nothing'));
  };
  const attr = (n: Node, name: string, fallback: number, allowed: number[]): number => {
    const a = n.attrs.get(name);
    const v = a === undefined ? fallback : (a.i ?? a.f ?? NaN);
    return allowed.includes(v) ? v : bad(`${n.field}.attribute.${name}`, allowed.join(' or '), v);
  };
  const setBias = (n: Node, t: Tensor, k: number) => {
    const units = built.layers[built.layers.length - 1].units;
    const okDims = (t.dims.length === 1 && t.dims[0] === units) || (t.dims.length === 2 && t.dims[0] === 1 && t.dims[1] === units);
    if (!okDims) bad(`${n.field}.input[${k}]`, `a bias of shape [${units}]`, words(`shape [${t.dims.join(', ')}]`));
    built.layers[built.layers.length - 1].bias = true;
    built.weights[built.weights.length - 1].bias = Array.from(t.values);
  };

  (g.get(1) ?? []).forEach((f, k) => {
    const n = readNode(f, `graph.node[${k}]`);
    const about = words(`op_type "${n.op}"${n.name ? ` (node "${n.name}")` : ''}`);
    if (n.op === 'Constant') {
      const t = n.attrs.get('value')?.t;
      if (!t || n.outputs.length !== 1) bad(`${n.field}.attribute.value`, 'a tensor value', about);
      consts.set(n.outputs[0], readTensor(t!, `${n.field}.attribute.value`));
      return;
    }
    if (n.outputs.length !== 1) bad(`${n.field}.output`, 'one output', n.outputs.length);
    const dataAt = n.op === 'Add' && n.inputs[1] === cur ? 1 : 0;
    if (n.inputs[dataAt] !== cur) bad(`${n.field}.input[0]`, `"${cur}" (nodes must form one chain from the input to the output)`, n.inputs[0] ?? words('no input'));
    if (n.op === 'Gemm' || n.op === 'MatMul') {
      const gemm = n.op === 'Gemm';
      if (gemm) {
        attr(n, 'transA', 0, [0]);
        attr(n, 'alpha', 1, [1]);
      }
      const transB = gemm ? attr(n, 'transB', 0, [0, 1]) : 0;
      const w = constant(n, 1, 'a weight matrix');
      if (w.dims.length !== 2) bad(`${n.field}.input[1]`, 'a 2-D weight matrix', words(`shape [${w.dims.join(', ')}]`));
      const [units, ins] = transB ? w.dims : [w.dims[1], w.dims[0]];
      if (width !== undefined && ins !== width) bad(`${n.field}.input[1]`, `a weight matrix with ${width} inputs`, words(`shape [${w.dims.join(', ')}]`));
      if (units === 0 || ins === 0) bad(`${n.field}.input[1]`, 'a non-empty weight matrix', words(`shape [${w.dims.join(', ')}]`));
      const rows: number[][] = [];
      for (let o = 0; o < units; o++) rows.push(Array.from({ length: ins }, (_, i) => w.values[transB ? o * ins + i : i * units + o]));
      if (built.layers.length === 0) built.inputs = ins;
      built.layers.push({ units, activation: 'linear', bias: false });
      built.weights.push({ weights: rows });
      width = units;
      stage = 'product';
      if (gemm && n.inputs[2]) {
        attr(n, 'beta', 1, [1]);
        setBias(n, constant(n, 2, 'a bias'), 2);
        stage = 'biased';
      }
    } else if (n.op === 'Add') {
      if (stage !== 'product') bad(n.field, 'Add only as the bias right after a Gemm or MatMul without one', about);
      setBias(n, constant(n, 1 - dataAt, 'a bias'), 1 - dataAt);
      stage = 'biased';
    } else if (n.op === 'Identity' || n.op === 'Dropout') {
      if (n.op === 'Dropout' && n.inputs.length > 2 && n.inputs[2]) bad(`${n.field}.input[2]`, 'no training_mode input (inference Dropout only)', n.inputs[2]);
    } else {
      let activation: Activation | undefined = ELEMENTWISE[n.op];
      if (n.op === 'Softmax') {
        // Before opset 13, Softmax flattened from `axis` (default 1) on; for rank 2 that is the last axis.
        attr(n, 'axis', opset >= 13 ? -1 : 1, [-1, 1]);
        activation = 'softmax';
      } else if (n.op === 'LeakyRelu') {
        const a = n.attrs.get('alpha')?.f ?? Math.fround(LEAKY_SLOPE);
        if (a !== Math.fround(LEAKY_SLOPE)) bad(`${n.field}.attribute.alpha`, `${LEAKY_SLOPE} (backprop's leakyRelu slope)`, a);
        activation = 'leakyRelu';
      } else if (n.op === 'PRelu') {
        const s = constant(n, 1, 'a slope');
        if (s.values.length === 0 || s.values.some((v) => v !== LEAKY_SLOPE && v !== Math.fround(LEAKY_SLOPE))) bad(`${n.field}.input[1]`, `slopes all ${LEAKY_SLOPE} (backprop's leakyRelu)`, words(`[${Array.from(s.values.slice(0, 4)).join(', ')}${s.values.length > 4 ? ', …' : ''}]`));
        activation = 'leakyRelu';
      }
      if (activation === undefined) bad(n.field, 'one of Gemm, MatMul, Add, Sigmoid, Tanh, Relu, LeakyRelu, PRelu, Softmax, Identity, Dropout, Constant', about);
      if (stage !== 'product' && stage !== 'biased') bad(n.field, 'an activation only right after a layer’s Gemm/MatMul (and bias)', about);
      built.layers[built.layers.length - 1].activation = activation!;
      stage = 'activated';
    }
    cur = n.outputs[0];
  });
  if (built.layers.length === 0) bad('graph.node', 'at least one Gemm or MatMul layer', words('none'));
  if (cur !== outName) bad('graph.output[0].name', `"${cur}", the end of the node chain`, outName);
  return built;
}

/** Reads an ONNX model of dense layers (as toONNX() writes, or Gemm/MatMul+Add graphs from elsewhere). */
export async function fromONNX(bytes: Uint8Array | ArrayBuffer, options: ImportOptions = {}): Promise<Network> {
  if (!(bytes instanceof Uint8Array) && !(bytes instanceof ArrayBuffer)) bad('model', 'the bytes of an ONNX model (Uint8Array or ArrayBuffer)', bytes);
  checkImportOptions(options);
  const model = fieldsOf(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), 'model');
  if (!model.has(7)) bad('model.graph', 'a graph');
  const opsets = (model.get(8) ?? []).map((f, k) => msg(f, `model.opset_import[${k}]`));
  const main = opsets.find((m, k) => ['', 'ai.onnx'].includes(str(m, 1, `model.opset_import[${k}].domain`)));
  if (!main) bad('model.opset_import', 'an entry for the default domain', words('none'));
  const opset = int(main!, 2, 'model.opset_import.version', 0);
  if (opset < 7) bad('model.opset_import.version', 'opset 7 or later', opset);
  const built = readGraph(msg(last(model.get(7)), 'model.graph'), opset);

  let meta: { spec?: unknown } = {};
  for (const [k, f] of (model.get(14) ?? []).entries()) {
    const entry = msg(f, `model.metadata_props[${k}]`);
    if (str(entry, 1, `model.metadata_props[${k}].key`) !== META_KEY) continue;
    try {
      meta = JSON.parse(str(entry, 2, `model.metadata_props[${k}].value`));
    } catch {
      bad(`model.metadata_props[${k}].value`, 'JSON { spec }');
    }
  }
  return buildImported(built, meta?.spec, options);
}


