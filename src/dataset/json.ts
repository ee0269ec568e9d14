// Reading the preprocessing back from a saved model: every field checked (INVALID_MODEL naming
// it) before anything is built, and its width and outputs held to the network's.
import { BackpropError, words } from '../errors.js';
import { Preprocessing, type Feature, type PreprocessingJSON } from './preprocessing.js';

const invalid = (field: string, expected: string, got?: unknown): never => {
  throw new BackpropError('INVALID_MODEL', field, expected, got);
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function keys(o: Record<string, unknown>, allowed: string[], field: string): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k)) invalid(`${field}.${k}`, `only the keys ${allowed.join(', ')}`, words('an unknown key'));
  for (const k of allowed) if (!Object.prototype.hasOwnProperty.call(o, k)) invalid(`${field}.${k}`, 'present', words('nothing'));
}

function strings(v: unknown, field: string, min: number): string[] {
  // A for loop, not every(): every() skips the holes of a sparse array.
  if (!Array.isArray(v) || v.length < min) return invalid(field, `an array of at least ${min} strings`, v);
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') invalid(`${field}[${i}]`, 'a string', v[i]);
  if (new Set(v).size !== v.length) invalid(field, 'distinct strings', words('a repeated one'));
  return v as string[];
}

function feature(v: unknown, field: string): Feature {
  if (!isObject(v)) return invalid(field, '{ name, kind, … }', v);
  if (v.kind === 'numeric') {
    keys(v, ['name', 'kind', 'mean', 'std', 'fill'], field);
    if (!finite(v.mean)) invalid(`${field}.mean`, 'a finite number', v.mean);
    if (!finite(v.std) || v.std <= 0) invalid(`${field}.std`, 'a positive finite number', v.std);
    if (v.fill !== null && !finite(v.fill)) invalid(`${field}.fill`, 'a finite number or null', v.fill);
  } else if (v.kind === 'categorical') {
    keys(v, ['name', 'kind', 'categories', 'fill'], field);
    const c = strings(v.categories, `${field}.categories`, 1);
    if (v.fill !== null && !c.includes(v.fill as string)) invalid(`${field}.fill`, 'one of the categories or null', v.fill);
  } else invalid(`${field}.kind`, "'numeric' or 'categorical'", v.kind);
  if (typeof v.name !== 'string') invalid(`${field}.name`, 'a column name', v.name);
  return v as unknown as Feature;
}

/** Checks a saved preprocessing against the network it came with (inputs, outputs). */
export function parsePreprocessing(v: unknown, inputs: number, outputs: number, field = 'model.preprocessing'): Preprocessing {
  if (!isObject(v)) return invalid(field, 'an object', v);
  keys(v, ['features', 'target', 'missing', 'strict'], field);
  if (!Array.isArray(v.features) || v.features.length === 0 || v.features.length > inputs)
    invalid(`${field}.features`, `1 to ${inputs} features`, v.features);
  const features = Array.from(v.features as unknown[], (f, i) => feature(f, `${field}.features[${i}]`)); // holes too
  if (new Set(features.map((f) => f.name)).size !== features.length)
    invalid(`${field}.features`, 'distinct column names', words('a repeated one'));
  if (!['error', 'mean', 'mode', 'drop'].includes(v.missing as string))
    invalid(`${field}.missing`, "'error', 'mean', 'mode' or 'drop'", v.missing);
  if (typeof v.strict !== 'boolean') invalid(`${field}.strict`, 'true or false', v.strict);
  const t = v.target;
  if (!isObject(t)) return invalid(`${field}.target`, '{ names, task, classes, numericClasses }', t);
  keys(t, ['names', 'task', 'classes', 'numericClasses'], `${field}.target`);
  strings(t.names, `${field}.target.names`, 1);
  if (t.task !== 'classification' && t.task !== 'regression') invalid(`${field}.target.task`, "'classification' or 'regression'", t.task);
  strings(t.classes, `${field}.target.classes`, t.task === 'classification' ? 2 : 0);
  if (typeof t.numericClasses !== 'boolean') invalid(`${field}.target.numericClasses`, 'true or false', t.numericClasses);
  const pre = new Preprocessing(v as unknown as PreprocessingJSON);
  if (pre.width !== inputs) invalid(`${field}.features`, `an encoding ${inputs} inputs wide, as the network`, words(`${pre.width}`));
  if (pre.outputs !== outputs) invalid(`${field}.target`, `${outputs} outputs, as the network`, words(`${pre.outputs}`));
  return pre;
}
