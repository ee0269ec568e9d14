// Plain twins of assembly/gemm.ts: same names and arguments, with the heap first.
// Offsets are f64 element indices into h; row-major; acc = 0 overwrites C, 1 adds to it.

/** C[m×n] (+)= A[m×k] · B[n×k]ᵀ */
export function gemmABt(h: Float64Array, m: number, n: number, k: number, a: number, b: number, c: number, acc: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += h[a + i * k + p] * h[b + j * k + p];
      h[c + i * n + j] = acc ? h[c + i * n + j] + s : s;
    }
  }
}

/** C[m×n] (+)= A[k×m]ᵀ · B[k×n] */
export function gemmAtB(h: Float64Array, m: number, n: number, k: number, a: number, b: number, c: number, acc: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += h[a + p * m + i] * h[b + p * n + j];
      h[c + i * n + j] = acc ? h[c + i * n + j] + s : s;
    }
  }
}

/** C[m×n] (+)= A[m×k] · B[k×n] */
export function gemmAB(h: Float64Array, m: number, n: number, k: number, a: number, b: number, c: number, acc: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += h[a + i * k + p] * h[b + p * n + j];
      h[c + i * n + j] = acc ? h[c + i * n + j] + s : s;
    }
  }
}
