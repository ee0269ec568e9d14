// TensorFlow.js Layers format: a Sequential of Dense layers (kernel [in][out], the transpose of our
// weights) plus a LeakyReLU layer where we use leakyRelu, since TF.js has no such activation name.
// TF.js keeps weights in float32, so export rounds each weight to f32; import widens exactly.
import type { Network } from '../network.js';
import { BackpropError, words } from '../errors.js';
import { LEAKY_SLOPE, type Activation } from '../kinds.js';
import { buildImported, checkImportOptions, savedSpec, type Imported, type ImportOptions } from './build.js';

export interface TFJSWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

/** What `tf.io.fromMemory()` takes and `tf.io.withSaveHandler()` hands over (ModelArtifacts). */
export interface TFJSArtifacts {
  modelTopology: object;
  weightSpecs: TFJSWeightSpec[];
  weightData: ArrayBuffer;
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  userDefinedMetadata: { backprop: { spec: unknown } };
}

/** The file pair `tf.loadLayersModel('…/model.json')` reads. */
export interface TFJSFiles {
  'model.json': string;
  'model.weights.bin': Uint8Array;
}

const WEIGHTS_FILE = 'model.weights.bin';
const TF_ACTIVATIONS: Partial<Record<string, Activation>> = { linear: 'linear', sigmoid: 'sigmoid', tanh: 'tanh', relu: 'relu', softmax: 'softmax' };

/** The network as TF.js Layers artifacts (weights rounded to float32). */
export function toTFJS(net: Network): TFJSArtifacts {
  const { spec } = net;
  const weights = net.getWeights();
  const layers: object[] = [];
  const weightSpecs: TFJSWeightSpec[] = [];
  const values: number[] = [];
  spec.layers.forEach((l, i) => {
    const name = `dense_${i + 1}`;
    const dense: Record<string, unknown> = {
      units: l.units,
      activation: l.activation === 'leakyRelu' ? 'linear' : l.activation,
      use_bias: l.bias,
      name,
      trainable: true,
      dtype: 'float32',
    };
    if (i === 0) dense.batch_input_shape = [null, spec.inputs];
    layers.push({ class_name: 'Dense', config: dense });
    if (l.activation === 'leakyRelu') layers.push({ class_name: 'LeakyReLU', config: { alpha: LEAKY_SLOPE, name: `leaky_re_lu_${i + 1}`, trainable: true } });
    weightSpecs.push({ name: `${name}/kernel`, shape: [l.inputs, l.units], dtype: 'float32' });
    const w = weights[i].weights;
    for (let r = 0; r < l.inputs; r++) for (let c = 0; c < l.units; c++) values.push(w[c][r]);
    if (l.bias) {
      weightSpecs.push({ name: `${name}/bias`, shape: [l.units], dtype: 'float32' });
      values.push(...weights[i].bias!);
    }
  });
  return {
    modelTopology: { class_name: 'Sequential', config: { name: 'backprop-wasm', layers }, keras_version: 'tfjs-layers', backend: 'tensor_flow.js' },
    weightSpecs,
    weightData: Float32Array.from(values).buffer,
    format: 'layers-model',
    generatedBy: 'backprop-wasm',
    convertedBy: null,
    userDefinedMetadata: { backprop: { spec: savedSpec(net) } },
  };
}

/** model.json (with its weights manifest) and the one binary it points to. */
export function toTFJSFiles(net: Network): TFJSFiles {
  const a = toTFJS(net);
  const modelJson = {
    modelTopology: a.modelTopology,
    format: a.format,
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy,
    weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: a.weightSpecs }],
    userDefinedMetadata: a.userDefinedMetadata,
  };
  return { 'model.json': JSON.stringify(modelJson), 'model.weights.bin': new Uint8Array(a.weightData) };
}

// ---- import -------------------------------------------------------------------------------

const bad = (field: string, expected: string, got?: unknown): never => {
  throw got === undefined ? new BackpropError('INVALID_MODEL', field, expected) : new BackpropError('INVALID_MODEL', field, expected, got);
};
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown, field: string, expected: string): Obj => (isObj(v) ? v : bad(field, expected, v));

/** Weight bytes as one buffer: TF.js hands over an ArrayBuffer, or shards as ArrayBuffer[]. */
function bytesOf(v: unknown, field: string): Uint8Array {
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (v instanceof Uint8Array) return v;
  if (Array.isArray(v) && v.every((b) => b instanceof ArrayBuffer || b instanceof Uint8Array)) {
    const parts = v.map((b) => (b instanceof ArrayBuffer ? new Uint8Array(b) : b));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) out.set(p, (at += p.length) - p.length);
    return out;
  }
  return bad(field, 'an ArrayBuffer, Uint8Array or an array of them (shards in manifest order)', v);
}

/** Topology, weight specs and bytes from either artifacts or { modelJson, weightData }. */
function unpack(input: unknown): { topology: Obj; specs: unknown[]; data: Uint8Array; meta: unknown } {
  const a = obj(input, 'artifacts', '{ modelTopology, weightSpecs, weightData } or { modelJson, weightData }');
  if ('modelJson' in a) {
    let json = a.modelJson;
    if (typeof json === 'string') {
      try {
        json = JSON.parse(json);
      } catch {
        bad('artifacts.modelJson', 'the JSON text of a model.json', words('text that is not JSON'));
      }
    }
    const m = obj(json, 'artifacts.modelJson', 'a model.json object');
    if (!Array.isArray(m.weightsManifest)) bad('modelJson.weightsManifest', 'an array of { paths, weights }', m.weightsManifest);
    const specs = (m.weightsManifest as unknown[]).flatMap((g, k) => {
      const group = obj(g, `modelJson.weightsManifest[${k}]`, '{ paths, weights }');
      return Array.isArray(group.weights) ? group.weights : bad(`modelJson.weightsManifest[${k}].weights`, 'an array of weight specs', group.weights);
    });
    return { topology: obj(m.modelTopology, 'modelJson.modelTopology', 'an object'), specs, data: bytesOf(a.weightData, 'artifacts.weightData'), meta: m.userDefinedMetadata };
  }
  if (!Array.isArray(a.weightSpecs)) bad('artifacts.weightSpecs', 'an array of { name, shape, dtype }', a.weightSpecs);
  return { topology: obj(a.modelTopology, 'artifacts.modelTopology', 'an object'), specs: a.weightSpecs as unknown[], data: bytesOf(a.weightData, 'artifacts.weightData'), meta: a.userDefinedMetadata };
}

/** name → float32 values (widened to f64), at their offsets in the concatenated weight bytes. */
function readWeights(specs: unknown[], data: Uint8Array): Map<string, { shape: number[]; values: number[] }> {
  const out = new Map<string, { shape: number[]; values: number[] }>();
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let at = 0;
  specs.forEach((s, k) => {
    const f = `weightSpecs[${k}]`;
    const spec = obj(s, f, '{ name, shape, dtype }');
    if (typeof spec.name !== 'string') bad(`${f}.name`, 'a string', spec.name);
    if (spec.dtype !== 'float32') bad(`${f}.dtype`, "'float32'", spec.dtype);
    if (spec.quantization !== undefined) bad(`${f}.quantization`, 'unquantized weights', words('quantized weights'));
    const shape = spec.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) bad(`${f}.shape`, 'an array of non-negative integers', shape);
    const n = (shape as number[]).reduce((a, b) => a * b, 1);
    if (at + 4 * n > data.length) bad('weightData', `at least ${at + 4 * n} bytes for ${spec.name}`, words(`${data.length} bytes`));
    const values: number[] = [];
    for (let i = 0; i < n; i++) values.push(dv.getFloat32(at + 4 * i, true));
    const nonFinite = values.findIndex((v) => !Number.isFinite(v));
    if (nonFinite >= 0) bad(`weightData (${spec.name}[${nonFinite}])`, 'a finite number', values[nonFinite]);
    out.set(spec.name as string, { shape: shape as number[], values });
    at += 4 * n;
  });
  return out;
}

/** The width a first layer declares: batch_input_shape / batch_shape [null, n], or input_dim. */
function declaredWidth(c: Obj, field: string): number | undefined {
  const shape = c.batch_input_shape ?? c.batchInputShape ?? c.batch_shape;
  if (shape !== undefined) {
    if (!Array.isArray(shape) || shape.length !== 2 || !Number.isSafeInteger(shape[1]) || shape[1] < 1) bad(`${field}.batch_input_shape`, '[null, inputs] (rank-2 input)', shape);
    return (shape as number[])[1];
  }
  if (c.input_dim !== undefined) return Number.isSafeInteger(c.input_dim) && (c.input_dim as number) > 0 ? (c.input_dim as number) : bad(`${field}.input_dim`, 'a positive integer', c.input_dim);
  return undefined;
}

function activationOf(v: unknown, field: string): Activation {
  const name = v === null || v === undefined ? 'linear' : v;
  return (typeof name === 'string' && TF_ACTIVATIONS[name]) || bad(field, `one of ${Object.keys(TF_ACTIVATIONS).join(', ')} (or a LeakyReLU layer with alpha ${LEAKY_SLOPE})`, v);
}

function readLayers(topology: Obj, weights: Map<string, { shape: number[]; values: number[] }>): Imported {
  const top = isObj(topology.model_config) ? topology.model_config : topology; // Keras-converted files nest it
  const tf = topology === top ? 'modelTopology' : 'modelTopology.model_config';
  if (top.class_name !== 'Sequential') bad(`${tf}.class_name`, "'Sequential'", top.class_name);
  const cfg = top.config;
  const list = Array.isArray(cfg) ? cfg : isObj(cfg) && Array.isArray(cfg.layers) ? cfg.layers : bad(`${tf}.config.layers`, 'an array of layers', cfg);
  const lf = Array.isArray(cfg) ? `${tf}.config` : `${tf}.config.layers`;
  const built: Imported = { inputs: 0, layers: [], weights: [] };
  let width: number | undefined;
  let open = false; // the newest Dense is linear and may still take an Activation/LeakyReLU layer
  (list as unknown[]).forEach((raw, k) => {
    const f = `${lf}[${k}]`;
    const layer = obj(raw, f, '{ class_name, config }');
    const c = obj(layer.config, `${f}.config`, 'an object');
    if (built.layers.length === 0 && width === undefined) width = declaredWidth(c, `${f}.config`);
    switch (layer.class_name) {
      case 'InputLayer':
        if (k !== 0) bad(`${f}.class_name`, 'InputLayer only first', layer.class_name);
        return;
      case 'Dropout': // identity at inference
        return;
      case 'Dense': {
        const units = c.units;
        if (!Number.isSafeInteger(units) || (units as number) < 1) bad(`${f}.config.units`, 'a positive integer', units);
        if (width === undefined) bad(`${f}.config.batch_input_shape`, '[null, inputs] on the first layer (or an InputLayer)', words('no input shape'));
        const activation = activationOf(c.activation, `${f}.config.activation`);
        const useBias = c.use_bias ?? c.useBias ?? true;
        if (typeof useBias !== 'boolean') bad(`${f}.config.use_bias`, 'true or false', useBias);
        if (typeof c.name !== 'string') bad(`${f}.config.name`, 'the layer name its weights are saved under', c.name);
        const find = (part: string, shape: number[]) => {
          const key = `${c.name}/${part}`;
          const hit = weights.get(key) ?? [...weights].find(([n]) => n.endsWith(`/${key}`))?.[1];
          if (!hit) return bad(`weightSpecs`, `a weight named "${key}"`, words('none'));
          if (hit.shape.join() !== shape.join()) bad(`weightSpecs (${key}).shape`, `[${shape.join(', ')}]`, words(`[${hit.shape.join(', ')}]`));
          return hit.values;
        };
        const n = units as number, m = width!;
        const kernel = find('kernel', [m, n]);
        const rows = Array.from({ length: n }, (_, o) => Array.from({ length: m }, (_, i) => kernel[i * n + o]));
        built.weights.push(useBias ? { weights: rows, bias: find('bias', [n]) } : { weights: rows });
        if (built.layers.length === 0) built.inputs = m;
        built.layers.push({ units: n, activation, bias: useBias as boolean });
        width = n;
        open = activation === 'linear';
        return;
      }
      case 'Activation':
      case 'LeakyReLU': {
        if (!open) bad(`${f}.class_name`, `${layer.class_name} only right after a Dense layer with activation 'linear'`, layer.class_name);
        let activation: Activation;
        if (layer.class_name === 'Activation') activation = activationOf(c.activation, `${f}.config.activation`);
        else {
          const alpha = c.alpha ?? c.negative_slope ?? 0.3; // TF.js and Keras default to 0.3
          if (typeof alpha !== 'number' || Math.abs(alpha - LEAKY_SLOPE) > 1e-7) bad(`${f}.config.alpha`, `${LEAKY_SLOPE} (backprop's leakyRelu slope)`, alpha);
          activation = 'leakyRelu';
        }
        built.layers[built.layers.length - 1].activation = activation;
        open = false;
        return;
      }
      default:
        bad(`${f}.class_name`, 'one of InputLayer, Dense, Activation, LeakyReLU, Dropout', layer.class_name);
    }
  });
  if (built.layers.length === 0) bad(`${lf}`, 'at least one Dense layer', words('none'));
  return built;
}

/**
 * A TF.js Layers model as a network: artifacts from `tf.io.withSaveHandler` (or toTFJS()), or
 * `{ modelJson, weightData }` for a model.json and its weight file(s). float32 weights become f64.
 */
export async function fromTFJS(artifacts: unknown, options: ImportOptions = {}): Promise<Network> {
  checkImportOptions(options);
  const { topology, specs, data, meta } = unpack(artifacts);
  const built = readLayers(topology, readWeights(specs, data));
  return buildImported(built, isObj(meta) && isObj(meta.backprop) ? meta.backprop.spec : undefined, options);
}
