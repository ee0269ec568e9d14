// Dataset: rows read from CSV text or records, with their columns' kinds inferred (or given), the
// target chosen, missing values refused, dropped or left for imputation. Splits and folds are
// views on the same columns (no copy); the preprocessing is fitted on the rows of the data set a
// network is created from (for a split: on its training rows) and applied to everything else.
import { BackpropError, words } from '../errors.js';
import { readCsv } from './csv.js';
import { ColumnBuilder, where, type ColumnKind, type RawColumn, type Source } from './columns.js';
import { Preprocessing, sortLabels, type Missing, type Task, type TargetInfo } from './preprocessing.js';
import { splitRows, foldRows } from './split.js';
import { classificationReport, regressionReport } from './report.js';
import { DATASET, type DatasetSpec, type Report } from './use.js';
import type { NetworkSpec, LayerSpec } from '../spec.js';
import type { Network } from '../network.js';

export interface DatasetOptions {
  /** The column(s) to predict; several columns make a multi-output regression. Default: the last column. */
  target?: string | string[];
  /** Kinds by column name, instead of the inferred ones: 'numeric', 'categorical' or 'ignore'. */
  columns?: Record<string, ColumnKind>;
  /** Missing cells (empty, NA, NaN, null…): 'error' (default), 'mean' | 'mode' (filled from the training rows) or 'drop' (the row). */
  missing?: Missing;
  /** Refuse categories not seen in training (default: they encode as all zeros). */
  strict?: boolean;
  /** Instead of the inference: a numeric target with at most 20 distinct integers is classification. */
  task?: Task;
}
export interface CsvOptions extends DatasetOptions {
  /** ',', ';' or '\t'; default: detected from the header line. */
  delimiter?: string;
}
export interface SplitOptions {
  /** Fraction of rows for the test side (default 0.2). */
  test?: number;
  seed?: number;
  /** Keep each class's share on both sides (classification). */
  stratify?: boolean;
}

/** At most this many distinct integers make a numeric target a set of classes. */
export const MAX_INFERRED_CLASSES = 20;
const MISSING: readonly Missing[] = ['error', 'mean', 'mode', 'drop'];
const KINDS: readonly ColumnKind[] = ['numeric', 'categorical', 'ignore'];

interface Info {
  features: RawColumn[];
  target: TargetInfo;
  missing: Missing;
  strict: boolean;
  dropped: number;
}

const option = (field: string, expected: string, got: unknown): never => {
  throw new BackpropError('INVALID_OPTION', field, expected, got);
};

function checkOptions(o: unknown, csv: boolean): CsvOptions {
  if (o === undefined) return {};
  if (typeof o !== 'object' || o === null || Array.isArray(o)) option('options', 'an object', o);
  const allowed = ['target', 'columns', 'missing', 'strict', 'task', ...(csv ? ['delimiter'] : [])];
  for (const k of Object.keys(o as object))
    if (!allowed.includes(k)) option(`options.${k}`, `one of the options ${allowed.join(', ')}`, words('an unknown option'));
  const v = o as CsvOptions;
  if (v.missing !== undefined && !MISSING.includes(v.missing))
    option('options.missing', MISSING.map((m) => `'${m}'`).join(', '), v.missing);
  if (v.task !== undefined && v.task !== 'classification' && v.task !== 'regression')
    option('options.task', "'classification' or 'regression'", v.task);
  if (v.delimiter !== undefined && ![',', ';', '\t'].includes(v.delimiter)) option('options.delimiter', "',', ';' or '\\t'", v.delimiter);
  if (v.strict !== undefined && typeof v.strict !== 'boolean') option('options.strict', 'true or false', v.strict);
  if (v.columns !== undefined) {
    if (typeof v.columns !== 'object' || v.columns === null)
      option('options.columns', "an object such as { zip: 'categorical', id: 'ignore' }", v.columns);
    for (const [k, kind] of Object.entries(v.columns))
      if (!KINDS.includes(kind)) option(`options.columns.${k}`, KINDS.map((m) => `'${m}'`).join(', '), kind);
  }
  const t = v.target;
  if (t !== undefined && typeof t !== 'string' && !(Array.isArray(t) && t.length > 0 && t.every((s) => typeof s === 'string')))
    option('options.target', 'a column name or a non-empty array of them', t);
  return v;
}

export class Dataset {
  /** Rows of the source in this data set. @internal */
  readonly index: Uint32Array;
  /** @internal */
  readonly source: Source;
  /** @internal */
  readonly info: Info;
  private fitted: Preprocessing | (() => Preprocessing) | null;

  private constructor(source: Source, index: Uint32Array, info: Info, fitted: Preprocessing | (() => Preprocessing) | null) {
    this.source = source;
    this.index = index;
    this.info = info;
    this.fitted = fitted;
  }

  /** Reads CSV text: a header row naming the columns, then one row per sample. */
  static fromCSV(text: string, options?: CsvOptions): Dataset {
    if (typeof text !== 'string') option('text', 'CSV text (a string)', text);
    const o = checkOptions(options, true);
    return Dataset.build(readCsv(text, { delimiter: o.delimiter, kinds: o.columns ?? {} }), o);
  }

  /** Reads records such as [{ sepal_length: 5.1, …, species: 'setosa' }]; columns are the first record's keys. */
  static fromRecords(records: readonly Record<string, unknown>[], options?: DatasetOptions): Dataset {
    const o = checkOptions(options, false);
    if (!Array.isArray(records) || records.length === 0) option('records', 'a non-empty array of objects', records);
    const first = records[0];
    if (typeof first !== 'object' || first === null || Array.isArray(first))
      throw new BackpropError('INVALID_DATA', 'records[0]', 'an object of column values', first);
    const names = Object.keys(first);
    for (const k of Object.keys(o.columns ?? {}))
      if (!names.includes(k)) option(`options.columns.${k}`, `a column of the records: ${names.join(', ')}`, k);
    const builders = names.map((n) => new ColumnBuilder(n, records.length, o.columns?.[n]));
    for (let r = 0; r < records.length; r++) {
      const rec = records[r];
      if (typeof rec !== 'object' || rec === null || Array.isArray(rec))
        throw new BackpropError('INVALID_DATA', `records[${r}]`, 'an object of column values', rec);
      builders.forEach((b, c) => {
        const v = (rec as Record<string, unknown>)[names[c]];
        if (!b.addValue(r, v))
          throw new BackpropError('INVALID_DATA', `record ${r}, column ${JSON.stringify(names[c])}`, 'a number (the column is numeric)', v);
      });
    }
    const lines = Uint32Array.from({ length: records.length }, (_, i) => i);
    return Dataset.build({ columns: builders.map((b) => b.finish(records.length)), rows: records.length, lines, unit: 'record' }, o);
  }

  private static build(source: Source, o: CsvOptions): Dataset {
    const names = source.columns.map((c) => c.name);
    const targets = o.target === undefined ? [names[names.length - 1]] : typeof o.target === 'string' ? [o.target] : o.target;
    const targetCols = targets.map(
      (t) =>
        source.columns.find((c) => c.name === t) ??
        option(
          'options.target',
          `a column of the data: ${names
            .slice(0, 10)
            .map((h) => JSON.stringify(h))
            .join(', ')}`,
          t,
        ),
    );
    for (const c of targetCols) if (c.kind === 'ignore') option(`options.columns.${c.name}`, "not 'ignore' for the target", 'ignore');
    const features = source.columns.filter((c) => c.kind !== 'ignore' && !targets.includes(c.name));
    if (features.length === 0)
      throw new BackpropError(
        'INVALID_DATA',
        'data',
        'at least one feature column besides the target',
        words(`only ${targets.join(', ')}`),
      );
    const missing = o.missing ?? 'error';

    // Rows: every row, or those without a missing cell ('drop'); otherwise a missing cell is refused.
    const used = [...features, ...targetCols];
    const keep = new Uint8Array(source.rows).fill(1);
    for (const c of missing === 'drop' ? used : missing === 'error' ? used : targetCols) {
      for (let r = 0; r < source.rows; r++) {
        if (!(c.numbers ? c.numbers[r] !== c.numbers[r] : c.codes![r] < 0)) continue;
        if (missing === 'drop') keep[r] = 0;
        else {
          const row = firstMissing(used, source.rows);
          const col = used.find((u) => isMissing(u, row))!;
          const how = targetCols.includes(col)
            ? "a value (a missing target can only be dropped: missing: 'drop')"
            : "a value (or the option missing: 'mean', 'mode' or 'drop')";
          throw new BackpropError(
            'INVALID_DATA',
            `${where(source, row)}, column ${JSON.stringify(col.name)}`,
            how,
            words('a missing value'),
          );
        }
      }
    }
    let kept = 0;
    for (let r = 0; r < source.rows; r++) kept += keep[r];
    if (kept === 0)
      throw new BackpropError('INVALID_DATA', 'data', 'at least one row without missing values', words(`all ${source.rows} rows have one`));
    const index = new Uint32Array(kept);
    for (let r = 0, i = 0; r < source.rows; r++) if (keep[r]) index[i++] = r;

    const target = targetInfo(targetCols, index, o.task);
    return new Dataset(source, index, { features, target, missing, strict: o.strict ?? false, dropped: source.rows - kept }, null);
  }

  /** Rows in this data set. */
  get rows(): number {
    return this.index.length;
  }
  /** Rows left out because of a missing value (missing: 'drop'). */
  get dropped(): number {
    return this.info.dropped;
  }
  /** Feature columns, in order, with their kinds. */
  get columns(): { name: string; kind: 'numeric' | 'categorical' }[] {
    return this.info.features.map((c) => ({ name: c.name, kind: c.kind as 'numeric' | 'categorical' }));
  }
  get target(): string[] {
    return [...this.info.target.names];
  }
  get task(): Task {
    return this.info.target.task;
  }
  /** Class names (classification), sorted: numerically when all are numbers. */
  get classes(): string[] {
    return [...this.info.target.classes];
  }
  /** The encoding fitted on this data set's rows (or, for a split or fold, on its training rows). */
  get preprocessing(): Preprocessing {
    if (this.fitted === null)
      this.fitted = Preprocessing.fit(this.index, this.info.features, this.info.target, this.info.missing, this.info.strict);
    else if (typeof this.fitted === 'function') this.fitted = this.fitted();
    return this.fitted;
  }
  /** Encoded inputs per row. */
  get width(): number {
    return this.preprocessing.width;
  }
  /** Outputs a network for it needs: the classes, or the target columns. */
  get outputs(): number {
    return this.preprocessing.outputs;
  }

  /** A shuffled, seeded train/test split; the test side is encoded with the train side's preprocessing. */
  split(options: SplitOptions = {}): { train: Dataset; test: Dataset } {
    const { test = 0.2, seed = 1, stratify = false } = options ?? {};
    if (typeof test !== 'number' || !(test > 0 && test < 1)) option('options.test', 'a fraction between 0 and 1', test);
    if (!Number.isInteger(seed)) option('options.seed', 'an integer', seed);
    const s = splitRows(this.index, this.stratifyLabels(stratify), test, seed);
    return this.pair(s.train, s.test);
  }

  /** k folds for cross-validation (seeded, optionally stratified); each test fold uses its training rows' preprocessing. */
  kFold(k: number, options: { seed?: number; stratify?: boolean } = {}): { train: Dataset; test: Dataset }[] {
    return foldRows(this.index, this.stratifyLabels(options?.stratify ?? false), k, options?.seed ?? 1).map((f) =>
      this.pair(f.train, f.test),
    );
  }

  /** Inputs and targets encoded by `pre` (default: this data set's preprocessing), as fit() takes them. */
  toArrays(pre: Preprocessing = this.preprocessing): { inputs: Float64Array; targets: Float64Array; rows: number } {
    return { inputs: pre.encode(this.source, this.index), targets: pre.encodeTargets(this.source, this.index), rows: this.rows };
  }

  /**
   * The numeric spec for a network created from this data set: its encoded width as inputs, and
   * an output layer over its classes (softmax with crossEntropy) or its targets (linear with
   * mse). A given loss wins; the output layer's activation then follows the loss. @internal
   */
  networkSpec(spec: DatasetSpec): { spec: NetworkSpec; pre: Preprocessing } {
    const pre = this.preprocessing;
    const classify = pre.json.target.task === 'classification';
    const layers: LayerSpec[] = Array.isArray(spec.layers) ? [...spec.layers] : [];
    const out: LayerSpec = { units: pre.outputs };
    if (spec.loss === undefined) out.activation = classify ? 'softmax' : 'linear';
    return { spec: { ...spec, inputs: pre.width, layers: [...layers, out], loss: spec.loss ?? (classify ? 'crossEntropy' : 'mse') }, pre };
  }

  /** Inputs and targets for `net`, encoded by its preprocessing (or this data set's, for a plain network). @internal */
  encodeFor(
    net: { preprocessing: Preprocessing | undefined; inputs: number; outputs: number },
    field: string,
  ): { inputs: Float64Array; targets: Float64Array } {
    const a = this.toArrays(net.preprocessing ?? this.preprocessing);
    if (a.inputs.length !== a.rows * net.inputs || a.targets.length !== a.rows * net.outputs) {
      throw new BackpropError(
        'INVALID_DATA',
        field,
        `a Dataset encoding to ${net.inputs} inputs and ${net.outputs} outputs`,
        words(`${a.inputs.length / a.rows} and ${a.targets.length / a.rows}`),
      );
    }
    return { inputs: a.inputs, targets: a.targets };
  }

  /** evaluate(dataset): the loss, then the classification or regression report. @internal */
  evaluateWith(net: Network, options: { batchSize?: number }): Report {
    const pre = net.preprocessing ?? this.preprocessing;
    const a = this.encodeFor(net, 'data');
    const { loss } = net.evaluate(a, options);
    const out = net.predict(a.inputs, this.rows);
    if (pre.json.target.task === 'classification')
      return classificationReport(loss, out, pre.classIndices(this.source, this.index), pre.json.target.classes);
    return regressionReport(loss, out, a.targets, net.outputs);
  }

  private pair(trainRows: Uint32Array, testRows: Uint32Array): { train: Dataset; test: Dataset } {
    const train = new Dataset(this.source, trainRows, this.info, null);
    return { train, test: new Dataset(this.source, testRows, this.info, () => train.preprocessing) };
  }

  private stratifyLabels(stratify: boolean): Uint32Array | null {
    if (typeof stratify !== 'boolean') option('options.stratify', 'true or false', stratify);
    if (!stratify) return null;
    if (this.task !== 'classification') option('options.stratify', 'false for a regression target', stratify);
    return new Preprocessing({ features: [], target: this.info.target, missing: 'error', strict: false }).classIndices(
      this.source,
      this.index,
    );
  }
}

(Dataset.prototype as unknown as Record<symbol, boolean>)[DATASET] = true;

const isMissing = (c: RawColumn, r: number): boolean => (c.numbers ? c.numbers[r] !== c.numbers[r] : c.codes![r] < 0);

function firstMissing(cols: RawColumn[], rows: number): number {
  for (let r = 0; r < rows; r++) for (const c of cols) if (isMissing(c, r)) return r;
  return -1;
}

/** Classification (text, or a few distinct integers) or regression, from the target's values. */
function targetInfo(cols: RawColumn[], rows: Uint32Array, task: Task | undefined): TargetInfo {
  const names = cols.map((c) => c.name);
  if (cols.length > 1) {
    if (task === 'classification') option('options.task', 'regression with several target columns', task);
    for (const c of cols)
      if (c.kind !== 'numeric')
        throw new BackpropError(
          'INVALID_DATA',
          `column ${JSON.stringify(c.name)}`,
          'numbers in every target column of a multi-output regression',
          words('text'),
        );
    return { names, task: 'regression', classes: [], numericClasses: false };
  }
  const c = cols[0];
  let labels: string[];
  if (c.kind === 'categorical') {
    if (task === 'regression')
      throw new BackpropError('INVALID_DATA', `column ${JSON.stringify(c.name)}`, 'numbers for a regression target', words('text'));
    const seen = new Uint8Array(c.levels.length);
    for (const r of rows) seen[c.codes![r]] = 1;
    labels = c.levels.filter((_, i) => seen[i]);
  } else {
    const distinct = new Set<number>();
    let integers = true;
    for (const r of rows) {
      const v = c.numbers![r];
      if (!Number.isInteger(v)) integers = false;
      if (distinct.size <= (task === 'classification' ? 1000 : MAX_INFERRED_CLASSES)) distinct.add(v);
    }
    const classify = task ?? (integers && distinct.size <= MAX_INFERRED_CLASSES ? 'classification' : 'regression');
    if (classify === 'regression') return { names, task: 'regression', classes: [], numericClasses: false };
    if (distinct.size > 1000)
      throw new BackpropError('INVALID_DATA', `column ${JSON.stringify(c.name)}`, 'at most 1,000 classes', words('more'));
    labels = [...distinct].map(String);
  }
  if (labels.length < 2)
    throw new BackpropError(
      'INVALID_DATA',
      `column ${JSON.stringify(c.name)}`,
      'at least two distinct classes',
      words(`only ${JSON.stringify(labels[0])}`),
    );
  const classes = sortLabels(labels);
  return { names, task: 'classification', classes, numericClasses: c.kind === 'numeric' };
}
