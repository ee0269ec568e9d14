// TF.js Layers import: a Sequential of Dense layers (kernel [in][out], the transpose of ours),
// Activation/LeakyReLU/Dropout layers, float32 weights widened exactly to f64. The topology is
// read and counted first (layers, parameters, names), then each weight a layer names is found
// once (exact name, else the first name ending in "/<layer>/<part>") and decoded once, straight
// from the weight bytes into the layer's [out][in] block.
import { BackpropError, words } from '../errors.js';
import { ACTIVATIONS, ACTIVATION_KINDS, LEAKY_SLOPE, type Activation, type ActivationKind } from '../kinds/activations.js';
import { MAX_LAYERS, MAX_PARAMS } from '../spec.js';
import { importedModel, checkImportOptions, type Imported, type ImportedModel, type ImportOptions } from './build.js';
import { plainCopy, isBuffer, isBytes } from './plain-data.js';
import { firstWithSuffix } from './suffix-match.js';

/**
 * A model.json of 1,024 Keras Dense layers is ~0.5 MiB. JSON can take 25× its size once parsed
 * (`{},` is a 3-byte object), so more text than this is refused before parsing.
 */
const MAX_JSON_CHARS = 2 * 2 ** 20;

/** TF.js activation names → ours (src/kinds/activations.ts); leakyRelu comes as a LeakyReLU layer. */
const TF_ACTIVATIONS = new Map<unknown, Activation>(
  ACTIVATIONS.flatMap((name) => {
    const form: ActivationKind['tfjs'] = ACTIVATION_KINDS[name].tfjs;
    return form !== null && 'activation' in form ? [[form.activation, name] as const] : [];
  }),
);

const bad = (field: string, expected: string, got?: unknown): never => {
  throw got === undefined ? new BackpropError('INVALID_MODEL', field, expected) : new BackpropError('INVALID_MODEL', field, expected, got);
};
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && !isBytes(v) && !isBuffer(v);
const obj = (v: unknown, field: string, expected: string): Obj => (isObj(v) ? v : bad(field, expected, v));
const has = (o: Obj, key: string) => Object.hasOwn(o, key);

/** Weight bytes as one buffer: TF.js hands over an ArrayBuffer, or shards as ArrayBuffer[]. */
function bytesOf(v: unknown, field: string): Uint8Array {
  if (isBuffer(v)) return new Uint8Array(v);
  if (isBytes(v)) return v;
  if (Array.isArray(v) && v.every((b) => isBuffer(b) || isBytes(b))) {
    const parts = v.map((b) => (isBytes(b) ? b : new Uint8Array(b as ArrayBuffer)));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) out.set(p, (at += p.length) - p.length);
    return out;
  }
  return bad(field, 'an ArrayBuffer, Uint8Array or an array of them (shards in manifest order)', v);
}

/** Topology, weight specs and bytes from either artifacts or { modelJson, weightData }, as plain data. */
function unpack(input: unknown): { topology: Obj; specs: unknown[]; data: Uint8Array; meta: unknown } {
  const a = obj(plainCopy(input, 'artifacts'), 'artifacts', '{ modelTopology, weightSpecs, weightData } or { modelJson, weightData }');
  if (has(a, 'modelJson')) {
    let json = a.modelJson;
    if (typeof json === 'string') {
      if (json.length > MAX_JSON_CHARS)
        bad(
          'artifacts.modelJson',
          `the JSON text of a model.json of at most ${MAX_JSON_CHARS} characters`,
          words(`${json.length} characters`),
        );
      try {
        json = plainCopy(JSON.parse(json), 'modelJson');
      } catch (e) {
        if (e instanceof BackpropError) throw e;
        bad('artifacts.modelJson', 'the JSON text of a model.json', words('text that is not JSON'));
      }
    }
    const m = obj(json, 'artifacts.modelJson', 'a model.json object');
    if (!Array.isArray(m.weightsManifest)) bad('modelJson.weightsManifest', 'an array of { paths, weights }', m.weightsManifest);
    const specs = (m.weightsManifest as unknown[]).flatMap((g, k) => {
      const group = obj(g, `modelJson.weightsManifest[${k}]`, '{ paths, weights }');
      return Array.isArray(group.weights)
        ? group.weights
        : bad(`modelJson.weightsManifest[${k}].weights`, 'an array of weight specs', group.weights);
    });
    return {
      topology: obj(m.modelTopology, 'modelJson.modelTopology', 'an object'),
      specs,
      data: bytesOf(a.weightData, 'artifacts.weightData'),
      meta: m.userDefinedMetadata,
    };
  }
  if (!Array.isArray(a.weightSpecs)) bad('artifacts.weightSpecs', 'an array of { name, shape, dtype }', a.weightSpecs);
  return {
    topology: obj(a.modelTopology, 'artifacts.modelTopology', 'an object'),
    specs: a.weightSpecs as unknown[],
    data: bytesOf(a.weightData, 'artifacts.weightData'),
    meta: a.userDefinedMetadata,
  };
}

/** A weight as the manifest places it: float32 values at a byte offset of the concatenated data. */
interface Entry {
  name: string;
  shape: number[];
  offset: number;
  used: boolean;
}

/** Checks every spec and where its bytes lie; decodes nothing. */
function readEntries(specs: unknown[], data: Uint8Array): Entry[] {
  const entries: Entry[] = [];
  const names = new Set<string>();
  let at = 0;
  specs.forEach((s, k) => {
    const f = `weightSpecs[${k}]`;
    const spec = obj(s, f, '{ name, shape, dtype }');
    const name = spec.name;
    if (typeof name !== 'string') return bad(`${f}.name`, 'a string', name);
    if (names.has(name)) bad(`${f}.name`, 'a name no other weight has', name);
    names.add(name);
    if (spec.dtype !== 'float32') bad(`${f}.dtype`, "'float32'", spec.dtype);
    if (spec.quantization !== undefined) bad(`${f}.quantization`, 'unquantized weights', words('quantized weights'));
    const shape = spec.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      bad(`${f}.shape`, 'an array of non-negative integers', shape);
    const n = (shape as number[]).reduce((a, b) => a * b, 1);
    if (at + 4 * n > data.length) bad('weightData', `at least ${at + 4 * n} bytes for ${name}`, words(`${data.length} bytes`));
    entries.push({ name, shape: shape as number[], offset: at, used: false });
    at += 4 * n;
  });
  return entries;
}

/** The width a first layer declares: batch_input_shape / batch_shape [null, n], or input_dim. */
function declaredWidth(c: Obj, field: string): number | undefined {
  const shape = c.batch_input_shape ?? c.batchInputShape ?? c.batch_shape;
  if (shape !== undefined) {
    if (!Array.isArray(shape) || shape.length !== 2 || !Number.isSafeInteger(shape[1]) || shape[1] < 1)
      bad(`${field}.batch_input_shape`, '[null, inputs] (rank-2 input)', shape);
    return (shape as number[])[1];
  }
  if (c.input_dim !== undefined)
    return Number.isSafeInteger(c.input_dim) && (c.input_dim as number) > 0
      ? (c.input_dim as number)
      : bad(`${field}.input_dim`, 'a positive integer', c.input_dim);
  return undefined;
}

function activationOf(v: unknown, field: string): Activation {
  return (
    TF_ACTIVATIONS.get(v ?? 'linear') ??
    bad(field, `one of ${[...TF_ACTIVATIONS.keys()].join(', ')} (or a LeakyReLU layer with alpha ${LEAKY_SLOPE})`, v)
  );
}

/** A Dense layer as the topology declares it; its weights are looked up afterwards. */
interface Dense {
  name: string;
  units: number;
  inputs: number;
  field: string;
}

/** The layers, counted as they are read: beyond 1,024 Dense layers or 2²⁶ parameters is refused there. */
function readLayers(topology: Obj): { built: Imported; dense: Dense[] } {
  const top = isObj(topology.model_config) ? topology.model_config : topology; // Keras-converted files nest it
  const tf = topology === top ? 'modelTopology' : 'modelTopology.model_config';
  if (top.class_name !== 'Sequential') bad(`${tf}.class_name`, "'Sequential'", top.class_name);
  const cfg = top.config;
  const list = Array.isArray(cfg)
    ? cfg
    : isObj(cfg) && Array.isArray(cfg.layers)
      ? cfg.layers
      : bad(`${tf}.config.layers`, 'an array of layers', cfg);
  const lf = Array.isArray(cfg) ? `${tf}.config` : `${tf}.config.layers`;
  const built: Imported = { inputs: 0, layers: [], weights: [] };
  const dense: Dense[] = [];
  const names = new Set<string>();
  let width: number | undefined;
  let params = 0;
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
        if (width === undefined)
          bad(`${f}.config.batch_input_shape`, '[null, inputs] on the first layer (or an InputLayer)', words('no input shape'));
        const activation = activationOf(c.activation, `${f}.config.activation`);
        const useBias = c.use_bias ?? c.useBias ?? true;
        if (typeof useBias !== 'boolean') bad(`${f}.config.use_bias`, 'true or false', useBias);
        if (typeof c.name !== 'string') bad(`${f}.config.name`, 'the layer name its weights are saved under', c.name);
        // One name per layer: layers sharing one would share (and each copy) the same weights.
        if (names.has(c.name as string)) bad(`${f}.config.name`, 'a name no other Dense layer has', c.name);
        if (dense.length === MAX_LAYERS) bad(f, `at most ${MAX_LAYERS} Dense layers`, words(`Dense layer ${MAX_LAYERS + 1}`));
        const n = units as number,
          m = width!;
        if ((params += n * (m + (useBias ? 1 : 0))) > MAX_PARAMS)
          bad(`${f}.config.units`, `at most ${MAX_PARAMS} parameters in all`, words(`${params} so far`));
        names.add(c.name as string);
        dense.push({ name: c.name as string, units: n, inputs: m, field: f });
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
          if (typeof alpha !== 'number' || Math.abs(alpha - LEAKY_SLOPE) > 1e-7)
            bad(`${f}.config.alpha`, `${LEAKY_SLOPE} (backprop's leakyRelu slope)`, alpha);
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
  return { built, dense };
}

/** Each Dense layer's kernel (transposed to [out][in]) and bias, found and decoded once. */
function readWeights(built: Imported, dense: Dense[], entries: Entry[], data: Uint8Array): void {
  const exact = new Map(entries.map((e) => [e.name, e]));
  const parts = (d: Dense, i: number) => (built.layers[i].bias ? [`${d.name}/kernel`, `${d.name}/bias`] : [`${d.name}/kernel`]);
  const missing = dense.flatMap((d, i) => parts(d, i)).filter((key) => !exact.has(key));
  const suffixed = firstWithSuffix(
    entries.map((e) => e.name),
    missing,
  );
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const find = (key: string, shape: number[]): Entry => {
    const at = suffixed.get(key);
    const hit = exact.get(key) ?? (at === undefined ? undefined : entries[at]);
    if (!hit) return bad('weightSpecs', `a weight named "${key}"`, words('none'));
    if (hit.shape.join() !== shape.join()) bad(`weightSpecs (${key}).shape`, `[${shape.join(', ')}]`, words(`[${hit.shape.join(', ')}]`));
    if (hit.used) bad(`weightSpecs (${key})`, 'a weight no other layer uses (shared weights are not supported)', hit.name);
    hit.used = true;
    return hit;
  };
  /** Value `k` of an entry (in the file's order), checked finite. */
  const value = (e: Entry, k: number): number => {
    const v = dv.getFloat32(e.offset + 4 * k, true);
    return Number.isFinite(v) ? v : bad(`weightData (${e.name}[${k}])`, 'a finite number', v);
  };
  dense.forEach((d, i) => {
    const n = d.units,
      m = d.inputs;
    const kernel = find(`${d.name}/kernel`, [m, n]);
    const weights = new Float64Array(n * m);
    for (let r = 0; r < m; r++) for (let o = 0; o < n; o++) weights[o * m + r] = value(kernel, r * n + o);
    let bias: Float64Array | undefined;
    if (built.layers[i].bias) {
      const b = find(`${d.name}/bias`, [n]);
      bias = Float64Array.from({ length: n }, (_, o) => value(b, o));
    }
    built.weights.push(bias ? { weights, bias } : { weights });
  });
}

/**
 * A TF.js Layers model, read into what Network.fromTFJS creates: artifacts from `tf.io.withSaveHandler` (or toTFJS()), or
 * `{ modelJson, weightData }` for a model.json and its weight file(s). float32 weights become f64.
 */
export function readTFJS(artifacts: unknown, options: ImportOptions = {}): ImportedModel {
  const opts = checkImportOptions(options);
  const { topology, specs, data, meta } = unpack(artifacts);
  const { built, dense } = readLayers(topology);
  readWeights(built, dense, readEntries(specs, data), data);
  const saved = isObj(meta) && isObj(meta.backprop) ? meta.backprop.spec : undefined;
  return importedModel(built, saved, opts);
}
