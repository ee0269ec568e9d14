// A small loader of our own: compiles the embedded module once and instantiates it with no
// bindings, so that only numbers cross the boundary (no typed-array copies, no glue).
import { WASM_BASE64 } from './bytes.generated.js';
import type { Kernels } from '../backend.js';
import { BackpropError } from '../../errors.js';
import { checkExports } from './exports.js';

/** @internal */
export interface WasmExports extends Kernels {
  memory: WebAssembly.Memory;
  heapStart(): number;
  /** 8, or 4 in the f32 build (absent from user-given modules built before it). */
  elementBytes?(): number;
}

/**
 * What a user may hand us instead of the embedded module: a compiled Module, its bytes, a URL to
 * fetch, or a (promised) fetch Response. URLs and Responses compile while streaming when served
 * as application/wasm, else from their bytes.
 */
export type WasmSource = WebAssembly.Module | BufferSource | URL | string | Response | PromiseLike<Response>;

// (module (func (result v128) v128.const i64x2 0 0)) — validates only where SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 11,
]);

export function simdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

// (module (func (result v128) v128.const 0 ×3, f64x2.relaxed_madd)) — validates only where the
// relaxed SIMD proposal is on (Chrome ≥ 114, Node ≥ 22; Node 20 with --experimental-wasm-relaxed-simd).
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 61, 1, 59, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 253, 135, 2, 11,
]);

/** @internal */
export function relaxedSimdSupported(): boolean {
  try {
    return simdSupported() && WebAssembly.validate(RELAXED_PROBE);
  } catch {
    return false;
  }
}

let fmaBase64: string | undefined;
let fma: Promise<WebAssembly.Module> | undefined;
let f32FmaBytes: (() => Promise<string>) | undefined;
let f32Fma: Promise<WebAssembly.Module> | undefined;
const NO_FMA = "the fma module is not loaded: import { enableFma } from 'backprop-wasm/fma' and call it first";

/**
 * Called by enableFma() (src/fma.ts, the `backprop-wasm/fma` entry) with the fma build's bytes, and
 * how to get the f32 fma build's (a dynamic import: fetched when an f32 network first asks for fma). @internal
 */
export function provideFmaModule(base64: string, f32Base64?: () => Promise<string>): void {
  fmaBase64 = base64;
  f32FmaBytes ??= f32Base64;
}
/** @internal */
export const fmaEnabled = () => fmaBase64 !== undefined;

/** The fma build (relaxed SIMD madd in the GEMM micro-kernels), compiled once; after enableFma(). @internal */
export function fmaModule(): Promise<WebAssembly.Module> {
  if (fmaBase64 === undefined) return Promise.reject(new Error(NO_FMA));
  return (fma ??= WebAssembly.compile(fromBase64(fmaBase64) as BufferSource));
}

/** The f32 fma build (real = f32, the same GEMM micro-kernels' fused form), compiled once; after enableFma(). @internal */
export function f32FmaModule(): Promise<WebAssembly.Module> {
  const bytes = f32FmaBytes;
  if (bytes === undefined) return Promise.reject(new Error(NO_FMA));
  return (f32Fma ??= bytes().then((b) => WebAssembly.compile(fromBase64(b) as BufferSource)));
}

/** @internal */
export function embeddedBytes(): Uint8Array {
  return fromBase64(WASM_BASE64);
}

/** @internal */
export function fromBase64(text: string): Uint8Array {
  // Node's Buffer decodes natively (≈ 0.1 ms); elsewhere atob and one pass.
  const B = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (B) return new Uint8Array(B.from(text, 'base64'));
  const s = atob(text);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

let embedded: Promise<WebAssembly.Module> | undefined;
let f32Base64: string | undefined;
let embeddedF32: Promise<WebAssembly.Module> | undefined;

/** Called by enableF32() (src/f32.ts, the `backprop-wasm/f32` entry) with the f32 build's bytes. @internal */
export function provideF32Module(base64: string): void {
  f32Base64 = base64;
}
/** @internal */
export const f32Enabled = () => f32Base64 !== undefined;

/** The f32 build, compiled once, when the first f32 network is created; after enableF32(). @internal */
export function f32Module(): Promise<WebAssembly.Module> {
  if (f32Base64 === undefined)
    return Promise.reject(new Error("the f32 module is not loaded: import { enableF32 } from 'backprop-wasm/f32' and call it first"));
  return (embeddedF32 ??= WebAssembly.compile(fromBase64(f32Base64) as BufferSource));
}

// One compile per URL, so networks created from the same URL fetch it once.
const byUrl = new Map<string, Promise<WebAssembly.Module>>();

const EXPECTED = 'a WebAssembly.Module, its bytes (ArrayBuffer or typed array), a URL, or a fetch Response';

/** @internal */
export function compile(source?: WasmSource): Promise<WebAssembly.Module> {
  if (source === undefined) return (embedded ??= WebAssembly.compile(embeddedBytes() as BufferSource));
  if (source instanceof WebAssembly.Module) return Promise.resolve(source);
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source);
  if (typeof source === 'string' || source instanceof URL) return compileUrl(source);
  if (isResponse(source)) return compileResponse(source);
  if (source !== null && typeof (source as PromiseLike<Response>).then === 'function') {
    return Promise.resolve(source as PromiseLike<Response>).then((r) => {
      if (isResponse(r)) return compileResponse(r);
      throw new BackpropError('INVALID_OPTION', 'wasm', 'a promise of a fetch Response', r);
    });
  }
  return Promise.reject(new BackpropError('INVALID_OPTION', 'wasm', EXPECTED, source));
}

function compileUrl(url: string | URL): Promise<WebAssembly.Module> {
  // Relative strings resolve against the page (or worker) like fetch would.
  const base = typeof location === 'object' && location ? location.href : undefined;
  let href: string;
  try {
    href = new URL(url, base).href;
  } catch {
    return Promise.reject(new BackpropError('INVALID_OPTION', 'wasm', 'an absolute URL (no page here to resolve it against)', String(url)));
  }
  if (href.startsWith('file:')) {
    // fetch() cannot read files in Node; reading them would pull node:fs into browser bundles.
    return Promise.reject(
      new BackpropError('INVALID_OPTION', 'wasm', "an http(s) URL or the file's bytes (readFile) for a file: URL", href),
    );
  }
  let m = byUrl.get(href);
  if (!m) {
    byUrl.set(href, (m = fetch(href).then(compileResponse)));
    m.catch(() => byUrl.delete(href)); // a failed fetch may succeed later
  }
  return m;
}

// By shape, so that Responses of another fetch implementation (e.g. undici's package) work too.
function isResponse(x: unknown): x is Response {
  const r = x as Response;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.arrayBuffer === 'function' &&
    typeof r.headers?.get === 'function' &&
    typeof r.ok === 'boolean'
  );
}

async function compileResponse(response: Response): Promise<WebAssembly.Module> {
  if (!response.ok) throw new Error(`fetching ${response.url || 'the module'} gave HTTP ${response.status}`);
  const type = response.headers.get('content-type')?.split(';')[0].trim().toLowerCase();
  // Streaming compilation requires the application/wasm type and this realm's own Response;
  // anything else compiles from bytes.
  const native = typeof Response === 'function' && response instanceof Response;
  if (native && type === 'application/wasm' && typeof WebAssembly.compileStreaming === 'function') {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/** @internal */
export async function instantiate(source?: WasmSource): Promise<WasmExports> {
  const module = await compile(source);
  const imports = {
    env: {
      // Only the debug build calls this (failed assertion or bounds check).
      abort(_msg: number, _file: number, line: number, col: number): never {
        throw new Error(`backprop wasm: assertion failed at ${line}:${col}`);
      },
    },
  };
  const instance = await WebAssembly.instantiate(module, imports);
  checkExports(instance.exports);
  return instance.exports as unknown as WasmExports;
}
