// A standalone module of the f32 GEMMs alone (asconfig targets "gemm-f32", "gemm-f32-fma"), for
// test/gemm.test.ts and bench/matmul.ts until the f32 build of the whole library exists. Offsets
// are f32 element indices (byte address = 4 × offset).
import { gemmABtOf, gemmAtBOf, gemmABOf } from './gemm';

/** C[m×n] (+)= A[m×k] · B[n×k]ᵀ, f32. */
export function gemmABt(m: i32, n: i32, k: i32, a: i32, b: i32, c: i32, acc: i32): void {
  gemmABtOf<f32>(m, n, k, a, b, c, acc);
}

/** C[m×n] (+)= A[k×m]ᵀ · B[k×n], f32. */
export function gemmAtB(m: i32, n: i32, k: i32, a: i32, b: i32, c: i32, acc: i32): void {
  gemmAtBOf<f32>(m, n, k, a, b, c, acc);
}

/** C[m×n] (+)= A[m×k] · B[k×n], f32. */
export function gemmAB(m: i32, n: i32, k: i32, a: i32, b: i32, c: i32, acc: i32): void {
  gemmABOf<f32>(m, n, k, a, b, c, acc);
}

/** First f32 element index free for the host (above the static scratch), 16-byte aligned. */
export function heapStart(): i32 {
  return <i32>((__heap_base + 15) & ~15) >> 2;
}
