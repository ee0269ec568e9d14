// The f32 build's GEMM until the tuned f32x4 micro-kernels land (branch gemm-f32): every element of
// C is Σ_p A(i,p)·B(p,j) summed in order p = 0…k−1 in f32 from 0, then added to C when acc = 1 —
// the operation order of the plain twin (src/backends/js/gemm.ts), so the bits are the twin's.
// Four lanes are four columns j of one row of C; sixteen columns are kept in registers across p.
import { ld, st, SHIFT } from './mem';

const TRANSPOSE_ELEMS: i32 = 262144;

/**
 * C(i, j) (+)= Σ_p A(i, p)·b[bAt + p·ldb + j] for i < m, j < n, with A(i, p) at element a + i·si + p·sp
 * and B at byte address `bBytes` (row stride ldb elements).
 */
function rows(m: i32, n: i32, k: i32, a: i32, si: i32, sp: i32, bBytes: usize, ldb: i32, c: i32, acc: i32): void {
  const ldbBytes = <usize>ldb << SHIFT, spBytes = <usize>sp << SHIFT;
  for (let i = 0; i < m; i++) {
    const ai = (<usize>(a + i * si)) << SHIFT;
    const ci = (<usize>(c + i * n)) << SHIFT;
    let j = 0;
    for (; j + 16 <= n; j += 16) {
      let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
      let ap = ai, bp = bBytes + ((<usize>j) << SHIFT);
      for (let p = 0; p < k; p++) {
        const x = v128.load32_splat(ap);
        s0 = f32x4.add(s0, f32x4.mul(x, v128.load(bp)));
        s1 = f32x4.add(s1, f32x4.mul(x, v128.load(bp, 16)));
        s2 = f32x4.add(s2, f32x4.mul(x, v128.load(bp, 32)));
        s3 = f32x4.add(s3, f32x4.mul(x, v128.load(bp, 48)));
        ap += spBytes;
        bp += ldbBytes;
      }
      const cj = ci + ((<usize>j) << SHIFT);
      if (acc) {
        s0 = f32x4.add(v128.load(cj), s0);
        s1 = f32x4.add(v128.load(cj, 16), s1);
        s2 = f32x4.add(v128.load(cj, 32), s2);
        s3 = f32x4.add(v128.load(cj, 48), s3);
      }
      v128.store(cj, s0);
      v128.store(cj, s1, 16);
      v128.store(cj, s2, 32);
      v128.store(cj, s3, 48);
    }
    for (; j + 4 <= n; j += 4) {
      let s0 = f32x4.splat(0);
      let ap = ai, bp = bBytes + ((<usize>j) << SHIFT);
      for (let p = 0; p < k; p++) {
        s0 = f32x4.add(s0, f32x4.mul(v128.load32_splat(ap), v128.load(bp)));
        ap += spBytes;
        bp += ldbBytes;
      }
      const cj = ci + ((<usize>j) << SHIFT);
      if (acc) s0 = f32x4.add(v128.load(cj), s0);
      v128.store(cj, s0);
    }
    for (; j < n; j++) {
      let s: f32 = 0;
      let ap = ai, bp = bBytes + ((<usize>j) << SHIFT);
      for (let p = 0; p < k; p++) {
        s += load<f32>(ap) * load<f32>(bp);
        ap += spBytes;
        bp += ldbBytes;
      }
      const cj = ci + ((<usize>j) << SHIFT);
      store<f32>(cj, acc ? load<f32>(cj) + s : s);
    }
  }
}

/** C[m×n] (+)= A[m×k] · B[n×k]ᵀ. */
export function gemmABtPlain(m: i32, n: i32, k: i32, a: i32, b: i32, c: i32, acc: i32): void {
  // Bᵀ, so that columns j are contiguous (k×n): 1 MiB of f32 below __heap_base, declared here so
  // that only a build that compiles this function (the f32 one) carries it.
  const TRANSPOSED: usize = memory.data(TRANSPOSE_ELEMS * 4, 16);
  if (n * k <= TRANSPOSE_ELEMS && m > 1) {
    for (let j = 0; j < n; j++) {
      for (let p = 0; p < k; p++) store<f32>(TRANSPOSED + ((<usize>(p * n + j)) << 2), <f32>ld(b + j * k + p));
    }
    rows(m, n, k, a, k, 1, TRANSPOSED, n, c, acc);
    return;
  }
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s: real = 0;
      for (let p = 0; p < k; p++) s += ld(a + i * k + p) * ld(b + j * k + p);
      st(c + i * n + j, acc ? ld(c + i * n + j) + s : s);
    }
  }
}

/** C[m×n] (+)= A[k×m]ᵀ · B[k×n]. */
export function gemmAtBPlain(m: i32, n: i32, k: i32, a: i32, b: i32, c: i32, acc: i32): void {
  rows(m, n, k, a, 1, m, (<usize>b) << SHIFT, n, c, acc);
}

/** C[m×n] (+)= A[m×k] · B[k×n]. */
export function gemmABPlain(m: i32, n: i32, k: i32, a: i32, b: i32, c: i32, acc: i32): void {
  rows(m, n, k, a, k, 1, (<usize>b) << SHIFT, n, c, acc);
}
