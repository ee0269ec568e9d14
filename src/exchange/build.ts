// What ONNX and TF.js imports share: the layers they read, the options they take, and making the
// network from them.
// Only types from network.js statically: Network imports this module's users for its toONNX/
// fromONNX methods, so the class itself is loaded lazily below to keep the module graph acyclic.
import type { Network, CreateOptions } from '../network.js';
import { BackpropError, words } from '../errors.js';
import type { Activation, Loss } from '../kinds.js';
import { checkKeys, type NetworkSpec, type OptimizerSpec, type Precision } from '../spec.js';

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

/** The options checked and copied (each read once, so a getter cannot answer differently later). */
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

/**
 * Creates the network and loads the weights. The layers come from the file; other settings (loss,
 * optimizer, seed, per-layer extras) from `saved`, the `toJSON().spec` we embed on export, when
 * it describes the same layers; `options` override both.
 */
export async function buildImported(b: Imported, saved: unknown, options: ImportOptions): Promise<Network> {
  const s = typeof saved === 'object' && saved !== null && !Array.isArray(saved) ? (saved as Record<string, unknown>) : {};
  for (const key of CALLER_ONLY) {
    if (Object.hasOwn(s, key)) throw new BackpropError('INVALID_MODEL', `model.${key}`, `no ${key} in a model file (pass options.${key} to the import)`, s[key]);
  }
  const savedLayers = Array.isArray(s.layers) && s.layers.length === b.layers.length ? (s.layers as unknown[]) : [];
  const layers = b.layers.map((l, i) => ({ ...(savedLayers[i] as object | undefined), units: l.units, activation: l.activation, bias: l.bias }));
  const out = b.layers[b.layers.length - 1];
  const spec: Record<string, unknown> = { ...(savedLayers.length ? s : {}), inputs: b.inputs, layers };
  for (const k of ['loss', 'optimizer', 'seed', 'precision'] as const) if (options[k] !== undefined) spec[k] = options[k];
  spec.loss ??= out.activation === 'softmax' && out.units > 1 ? 'crossEntropy' : 'mse';
  const { Network: N } = await import('../network.js');
  let net: Network;
  try {
    net = await N.create(spec as unknown as NetworkSpec, { backend: options.backend, wasm: options.wasm, ...(options.fma !== undefined ? { fma: options.fma } : {}) });
  } catch (e) {
    // The layers (and any saved settings) came from the file: a mismatch is the model's.
    throw e instanceof BackpropError && e.code === 'INVALID_SPEC' ? e.within('INVALID_MODEL', 'model') : e;
  }
  // Straight into the parameter block (as fromJSON does): the readers checked shapes and
  // finiteness, and a copy through setWeights' nested arrays would cost 3× the network.
  const c = net.core;
  c.enter(1);
  const params = c.view(c.params, c.layout.size);
  b.weights.forEach((w, i) => {
    const at = c.layout.layers[i];
    params.set(w.weights, at.w);
    if (w.bias) params.set(w.bias, at.b);
  });
  return net;
}

/** The spec to embed on export: what toJSON() saves, which Network.create accepts back. */
export function savedSpec(net: Network): unknown {
  return net.toJSON().spec;
}
