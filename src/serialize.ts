// Saved models: the normalized spec plus parameters and optimizer state as little-endian f64
// in base64, so that every bit (−0, subnormals, NaN payloads aside) survives the round trip.
import { BackpropError, words } from './errors.js';
import { base64ToBytes, bytesToBase64 } from './base64.js';
import { normalizeSpec, checkKeys, type ResolvedSpec, type OptimizerSpec, type ResolvedLayer, type Precision } from './spec.js';
import { layoutOf } from './layout.js';
import { stateBlocks } from './kinds.js';
import type { PreprocessingJSON } from './dataset/preprocessing.js';

export const FORMAT = 'backprop';
/** Version 2 adds `preprocessing` (a network created from a Dataset); version 1 files still load. */
export const VERSION = 2;
/**
 * Version 3 adds `spec.precision` ('f32'); only f32 networks write it (an f64 network's file is the
 * version 2 file it always was), and files without it load as f64. An f32 network's parameters and
 * state are f32 in base64 (encodeF32: 4 bytes a value, every bit kept, half the size).
 */
export const VERSION_F32 = 3;

export interface ModelJSON {
  format: typeof FORMAT;
  version: number;
  spec: Omit<ResolvedSpec, 'layers' | 'optimizer' | 'precision'> & {
    optimizer: OptimizerSpec;
    layers: Omit<ResolvedLayer, 'inputs'>[];
    precision?: Precision;
  };
  params: string;
  /** Optimizer state: 1 block (sgd velocity, rmsprop/adagrad accumulators) or 2 (adam moments) of params' size. */
  state: string;
  /** [optimizer steps taken, dropout stream position]. */
  counters: number[];
  rng: number;
  /** Version 2, networks created from a Dataset: how raw columns become inputs (src/dataset/). */
  preprocessing?: PreprocessingJSON;
}

/** Whether this engine stores numbers little-endian (every current one does), so bytes can be viewed, not swapped. */
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** The little-endian bytes of `a` (8 per f64, 4 per f32), viewed in place where the engine is little-endian. */
function littleEndianBytes(a: Float64Array | Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const width = a.BYTES_PER_ELEMENT;
  const bytes = new Uint8Array(a.length * width),
    dv = new DataView(bytes.buffer);
  a.forEach((v, i) => (width === 8 ? dv.setFloat64(i * 8, v, true) : dv.setFloat32(i * 4, v, true)));
  return bytes;
}

export function encodeF64(a: Float64Array): string {
  return bytesToBase64(littleEndianBytes(a));
}

/** An f32 network's parameters or state: 4 little-endian bytes a value, so every f32 bit survives at half the size. */
export function encodeF32(a: Float32Array): string {
  return bytesToBase64(littleEndianBytes(a));
}

const invalid = (field: string, expected: string, got?: unknown): never => {
  throw new BackpropError('INVALID_MODEL', field, expected, got);
};

/** Decodes exactly `count` values of `width` bytes (8: f64, 4: f32), checking the length before allocating anything. */
function decodeValues<T extends Float64Array | Float32Array>(s: unknown, count: number, field: string, make: (n: number) => T): T {
  const width = make(0).BYTES_PER_ELEMENT,
    type = width === 8 ? 'f64' : 'f32';
  if (typeof s !== 'string') invalid(field, 'a base64 string', s);
  const str = s as string;
  const expectedChars = Math.ceil((count * width) / 3) * 4;
  if (str.length !== expectedChars)
    invalid(field, `${count} ${type} values (${expectedChars} base64 characters)`, words(`${str.length} characters`));
  const bytes = base64ToBytes(str);
  if (bytes === null) return invalid(field, 'valid base64', words('invalid characters'));
  if (bytes.length !== count * width)
    invalid(field, `${count} ${type} values (${expectedChars} base64 characters)`, words(`${bytes.length} bytes after decoding`));
  const out = make(count);
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(bytes);
  else {
    const dv = new DataView(bytes.buffer);
    for (let i = 0; i < count; i++) out[i] = width === 8 ? dv.getFloat64(i * 8, true) : dv.getFloat32(i * 4, true);
  }
  for (let i = 0; i < count; i++) if (!Number.isFinite(out[i])) invalid(`${field}[${i}]`, 'a finite number', out[i]);
  return out;
}

/** Decodes exactly `count` f64 values, checking the length before allocating anything. */
export function decodeF64(s: unknown, count: number, field: string): Float64Array {
  return decodeValues(s, count, field, (n) => new Float64Array(n));
}

/** Decodes exactly `count` f32 values (encodeF32's), checking the length before allocating anything. */
export function decodeF32(s: unknown, count: number, field: string): Float32Array {
  return decodeValues(s, count, field, (n) => new Float32Array(n));
}

export interface Decoded {
  spec: ResolvedSpec;
  /** Float32Array for an f32 network's file (version 3, precision 'f32'). */
  params: Float64Array | Float32Array;
  state: Float64Array | Float32Array;
  counters: number[];
  rng: number;
  /** Unchecked here: the network checks it against its shape (src/dataset/json.ts). */
  preprocessing: unknown;
}

export function parseModel(input: unknown): Decoded {
  let m = input;
  if (typeof m === 'string') {
    try {
      m = JSON.parse(m);
    } catch (e) {
      invalid('model', 'JSON text', words((e as Error).message));
    }
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return invalid('model', 'an object from toJSON()', m);
  const o = m as Record<string, unknown>;
  if (o.format !== FORMAT) invalid('model.format', `'${FORMAT}'`, o.format);
  if (o.version !== 1 && o.version !== VERSION && o.version !== VERSION_F32)
    invalid('model.version', `1, ${VERSION} or ${VERSION_F32} (this build reads format versions 1 to ${VERSION_F32})`, o.version);
  if ((o.version as number) < VERSION_F32 && typeof o.spec === 'object' && o.spec !== null && Object.hasOwn(o.spec, 'precision')) {
    invalid(
      'model.spec.precision',
      `no precision in a version ${o.version as number} file (precision came with version ${VERSION_F32})`,
      (o.spec as Record<string, unknown>).precision,
    );
  }
  checkKeys(
    o,
    ['format', 'version', 'spec', 'params', 'state', 'counters', 'rng', ...(o.version === 1 ? [] : ['preprocessing'])],
    'model',
    'INVALID_MODEL',
  );
  let spec: ResolvedSpec;
  try {
    spec = normalizeSpec(o.spec, 'file');
  } catch (e) {
    if (e instanceof BackpropError) throw e.within('INVALID_MODEL', 'model.spec');
    throw e;
  }
  if (!Number.isInteger(o.rng) || (o.rng as number) < 0 || (o.rng as number) > 0xffffffff)
    invalid('model.rng', 'an integer in [0, 2³²)', o.rng);
  const c = o.counters;
  const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  if (!Array.isArray(c) || c.length !== 2 || !isCount(c[0]) || !isCount(c[1]) || c[1] > 0xffffffff) {
    invalid('model.counters', '[steps, dropout position]: two non-negative integers', c);
  }
  const size = layoutOf(spec.layers).size;
  const decode = spec.precision === 'f32' ? decodeF32 : decodeF64;
  return {
    spec,
    params: decode(o.params, size, 'model.params'),
    state: decode(o.state, stateBlocks(spec.optimizer.type) * size, 'model.state'),
    counters: c as number[],
    rng: o.rng as number,
    preprocessing: o.preprocessing,
  };
}
