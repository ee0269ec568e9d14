// ONNX import: the dense/activation graphs toONNX writes, and the usual variants other exporters
// write (MatMul + Add, float32 tensors, LeakyRelu, Identity/Dropout, Constant weights).
import { words } from '../errors.js';
import { matchForm } from './onnx-forms.js';
import { ACTIVATIONS, ACTIVATION_KINDS, LEAKY_SLOPE, type Activation, type OnnxNode } from '../kinds/activations.js';
import { MAX_LAYERS, MAX_PARAMS } from '../spec.js';
import { importedModel, checkImportOptions, type Imported, type ImportedModel, type ImportOptions } from './build.js';
import { DOUBLE, FLOAT, META_KEY } from './onnx-proto.js';
import { KEEP, bad, fieldsOf, msg, str, strs, int, f32, readTensor, type Message, type Tensor } from './onnx-fields.js';
import { last, type Field } from './protobuf-read.js';
import { isBuffer, isBytes } from './plain-data.js';

export type { ImportOptions };

/** Our metadata is a spec of at most 1,024 layers (≈ 100 KiB); more JSON than this is not ours. */
const MAX_META_CHARS = 2 ** 20;

interface Attr {
  i?: number;
  f?: number;
  t?: Field; // a tensor, parsed only where one is used (a Constant's value)
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
  const m = msg(f, field, KEEP.node);
  const domain = str(m, 7, `${field}.domain`);
  if (domain !== '' && domain !== 'ai.onnx') bad(`${field}.domain`, "the default ONNX domain ('' or 'ai.onnx')", domain);
  const attrs = new Map<string, Attr>();
  (m.get(5) ?? []).forEach((af, k) => {
    const a = msg(af, `${field}.attribute[${k}]`, KEEP.attribute);
    const name = str(a, 1, `${field}.attribute[${k}].name`);
    attrs.set(name, {
      i: a.has(3) ? int(a, 3, `${field}.attribute.${name}`, 0) : undefined,
      f: f32(last(a.get(2)), `${field}.attribute.${name}`),
      t: last(a.get(5)),
    });
  });
  return {
    op: str(m, 4, `${field}.op_type`),
    name: str(m, 3, `${field}.name`),
    inputs: strs(m, 1, `${field}.input`),
    outputs: strs(m, 2, `${field}.output`),
    attrs,
    field,
  };
}

/** The activations whose ONNX form is one node on Z with no other input (Sigmoid, Tanh, Relu…), by op. */
const ONE_NODE = new Map<string, Activation>(
  ACTIVATIONS.flatMap((name) => {
    const form: readonly OnnxNode[] = ACTIVATION_KINDS[name].onnx;
    return form.length === 1 && form[0].inputs.length === 1 && !form[0].ints ? [[form[0].op, name] as const] : [];
  }),
);

/** The data input's declared width, if its type says one: [batch, width]. */
function inputWidth(input: Message, field: string): number | undefined {
  const tensorType = msg(last(msg(last(input.get(2)), field, KEEP.type).get(1)), `${field}.tensor_type`, KEEP.tensorType);
  const elem = int(tensorType, 1, `${field}.tensor_type.elem_type`, DOUBLE);
  if (elem !== DOUBLE && elem !== FLOAT) bad(`${field}.tensor_type.elem_type`, `${DOUBLE} (DOUBLE) or ${FLOAT} (FLOAT)`, elem);
  if (!tensorType.has(2)) return undefined;
  const dims = msg(last(tensorType.get(2)), `${field}.tensor_type.shape`, KEEP.shape).get(1) ?? [];
  if (dims.length !== 2) bad(`${field}.tensor_type.shape`, 'rank 2: [batch, features]', words(`rank ${dims.length}`));
  const d = msg(dims[1], `${field}.tensor_type.shape.dim[1]`, KEEP.dim);
  return d.has(1) ? int(d, 1, `${field}.tensor_type.shape.dim[1].dim_value`, 0) : undefined;
}

/**
 * Follows the chain input → (Gemm|MatMul [Add]) [activation] → … → output, layer by layer.
 * Layers and parameters are counted as they are met, so a graph beyond the limits is refused at
 * the node that crosses them; weights stay the decoded tensors (one per layer: a weight matrix
 * that two layers name is refused, since it would be copied once per layer).
 */
function readGraph(g: Message, opset: number): Imported {
  const consts = new Map<string, Tensor>();
  (g.get(5) ?? []).forEach((f, k) => {
    const m = msg(f, `graph.initializer[${k}]`, KEEP.tensor);
    consts.set(str(m, 8, `graph.initializer[${k}].name`), readTensor(m, `graph.initializer[${k}]`));
  });
  // Older IR versions list initializers among the inputs too; the data input is the one left.
  const inputs = (g.get(11) ?? [])
    .map((f, k) => ({ m: msg(f, `graph.input[${k}]`, KEEP.valueInfo), k }))
    .filter(({ m, k }) => !consts.has(str(m, 1, `graph.input[${k}].name`)));
  if (inputs.length !== 1) bad('graph.input', 'exactly one data input (besides initializers)', inputs.length);
  const { m: input, k: inputAt } = inputs[0];
  const outputs = g.get(12) ?? [];
  if (outputs.length !== 1) bad('graph.output', 'exactly one output', outputs.length);
  const outName = str(msg(outputs[0], 'graph.output[0]', KEEP.valueInfo), 1, 'graph.output[0].name');

  const built: Imported = { inputs: 0, layers: [], weights: [] };
  let cur = str(input, 1, `graph.input[${inputAt}].name`);
  let width = inputWidth(input, `graph.input[${inputAt}].type`);
  let params = 0;
  const usedWeights = new Set<Tensor>();
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
    if ((params += units) > MAX_PARAMS) bad(`${n.field}.input[${k}]`, `at most ${MAX_PARAMS} parameters in all`, words(`${params} so far`));
    built.layers[built.layers.length - 1].bias = true;
    built.weights[built.weights.length - 1].bias = t.values; // read only: a shared bias is not copied
  };

  const nodes = (g.get(1) ?? []).map((f, k) => readNode(f, `graph.node[${k}]`));
  for (let k = 0; k < nodes.length; k++) {
    const n = nodes[k];
    const about = words(`op_type "${n.op}"${n.name ? ` (node "${n.name}")` : ''}`);
    if (n.op === 'Constant') {
      const t = n.attrs.get('value')?.t;
      if (!t || n.outputs.length !== 1) bad(`${n.field}.attribute.value`, 'a tensor value', about);
      consts.set(n.outputs[0], readTensor(msg(t, `${n.field}.attribute.value`, KEEP.tensor), `${n.field}.attribute.value`));
      continue;
    }
    if (n.outputs.length !== 1) bad(`${n.field}.output`, 'one output', n.outputs.length);
    const dataAt = n.op === 'Add' && n.inputs[1] === cur ? 1 : 0;
    if (n.inputs[dataAt] !== cur)
      bad(`${n.field}.input[0]`, `"${cur}" (nodes must form one chain from the input to the output)`, n.inputs[0] ?? words('no input'));
    if (n.op === 'Gemm' || n.op === 'MatMul') {
      const gemm = n.op === 'Gemm';
      if (gemm) {
        attr(n, 'transA', 0, [0]);
        attr(n, 'alpha', 1, [1]);
      }
      const transB = gemm ? attr(n, 'transB', 0, [0, 1]) : 0;
      const w = constant(n, 1, 'a weight matrix');
      const shape = words(`shape [${w.dims.join(', ')}]`);
      if (w.dims.length !== 2) bad(`${n.field}.input[1]`, 'a 2-D weight matrix', shape);
      const [units, ins] = transB ? w.dims : [w.dims[1], w.dims[0]];
      if (width !== undefined && ins !== width) bad(`${n.field}.input[1]`, `a weight matrix with ${width} inputs`, shape);
      if (units === 0 || ins === 0) bad(`${n.field}.input[1]`, 'a non-empty weight matrix', shape);
      if (usedWeights.has(w))
        bad(`${n.field}.input[1]`, 'a weight matrix no other layer uses (shared weights are not supported)', n.inputs[1]);
      if (built.layers.length === MAX_LAYERS) bad(n.field, `at most ${MAX_LAYERS} layers`, words(`layer ${MAX_LAYERS + 1}`));
      if ((params += units * ins) > MAX_PARAMS)
        bad(`${n.field}.input[1]`, `at most ${MAX_PARAMS} parameters in all`, words(`${params} so far`));
      usedWeights.add(w);
      // Ours are [out][in] already (transB=1) and are used as they are; [in][out] is transposed.
      let rows = w.values;
      if (!transB) {
        rows = new Float64Array(units * ins);
        for (let o = 0; o < units; o++) for (let i = 0; i < ins; i++) rows[o * ins + i] = w.values[i * units + o];
      }
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
      if (n.op === 'Dropout' && n.inputs.length > 2 && n.inputs[2])
        bad(`${n.field}.input[2]`, 'no training_mode input (inference Dropout only)', n.inputs[2]);
    } else {
      // An activation of several nodes (swish, gelu, selu as toONNX writes them) spans the next nodes.
      const form = stage === 'product' || stage === 'biased' ? matchForm(nodes, k, cur, (name) => consts.get(name)) : undefined;
      if (form) {
        built.layers[built.layers.length - 1].activation = form.activation;
        stage = 'activated';
        k += form.count - 1;
        cur = nodes[k].outputs[0];
        continue;
      }
      let activation = ONE_NODE.get(n.op);
      if (n.op === 'Elu') attr(n, 'alpha', 1, [1]); // backprop's elu has α = 1 (the ONNX default)
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
        if (s.values.length === 0 || s.values.some((v) => v !== LEAKY_SLOPE && v !== Math.fround(LEAKY_SLOPE)))
          bad(
            `${n.field}.input[1]`,
            `slopes all ${LEAKY_SLOPE} (backprop's leakyRelu)`,
            words(`[${Array.from(s.values.slice(0, 4)).join(', ')}${s.values.length > 4 ? ', …' : ''}]`),
          );
        activation = 'leakyRelu';
      }
      if (activation === undefined)
        bad(
          n.field,
          `one of Gemm, MatMul, Add, ${[...ONE_NODE.keys()].join(', ')}, LeakyRelu, PRelu, Softmax, Identity, Dropout, Constant`,
          about,
        );
      if (stage !== 'product' && stage !== 'biased') bad(n.field, 'an activation only right after a layer’s Gemm/MatMul (and bias)', about);
      built.layers[built.layers.length - 1].activation = activation!;
      stage = 'activated';
    }
    cur = n.outputs[0];
  }
  if (built.layers.length === 0) bad('graph.node', 'at least one Gemm or MatMul layer', words('none'));
  if (cur !== outName) bad('graph.output[0].name', `"${cur}", the end of the node chain`, outName);
  return built;
}

/** Reads an ONNX model of dense layers (as toONNX() writes, or Gemm/MatMul+Add graphs from elsewhere): what Network.fromONNX creates. */
export function readONNX(bytes: Uint8Array | ArrayBuffer, options: ImportOptions = {}): ImportedModel {
  // Brand checks, not instanceof: a Proxy of a Uint8Array passes instanceof, then answers every read.
  const buf = isBytes(bytes)
    ? bytes
    : isBuffer(bytes)
      ? new Uint8Array(bytes)
      : bad(
          'model',
          'the bytes of an ONNX model (Uint8Array or ArrayBuffer)',
          typeof bytes === 'object' && bytes !== null ? words('another object') : bytes,
        ); // not described: it may be a Proxy
  const opts = checkImportOptions(options);
  const model = fieldsOf(buf, 'model', KEEP.model);
  if (!model.has(7)) bad('model.graph', 'a graph');
  const opsets = (model.get(8) ?? []).map((f, k) => msg(f, `model.opset_import[${k}]`, KEEP.opset));
  const main = opsets.find((m, k) => ['', 'ai.onnx'].includes(str(m, 1, `model.opset_import[${k}].domain`)));
  if (!main) bad('model.opset_import', 'an entry for the default domain', words('none'));
  const opset = int(main!, 2, 'model.opset_import.version', 0);
  if (opset < 7) bad('model.opset_import.version', 'opset 7 or later', opset);
  const built = readGraph(msg(last(model.get(7)), 'model.graph', KEEP.graph), opset);

  // The last entry under our key wins (as for a protobuf field); only it is parsed.
  let ours: { json: string; field: string } | undefined;
  for (const [k, f] of (model.get(14) ?? []).entries()) {
    const entry = msg(f, `model.metadata_props[${k}]`, KEEP.entry);
    if (str(entry, 1, `model.metadata_props[${k}].key`) === META_KEY)
      ours = { json: str(entry, 2, `model.metadata_props[${k}].value`), field: `model.metadata_props[${k}].value` };
  }
  let meta: unknown;
  if (ours) {
    const { json, field } = ours;
    if (json.length > MAX_META_CHARS)
      bad(field, `JSON { spec } of at most ${MAX_META_CHARS} characters`, words(`${json.length} characters`));
    try {
      meta = JSON.parse(json);
    } catch {
      bad(field, 'JSON { spec }');
    }
  }
  const spec = typeof meta === 'object' && meta !== null && Object.hasOwn(meta, 'spec') ? (meta as { spec: unknown }).spec : undefined;
  return importedModel(built, spec, opts);
}
