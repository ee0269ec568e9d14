// From a parsed CSV table to training arrays: pick the target, decide classification or
// regression, one-hot the classes, standardize features (and a regression target), hold out a
// seeded test split. The scalings are saved with the model so predict applies the same ones.
import { BackpropError, words } from '../errors.js';
import { Rng } from '../rng.js';
import type { Table } from './csv.js';

export type Task = 'classification' | 'regression';
export interface Scaling {
  mean: number[];
  std: number[];
}
export interface Split {
  x: Float64Array; // rows × features, standardized
  y: Float64Array; // rows × outputs: one-hot, or the standardized target
  labels: Uint32Array; // class index per row (classification), else empty
  raw: Float64Array; // the target as written, per row
  rows: number;
}
export interface Prepared {
  features: string[];
  target: string;
  task: Task;
  inferred: boolean; // task was inferred, not chosen
  classes: number[]; // sorted distinct target values (classification), else []
  scaling: Scaling;
  targetScaling: Scaling | null;
  train: Split;
  test: Split;
}

/** At most this many distinct integer values make a target look like class labels. */
export const MAX_INFERRED_CLASSES = 20;

export function inferTask(values: ArrayLike<number>): Task {
  const seen = new Set<number>();
  for (let i = 0; i < values.length; i++) {
    if (!Number.isInteger(values[i])) return 'regression';
    seen.add(values[i]);
    if (seen.size > MAX_INFERRED_CLASSES) return 'regression';
  }
  return 'classification';
}

/** Mean and standard deviation of each column of `rows` × `width` (std 0 becomes 1). */
export function scalingOf(data: Float64Array, rows: number, width: number): Scaling {
  const mean = new Array<number>(width).fill(0), std = new Array<number>(width).fill(0);
  for (let r = 0; r < rows; r++) for (let c = 0; c < width; c++) mean[c] += data[r * width + c];
  for (let c = 0; c < width; c++) mean[c] /= rows;
  for (let r = 0; r < rows; r++) for (let c = 0; c < width; c++) std[c] += (data[r * width + c] - mean[c]) ** 2;
  for (let c = 0; c < width; c++) std[c] = Math.sqrt(std[c] / rows) || 1;
  return { mean, std };
}

export function applyScaling(data: Float64Array, s: Scaling): Float64Array {
  const w = s.mean.length;
  return data.map((v, i) => (v - s.mean[i % w]) / s.std[i % w]);
}

export interface PrepareOptions {
  name: string; // file name, for messages
  target?: string; // column name; the last column when omitted
  task?: Task;
  holdout: number; // fraction of rows held out for testing, in [0, 1)
  seed: number;
}

export function prepare(t: Table, o: PrepareOptions): Prepared {
  const target = o.target ?? t.header[t.header.length - 1];
  const tc = t.header.indexOf(target);
  if (tc < 0) throw new BackpropError('INVALID_OPTION', '--target', `a column of ${o.name}: ${t.header.map((h) => JSON.stringify(h)).join(', ')}`, target);
  if (t.header.length < 2) throw new BackpropError('INVALID_DATA', o.name, 'at least two columns (features and a target)', words(`only ${JSON.stringify(target)}`));
  const features = t.header.filter((_, c) => c !== tc);
  const w = t.header.length, nf = features.length;
  const X = new Float64Array(t.rows * nf), T = new Float64Array(t.rows);
  for (let r = 0; r < t.rows; r++) {
    for (let c = 0, f = 0; c < w; c++) if (c !== tc) X[r * nf + f++] = t.data[r * w + c];
    T[r] = t.data[r * w + tc];
  }
  const task = o.task ?? inferTask(T);
  const classes = task === 'classification' ? [...new Set(T)].sort((a, b) => a - b) : [];
  if (task === 'classification' && classes.length < 2) throw new BackpropError('INVALID_DATA', `${o.name} column ${JSON.stringify(target)}`, 'at least two distinct classes', words(`only ${classes[0]}`));

  // Seeded split: the same file and seed always hold out the same rows.
  const order = Array.from({ length: t.rows }, (_, i) => i);
  new Rng(o.seed).shuffle(order);
  const testRows = t.rows >= 5 ? Math.floor(t.rows * o.holdout) : 0;
  const testIdx = order.slice(0, testRows).sort((a, b) => a - b);
  const trainIdx = order.slice(testRows).sort((a, b) => a - b);
  const gather = (idx: number[], from: Float64Array, width: number) => {
    const out = new Float64Array(idx.length * width);
    idx.forEach((r, i) => out.set(from.subarray(r * width, (r + 1) * width), i * width));
    return out;
  };
  const trainX = gather(trainIdx, X, nf);
  const scaling = scalingOf(trainX, trainIdx.length, nf);
  const trainT = gather(trainIdx, T, 1);
  const targetScaling = task === 'regression' ? scalingOf(trainT, trainIdx.length, 1) : null;
  const split = (idx: number[]): Split => {
    const raw = gather(idx, T, 1);
    const x = applyScaling(gather(idx, X, nf), scaling);
    if (task === 'regression') return { x, y: applyScaling(raw, targetScaling!), labels: new Uint32Array(0), raw, rows: idx.length };
    const labels = Uint32Array.from(raw, (v) => classes.indexOf(v));
    const y = new Float64Array(idx.length * classes.length);
    labels.forEach((k, i) => (y[i * classes.length + k] = 1));
    return { x, y, labels, raw, rows: idx.length };
  };
  return { features, target, task, inferred: o.task === undefined, classes, scaling, targetScaling, train: split(trainIdx), test: split(testIdx) };
}
