// Which backend runs a network: 'auto' prefers Wasm with SIMD and falls back to the TS path.
import type { Backend } from './backend.js';
import { JsBackend } from './js/index.js';
import { wasmBackend } from './wasm/index.js';
import { simdSupported, type WasmSource } from './wasm/loader.js';
import { BackpropError } from '../errors.js';
import type { BackendChoice } from '../spec.js';

let warned = false;

export async function selectBackend(choice: unknown = 'auto', wasm?: WasmSource): Promise<Backend> {
  if (choice === 'js') return new JsBackend();
  if (choice !== 'wasm' && choice !== 'auto') throw new BackpropError('INVALID_SPEC', 'backend', "'auto', 'wasm' or 'js'", choice);
  let why: string;
  if (!simdSupported()) why = 'WebAssembly with SIMD is not available here';
  else {
    try {
      return await wasmBackend(wasm);
    } catch (e) {
      // A malformed `wasm` option is the caller's mistake, not a missing platform feature.
      if (e instanceof BackpropError) throw e;
      const msg = (e as Error).message;
      why = /content security policy|\bCSP\b/i.test(msg)
        ? "the page's Content Security Policy forbids compiling WebAssembly (allow it with 'wasm-unsafe-eval' in script-src)"
        : `the Wasm module could not be instantiated (${msg})`;
    }
  }
  if ((choice as BackendChoice) === 'wasm') throw new BackpropError('BACKEND_UNAVAILABLE', 'backend', `'wasm' to be usable, but ${why}`);
  if (!warned) console.warn(`backprop: ${why}; using the TypeScript backend (backend: 'js').`);
  warned = true;
  return new JsBackend();
}
