// Reading protocol-buffers messages from bytes that may be hostile. A reader names the fields it
// wants and how often each may repeat; everything else is checked for well-formedness and
// skipped, so a message of millions of tiny fields costs time linear in its bytes but no memory.

/** One field as it came off the wire: a varint (as bigint), 4 or 8 fixed bytes, or a payload. */
export type Field = { wire: 0; int: bigint } | { wire: 1 | 2 | 5; bytes: Uint8Array };

/** Thrown on bytes that are not protobuf; onnx-read.ts turns it into a BackpropError naming the message. */
export class WireError extends Error {}

/** Thrown when a message repeats a field more often than its reader accepts. */
export class TooManyError extends WireError {
  constructor(
    readonly number: number,
    readonly max: number,
  ) {
    super(`more than ${max} occurrences of field ${number}`);
  }
}

/**
 * The fields a reader keeps: field number → how many occurrences it accepts. 1 means a singular
 * field: the last occurrence wins, as protobuf says, however often it repeats.
 */
export type Keep = Readonly<Record<number, number>>;

/** The end of the varint starting at `at` (at most 10 bytes). */
function varintEnd(buf: Uint8Array, at: number): number {
  for (let i = at; i < at + 10; i++) {
    if (i >= buf.length) throw new WireError(`truncated varint at byte ${at}`);
    if (buf[i] < 0x80) return i + 1;
  }
  throw new WireError(`varint longer than 10 bytes at byte ${at}`);
}

/** A varint's value as a number: exact below 2⁵³, which covers every length, tag and size read here. */
function varintNumber(buf: Uint8Array, at: number, end: number): number {
  let v = 0;
  for (let i = end - 1; i >= at; i--) v = v * 128 + (buf[i] & 0x7f);
  return v;
}

/** A varint as an unsigned 64-bit bigint (BigInt only where a number could round). */
function varintBig(buf: Uint8Array, at: number, end: number): bigint {
  if (end - at <= 7) return BigInt(varintNumber(buf, at, end));
  let v = 0n;
  for (let i = end - 1; i >= at; i--) v = (v << 7n) | BigInt(buf[i] & 0x7f);
  return BigInt.asUintN(64, v);
}

/** Splits a message into the fields `keep` names (repeated ones in order); skips the rest. */
export function readFields(buf: Uint8Array, keep: Keep): Map<number, Field[]> {
  const fields = new Map<number, Field[]>();
  let at = 0;
  while (at < buf.length) {
    const tagEnd = varintEnd(buf, at);
    if (tagEnd - at > 5) throw new WireError(`field tag longer than 5 bytes at byte ${at}`);
    const key = varintNumber(buf, at, tagEnd);
    const number = Math.floor(key / 8),
      wire = key % 8;
    if (number === 0) throw new WireError(`field number 0 at byte ${tagEnd}`);
    at = tagEnd;
    let start = at,
      end: number;
    if (wire === 0) end = varintEnd(buf, at);
    else if (wire === 1 || wire === 5) end = at + (wire === 1 ? 8 : 4);
    else if (wire === 2) {
      start = varintEnd(buf, at);
      end = start + varintNumber(buf, at, start);
    } else throw new WireError(`unsupported wire type ${wire} for field ${number}`);
    if (end > buf.length) throw new WireError(`field runs past the end (${end - start} bytes at byte ${start} of ${buf.length})`);
    at = end;
    if (!Object.hasOwn(keep, number)) continue;
    const max = keep[number];
    const f: Field = wire === 0 ? { wire, int: varintBig(buf, start, end) } : { wire, bytes: buf.subarray(start, end) };
    const list = fields.get(number);
    if (!list) fields.set(number, [f]);
    else if (max === 1) list[0] = f;
    else if (list.length >= max) throw new TooManyError(number, max);
    else list.push(f);
  }
  return fields;
}

/** A signed int64 from a varint, as a JS number (exact up to 2⁵³). */
export const toInt = (v: bigint): number => Number(BigInt.asIntN(64, v));

/** Repeated int64, packed (one payload) or not (one varint each), both legal; at most `max` of them. */
export function ints(list: Field[] | undefined, max: number): number[] {
  const out: number[] = [];
  const push = (v: bigint) => {
    if (out.length >= max) throw new WireError(`more than ${max} integers`);
    out.push(toInt(v));
  };
  for (const f of list ?? []) {
    if (f.wire === 0) push(f.int);
    else if (f.wire === 2) {
      const b = f.bytes;
      for (let at = 0; at < b.length;) {
        const end = varintEnd(b, at);
        push(varintBig(b, at, end));
        at = end;
      }
    } else throw new WireError(`wire type ${f.wire} where an integer was expected`);
  }
  return out;
}

/** Repeated fixed-width floats (f64: width 8, f32: width 4), packed or not, widened into one Float64Array. */
export function fixed(list: Field[] | undefined, width: 4 | 8): Float64Array {
  let count = 0;
  for (const f of list ?? []) {
    if (f.wire === 0 || f.bytes.length % width !== 0) throw new WireError(`expected ${width * 8}-bit floats`);
    count += f.bytes.length / width;
  }
  const out = new Float64Array(count);
  let k = 0;
  for (const f of list ?? []) {
    const b = (f as { bytes: Uint8Array }).bytes;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    if (width === 8) for (let i = 0; i < b.length; i += 8) out[k++] = dv.getFloat64(i, true);
    else for (let i = 0; i < b.length; i += 4) out[k++] = dv.getFloat32(i, true);
  }
  return out;
}

export function text(f: Field | undefined): string | undefined {
  if (f === undefined) return undefined;
  if (f.wire !== 2) throw new WireError('expected a string');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(f.bytes);
  } catch {
    throw new WireError('a string that is not UTF-8');
  }
}

/** The last occurrence wins for a singular field, as protobuf says. */
export const last = (list: Field[] | undefined): Field | undefined => list?.[list.length - 1];
