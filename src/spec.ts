// Validation of what users write, into a normalized spec. Nothing here touches a network.
import { ACTIVATION_KINDS } from './kinds/activations.js';
import { LOSS_KINDS } from './kinds/losses.js';
import { ACTIVATIONS, LOSSES, OPTIMIZERS, type Activation, type Loss, type OptimizerName } from './kinds.js';
import { HYPER_PARAMETERS, OPTIMIZER_KINDS, hyperParametersOf, type HyperCheck, type HyperParameter } from './kinds/optimizers.js';
import { BackpropError, words, type ErrorCode } from './errors.js';

export interface LayerSpec {
  units: number;
  activation?: Activation;
  bias?: boolean;
  /** L2 penalty ½λ‖W‖² on this layer's weights (overrides the network's `l2`). */
  l2?: number;
  /** Inverted dropout on this layer's outputs while training (rate in [0, 1)); not on the output layer. */
  dropout?: number;
}

interface Clipping {
  /** Rescale all gradients together when their global L2 norm exceeds this. */
  clipNorm?: number;
  /** Clamp every gradient to [−clipValue, clipValue]. */
  clipValue?: number;
}
export interface SgdSpec extends Clipping {
  type: 'sgd';
  learningRate?: number;
  momentum?: number;
  nesterov?: boolean;
}
export interface AdamSpec extends Clipping {
  type: 'adam';
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}
/** Adam with decoupled weight decay; a type of its own so that `weightDecay` on 'adam' fails to compile. */
export interface AdamWSpec extends Clipping {
  type: 'adamw';
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Decoupled weight decay λ: w ← w − η(m̂/(√v̂+ε) + λw). Default 0.01. */
  weightDecay?: number;
}
export interface RmspropSpec extends Clipping {
  type: 'rmsprop';
  learningRate?: number;
  rho?: number;
  epsilon?: number;
}
export interface AdagradSpec extends Clipping {
  type: 'adagrad';
  learningRate?: number;
  epsilon?: number;
}
export type OptimizerSpec = SgdSpec | AdamSpec | AdamWSpec | RmspropSpec | AdagradSpec;
/** @internal true when A and B are the same set of names (else never: the assignment below fails to compile). */
type SameNames<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
/** Every optimizer of src/kinds/optimizers.ts has a spec type above, and no other. @internal */
export const OPTIMIZER_SPECS_COVER_THE_TABLE: SameNames<OptimizerSpec['type'], OptimizerName> = true;
export type BackendChoice = 'auto' | 'wasm' | 'js';
/** The element type of every value the network computes with (parameters, activations, data in the heap). */
export type Precision = 'f32' | 'f64';
export const PRECISIONS: readonly Precision[] = ['f64', 'f32'];

export interface NetworkSpec {
  inputs: number;
  layers: LayerSpec[];
  loss?: Loss;
  optimizer?: OptimizerSpec;
  /** Default L2 penalty λ for every layer's weights (biases are not penalized). */
  l2?: number;
  seed?: number;
  backend?: BackendChoice;
  /**
   * 'f64' (default) or 'f32': f32 networks run the f32 Wasm build (four values per SIMD
   * operation, half the memory traffic), round every operation to f32 as TF.js does, and predict
   * returns Float32Array.
   */
  precision?: Precision;
}

/** A layer of a resolved spec: every field filled in (the user writes a LayerSpec). */
export interface ResolvedLayer {
  inputs: number;
  units: number;
  activation: Activation;
  bias: boolean;
  l2: number;
  dropout: number;
}

/** The optimizer with every field filled in (fields that do not apply to its type are 0); the user writes an OptimizerSpec. */
export interface ResolvedOptimizer {
  type: OptimizerName;
  learningRate: number;
  momentum: number;
  nesterov: boolean;
  beta1: number;
  beta2: number;
  rho: number;
  epsilon: number;
  weightDecay: number;
  clipNorm: number;
  clipValue: number;
}

/** The spec after validation, every default filled in (what `net.spec` returns; the user writes a NetworkSpec). */
export interface ResolvedSpec {
  inputs: number;
  layers: ResolvedLayer[];
  loss: Loss;
  optimizer: ResolvedOptimizer;
  seed: number;
  precision: Precision;
}

// The public API's names for the resolved forms (unchanged for users; inside src/ the Resolved… names
// keep them apart from the user's NetworkSpec, LayerSpec and OptimizerSpec).
/** = ResolvedSpec. */
export type Spec = ResolvedSpec;
/** = ResolvedLayer. */
export type Layer = ResolvedLayer;
/** = ResolvedOptimizer. */
export type Optimizer = ResolvedOptimizer;

/** T with every property, at every depth, read-only (what `net.spec` returns). */
export type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** A deep copy of a normalized spec, frozen at every level. */
export function frozenCopy(spec: ResolvedSpec): DeepReadonly<ResolvedSpec> {
  const freeze = <T>(v: T): T => {
    if (typeof v === 'object' && v !== null) {
      for (const x of Object.values(v)) freeze(x);
      Object.freeze(v);
    }
    return v;
  };
  return freeze(structuredClone(spec));
}

/** Limits that keep every offset an exact i32 and parameters, gradients and state within 4 GiB of Wasm memory. */
export const MAX_LAYERS = 1024;
export const MAX_PARAMS = 2 ** 26;

const fail = (field: string, expected: string, got: unknown): never => {
  throw new BackpropError('INVALID_SPEC', field, expected, got);
};

export function checkKeys(o: object, allowed: readonly string[], field: string, code: ErrorCode = 'INVALID_SPEC'): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key))
      throw new BackpropError(
        code,
        field ? `${field}.${key}` : key,
        `one of the options ${allowed.join(', ')}`,
        words('an unknown option'),
      );
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const positiveInt = (v: unknown, field: string) =>
  Number.isSafeInteger(v) && (v as number) > 0 ? (v as number) : fail(field, 'a positive integer', v);
const finite = (v: unknown, field: string, min = -Infinity) =>
  typeof v === 'number' && Number.isFinite(v) && v >= min
    ? v
    : fail(field, min > -Infinity ? `a finite number ≥ ${min}` : 'a finite number', v);

/** The output activation a loss implies when the user names none. */
function defaultOutput(loss: Loss): Activation {
  return LOSS_KINDS[loss].output;
}

/**
 * `from`: 'create' for Network.create's spec, which may name a backend; 'file' for a spec read
 * from a model file, which may not: the caller chooses the backend, never the file.
 */
export function normalizeSpec(input: unknown, from: 'create' | 'file' = 'create'): ResolvedSpec {
  if (!isObject(input)) fail('spec', 'an object { inputs, layers, ... }', input);
  const s = input as Record<string, unknown>;
  // Create options, not spec fields: a module in the spec was silently ignored.
  if (Object.hasOwn(s, 'wasm')) fail('wasm', 'no wasm in the spec (a create option: Network.create(spec, { wasm }))', s.wasm);
  if (Object.hasOwn(s, 'backend') && from === 'file')
    fail('backend', 'no backend in a model file (the caller chooses it: fromJSON(model, { backend }))', s.backend);
  checkKeys(s, ['inputs', 'layers', 'loss', 'optimizer', 'l2', 'seed', 'backend', 'precision'], '');
  const precision = (s.precision ?? 'f64') as Precision;
  if (!PRECISIONS.includes(precision)) fail('precision', "'f64' or 'f32'", s.precision);
  const l2 = s.l2 === undefined ? 0 : finite(s.l2, 'l2', 0);
  const inputs = positiveInt(s.inputs, 'inputs');
  // No loss named: a softmax output means classification (crossEntropy, as Keras users pick),
  // anything else mse. An explicit loss still has to fit the output (checked below).
  const lastLayer = Array.isArray(s.layers) ? (s.layers[s.layers.length - 1] as Record<string, unknown> | undefined) : undefined;
  const loss = (s.loss ?? (isObject(lastLayer) && lastLayer.activation === 'softmax' ? 'crossEntropy' : 'mse')) as Loss;
  if (!LOSSES.includes(loss)) fail('loss', `one of ${LOSSES.join(', ')}`, s.loss);
  if (!Array.isArray(s.layers) || s.layers.length === 0) fail('layers', 'a non-empty array of { units, activation?, bias? }', s.layers);
  const raw = s.layers as unknown[];
  let width = inputs;
  if (raw.length > MAX_LAYERS) fail('layers', `at most ${MAX_LAYERS} layers`, raw.length);
  // Array.from, not map: it visits holes (map skips them) and never consults a `constructor` key.
  const layers = Array.from(raw, (l, i): ResolvedLayer => {
    const f = `layers[${i}]`;
    if (!isObject(l)) fail(f, 'an object { units, activation?, bias? }', l);
    const o = l as Record<string, unknown>;
    checkKeys(o, ['units', 'activation', 'bias', 'l2', 'dropout'], f);
    const units = positiveInt(o.units, `${f}.units`);
    const last = i === raw.length - 1;
    const activation = (o.activation ?? (last ? defaultOutput(loss) : 'relu')) as Activation;
    if (!ACTIVATIONS.includes(activation)) fail(`${f}.activation`, `one of ${ACTIVATIONS.join(', ')}`, o.activation);
    if (!ACTIVATION_KINDS[activation].elementwise && !last) fail(`${f}.activation`, `${activation} only on the output layer`, activation);
    if (o.bias !== undefined && typeof o.bias !== 'boolean') fail(`${f}.bias`, 'true or false', o.bias);
    const dropout = o.dropout === undefined ? 0 : finite(o.dropout, `${f}.dropout`, 0);
    if (dropout >= 1) fail(`${f}.dropout`, 'a rate in [0, 1)', dropout);
    if (dropout > 0 && last) fail(`${f}.dropout`, '0 on the output layer (dropout applies to hidden layers)', dropout);
    const layer = {
      inputs: width,
      units,
      activation,
      bias: o.bias !== false,
      l2: o.l2 === undefined ? l2 : finite(o.l2, `${f}.l2`, 0),
      dropout,
    };
    width = units;
    return layer;
  });
  const params = layers.reduce((n, l) => n + l.units * (l.inputs + (l.bias ? 1 : 0)), 0);
  if (params > MAX_PARAMS) fail('layers', `at most ${MAX_PARAMS} parameters in all`, words(`${params} parameters`));
  const out = layers[layers.length - 1];
  // A fused loss computes dL/dZ from logits: its output activation is part of it.
  const fusedOutput = LOSS_KINDS[loss].fused ? LOSS_KINDS[loss].output : undefined;
  if (fusedOutput && out.activation !== fusedOutput)
    fail(`layers[${layers.length - 1}].activation`, `'${fusedOutput}' with loss '${loss}'`, out.activation);
  const minOutputs = LOSS_KINDS[loss].minOutputs;
  if (out.units < minOutputs) fail(`layers[${layers.length - 1}].units`, `at least ${minOutputs} with loss '${loss}'`, out.units);
  return { inputs, layers, loss, optimizer: normalizeOptimizer(s.optimizer), seed: normalizeSeed(s.seed), precision };
}

export function normalizeOptimizer(v: unknown): ResolvedOptimizer {
  if (v === undefined) v = { type: 'sgd' };
  if (!isObject(v)) fail('optimizer', `an object { type: ${OPTIMIZERS.map((name) => `'${name}'`).join(' | ')}, learningRate?, ... }`, v);
  const o = v as Record<string, unknown>;
  const type = o.type as OptimizerName;
  if (!OPTIMIZERS.includes(type)) fail('optimizer.type', `one of ${OPTIMIZERS.join(', ')}`, o.type);
  const keys = hyperParametersOf(type);
  checkKeys(o, ['type', ...keys, 'clipNorm', 'clipValue'], 'optimizer');
  const defaults: Partial<Record<HyperParameter, number | boolean>> = OPTIMIZER_KINDS[type].defaults;
  // Flags first, then the numbers in table order: the first bad field is the one reported.
  const ordered = [
    ...keys.filter((key) => HYPER_PARAMETERS[key].check === 'flag'),
    ...keys.filter((key) => HYPER_PARAMETERS[key].check !== 'flag'),
  ];
  const given: Partial<Record<HyperParameter, number | boolean>> = {};
  for (const key of ordered)
    given[key] = o[key] === undefined ? defaults[key] : checkHyper(HYPER_PARAMETERS[key].check, o[key], `optimizer.${key}`);
  // A hyper-parameter the type does not take is 0 (false for a flag).
  const value = (key: HyperParameter) => (given[key] ?? 0) as number;
  return {
    type,
    learningRate: value('learningRate'),
    momentum: value('momentum'),
    nesterov: given.nesterov === true,
    beta1: value('beta1'),
    beta2: value('beta2'),
    rho: value('rho'),
    epsilon: value('epsilon'),
    weightDecay: value('weightDecay'),
    clipNorm: positive(o.clipNorm, 'optimizer.clipNorm', 0),
    clipValue: positive(o.clipValue, 'optimizer.clipValue', 0),
  } satisfies Record<HyperParameter, unknown> & ResolvedOptimizer;
}

/** A finite number > 0, or `dflt` when absent. */
function positive(v: unknown, field: string, dflt: number): number {
  if (v === undefined) return dflt;
  const x = finite(v, field);
  return x > 0 ? x : fail(field, 'a finite number > 0', x);
}

function checkHyper(check: HyperCheck, v: unknown, field: string): number | boolean {
  switch (check) {
    case 'flag':
      return typeof v === 'boolean' ? v : fail(field, 'true or false', v);
    case 'positive':
      return positive(v, field, 0);
    case 'nonNegative':
      return finite(v, field, 0);
    case 'fraction': {
      const x = finite(v, field, 0);
      return x < 1 ? x : fail(field, 'a number in [0, 1)', x);
    }
    default:
      return check satisfies never;
  }
}

/** The user-facing form of a normalized optimizer: only the fields its type takes. */
/**
 * Whether one-sample steps may take the fused path (assembly/fused.ts, and the per-shape modules
 * of src/backends/wasm/specialize.ts): plain or momentum SGD with no clipping, L2 or dropout.
 */
export function fusable(spec: ResolvedSpec): boolean {
  const o = spec.optimizer;
  return o.type === 'sgd' && !o.clipNorm && !o.clipValue && spec.layers.every((l) => !l.l2 && !l.dropout);
}

export function optimizerSpec(o: ResolvedOptimizer): OptimizerSpec {
  const out: Record<string, unknown> = { type: o.type };
  for (const key of hyperParametersOf(o.type)) out[key] = o[key];
  if (o.clipNorm > 0) out.clipNorm = o.clipNorm;
  if (o.clipValue > 0) out.clipValue = o.clipValue;
  return out as unknown as OptimizerSpec;
}

function normalizeSeed(v: unknown): number {
  if (v === undefined) return 1;
  return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff
    ? (v as number)
    : fail('seed', 'an integer in [0, 2³²)', v);
}
