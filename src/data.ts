// Turning what users pass (number[], number[][], Float64Array, Float32Array) into checked row-major
// rows of the network's element type: f64, or f32 (rounded once) for an f32 network.
import { BackpropError, words } from './errors.js';
import type { Precision } from './spec.js';
import { bufferOf, isShared, isTyped, kindOf, lengthOf, offsetOf } from './typed-arrays.js';

export type Sample = ArrayLike<number>;
/** Rows: a list of samples, or flat rows in a Float64Array (a Float32Array too: f32 networks take their data so). */
export type Batch = ArrayLike<number>[] | Float64Array | Float32Array;
export type Shape = 'single' | 'nested' | 'flat';

/** Numbers as a network holds them: Float64Array, or Float32Array for an f32 network. */
export type Values = Float64Array | Float32Array;

export interface Rows {
  /** Float32Array when read with precision 'f32', else Float64Array. */
  data: Values;
  rows: number;
  shape: Shape;
  /** Some of the numbers came from a Float32Array: they carry f32's rounding whatever the network's precision. */
  fromF32?: boolean;
}

/**
 * Where to copy `rows` rows once their count is known (and before any value is read): a view of
 * rows × width numbers of the precision read, e.g. a fit's data block in the heap, so that the
 * numbers are copied and checked in one pass; undefined to have toRows allocate its own.
 */
export type Destination = (rows: number) => Values | undefined;

/** How rows are read. */
export interface ReadOptions {
  /** 'f32': rows of an f32 network, each number rounded once to f32 as it is copied. Default 'f64'. */
  precision?: Precision;
  /** Never hand back the caller's memory (see typedValues): for callers that hold data across awaits. */
  copy?: boolean;
  /** Where the copy goes (see Destination). */
  into?: Destination;
}

/** What an f32 network refuses beyond non-finite numbers: those that round to ±Infinity in f32. */
const F32_RANGE = "a number within f32's range (|x| ≤ 3.4028235e38; an f32 network holds its data in f32)";

const newValues = (precision: Precision | undefined, n: number): Values =>
  precision === 'f32' ? new Float32Array(n) : new Float64Array(n);

export const bad = (field: string, expected: string, got: unknown): never => {
  throw new BackpropError('INVALID_DATA', field, expected, got);
};

// Every value is read exactly once — copied, then the copy checked — so a getter or Proxy that
// answers differently on each read cannot slip a value past the check, and every length is read
// once, so a row that grows meanwhile cannot overflow the copy. Typed arrays are measured and
// copied through the intrinsic accessors (src/typed-arrays.ts).

/**
 * A typed array's numbers in the precision read: a view of the same memory for an array of that
 * type (Float64Array, or Float32Array in f32) on an ordinary buffer (no copy of a data set;
 * nothing can change it until the caller's synchronous use is over), a copy otherwise (rounded
 * once to f32 in f32) — or always, with `copy`, for callers that hold data across awaits.
 */
function typedValues(v: ArrayLike<number>, n: number, field: string, o: ReadOptions, into?: Values): Values {
  const kind = notBigInts(v, field);
  const buffer = bufferOf.call(v);
  const f32 = o.precision === 'f32';
  if (!into && kind === (f32 ? 'Float32Array' : 'Float64Array') && !o.copy && !isShared(buffer))
    return f32 ? new Float32Array(buffer, offsetOf.call(v), n) : new Float64Array(buffer, offsetOf.call(v), n);
  const out = into ?? newValues(o.precision, n);
  out.set(v as Float64Array); // reads the source's internal length and elements, not its properties
  return out;
}

function notBigInts(v: ArrayLike<number>, field: string): string | undefined {
  const kind = kindOf.call(v);
  if (kind === 'BigInt64Array' || kind === 'BigUint64Array')
    bad(field, 'numbers (a Float64Array or another typed array of numbers, not of BigInts)', v);
  return kind;
}

/** The first NaN or ±Infinity in data[from, from + n), as an index from `from`, or −1. */
function firstNonFinite(data: Values, from: number, n: number): number {
  for (let i = 0; i < n; i++) {
    const x = data[from + i];
    if (x - x !== 0) return i;
  }
  return -1;
}

/**
 * Refuses element i of a typed source whose copy is not finite: NaN or ±Infinity given, or (into
 * f32) a finite number beyond f32's range. The element is read again only to name it (a typed
 * array's elements are not properties a getter can answer).
 */
function refuseTyped(field: string, source: ArrayLike<number>, i: number): never {
  const given = source[i];
  return bad(field, given - given !== 0 ? 'a finite number' : F32_RANGE, given);
}

/**
 * Copies `width` numbers of one row (an array, or a typed array whose length was checked) into
 * out[at…], reading each element once; `first`, when given, is element 0 already read.
 */
function copyRow(row: unknown, width: number, out: Values, at: number, field: string, prefix: string, first?: { value: unknown }): void {
  if (isTyped(row)) {
    notBigInts(row, field + prefix);
    out.set(row as Float64Array, at); // its internal length (checked = width) and elements, not its properties
    const i = firstNonFinite(out, at, width);
    if (i >= 0) refuseTyped(`${field}${prefix}[${i}]`, row, i);
    return;
  }
  if (out instanceof Float32Array) return copyArrayRowF32(row as ArrayLike<unknown>, width, out, at, field, prefix, first);
  const a = row as ArrayLike<unknown>;
  let i = 0;
  if (first) {
    // Element 0 was read already (to tell a sample from a batch): it is not read again.
    const x = first.value;
    if (typeof x !== 'number' || x - x !== 0) bad(`${field}${prefix}[0]`, 'a finite number', x);
    out[at] = x as number;
    i = 1;
  }
  for (; i < width; i++) {
    const x = a[i];
    if (typeof x !== 'number' || x - x !== 0) bad(`${field}${prefix}[${i}]`, 'a finite number', x);
    out[at + i] = x as number;
  }
}

/**
 * copyRow's array case into f32: each number read once, checked finite, rounded once to f32 and
 * checked again (a number beyond f32's range rounds to ±Infinity). A loop of its own: one store
 * type per loop keeps the f64 loop's element accesses monomorphic.
 */
function copyArrayRowF32(
  a: ArrayLike<unknown>,
  width: number,
  out: Float32Array,
  at: number,
  field: string,
  prefix: string,
  first?: { value: unknown },
): void {
  let i = 0;
  if (first) {
    // Element 0 was read already (to tell a sample from a batch): it is not read again.
    const x = first.value;
    if (typeof x !== 'number' || x - x !== 0) bad(`${field}${prefix}[0]`, 'a finite number', x);
    if (!Number.isFinite(Math.fround(x as number))) bad(`${field}${prefix}[0]`, F32_RANGE, x);
    out[at] = x as number;
    i = 1;
  }
  for (; i < width; i++) {
    const x = a[i];
    if (typeof x !== 'number' || x - x !== 0) bad(`${field}${prefix}[${i}]`, 'a finite number', x);
    const rounded = Math.fround(x as number);
    if (rounded - rounded !== 0) bad(`${field}${prefix}[${i}]`, F32_RANGE, x);
    out[at + i] = rounded;
  }
}

/**
 * One sample (width numbers), a batch of samples (array of rows), or a flat typed array of
 * `rows` × width numbers, read as ReadOptions say (precision, copy, destination).
 */
export function toRows(v: unknown, width: number, field: string, rows?: number, o: ReadOptions = {}): Rows {
  try {
    return readRows(v, width, field, rows, o);
  } catch (e) {
    // A revoked Proxy or a throwing getter: the caller learns where, as for any other bad value.
    if (e instanceof BackpropError) throw e;
    throw new BackpropError(
      'INVALID_DATA',
      field,
      'numbers that can be read',
      words(`reading them threw ${e instanceof Error ? e.name : 'a value'}`),
    );
  }
}

function readRows(v: unknown, width: number, field: string, rows: number | undefined, o: ReadOptions): Rows {
  const { into, precision } = o;
  if (isTyped(v)) {
    const n = lengthOf.call(v);
    if (rows === undefined) {
      if (n !== width) bad(field, `${width} numbers (one sample)`, v);
      const data = into?.(1) ?? newValues(precision, width);
      copyRow(v, width, data, 0, field, '');
      return { data, rows: 1, shape: 'single', fromF32: kindOf.call(v) === 'Float32Array' };
    }
    if (!Number.isSafeInteger(rows) || rows < 1) bad(`${field} rows`, 'a positive integer', rows);
    if (n !== rows * width) bad(field, `${rows} × ${width} = ${rows * width} numbers`, v);
    const data = typedValues(v, n, field, o, into?.(rows));
    const i = firstNonFinite(data, 0, n);
    if (i >= 0) refuseTyped(`${field}[${Math.floor(i / width)}][${i % width}]`, v, i);
    return { data, rows, shape: 'flat', fromF32: kindOf.call(v) === 'Float32Array' };
  }
  if (!Array.isArray(v)) return bad(field, `a sample of ${width} numbers or a non-empty array of samples`, v);
  const length = v.length;
  const first = { value: length > 0 ? v[0] : undefined };
  if (length === 0 || typeof first.value !== 'object' || first.value === null) {
    if (length !== width) bad(field, `${width} numbers (one sample)`, v);
    const data = into?.(1) ?? newValues(precision, width);
    copyRow(v, width, data, 0, field, '', first);
    return { data, rows: 1, shape: 'single' };
  }
  // Every row's shape is checked before the block is allocated, and holes count as rows: a
  // sparse array fails at its first hole instead of allocating its claimed length.
  const list: unknown[] = [];
  let fromF32 = false;
  for (let r = 0; r < length; r++) {
    const row = r === 0 ? first.value : v[r];
    const typed = isTyped(row);
    const n = typed ? lengthOf.call(row) : Array.isArray(row) ? row.length : -1;
    if (n !== width) bad(`${field}[${r}]`, `${width} numbers`, row);
    if (typed && kindOf.call(row) === 'Float32Array') fromF32 = true;
    list.push(row);
  }
  const data = into?.(length) ?? newValues(precision, length * width);
  for (let r = 0; r < length; r++) copyRow(list[r], width, data, r * width, field, `[${r}]`);
  return { data, rows: length, shape: 'nested', fromF32 };
}

/** Output rows in the shape the input came in. */
export function shapeLike(shape: Shape, data: Float64Array, width: number): Float64Array | Float64Array[] {
  if (shape !== 'nested') return data;
  const out: Float64Array[] = [];
  for (let r = 0; r < data.length / width; r++) out.push(data.slice(r * width, (r + 1) * width));
  return out;
}

/**
 * Fast path for one sample: when v is a flat array of exactly `width` numbers, checks them and
 * writes them straight into the heap at `at` (no intermediate copy); returns false otherwise so
 * that the caller takes the general path (batches, and its error messages for wrong shapes).
 */
export function copySample(v: unknown, width: number, field: string, h: Values, at: number): boolean {
  try {
    // Each element is read once; a typed array's shadowed `length` at worst sends it the general way.
    if (!(Array.isArray(v) || v instanceof Float64Array || v instanceof Float32Array) || v.length !== width) return false;
    const f32 = h instanceof Float32Array;
    for (let i = 0; i < width; i++) {
      const x: unknown = v[i];
      if (typeof x !== 'number') return false;
      if (x - x !== 0) bad(`${field}[${i}]`, 'a finite number', x); // NaN and ±Infinity
      if (f32 && !Number.isFinite(Math.fround(x))) bad(`${field}[${i}]`, F32_RANGE, x); // rounds to ±Infinity
      h[at + i] = x;
    }
    return true;
  } catch (e) {
    if (e instanceof BackpropError) throw e;
    return false; // unreadable (a revoked Proxy, a throwing getter): the general path says where
  }
}
