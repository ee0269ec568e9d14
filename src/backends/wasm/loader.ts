// A small loader of our own: compiles the embedded module once and instantiates it with no
// bindings, so that only numbers cross the boundary (no typed-array copies, no glue).
import { WASM_BASE64 } from './bytes.generated.js';
import type { Kernels } from '../backend.js';

export interface WasmExports extends Kernels {
  memory: WebAssembly.Memory;
  heapStart(): number;
}

/** What a user may hand us instead of the embedded module. */
export type WasmSource = WebAssembly.Module | BufferSource;

// (module (func (result v128) v128.const i64x2 0 0)) — validates only where SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);

export function simdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

export function embeddedBytes(): Uint8Array {
  const s = atob(WASM_BASE64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

let embedded: Promise<WebAssembly.Module> | undefined;

export function compile(source?: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return Promise.resolve(source);
  if (source) return WebAssembly.compile(source);
  return (embedded ??= WebAssembly.compile(embeddedBytes() as BufferSource));
}

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
  return instance.exports as unknown as WasmExports;
}
