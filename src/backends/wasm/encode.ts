// A minimal WebAssembly binary writer: just what specialize.ts needs to emit straight-line f64 or
// f32 code (numeric ops, loads and stores, calls, one loop) into a module that imports its memory
// and helper functions from our main module.
import type { ElementType } from './element-type.js';

/** Value types. */
export const I32 = 0x7f,
  F32 = 0x7d,
  F64 = 0x7c;

/** The opcodes used (WebAssembly core spec §5.4). */
export const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  call: 0x10,
  select: 0x1b,
  get: 0x20,
  set: 0x21,
  tee: 0x22,
  f32Load: 0x2a,
  f64Load: 0x2b,
  f32Store: 0x38,
  f64Store: 0x39,
  i32Const: 0x41,
  f32Const: 0x43,
  f64Const: 0x44,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32GeS: 0x4e,
  f32Ne: 0x5c,
  f32Lt: 0x5d,
  f32Gt: 0x5e,
  f32Ge: 0x60,
  f64Eq: 0x61,
  f64Ne: 0x62,
  f64Lt: 0x63,
  f64Gt: 0x64,
  f64Ge: 0x66,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32Shl: 0x74,
  i32Or: 0x72,
  f32Abs: 0x8b,
  f32Add: 0x92,
  f32Sub: 0x93,
  f32Mul: 0x94,
  f64Abs: 0x99,
  f64Neg: 0x9a,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  f64Mul: 0xa2,
  f64Div: 0xa3,
  i32WrapI64: 0xa7,
  f32DemoteF64: 0xb6,
  f64PromoteF32: 0xbb,
  i64ReinterpretF64: 0xbd,
} as const;
/** Block type of a block/loop/if without results. */
export const VOID = 0x40;

/** A growable byte buffer: generating code stays linear in its size (no array spreads). */
export class Bytes {
  buf = new Uint8Array(256);
  len = 0;
  byte(b: number): this {
    if (this.len === this.buf.length) {
      const grown = new Uint8Array(2 * this.len);
      grown.set(this.buf);
      this.buf = grown;
    }
    this.buf[this.len++] = b;
    return this;
  }
  bytes(bs: ArrayLike<number>): this {
    for (let i = 0; i < bs.length; i++) this.byte(bs[i]);
    return this;
  }
  /** Unsigned LEB128 (WebAssembly spec §5.2.2). */
  uleb(v: number): this {
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v) b |= 0x80;
      this.byte(b);
    } while (v);
    return this;
  }
  /** Signed LEB128 of a 32-bit integer. */
  sleb(v: number): this {
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) return this.byte(b);
      this.byte(b | 0x80);
    }
  }
  name(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.uleb(b.length).bytes(b);
  }
  /** Appends another buffer, prefixed with its length (a section or a function body). */
  sized(other: Bytes): this {
    this.uleb(other.len);
    return this.bytes(other.buf.subarray(0, other.len));
  }
  view(): Uint8Array<ArrayBuffer> {
    return this.buf.slice(0, this.len);
  }
}

const f64Bytes = new Float64Array(1);
const f64View = new Uint8Array(f64Bytes.buffer);
const f32Bytes = new Float32Array(1);
const f32View = new Uint8Array(f32Bytes.buffer);

/** One function's body: its locals (after the parameters) and its code; `real` is the element type of the network's values. */
export class Body {
  readonly code = new Bytes();
  private readonly locals: number[] = [];
  constructor(
    readonly params: number[],
    readonly real: ElementType,
  ) {}

  /** A new local of type t; returns its index. */
  local(t: number): number {
    this.locals.push(t);
    return this.params.length + this.locals.length - 1;
  }
  emit(...bytes: number[]): this {
    this.code.bytes(bytes);
    return this;
  }
  i32(v: number): this {
    this.code.byte(op.i32Const).sleb(v | 0);
    return this;
  }
  f64(v: number): this {
    f64Bytes[0] = v; // little-endian on every platform Wasm runs on
    this.code.byte(op.f64Const).bytes(f64View);
    return this;
  }
  /** A constant of the element type (in f32: v rounded once, as the f32 build's `<real>v`). */
  value(v: number): this {
    if (this.real.type === F64) return this.f64(v);
    f32Bytes[0] = v;
    this.code.byte(op.f32Const).bytes(f32View);
    return this;
  }
  /** f64 → element type, and back: nothing in f64. */
  toF64(): this {
    this.code.bytes(this.real.promote);
    return this;
  }
  fromF64(): this {
    this.code.bytes(this.real.demote);
    return this;
  }
  get(l: number): this {
    return this.idx(op.get, l);
  }
  set(l: number): this {
    return this.idx(op.set, l);
  }
  tee(l: number): this {
    return this.idx(op.tee, l);
  }
  call(f: number): this {
    return this.idx(op.call, f);
  }
  br(depth: number, conditional = false): this {
    return this.idx(conditional ? op.brIf : op.br, depth);
  }
  /** f64.load / f64.store (an f64 cell, or a value in f64) at (byte address on the stack) + offset bytes, 8-byte aligned. */
  load(offset: number): this {
    this.code.byte(op.f64Load).byte(3).uleb(offset);
    return this;
  }
  store(offset: number): this {
    this.code.byte(op.f64Store).byte(3).uleb(offset);
    return this;
  }
  /** A value of the element type: load / store at (byte address on the stack) + offset bytes, aligned to its size. */
  loadValue(offset: number): this {
    this.code.byte(this.real.load).byte(this.real.shift).uleb(offset);
    return this;
  }
  storeValue(offset: number): this {
    this.code.byte(this.real.store).byte(this.real.shift).uleb(offset);
    return this;
  }
  private idx(o: number, i: number): this {
    this.code.byte(o).uleb(i);
    return this;
  }
  /** The encoded body: local declarations (one run per local), code, end. */
  encode(out: Bytes): void {
    const b = new Bytes().uleb(this.locals.length);
    for (const t of this.locals) b.byte(1).byte(t);
    b.bytes(this.code.buf.subarray(0, this.code.len)).byte(op.end);
    out.sized(b);
  }
}

export interface FuncImport {
  name: string;
  params: number[];
  results: number[];
}
export interface Func {
  body: Body;
  results: number[];
  /** Exported under this name, if any. */
  export?: string;
}

/**
 * A module importing `env.memory` (unshared, at least one page) and the functions `imports` (as
 * indices 0…), defining `funcs` (indices after the imports).
 */
export function encodeModule(imports: FuncImport[], funcs: Func[]): Uint8Array<ArrayBuffer> {
  const sigs: string[] = [];
  const typeOf = (params: number[], results: number[]) => {
    const key = `${params}|${results}`;
    let t = sigs.indexOf(key);
    if (t < 0) t = sigs.push(key) - 1;
    return t;
  };
  const importTypes = imports.map((f) => typeOf(f.params, f.results));
  const funcTypes = funcs.map((f) => typeOf(f.body.params, f.results));
  const out = new Bytes().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const section = (id: number, fill: (b: Bytes) => void) => {
    const b = new Bytes();
    fill(b);
    out.byte(id).sized(b);
  };
  section(1, (b) => {
    b.uleb(sigs.length);
    for (const key of sigs) {
      const [p, r] = key.split('|').map((x) => (x ? x.split(',').map(Number) : []));
      b.byte(0x60).uleb(p.length).bytes(p).uleb(r.length).bytes(r);
    }
  });
  section(2, (b) => {
    b.uleb(imports.length + 1)
      .name('env')
      .name('memory')
      .bytes([0x02, 0x00, 0x01]);
    imports.forEach((f, i) => b.name('env').name(f.name).byte(0x00).uleb(importTypes[i]));
  });
  section(3, (b) => {
    b.uleb(funcs.length);
    for (const t of funcTypes) b.uleb(t);
  });
  section(7, (b) => {
    const exported = funcs.map((f, i) => [f, imports.length + i] as const).filter(([f]) => f.export);
    b.uleb(exported.length);
    for (const [f, i] of exported) b.name(f.export!).byte(0x00).uleb(i);
  });
  section(10, (b) => {
    b.uleb(funcs.length);
    for (const f of funcs) f.body.encode(b);
  });
  return out.view();
}
