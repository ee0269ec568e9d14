// Which backend runs a network: 'auto' prefers Wasm with SIMD and falls back to the TS path.
import type { Backend } from './backend.js';
import { JsBackend } from './js/index.js';
import { wasmBackend, wasmF32Backend, wasmF32FmaBackend } from './wasm/index.js';
import { simdSupported, relaxedSimdSupported, fmaModule, fmaEnabled, f32Enabled, type WasmSource } from './wasm/loader.js';
import { BackpropError, words } from '../errors.js';
import type { BackendChoice, Precision } from '../spec.js';

let warned = false;
const warnedFma = new Set<string>(); // each reason once

/**
 * `fma` asks for the build whose GEMM uses fused multiply-add (relaxed SIMD; enableFma() from
 * `backprop-wasm/fma` provides it). Where the engine lacks relaxed SIMD, or enableFma() was not called,
 * the default build runs instead, after one warning: the results are the default's, only slower
 * than asked for.
 */
export async function selectBackend(
  choice: unknown = 'auto',
  wasm?: WasmSource,
  fma = false,
  precision: Precision = 'f64',
): Promise<Backend> {
  if (choice !== 'wasm' && choice !== 'auto' && choice !== 'js')
    throw new BackpropError('INVALID_SPEC', 'backend', "'auto', 'wasm' or 'js'", choice);
  if (precision === 'f32') return selectF32(choice, wasm, fma);
  if (choice === 'js') return new JsBackend();
  let why: string;
  if (!simdSupported()) why = 'WebAssembly with SIMD is not available here';
  else {
    try {
      if (fmaUsable(fma)) return await wasmBackend(await fmaModule());
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

/** Whether the fma module (of either precision) runs: asked for, enabled and supported; else one warning per reason. */
function fmaUsable(fma: boolean): boolean {
  if (!fma) return false;
  if (fmaEnabled() && relaxedSimdSupported()) return true;
  const why = fmaEnabled()
    ? 'fma needs WebAssembly relaxed SIMD (Chrome ≥ 114, Node ≥ 22, or Node 20 with --experimental-wasm-relaxed-simd), which is not available here'
    : "fma needs the fma module: import { enableFma } from 'backprop-wasm/fma' and call it first";
  if (!warnedFma.has(why)) console.warn(`backprop: ${why}; using the default module.`);
  warnedFma.add(why);
  return false;
}

let jsF32: (() => Backend) | undefined;
/** Called by enableF32() (src/f32.ts, the `backprop-wasm/f32` entry) with the f32 twins' backend. @internal */
export function provideF32Twins(make: () => Backend): void {
  jsF32 = make;
}

const NEEDS_F32 = "the f32 module for precision 'f32': import { enableF32 } from 'backprop-wasm/f32' and call it first";

/** The f32 twins' backend (backend 'js'), after enableF32(). */
function f32Twins(): Backend {
  if (!jsF32) throw new BackpropError('BACKEND_UNAVAILABLE', 'precision', NEEDS_F32, 'f32');
  return jsF32();
}

/**
 * An f32 network's backend, after enableF32() from 'backprop-wasm/f32' (which carries the f32 Wasm
 * build and the f32 twins, so that bundles of f64-only programs carry neither): the f32 build's
 * shared instance (its fma build's with `fma`, chosen as for f64), or the f32 twins (backend 'js',
 * or 'auto' where Wasm SIMD is missing, after one warning as for f64).
 */
async function selectF32(choice: 'auto' | 'wasm' | 'js', wasm: WasmSource | undefined, fma: boolean): Promise<Backend> {
  if (choice === 'js') return f32Twins();
  if (!f32Enabled()) throw new BackpropError('BACKEND_UNAVAILABLE', 'precision', NEEDS_F32, 'f32');
  if (wasm !== undefined)
    throw new BackpropError(
      'INVALID_OPTION',
      'wasm',
      "no wasm option with precision 'f32' (an f32 network runs backprop's own f32 module)",
      words('a module'),
    );
  let why: string;
  if (!simdSupported()) why = 'WebAssembly with SIMD is not available here';
  else {
    try {
      if (fmaUsable(fma)) return await wasmF32FmaBackend();
      return await wasmF32Backend();
    } catch (e) {
      why = `the f32 Wasm module could not be instantiated (${(e as Error).message})`;
    }
  }
  if (choice === 'wasm') throw new BackpropError('BACKEND_UNAVAILABLE', 'backend', `'wasm' to be usable, but ${why}`);
  if (!warned) console.warn(`backprop: ${why}; using the TypeScript backend (backend: 'js').`);
  warned = true;
  return f32Twins();
}
