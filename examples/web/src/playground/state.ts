// Everything the playground shows lives in the URL hash, so a link reproduces the same data,
// network and seed exactly. Unknown or out-of-range values fall back to the defaults.
import { ACTIVATIONS, OPTIMIZERS, type Activation, type OptimizerName } from '../../../../src/index.js';
import { DATASETS, type DatasetName } from './datasets.js';
import { FEATURES, type FeatureName } from './features.js';

export const MAX_LAYERS = 6,
  MAX_UNITS = 8;
/** Hidden-layer activations: every one the library has, except softmax (output layers only). */
export const HIDDEN_ACTIVATIONS = ACTIVATIONS.filter((a) => a !== 'softmax');
export const SPEEDS = [1, 3, 10, 30, 100] as const;

export interface PlaygroundState {
  dataset: DatasetName;
  points: number;
  noise: number; // 0 … 0.5
  trainPercent: number; // 10 … 90
  seed: number;
  features: FeatureName[];
  hidden: number[]; // units per hidden layer
  activation: Activation;
  optimizer: OptimizerName;
  learningRate: number;
  batchSize: number;
  l2: number;
  dropout: number;
  /** Epochs per animation frame while playing. */
  speed: number;
}

export const DEFAULTS: PlaygroundState = {
  dataset: 'circle',
  points: 500,
  noise: 0,
  trainPercent: 50,
  seed: 1,
  features: ['x1', 'x2'],
  hidden: [4, 2],
  activation: 'tanh',
  optimizer: 'sgd',
  learningRate: 0.03,
  batchSize: 10,
  l2: 0,
  dropout: 0,
  speed: 1,
};

const num = (v: string | null, lo: number, hi: number, fallback: number, integer = false) => {
  const x = v === null || v === '' ? NaN : Number(v);
  return Number.isFinite(x) && x >= lo && x <= hi && (!integer || Number.isInteger(x)) ? x : fallback;
};
const oneOf = <T extends string>(v: string | null, list: readonly T[], fallback: T): T => (list.includes(v as T) ? (v as T) : fallback);

export function parseState(hash: string): PlaygroundState {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  const d = DEFAULTS;
  const features = (q.get('features') ?? '').split(',').filter((f): f is FeatureName => (FEATURES as readonly string[]).includes(f));
  const hiddenText = q.get('layers');
  const hidden = hiddenText === null ? d.hidden : hiddenText === '' ? [] : hiddenText.split(',').map((u) => num(u, 1, MAX_UNITS, 0, true));
  return {
    dataset: oneOf(q.get('data'), DATASETS, d.dataset),
    points: num(q.get('points'), 20, 2000, d.points, true),
    noise: num(q.get('noise'), 0, 0.5, d.noise),
    trainPercent: num(q.get('train'), 10, 90, d.trainPercent, true),
    seed: num(q.get('seed'), 0, 2 ** 31 - 1, d.seed, true),
    features: features.length ? [...new Set(features)] : d.features,
    hidden: hidden.length > MAX_LAYERS || hidden.includes(0) ? d.hidden : hidden,
    activation: oneOf(q.get('act'), HIDDEN_ACTIVATIONS, d.activation),
    optimizer: oneOf(q.get('opt'), OPTIMIZERS, d.optimizer),
    learningRate: num(q.get('lr'), 1e-6, 10, d.learningRate),
    batchSize: num(q.get('batch'), 1, 500, d.batchSize, true),
    l2: num(q.get('l2'), 0, 1, d.l2),
    dropout: num(q.get('dropout'), 0, 0.9, d.dropout),
    speed: num(q.get('speed'), 1, 1000, d.speed, true),
  };
}

export function stateHash(s: PlaygroundState): string {
  const q = new URLSearchParams({
    data: s.dataset,
    points: String(s.points),
    noise: String(s.noise),
    train: String(s.trainPercent),
    seed: String(s.seed),
    features: s.features.join(','),
    layers: s.hidden.join(','),
    act: s.activation,
    opt: s.optimizer,
    lr: String(s.learningRate),
    batch: String(s.batchSize),
    l2: String(s.l2),
    dropout: String(s.dropout),
    speed: String(s.speed),
  });
  return '#' + q.toString().replace(/%2C/g, ',');
}
