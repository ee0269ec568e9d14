// What `backprop train --out` writes: the network's own toJSON() under `network` (so
// `Network.fromJSON(saved.network)` works anywhere), plus what predict needs to read new data
// the way training did: feature names, the target, classes and the standardization.
import { BackpropError, words } from '../errors.js';
import type { ModelJSON } from '../serialize.js';
import type { Scaling, Task } from './dataset.js';

export const CLI_FORMAT = 'backprop-cli';
export const CLI_VERSION = 1;

export interface ModelFile {
  format: typeof CLI_FORMAT;
  version: number;
  source: 'mnist' | 'csv';
  features: string[];
  target: string;
  task: Task;
  classes: number[];
  scaling: Scaling | null; // null: features are used as they are (MNIST pixels in [0,1])
  targetScaling: Scaling | null;
  network: ModelJSON;
}

const bad = (field: string, expected: string, got: unknown): never => {
  throw new BackpropError('INVALID_MODEL', field, expected, got);
};

const numbers = (v: unknown, n: number, field: string): number[] =>
  Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && Number.isFinite(x)) ? v : bad(field, `${n} finite numbers`, v);

function scaling(v: unknown, n: number, field: string): Scaling | null {
  if (v === null) return null;
  if (typeof v !== 'object' || v === undefined) return bad(field, '{ mean, std } or null', v);
  const s = v as Scaling;
  return { mean: numbers(s.mean, n, `${field}.mean`), std: numbers(s.std, n, `${field}.std`) };
}

/** Checks a parsed model file's own fields; the network inside is checked by Network.fromJSON. */
export function checkModelFile(v: unknown, name: string): ModelFile {
  if (typeof v !== 'object' || v === null) bad(name, `a ${CLI_FORMAT} model file (written by backprop train)`, v);
  const m = v as ModelFile;
  if (m.format !== CLI_FORMAT) bad(`${name}: format`, `'${CLI_FORMAT}' (written by backprop train)`, m.format);
  if (m.version !== CLI_VERSION) bad(`${name}: version`, String(CLI_VERSION), m.version);
  if (m.source !== 'mnist' && m.source !== 'csv') bad(`${name}: source`, "'mnist' or 'csv'", m.source);
  if (!Array.isArray(m.features) || m.features.length === 0 || !m.features.every((f) => typeof f === 'string')) bad(`${name}: features`, 'a non-empty array of column names', m.features);
  if (typeof m.target !== 'string') bad(`${name}: target`, 'a column name', m.target);
  if (m.task !== 'classification' && m.task !== 'regression') bad(`${name}: task`, "'classification' or 'regression'", m.task);
  if (!Array.isArray(m.classes)) bad(`${name}: classes`, 'an array', m.classes);
  numbers(m.classes, m.classes.length, `${name}: classes`);
  if (m.task === 'classification' && m.classes.length < 2) bad(`${name}: classes`, 'at least two classes', words(`${m.classes.length}`));
  return {
    ...m,
    scaling: scaling(m.scaling, m.features.length, `${name}: scaling`),
    targetScaling: scaling(m.targetScaling, 1, `${name}: targetScaling`),
  };
}
