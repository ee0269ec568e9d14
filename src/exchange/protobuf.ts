// A minimal protocol-buffers wire codec: just what ONNX's messages need (varints, length-delimited
// fields, fixed 32/64-bit). No schema here; onnx.ts says which field number means what.

/** Builds one message. Fields are appended in call order, which is all protobuf requires. */
export class Writer {
  private chunks: Uint8Array[] = [];
  private length = 0;

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }
  /** Unsigned or negative int64 (negatives take ten bytes, two's complement, as protobuf says). */
  private varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    const out: number[] = [];
    while (x >= 0x80n) {
      out.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    out.push(Number(x));
    this.push(Uint8Array.from(out));
  }

  int(field: number, v: number): this {
    this.tag(field, 0);
    this.varint(v);
    return this;
  }
  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2);
    this.varint(b.length);
    this.push(b);
    return this;
  }
  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  message(field: number, m: Writer): this {
    return this.bytes(field, m.finish());
  }
  /** A 32-bit float (wire type 5), e.g. an ONNX float attribute. */
  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
    return this;
  }
  /** Repeated int64 as one packed field. */
  packedInts(field: number, vs: readonly number[]): this {
    const inner = new Writer();
    for (const v of vs) inner.varint(v);
    return this.bytes(field, inner.finish());
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) out.set(c, (at += c.length) - c.length);
    return out;
  }
}

/** One field as it came off the wire: a varint (as bigint), 4 or 8 fixed bytes, or a payload. */
export type Field = { wire: 0; int: bigint } | { wire: 1 | 2 | 5; bytes: Uint8Array };

/** Thrown on bytes that are not protobuf; onnx.ts turns it into a BackpropError naming the message. */
export class WireError extends Error {}

/** Splits a message into its fields by number (repeated fields keep their order). */
export function readFields(buf: Uint8Array): Map<number, Field[]> {
  const fields = new Map<number, Field[]>();
  let at = 0;
  const varint = (): bigint => {
    let v = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (at >= buf.length) throw new WireError(`truncated varint at byte ${at}`);
      const b = buf[at++];
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, v);
    }
    throw new WireError(`varint longer than 10 bytes at byte ${at}`);
  };
  const take = (n: number): Uint8Array => {
    if (n < 0 || at + n > buf.length) throw new WireError(`field runs past the end (${n} bytes at byte ${at} of ${buf.length})`);
    return buf.subarray(at, (at += n));
  };
  while (at < buf.length) {
    const key = varint();
    const number = Number(key >> 3n), wire = Number(key & 7n);
    if (number === 0) throw new WireError(`field number 0 at byte ${at}`);
    let f: Field;
    if (wire === 0) f = { wire, int: varint() };
    else if (wire === 1) f = { wire, bytes: take(8) };
    else if (wire === 5) f = { wire, bytes: take(4) };
    else if (wire === 2) f = { wire, bytes: take(Number(varint())) };
    else throw new WireError(`unsupported wire type ${wire} for field ${number}`);
    const list = fields.get(number);
    if (list) list.push(f);
    else fields.set(number, [f]);
  }
  return fields;
}

/** A signed int64 from a varint, as a JS number (exact up to 2⁵³). */
export const toInt = (v: bigint): number => Number(BigInt.asIntN(64, v));

/** Repeated int64: packed (one payload) or not (one varint each); both are legal. */
export function ints(list: Field[] | undefined): number[] {
  const out: number[] = [];
  for (const f of list ?? []) {
    if (f.wire === 0) out.push(toInt(f.int));
    else if (f.wire === 2) {
      const b = f.bytes;
      let at = 0;
      while (at < b.length) {
        let v = 0n, shift = 0n, byte: number;
        do {
          if (at >= b.length || shift >= 70n) throw new WireError('bad packed varint');
          byte = b[at++];
          v |= BigInt(byte & 0x7f) << shift;
          shift += 7n;
        } while (byte >= 0x80);
        out.push(toInt(BigInt.asUintN(64, v)));
      }
    } else throw new WireError(`wire type ${f.wire} where an integer was expected`);
  }
  return out;
}

/** Repeated fixed-width floats (f64: width 8, f32: width 4), packed or not. */
export function fixed(list: Field[] | undefined, width: 4 | 8): number[] {
  const out: number[] = [];
  for (const f of list ?? []) {
    if (f.wire === 0 || f.bytes.length % width !== 0) throw new WireError(`expected ${width * 8}-bit floats`);
    const dv = new DataView(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength);
    for (let i = 0; i < f.bytes.length; i += width) out.push(width === 8 ? dv.getFloat64(i, true) : dv.getFloat32(i, true));
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
