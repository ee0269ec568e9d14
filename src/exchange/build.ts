// What ONNX and TF.js share: the layers an import reads, the options it takes, and the plain
// objects that cross between the formats and Network — an import yields { spec, weights } for
// Network to create, an export reads { spec, weights } that Network hands it. Nothing here
// creates or reads a network.
import type { CreateOptions } from '../network.js';
import type { LayerWeights } from '../layer-weights.js';
import { BackpropError, words } from '../errors.js';
import type { Activation, Loss } from '../kinds.js';
import { checkKeys, type DeepReadonly, type NetworkSpec, type OptimizerSpec, type Precision, type ResolvedSpec } from '../spec.js';

/** The training settings an exchange format does not carry. */
export interface TrainingSettings {
  loss?: Loss;
  optimizer?: OptimizerSpec;
  seed?: number;
  /**
   * The network's precision. Default: what our metadata says, else 'f64' — also for a float32 file
   * from another tool, whose values widen to f64 exactly; pass 'f32' to train it in f32.
   */
  precision?: Precision;
}

/**
 * Options of fromONNX/fromTFJS. Each defaults to what the file's backprop metadata says; without
 * it, loss is crossEntropy for a softmax output, else mse, and the rest are create()'s defaults.
 */
export interface ImportOptions extends TrainingSettings, CreateOptions {}

/**
 * Dense layers as read from a file, each weight matrix [out][in] row-major in f64 (units × inputs
 * values; a reader may hand over its decoded tensor itself), finite, not yet copied anywhere.
 */
export interface Imported {
  inputs: number;
  layers: { units: number; activation: Activation; bias: boolean }[];
  weights: { weights: Float64Array; bias?: Float64Array }[];
}

/** Spec keys a model file may not carry: the caller, not the file, chooses where the network runs. */
const CALLER_ONLY = ['backend', 'wasm'];

/** The options checked and copied (each read once, so a getter cannot answer differently later). @internal */
export function checkImportOptions(options: unknown): ImportOptions {
  const expected = 'an object { loss?, optimizer?, seed?, precision?, backend?, wasm?, fma? }';
  if (typeof options !== 'object' || options === null) throw new BackpropError('INVALID_OPTION', 'options', expected, options);
  let copy: ImportOptions;
  try {
    if (Array.isArray(options)) throw new BackpropError('INVALID_OPTION', 'options', expected, words('an array'));
    copy = { ...options };
  } catch (e) {
    if (e instanceof BackpropError) throw e;
    throw new BackpropError('INVALID_OPTION', 'options', 'plain data', words('a getter or Proxy that threw'));
  }
  checkKeys(copy, ['loss', 'optimizer', 'seed', 'precision', 'backend', 'wasm', 'fma'], 'options', 'INVALID_OPTION');
  return copy;
}

/** What an import hands Network: the spec to create, the weights to load, and the create options. */
export interface ImportedModel {
  spec: NetworkSpec;
  /** Per layer, [out][in] row-major, checked for shape and finiteness. */
  weights: Imported['weights'];
  create: CreateOptions;
}

/** What an export reads from a network: its normalized spec, its weights and the spec toJSON() saves. */
export interface ExportedModel {
  spec: DeepReadonly<ResolvedSpec>;
  weights: LayerWeights[];
  /** `toJSON().spec`, embedded in the file so that an import restores the same settings. */
  saved: unknown;
}

/**
 * The spec of the network to create: the layers come from the file; other settings (loss,
 * optimizer, seed, per-layer extras) from `saved`, the `toJSON().spec` we embed on export, when
 * it describes the same layers; `options` override both. Network.fromONNX/fromTFJS create it.
 * @internal
 */
export function importedModel(b: Imported, saved: unknown, options: ImportOptions): ImportedModel {
  const s = typeof saved === 'object' && saved !== null && !Array.isArray(saved) ? (saved as Record<string, unknown>) : {};
  for (const key of CALLER_ONLY) {
    if (Object.hasOwn(s, key))
      throw new BackpropError('INVALID_MODEL', `model.${key}`, `no ${key} in a model file (pass options.${key} to the import)`, s[key]);
  }
  const savedLayers = Array.isArray(s.layers) && s.layers.length === b.layers.length ? (s.layers as unknown[]) : [];
  const layers = b.layers.map((l, i) => ({
    ...(savedLayers[i] as object | undefined),
    units: l.units,
    activation: l.activation,
    bias: l.bias,
  }));
  const out = b.layers[b.layers.length - 1];
  const spec: Record<string, unknown> = { ...(savedLayers.length ? s : {}), inputs: b.inputs, layers };
  for (const k of ['loss', 'optimizer', 'seed', 'precision'] as const) if (options[k] !== undefined) spec[k] = options[k];
  spec.loss ??= out.activation === 'softmax' && out.units > 1 ? 'crossEntropy' : 'mse';
  const create = { backend: options.backend, wasm: options.wasm, ...(options.fma !== undefined ? { fma: options.fma } : {}) };
  return { spec: spec as unknown as NetworkSpec, weights: b.weights, create };
}
