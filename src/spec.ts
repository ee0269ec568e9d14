// Validation of what users write, into a normalized spec. Nothing here touches a network.
import { ACTIVATIONS, LOSSES, type Activation, type Loss } from './kinds.js';
import { BackpropError, words, type ErrorCode } from './errors.js';

export interface LayerSpec {
  units: number;
  activation?: Activation;
  bias?: boolean;
}
export interface SgdSpec {
  type: 'sgd';
  learningRate?: number;
  momentum?: number;
  nesterov?: boolean;
}
export type OptimizerSpec = SgdSpec;
export type BackendChoice = 'auto' | 'wasm' | 'js';

export interface NetworkSpec {
  inputs: number;
  layers: LayerSpec[];
  loss?: Loss;
  optimizer?: OptimizerSpec;
  seed?: number;
  backend?: BackendChoice;
}

export interface Layer {
  inputs: number;
  units: number;
  activation: Activation;
  bias: boolean;
}
export interface Spec {
  inputs: number;
  layers: Layer[];
  loss: Loss;
  optimizer: Required<SgdSpec>;
  seed: number;
}

const fail = (field: string, expected: string, got: unknown): never => {
  throw new BackpropError('INVALID_SPEC', field, expected, got);
};

export function checkKeys(o: object, allowed: readonly string[], field: string, code: ErrorCode = 'INVALID_SPEC'): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) throw new BackpropError(code, field ? `${field}.${key}` : key, `one of the options ${allowed.join(', ')}`, words('an unknown option'));
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const positiveInt = (v: unknown, field: string) =>
  (Number.isSafeInteger(v) && (v as number) > 0 ? (v as number) : fail(field, 'a positive integer', v));
const finite = (v: unknown, field: string, min = -Infinity) =>
  typeof v === 'number' && Number.isFinite(v) && v >= min ? v : fail(field, min > -Infinity ? `a finite number ≥ ${min}` : 'a finite number', v);

/** The output activation a loss implies when the user names none. */
function defaultOutput(loss: Loss): Activation {
  return loss === 'crossEntropy' ? 'softmax' : loss === 'binaryCrossEntropy' ? 'sigmoid' : 'linear';
}

export function normalizeSpec(input: unknown): Spec {
  if (!isObject(input)) fail('spec', 'an object { inputs, layers, ... }', input);
  const s = input as Record<string, unknown>;
  checkKeys(s, ['inputs', 'layers', 'loss', 'optimizer', 'seed', 'backend', 'wasm'], '');
  const inputs = positiveInt(s.inputs, 'inputs');
  const loss = (s.loss ?? 'mse') as Loss;
  if (!LOSSES.includes(loss)) fail('loss', `one of ${LOSSES.join(', ')}`, s.loss);
  if (!Array.isArray(s.layers) || s.layers.length === 0) fail('layers', 'a non-empty array of { units, activation?, bias? }', s.layers);
  const raw = s.layers as unknown[];
  let width = inputs;
  const layers = raw.map((l, i): Layer => {
    const f = `layers[${i}]`;
    if (!isObject(l)) fail(f, 'an object { units, activation?, bias? }', l);
    const o = l as Record<string, unknown>;
    checkKeys(o, ['units', 'activation', 'bias'], f);
    const units = positiveInt(o.units, `${f}.units`);
    const last = i === raw.length - 1;
    const activation = (o.activation ?? (last ? defaultOutput(loss) : 'relu')) as Activation;
    if (!ACTIVATIONS.includes(activation)) fail(`${f}.activation`, `one of ${ACTIVATIONS.join(', ')}`, o.activation);
    if (activation === 'softmax' && !last) fail(`${f}.activation`, 'softmax only on the output layer', activation);
    if (o.bias !== undefined && typeof o.bias !== 'boolean') fail(`${f}.bias`, 'true or false', o.bias);
    const layer = { inputs: width, units, activation, bias: o.bias !== false };
    width = units;
    return layer;
  });
  const out = layers[layers.length - 1];
  if (loss === 'crossEntropy' && out.activation !== 'softmax') fail(`layers[${layers.length - 1}].activation`, "'softmax' with loss 'crossEntropy'", out.activation);
  if (loss === 'binaryCrossEntropy' && out.activation !== 'sigmoid') fail(`layers[${layers.length - 1}].activation`, "'sigmoid' with loss 'binaryCrossEntropy'", out.activation);
  if (loss === 'crossEntropy' && out.units < 2) fail(`layers[${layers.length - 1}].units`, "at least 2 with loss 'crossEntropy'", out.units);
  return { inputs, layers, loss, optimizer: normalizeOptimizer(s.optimizer), seed: normalizeSeed(s.seed) };
}

export function normalizeOptimizer(v: unknown): Required<SgdSpec> {
  if (v === undefined) v = { type: 'sgd' };
  if (!isObject(v)) fail('optimizer', "an object { type: 'sgd', learningRate?, momentum?, nesterov? }", v);
  const o = v as Record<string, unknown>;
  if (o.type !== 'sgd') fail('optimizer.type', "'sgd'", o.type);
  checkKeys(o, ['type', 'learningRate', 'momentum', 'nesterov'], 'optimizer');
  const learningRate = o.learningRate === undefined ? 0.01 : finite(o.learningRate, 'optimizer.learningRate');
  if (learningRate <= 0) fail('optimizer.learningRate', 'a finite number > 0', learningRate);
  const momentum = o.momentum === undefined ? 0 : finite(o.momentum, 'optimizer.momentum', 0);
  if (momentum >= 1) fail('optimizer.momentum', 'a number in [0, 1)', momentum);
  if (o.nesterov !== undefined && typeof o.nesterov !== 'boolean') fail('optimizer.nesterov', 'true or false', o.nesterov);
  return { type: 'sgd', learningRate, momentum, nesterov: o.nesterov === true };
}

function normalizeSeed(v: unknown): number {
  if (v === undefined) return 1;
  return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff ? (v as number) : fail('seed', 'an integer in [0, 2³²)', v);
}
