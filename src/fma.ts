// The opt-in entry `backprop-wasm/fma`: carries the fma build of the Wasm module (GEMM micro-kernels
// with relaxed SIMD fused multiply-add), which Network.create(spec, { fma: true }) runs. Kept out
// of the main entry so that programs that never ask for it do not download it. The f32 fma build,
// which only f32 networks (after enableF32()) run, is imported when the first of them asks for fma:
// bundlers that split code put it in a chunk of its own, fetched only then (as the threads entry's
// f32 build).
import { FMA_WASM_BASE64 } from './backends/wasm/fma-bytes.generated.js';
import { provideFmaModule } from './backends/wasm/loader.js';

const f32Bytes = async () => (await import('./backends/wasm/f32-fma-bytes.generated.js')).F32_FMA_WASM_BASE64;

/** Lets networks created with { fma: true } (f64, and f32 where enableF32() was called) run an fma module where relaxed SIMD exists. Idempotent. */
export function enableFma(): void {
  provideFmaModule(FMA_WASM_BASE64, f32Bytes);
}
