// A minimal WebAssembly binary writer: just what specialize.ts needs to emit straight-line f64
// code (numeric ops, loads and stores, calls, one loop) into a module that imports its memory and
// helper functions from our main module.

/** Value types. */
export const I32 = 0x7f, F64 = 0x7c;

/** The opcodes used (WebAssembly core spec §5.4). */
export const op = {
  block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, brIf: 0x0d, return: 0x0f, call: 0x10,
  select: 0x1b, get: 0x20, set: 0x21, tee: 0x22, f64Load: 0x2b, f64Store: 0x39, i32Const: 0x41, f64Const: 0x44,
  i32Eqz: 0x45, i32Eq: 0x46, i32Ne: 0x47, i32GeS: 0x4e, f64Eq: 0x61, f64Ne: 0x62, f64Lt: 0x63, f64Gt: 0x64, f64Ge: 0x66,
  i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32Shl: 0x74, i32Or: 0x72,
  f64Abs: 0x99, f64Add: 0xa0, f64Sub: 0xa1, f64Mul: 0xa2, f64Div: 0xa3, i32WrapI64: 0xa7, i64ReinterpretF64: 0xbd,
} as const;
/** Block type of a block/loop/if without results. */
export const VOID = 0x40;

export function uleb(out: number[], v: number): void {
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
}

export function sleb(out: number[], v: number): void {
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) return void out.push(b);
    out.push(b | 0x80);
  }
}

const f64Bytes = new Float64Array(1);
const f64View = new Uint8Array(f64Bytes.buffer);
const utf8 = (s: string) => [...new TextEncoder().encode(s)];
const vec = (items: number[][]) => {
  const out: number[] = [];
  uleb(out, items.length);
  for (const i of items) out.push(...i);
  return out;
};
const named = (s: string) => {
  const b = utf8(s), out: number[] = [];
  uleb(out, b.length);
  return out.concat(b);
};

/** One function's body: its locals (after the parameters) and its code. */
export class Body {
  readonly code: number[] = [];
  private readonly locals: number[] = [];
  constructor(readonly params: number[]) {}

  /** A new local of type t; returns its index. */
  local(t: number): number {
    this.locals.push(t);
    return this.params.length + this.locals.length - 1;
  }
  emit(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }
  i32(v: number): this {
    this.code.push(op.i32Const);
    sleb(this.code, v | 0);
    return this;
  }
  f64(v: number): this {
    f64Bytes[0] = v; // little-endian on every platform Wasm runs on
    this.code.push(op.f64Const, ...f64View);
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
  /** f64.load / f64.store at (byte address on the stack) + offset bytes, 8-byte aligned. */
  load(offset: number): this {
    this.code.push(op.f64Load, 3);
    uleb(this.code, offset);
    return this;
  }
  store(offset: number): this {
    this.code.push(op.f64Store, 3);
    uleb(this.code, offset);
    return this;
  }
  private idx(o: number, i: number): this {
    this.code.push(o);
    uleb(this.code, i);
    return this;
  }
  /** The encoded body: local declarations (one run per local), code, end. */
  bytes(): number[] {
    const out: number[] = [];
    uleb(out, this.locals.length);
    for (const t of this.locals) out.push(1, t);
    const body = out.concat(this.code, op.end);
    const sized: number[] = [];
    uleb(sized, body.length);
    return sized.concat(body);
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
  const types = sigs.map((key) => {
    const [p, r] = key.split('|').map((s) => (s ? s.split(',').map(Number) : []));
    return [0x60, ...vec(p.map((t) => [t])), ...vec(r.map((t) => [t]))];
  });
  const importEntries = [
    [...named('env'), ...named('memory'), 0x02, 0x00, 0x01],
    ...imports.map((f, i) => [...named('env'), ...named(f.name), 0x00, ...u(importTypes[i])]),
  ];
  const exports = funcs.flatMap((f, i) => (f.export ? [[...named(f.export), 0x00, ...u(imports.length + i)]] : []));
  const section = (id: number, content: number[]) => [id, ...u(content.length), ...content];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec(importEntries)),
    ...section(3, vec(funcTypes.map((t) => u(t)))),
    ...section(7, vec(exports)),
    ...section(10, vec(funcs.map((f) => f.body.bytes()))),
  ]);
}

function u(v: number): number[] {
  const out: number[] = [];
  uleb(out, v);
  return out;
}
