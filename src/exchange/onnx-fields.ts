// Reading ONNX messages field by field: which fields each message keeps (and how often they may
// repeat), typed accessors that turn wire-level garbage into INVALID_MODEL at a named field, and
// TensorProto decoding straight into a Float64Array.
import { BackpropError, words } from '../errors.js';
import { readFields, ints, fixed, text, last, toInt, WireError, TooManyError, type Field, type Keep } from './protobuf-read.js';
import { DOUBLE, FLOAT } from './onnx-proto.js';

export type Message = Map<number, Field[]>;

/**
 * At most this many nodes, initializers or graph inputs: a dense layer takes a Gemm or MatMul, a
 * bias, an activation and a few Identity/Dropout nodes, so 8 per layer of the 1,024 allowed.
 */
export const MAX_NODES = 8192;
/** Values in unpacked float_data/double_data fields (onnx.proto declares them packed). */
const MAX_UNPACKED = 65536;
/** Rank of a tensor or a declared shape. */
const MAX_RANK = 64;

// Field numbers are those of onnx/onnx.proto; only the fields the reader uses are kept.
export const KEEP = {
  model: { 7: 1, 8: 1024, 14: 1024 }, // graph, opset_import, metadata_props
  graph: { 1: MAX_NODES, 5: MAX_NODES, 11: MAX_NODES, 12: 64 }, // node, initializer, input, output
  node: { 1: 64, 2: 64, 3: 1, 4: 1, 5: 64, 7: 1 }, // input, output, name, op_type, attribute, domain
  attribute: { 1: 1, 2: 1, 3: 1, 5: 1 }, // name, f, i, t
  tensor: { 1: MAX_RANK, 2: 1, 3: 1, 4: MAX_UNPACKED, 8: 1, 9: 1, 10: MAX_UNPACKED, 14: 1 },
  valueInfo: { 1: 1, 2: 1 }, // name, type
  type: { 1: 1 }, // tensor_type
  tensorType: { 1: 1, 2: 1 }, // elem_type, shape
  shape: { 1: MAX_RANK }, // dim
  dim: { 1: 1, 2: 1 }, // dim_value, dim_param
  opset: { 1: 1, 2: 1 }, // domain, version
  entry: { 1: 1, 2: 1 }, // key, value
} satisfies Record<string, Keep>;

/** What a capped repeated field holds, for the refusal's message. */
const NAMES = new Map<Keep, Record<number, string>>([
  [KEEP.model, { 8: 'opset_import', 14: 'metadata_props' }],
  [KEEP.graph, { 1: 'node', 5: 'initializer', 11: 'input', 12: 'output' }],
  [KEEP.node, { 1: 'input', 2: 'output', 5: 'attribute' }],
  [KEEP.tensor, { 1: 'dims', 4: 'float_data', 10: 'double_data' }],
  [KEEP.shape, { 1: 'dim' }],
]);

export const bad = (field: string, expected: string, got?: unknown): never => {
  throw got === undefined ? new BackpropError('INVALID_MODEL', field, expected) : new BackpropError('INVALID_MODEL', field, expected, got);
};

/** Reads a message, turning wire-level garbage into INVALID_MODEL at `field`. */
export function fieldsOf(bytes: Uint8Array, field: string, keep: Keep): Message {
  try {
    return readFields(bytes, keep);
  } catch (e) {
    if (e instanceof TooManyError)
      return bad(`${field}.${NAMES.get(keep)?.[e.number] ?? `field ${e.number}`}`, `at most ${e.max} entries`, words('more'));
    return bad(field, 'a protobuf message', words((e as Error).message));
  }
}
export function wire<T>(field: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof WireError) bad(field, 'a well-formed protobuf field', words(e.message));
    throw e;
  }
}
export const msg = (f: Field | undefined, field: string, keep: Keep): Message =>
  f === undefined
    ? new Map()
    : f.wire === 2
      ? fieldsOf(f.bytes, field, keep)
      : bad(field, 'an embedded message', words(`wire type ${f.wire}`));
export const str = (m: Message, n: number, field: string): string => wire(field, () => text(last(m.get(n))) ?? '');
export const strs = (m: Message, n: number, field: string): string[] => wire(field, () => (m.get(n) ?? []).map((f) => text(f)!));
export const int = (m: Message, n: number, field: string, fallback: number): number =>
  wire(field, () => {
    const f = last(m.get(n));
    if (f === undefined) return fallback;
    if (f.wire !== 0) throw new WireError(`wire type ${f.wire} where an integer was expected`);
    return toInt(f.int);
  });
export const f32 = (f: Field | undefined, field: string): number | undefined =>
  f && f.wire === 5 ? wire(field, () => fixed([f], 4)[0]) : undefined;

export interface Tensor {
  dims: number[];
  values: Float64Array;
}

/** A TensorProto holding doubles or floats (raw_data or the typed field), widened to f64. */
export function readTensor(m: Message, field: string): Tensor {
  if (int(m, 14, `${field}.data_location`, 0) !== 0)
    bad(`${field}.data_location`, 'data stored inside the model (external data is not supported)');
  if (m.has(3)) bad(`${field}.segment`, 'an unsegmented tensor');
  const dims = wire(`${field}.dims`, () => ints(m.get(1), MAX_RANK));
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) bad(`${field}.dims`, 'non-negative sizes', words(`[${dims.join(', ')}]`));
  const type = int(m, 2, `${field}.data_type`, 0);
  if (type !== DOUBLE && type !== FLOAT) bad(`${field}.data_type`, `${DOUBLE} (DOUBLE) or ${FLOAT} (FLOAT)`, type);
  const width = type === DOUBLE ? 8 : 4;
  const raw = last(m.get(9));
  const data = raw ? [raw] : m.get(type === DOUBLE ? 10 : 4);
  // The claimed size is checked against the bytes before anything is decoded: huge dims over a
  // few bytes of data cost nothing.
  const count = dims.reduce((a, b) => a * b, 1);
  const stored = (data ?? []).reduce((n, f) => n + (f.wire === 0 ? 0 : f.bytes.length), 0) / width;
  if (stored !== count)
    bad(field, `${count} values for dims [${dims.join(', ')}]`, Number.isInteger(stored) ? stored : words(`${stored * width} bytes`));
  const values = wire(`${field}.${raw ? 'raw_data' : type === DOUBLE ? 'double_data' : 'float_data'}`, () => fixed(data, width));
  const at = values.findIndex((v) => !Number.isFinite(v));
  if (at >= 0) bad(`${field}[${at}]`, 'a finite number', values[at]);
  return { dims, values };
}
