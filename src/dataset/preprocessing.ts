// The preprocessing a network created from a Dataset carries: which columns feed it and how each
// is encoded (numbers standardized with the training rows' mean and std, categories one-hot over
// those seen in training), how missing values are filled, and the classes of the target. Fitted
// once on the training rows; saved in the model file (see json.ts); applied to data sets, CSV
// and raw records alike, so training and prediction always encode the same way.
import { BackpropError, words } from '../errors.js';
import { parseNumber, categoryKey } from './cells.js';
import { where, type Source, type RawColumn } from './columns.js';

export type Missing = 'error' | 'mean' | 'mode' | 'drop';
export type Task = 'classification' | 'regression';

export interface NumericFeature {
  name: string;
  kind: 'numeric';
  mean: number;
  /** Population standard deviation; 1 for a constant column (which then encodes as 0). */
  std: number;
  /** The value that stands in for a missing one (missing: 'mean' | 'mode'), else null. */
  fill: number | null;
}
export interface CategoricalFeature {
  name: string;
  kind: 'categorical';
  /** Categories seen in training, sorted: one input each (one-hot). */
  categories: string[];
  fill: string | null;
}
export type Feature = NumericFeature | CategoricalFeature;

export interface TargetInfo {
  names: string[];
  task: Task;
  /** Classification: class names, sorted (numerically when all are numbers). */
  classes: string[];
  /** True when the classes are numbers (predictClass then returns numbers). */
  numericClasses: boolean;
}

export interface PreprocessingJSON {
  features: Feature[];
  target: TargetInfo;
  missing: Missing;
  /** Refuse a category not seen in training (else it encodes as all zeros). */
  strict: boolean;
}

const bad = (field: string, expected: string, got?: unknown): never => {
  throw new BackpropError('INVALID_DATA', field, expected, got);
};

export class Preprocessing {
  /** Encoded width: one input per numeric feature, one per category. */
  readonly width: number;
  readonly offsets: number[];
  private lookups: (Map<string, number> | null)[];
  private classIndex: Map<string, number>;

  constructor(readonly json: PreprocessingJSON) {
    let w = 0;
    this.offsets = json.features.map((f) => {
      const at = w;
      w += f.kind === 'numeric' ? 1 : f.categories.length;
      return at;
    });
    this.width = w;
    this.lookups = json.features.map((f) => (f.kind === 'categorical' ? new Map(f.categories.map((c, i) => [c, i])) : null));
    this.classIndex = new Map(json.target.classes.map((c, i) => [c, i]));
  }

  get outputs(): number {
    return this.json.target.task === 'classification' ? this.json.target.classes.length : this.json.target.names.length;
  }

  /** Fits the encoding on the training rows (`rows`: their indices; the columns hold their cells). */
  static fit(rows: Uint32Array, features: RawColumn[], target: TargetInfo, missing: Missing, strict: boolean): Preprocessing {
    return new Preprocessing({ features: features.map((c) => fitColumn(c, rows, missing)), target, missing, strict });
  }

  /** Encodes `rows` of `source` into rows × width inputs, one pass per column. */
  encode(source: Source, rows: Uint32Array): Float64Array {
    const out = new Float64Array(rows.length * this.width);
    const w = this.width;
    this.json.features.forEach((f, fi) => {
      const col = columnOf(source, f.name);
      const at = this.offsets[fi];
      if (f.kind === 'numeric') {
        const values = col.numbers ?? levelNumbers(col, source, rows);
        const { mean, std, fill } = f;
        for (let r = 0; r < rows.length; r++) {
          let v = values[rows[r]];
          if (v !== v)
            v =
              fill ??
              bad(
                `${where(source, rows[r])}, column ${JSON.stringify(f.name)}`,
                'a number (missing values need the missing option)',
                words('a missing value'),
              );
          out[r * w + at] = (v - mean) / std;
        }
      } else {
        const slots = this.slots(fi, col);
        const fillSlot = f.fill === null ? -2 : (this.lookups[fi]!.get(f.fill) ?? -1);
        const codes = col.codes;
        for (let r = 0; r < rows.length; r++) {
          const row = rows[r];
          let s: number;
          if (codes) s = codes[row] < 0 ? -3 : slots[codes[row]];
          else {
            const v = col.numbers![row];
            s = v !== v ? -3 : (this.lookups[fi]!.get(String(v)) ?? -1);
          }
          if (s === -3)
            s =
              fillSlot === -2
                ? bad(`${where(source, row)}, column ${JSON.stringify(f.name)}`, 'a value (missing values need the missing option)', '')
                : fillSlot;
          if (s >= 0) out[r * w + at + s] = 1;
          else if (this.json.strict)
            bad(
              `${where(source, row)}, column ${JSON.stringify(f.name)}`,
              `one of the categories seen in training: ${f.categories.slice(0, 8).join(', ')}`,
              codes ? col.levels[codes[row]] : col.numbers![row],
            );
        }
      }
    });
    return out;
  }

  /** Targets of `rows`: one-hot classes, or the regression values. */
  encodeTargets(source: Source, rows: Uint32Array): Float64Array {
    const t = this.json.target;
    const k = this.outputs;
    const out = new Float64Array(rows.length * k);
    if (t.task === 'classification') {
      const idx = this.classIndices(source, rows);
      for (let r = 0; r < rows.length; r++) out[r * k + idx[r]] = 1;
      return out;
    }
    t.names.forEach((name, j) => {
      const col = columnOf(source, name);
      const values = col.numbers ?? levelNumbers(col, source, rows);
      for (let r = 0; r < rows.length; r++) {
        const v = values[rows[r]];
        out[r * k + j] =
          v === v
            ? v
            : bad(`${where(source, rows[r])}, column ${JSON.stringify(name)}`, 'a number for the target', words('a missing value'));
      }
    });
    return out;
  }

  /** The class index of each row (classification). */
  classIndices(source: Source, rows: Uint32Array): Uint32Array {
    const name = this.json.target.names[0];
    const col = columnOf(source, name);
    const out = new Uint32Array(rows.length);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      const key = col.codes ? (col.codes[row] < 0 ? null : col.levels[col.codes[row]]) : categoryKey(col.numbers![row]);
      const k = key === null ? undefined : this.classIndex.get(key);
      out[r] =
        k ??
        bad(
          `${where(source, row)}, column ${JSON.stringify(name)}`,
          `one of the classes ${this.json.target.classes.slice(0, 8).join(', ')}`,
          key ?? '',
        );
    }
    return out;
  }

  /** Encodes raw records ({ column: value }) into rows × width inputs. */
  encodeRecords(records: readonly unknown[], field: string): Float64Array {
    const w = this.width;
    const out = new Float64Array(records.length * w);
    for (let r = 0; r < records.length; r++) {
      const rec = records[r]; // a for loop: forEach would skip the holes of a sparse array
      if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) bad(`${field}[${r}]`, 'a record: an object of column values', rec);
      const o = rec as Record<string, unknown>;
      this.json.features.forEach((f, fi) => {
        const v = Object.prototype.hasOwnProperty.call(o, f.name) ? o[f.name] : undefined;
        const at = `${field}[${r}].${f.name}`;
        if (f.kind === 'numeric') {
          let n = typeof v === 'number' ? v : typeof v === 'string' ? parseNumber(v, 0, v.length) : NaN;
          if (n !== n && (v === undefined || v === null || categoryKey(v) === null))
            n = f.fill ?? bad(at, 'a number (missing values need the missing option)', v);
          if (!Number.isFinite(n)) bad(at, 'a finite number', v);
          out[r * w + this.offsets[fi]] = (n - f.mean) / f.std;
        } else {
          let key = categoryKey(v);
          if (key === null) key = f.fill ?? bad(at, 'a value (missing values need the missing option)', v);
          const s = this.lookups[fi]!.get(key);
          if (s !== undefined) out[r * w + this.offsets[fi] + s] = 1;
          else if (this.json.strict) bad(at, `one of the categories seen in training: ${f.categories.slice(0, 8).join(', ')}`, v);
        }
      });
    }
    return out;
  }

  /** Category slot of each of the column's level codes (−1: not seen in training). */
  private slots(fi: number, col: RawColumn): Int32Array {
    const lookup = this.lookups[fi]!;
    return Int32Array.from(col.levels, (l) => lookup.get(l) ?? -1);
  }
}

function columnOf(source: Source, name: string): RawColumn {
  const c = source.columns.find((col) => col.name === name);
  if (!c || c.kind === 'ignore')
    return bad('data', `a column ${JSON.stringify(name)}, as the model was trained on`, source.columns.map((col) => col.name).join(', '));
  return c;
}

/** A categorical column read as numbers (a column the model knows as numeric). */
function levelNumbers(col: RawColumn, source: Source, rows: Uint32Array): Float64Array {
  const byLevel = Float64Array.from(col.levels, (l) => parseNumber(l, 0, l.length));
  const out = new Float64Array(col.codes!.length);
  for (let r = 0; r < rows.length; r++) {
    const code = col.codes![rows[r]];
    if (code >= 0 && byLevel[code] !== byLevel[code])
      bad(`${where(source, rows[r])}, column ${JSON.stringify(col.name)}`, 'a number (the column is numeric)', col.levels[code]);
    out[rows[r]] = code < 0 ? NaN : byLevel[code];
  }
  return out;
}

/** Mean, std (Welford, one pass) and fill of a numeric column; sorted categories and fill of another. */
function fitColumn(c: RawColumn, rows: Uint32Array, missing: Missing): Feature {
  if (c.kind === 'numeric') {
    const v = c.numbers!;
    let n = 0,
      mean = 0,
      m2 = 0;
    for (let r = 0; r < rows.length; r++) {
      const x = v[rows[r]];
      if (x !== x) continue;
      n++;
      const d = x - mean;
      mean += d / n;
      m2 += d * (x - mean);
    }
    if (n === 0) bad(`column ${JSON.stringify(c.name)}`, 'at least one value in the training rows', words('a missing value'));
    const std = Math.sqrt(m2 / n) || 1;
    let fill: number | null = null;
    if (missing === 'mean') fill = mean;
    else if (missing === 'mode') {
      const counts = new Map<number, number>();
      for (let r = 0; r < rows.length; r++) if (v[rows[r]] === v[rows[r]]) counts.set(v[rows[r]], (counts.get(v[rows[r]]) ?? 0) + 1);
      fill = modeOf(counts, (a, b) => a - b);
    }
    return { name: c.name, kind: 'numeric', mean, std, fill };
  }
  const counts = new Int32Array(c.levels.length);
  for (let r = 0; r < rows.length; r++) if (c.codes![rows[r]] >= 0) counts[c.codes![rows[r]]]++;
  const seen = c.levels.filter((_, i) => counts[i] > 0);
  const categories = sortLabels(seen);
  const tally = new Map(c.levels.map((l, i) => [l, counts[i]] as [string, number]).filter(([, k]) => k > 0));
  // A category has no mean: 'mean' fills categories with their mode too.
  const fill = missing === 'mean' || missing === 'mode' ? modeOf(tally, (a, b) => (a < b ? -1 : a > b ? 1 : 0)) : null;
  if (categories.length === 0) bad(`column ${JSON.stringify(c.name)}`, 'at least one value in the training rows', words('a missing value'));
  return { name: c.name, kind: 'categorical', categories, fill };
}

/** The most frequent key; the smallest on a tie. */
function modeOf<K>(counts: Map<K, number>, cmp: (a: K, b: K) => number): K {
  let best: K | undefined,
    most = -1;
  for (const [k, n] of counts)
    if (n > most || (n === most && cmp(k, best as K) < 0)) {
      best = k;
      most = n;
    }
  return best as K;
}

/** Labels sorted: numerically when all are numbers, else by code unit. */
export function sortLabels(labels: string[]): string[] {
  const numeric = labels.every((l) => parseNumber(l, 0, l.length) === parseNumber(l, 0, l.length));
  return [...labels].sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
