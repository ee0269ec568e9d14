// Model files of the CLI's first format ('backprop-cli', version 1: the network under `network`
// beside feature names, classes and scalings) read as today's: the scalings become the
// preprocessing of numeric columns; a regression target's scaling is undone after predict.
import { BackpropError, words } from '../errors.js';

export interface Legacy {
  /** A version 2 model (with preprocessing for CSV models; MNIST models have none). */
  model: Record<string, unknown>;
  /** Regression: outputs are standardized targets; y = output · std + mean. */
  targetScaling: { mean: number; std: number } | null;
}

const bad = (field: string, expected: string, got: unknown): never => {
  throw new BackpropError('INVALID_MODEL', field, expected, got);
};

const numbers = (v: unknown, n: number, field: string): number[] =>
  Array.isArray(v) && v.length === n && Array.from(v).every((x) => typeof x === 'number' && Number.isFinite(x))
    ? (v as number[])
    : bad(field, `${n} finite numbers`, v);

export function fromLegacy(v: Record<string, unknown>, name: string): Legacy {
  if (v.version !== 1) bad(`${name}: version`, '1', v.version);
  const network = v.network;
  if (typeof network !== 'object' || network === null || Array.isArray(network))
    return bad(`${name}: network`, 'a saved network', network === undefined ? words('nothing') : network);
  if (v.source === 'mnist') return { model: network as Record<string, unknown>, targetScaling: null };
  if (v.source !== 'csv') bad(`${name}: source`, "'mnist' or 'csv'", v.source);
  const features = v.features;
  if (!Array.isArray(features) || features.length === 0 || !Array.from(features).every((f) => typeof f === 'string'))
    return bad(`${name}: features`, 'a non-empty array of column names', features);
  if (typeof v.target !== 'string') bad(`${name}: target`, 'a column name', v.target);
  if (v.task !== 'classification' && v.task !== 'regression') bad(`${name}: task`, "'classification' or 'regression'", v.task);
  const scaling = v.scaling as { mean?: unknown; std?: unknown } | null;
  if (typeof scaling !== 'object' || scaling === null) return bad(`${name}: scaling`, '{ mean, std }', scaling);
  const mean = numbers(scaling.mean, features.length, `${name}: scaling.mean`),
    std = numbers(scaling.std, features.length, `${name}: scaling.std`);
  const classes =
    v.task === 'classification' ? numbers(v.classes, Array.isArray(v.classes) ? v.classes.length : -1, `${name}: classes`).map(String) : [];
  let targetScaling: Legacy['targetScaling'] = null;
  if (v.task === 'regression') {
    const t = v.targetScaling as { mean?: unknown; std?: unknown } | null;
    if (typeof t !== 'object' || t === null) return bad(`${name}: targetScaling`, '{ mean, std }', t);
    targetScaling = { mean: numbers(t.mean, 1, `${name}: targetScaling.mean`)[0], std: numbers(t.std, 1, `${name}: targetScaling.std`)[0] };
  }
  const preprocessing = {
    features: features.map((f, i) => ({ name: f, kind: 'numeric', mean: mean[i], std: std[i], fill: null })),
    target: { names: [v.target], task: v.task, classes, numericClasses: true },
    missing: 'error',
    strict: false,
  };
  if (classes.length === 1) bad(`${name}: classes`, 'at least two classes', words('one'));
  return { model: { ...(network as Record<string, unknown>), version: 2, preprocessing }, targetScaling };
}
