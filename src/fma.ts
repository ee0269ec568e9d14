// The opt-in entry `backprop-wasm/fma`: carries the fma build of the Wasm module (GEMM micro-kernels
// with relaxed SIMD fused multiply-add), which Network.create(spec, { fma: true }) runs. Kept out
// of the main entry so that programs that never ask for it do not download it.
import { FMA_WASM_BASE64 } from './backends/wasm/fma-bytes.generated.js';
import { provideFmaModule } from './backends/wasm/loader.js';

/** Lets networks created with { fma: true } run the fma module where relaxed SIMD exists. Idempotent. */
export function enableFma(): void {
  provideFmaModule(FMA_WASM_BASE64);
}
