// Turning what users pass (number[], number[][], Float64Array) into checked row-major rows.
import { BackpropError, words } from './errors.js';
import type { Loss } from './kinds.js';

export type Sample = ArrayLike<number>;
export type Batch = ArrayLike<number>[] | Float64Array;
export type Shape = 'single' | 'nested' | 'flat';

export interface Rows {
  data: Float64Array;
  rows: number;
  shape: Shape;
}

const bad = (field: string, expected: string, got: unknown): never => {
  throw new BackpropError('INVALID_DATA', field, expected, got);
};

function checkFinite(data: ArrayLike<number>, field: string, at: (i: number) => string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) bad(`${field}${at(i)}`, 'a finite number', v);
  }
}

const isNumbers = (v: unknown): v is ArrayLike<number> =>
  (ArrayBuffer.isView(v) && !(v instanceof DataView)) || (Array.isArray(v) && (v.length === 0 || !(typeof v[0] === 'object' && v[0] !== null)));

/**
 * One sample (width numbers), a batch of samples (array of rows), or a flat typed array of
 * `rows` × width numbers.
 */
export function toRows(v: unknown, width: number, field: string, rows?: number): Rows {
  if (ArrayBuffer.isView(v) && rows !== undefined) {
    if (!Number.isSafeInteger(rows) || rows < 1) bad(`${field} rows`, 'a positive integer', rows);
    const a = v as unknown as ArrayLike<number>;
    if (a.length !== rows * width) bad(field, `${rows} × ${width} = ${rows * width} numbers`, v);
    // A Float64Array is used as it is (every use only reads it): no copy of a whole data set.
    const data = v instanceof Float64Array ? v : Float64Array.from(a);
    for (let i = 0; i < data.length; i++) {
      if (data[i] - data[i] !== 0) bad(`${field}[${Math.floor(i / width)}][${i % width}]`, 'a finite number', data[i]); // NaN, ±Infinity
    }
    return { data, rows, shape: 'flat' };
  }
  if (isNumbers(v)) {
    if (v.length !== width) bad(field, `${width} numbers (one sample)`, v);
    checkFinite(v, field, (i) => `[${i}]`);
    return { data: Float64Array.from(v), rows: 1, shape: 'single' };
  }
  if (!Array.isArray(v) || v.length === 0) bad(field, `a sample of ${width} numbers or a non-empty array of samples`, v);
  const list = v as unknown[];
  // Every row is checked before the block is allocated, and holes count as rows (forEach would
  // skip them): a sparse array fails at its first hole instead of allocating its claimed length.
  for (let r = 0; r < list.length; r++) {
    const row = list[r];
    if (!isNumbers(row) || row.length !== width) bad(`${field}[${r}]`, `${width} numbers`, row);
    checkFinite(row as ArrayLike<number>, field, (i) => `[${r}][${i}]`);
  }
  const data = new Float64Array(list.length * width);
  for (let r = 0; r < list.length; r++) data.set(list[r] as ArrayLike<number>, r * width);
  return { data, rows: list.length, shape: 'nested' };
}

/** Output rows in the shape the input came in. */
export function shapeLike(shape: Shape, data: Float64Array, width: number): Float64Array | Float64Array[] {
  if (shape !== 'nested') return data;
  const out: Float64Array[] = [];
  for (let r = 0; r < data.length / width; r++) out.push(data.slice(r * width, (r + 1) * width));
  return out;
}

/**
 * Inputs and targets of one batch or data set, with matching row counts. With `loss`
 * 'crossEntropy' every target row must be a probability distribution (see checkDistributions).
 */
export function toPairs(x: unknown, y: unknown, inputs: number, outputs: number, fx: string, fy: string, loss?: Loss): { x: Rows; y: Rows } {
  const xr = toRows(x, inputs, fx, ArrayBuffer.isView(x) && ArrayBuffer.isView(y) && (x as Float64Array).length !== inputs ? (x as Float64Array).length / inputs : undefined);
  const yr = toRows(y, outputs, fy, xr.shape === 'flat' ? xr.rows : undefined);
  if (yr.rows !== xr.rows) bad(fy, `${xr.rows} rows like ${fx}`, words(yr.rows === 1 ? 'one sample' : `${yr.rows} rows`));
  if (loss === 'crossEntropy') checkDistributions(yr.data, 0, yr.rows, outputs, yr.shape === 'single' ? () => fy : (r) => `${fy}[${r}]`);
  return { x: xr, y: yr };
}

/**
 * Cross-entropy −Σ y·log ŷ is a loss only when each target row y is a distribution: a row like
 * [2, 0, 0] or [-1, 2, 0] would train silently towards nonsense, so it is refused, naming the row.
 */
export function checkDistributions(data: ArrayLike<number>, at: number, rows: number, width: number, rowField: (row: number) => string): void {
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = 0; j < width; j++) {
      const v = data[at + r * width + j];
      if (v < 0) bad(`${rowField(r)}[${j}]`, "a probability ≥ 0 (loss 'crossEntropy' takes distributions as targets)", v);
      sum += v;
    }
    if (Math.abs(sum - 1) > 1e-9) bad(rowField(r), "a row summing to 1 within 1e-9 (loss 'crossEntropy' takes distributions as targets)", words(`a row summing to ${sum}`));
  }
}

/**
 * Fast path for one sample: when v is a flat array of exactly `width` numbers, checks them and
 * writes them straight into the heap at `at` (no intermediate copy); returns false otherwise so
 * that the caller takes the general path (batches, and its error messages for wrong shapes).
 */
export function copySample(v: unknown, width: number, field: string, h: Float64Array, at: number): boolean {
  if (!(Array.isArray(v) || v instanceof Float64Array) || v.length !== width) return false;
  for (let i = 0; i < width; i++) {
    const x = v[i];
    if (typeof x !== 'number') return false;
    if (x - x !== 0) bad(`${field}[${i}]`, 'a finite number', x); // NaN and ±Infinity
    h[at + i] = x;
  }
  return true;
}
