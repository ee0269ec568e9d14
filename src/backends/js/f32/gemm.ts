// f32 twins of the GEMM kernels: offsets are f32 element indices into h. Each product and each
// partial sum is rounded to f32 (a plain ordered sum over p; the Wasm lanes sum in another order,
// so the Wasm f32 GEMM is held to this within an ulp bound, not bit for bit).
import { f32 } from './round.js';

/** C[m×n] (+)= A[m×k] · B[n×k]ᵀ, in f32 */
export function gemmABt(h: Float32Array, m: number, n: number, k: number, a: number, b: number, c: number, acc: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s = f32(s + f32(h[a + i * k + p] * h[b + j * k + p]));
      h[c + i * n + j] = acc ? h[c + i * n + j] + s : s; // the store rounds C + s once
    }
  }
}

/** C[m×n] (+)= A[k×m]ᵀ · B[k×n], in f32 */
export function gemmAtB(h: Float32Array, m: number, n: number, k: number, a: number, b: number, c: number, acc: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s = f32(s + f32(h[a + p * m + i] * h[b + p * n + j]));
      h[c + i * n + j] = acc ? h[c + i * n + j] + s : s;
    }
  }
}

/** C[m×n] (+)= A[m×k] · B[k×n], in f32 */
export function gemmAB(h: Float32Array, m: number, n: number, k: number, a: number, b: number, c: number, acc: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s = f32(s + f32(h[a + i * k + p] * h[b + p * n + j]));
      h[c + i * n + j] = acc ? h[c + i * n + j] + s : s;
    }
  }
}
