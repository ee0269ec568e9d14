// The opt-in entry `backprop-wasm/f32`: carries the f32 build of the Wasm module and the f32 twins
// (the f32 js backend), which networks whose spec says precision: 'f32' run. Kept out of the main
// entry, as the threads and fma builds are, so that programs that never ask for f32 do not download
// them (bundlers that inline dynamic imports, such as esbuild without splitting and Vite's workers,
// would otherwise carry them always).
import { F32_WASM_BASE64 } from './backends/wasm/f32-bytes.generated.js';
import { provideF32Module } from './backends/wasm/loader.js';
import { provideF32Twins } from './backends/select.js';
import { jsF32Backend } from './backends/js/f32/backend.js';

/** Lets networks with precision: 'f32' run: on the f32 Wasm module, or the f32 twins (backend 'js'). Idempotent. */
export function enableF32(): void {
  provideF32Module(F32_WASM_BASE64);
  provideF32Twins(jsF32Backend);
}
