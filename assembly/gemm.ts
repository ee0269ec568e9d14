import { ld, st, ld2, st2 } from './mem';
import { MR, NR, KC, MC, NC, PA, PB, CT, kernel, packX, packP } from './gemm-kernel';

// Row-major GEMM in the three forms backprop needs. `acc` = 0 overwrites C, 1 adds to it.
// C must not alias A or B.
//
// Large shapes go through one packed, cache-blocked driver (see gemm-kernel.ts): every form packs
// its operands into the same panel layout, so all three share one 4×4 f64x2 micro-kernel.
// Tiny shapes (where packing costs more than it saves) take a direct path.

/** C[m×n] (+)= A[m×k] · B[n×k]ᵀ  (forward: Y = X·Wᵀ). */
export function gemmABt(m: i32, n: i32, k: i32, a: i32, b: i32, c: i32, acc: i32): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) return zeroIfOverwrite(m, n, c, acc);
  if (small(m, n, k)) return smallABt(m, n, k, a, b, c, acc);
  // A(i,p) = a[i·k + p]: "x-major"; op(B)(p,j) = b[j·k + p]: "x-major".
  packed(m, n, k, a, true, k, b, true, k, c, acc);
}

/** C[m×n] (+)= A[k×m]ᵀ · B[k×n]  (weight gradient: dW = dYᵀ·X). */
export function gemmAtB(m: i32, n: i32, k: i32, a: i32, b: i32, c: i32, acc: i32): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) return zeroIfOverwrite(m, n, c, acc);
  if (small(m, n, k)) return smallAtB(m, n, k, a, b, c, acc);
  // op(A)(i,p) = a[p·m + i]: "p-major"; B(p,j) = b[p·n + j]: "p-major".
  packed(m, n, k, a, false, m, b, false, n, c, acc);
}

/** C[m×n] (+)= A[m×k] · B[k×n]  (input gradient: dX = dY·W). */
export function gemmAB(m: i32, n: i32, k: i32, a: i32, b: i32, c: i32, acc: i32): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) return zeroIfOverwrite(m, n, c, acc);
  if (small(m, n, k)) return smallAB(m, n, k, a, b, c, acc);
  packed(m, n, k, a, true, k, b, false, n, c, acc);
}

function zeroIfOverwrite(m: i32, n: i32, c: i32, acc: i32): void {
  if (!acc) memory.fill(<usize>c << 3, 0, <usize>(m * n) << 3);
}

/** Direct path when packing would not pay: few flops, or a GEMV-like shape (m or n tiny). */
// @ts-ignore: decorator
@inline function small(m: i32, n: i32, k: i32): bool {
  return m < 4 || n < 4 || <i64>m * n * k <= 4096;
}

// ---------------------------------------------------------------------------------------------
// Packed driver (BLIS loop order): jc (NC) → pc (KC) → pack B panel → ic (MC) → pack A block →
// jr (NR) → ir (MR) → micro-kernel. Operands are described by a base offset, whether element
// (x, p) lives at x·ld + p ("x-major") or p·ld + x ("p-major"), and the leading dimension.

function packed(
  m: i32, n: i32, k: i32,
  a: i32, aX: bool, lda: i32,
  b: i32, bX: bool, ldb: i32,
  c: i32, acc: i32,
): void {
  const ldcBytes = <usize>n << 3;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const beta = pc > 0 ? 1 : acc;
      // Pack B[pc:pc+kc, jc:jc+nc] into NR-wide panels, each kc×NR, zero-padded on the right.
      for (let jr = 0; jr < nc; jr += NR) {
        const nx = min(NR, nc - jr);
        const dst = PB + ((<usize>jr * kc) << 3);
        const j = jc + jr;
        if (bX) packX((<usize>(j * ldb + pc) + b) << 3, <usize>ldb << 3, nx, kc, dst);
        else packP((<usize>(pc * ldb + j) + b) << 3, <usize>ldb << 3, nx, kc, dst);
      }
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        for (let ir = 0; ir < mc; ir += MR) {
          const mx = min(MR, mc - ir);
          const dst = PA + ((<usize>ir * kc) << 3);
          const i = ic + ir;
          if (aX) packX((<usize>(i * lda + pc) + a) << 3, <usize>lda << 3, mx, kc, dst);
          else packP((<usize>(pc * lda + i) + a) << 3, <usize>lda << 3, mx, kc, dst);
        }
        for (let jr = 0; jr < nc; jr += NR) {
          const nx = min(NR, nc - jr);
          const pb = PB + ((<usize>jr * kc) << 3);
          for (let ir = 0; ir < mc; ir += MR) {
            const mx = min(MR, mc - ir);
            const pa = PA + ((<usize>ir * kc) << 3);
            const cp = (<usize>((ic + ir) * n + jc + jr) + c) << 3;
            if (mx == MR && nx == NR) {
              kernel(kc, pa, pb, cp, ldcBytes, beta);
            } else {
              kernel(kc, pa, pb, CT, NR << 3, 0);
              edge(cp, ldcBytes, mx, nx, beta);
            }
          }
        }
      }
    }
  }
}

/** Writes the valid mx×nx corner of the MR×NR scratch tile into C. */
function edge(cp: usize, ldc: usize, mx: i32, nx: i32, beta: i32): void {
  for (let r = 0; r < mx; r++) {
    const row = cp + <usize>r * ldc;
    const t = CT + ((<usize>r * NR) << 3);
    for (let j = 0; j < nx; j++) {
      const o = <usize>j << 3;
      const v = load<f64>(t + o);
      store<f64>(row + o, beta ? load<f64>(row + o) + v : v);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Direct paths for tiny / GEMV-like shapes.

function smallABt(m: i32, n: i32, k: i32, a: i32, b: i32, c: i32, acc: i32): void {
  for (let i = 0; i < m; i++) {
    const ai = a + i * k;
    let j = 0;
    // Four dot products at once: reuses each A load and keeps four independent add chains.
    for (; j + 4 <= n; j += 4) {
      const b0 = b + j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
      let s0 = f64x2.splat(0), s1 = s0, s2 = s0, s3 = s0;
      let p = 0;
      for (; p + 2 <= k; p += 2) {
        const x = ld2(ai + p);
        s0 = f64x2.add(s0, f64x2.mul(x, ld2(b0 + p)));
        s1 = f64x2.add(s1, f64x2.mul(x, ld2(b1 + p)));
        s2 = f64x2.add(s2, f64x2.mul(x, ld2(b2 + p)));
        s3 = f64x2.add(s3, f64x2.mul(x, ld2(b3 + p)));
      }
      let t0 = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1);
      let t1 = f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
      let t2 = f64x2.extract_lane(s2, 0) + f64x2.extract_lane(s2, 1);
      let t3 = f64x2.extract_lane(s3, 0) + f64x2.extract_lane(s3, 1);
      if (p < k) {
        const x = ld(ai + p);
        t0 += x * ld(b0 + p);
        t1 += x * ld(b1 + p);
        t2 += x * ld(b2 + p);
        t3 += x * ld(b3 + p);
      }
      const ci = c + i * n + j;
      if (acc) {
        t0 += ld(ci);
        t1 += ld(ci + 1);
        t2 += ld(ci + 2);
        t3 += ld(ci + 3);
      }
      st(ci, t0);
      st(ci + 1, t1);
      st(ci + 2, t2);
      st(ci + 3, t3);
    }
    for (; j < n; j++) {
      const bj = b + j * k;
      let s2 = f64x2.splat(0);
      let p = 0;
      for (; p + 2 <= k; p += 2) s2 = f64x2.add(s2, f64x2.mul(ld2(ai + p), ld2(bj + p)));
      let s = f64x2.extract_lane(s2, 0) + f64x2.extract_lane(s2, 1);
      for (; p < k; p++) s += ld(ai + p) * ld(bj + p);
      const ci = c + i * n + j;
      st(ci, acc ? ld(ci) + s : s);
    }
  }
}

/** C row i (+)= Σ_p x(p) · B row p, where x(p) = a[a0 + p·as]: an axpy sweep. */
// @ts-ignore: decorator
@inline function rowAxpy(n: i32, k: i32, a0: i32, as: i32, b: i32, ci: i32, acc: i32): void {
  if (!acc) for (let j = 0; j < n; j++) st(ci + j, 0);
  for (let p = 0; p < k; p++) {
    const s = ld(a0 + p * as);
    const s2 = f64x2.splat(s);
    const bp = b + p * n;
    let j = 0;
    for (; j + 2 <= n; j += 2) st2(ci + j, f64x2.add(ld2(ci + j), f64x2.mul(s2, ld2(bp + j))));
    for (; j < n; j++) st(ci + j, ld(ci + j) + s * ld(bp + j));
  }
}

function smallAtB(m: i32, n: i32, k: i32, a: i32, b: i32, c: i32, acc: i32): void {
  for (let i = 0; i < m; i++) rowAxpy(n, k, a + i, m, b, c + i * n, acc);
}

function smallAB(m: i32, n: i32, k: i32, a: i32, b: i32, c: i32, acc: i32): void {
  for (let i = 0; i < m; i++) rowAxpy(n, k, a + i * k, 1, b, c + i * n, acc);
}
