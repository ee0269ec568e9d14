// The 6-row f32 micro-kernels (6×8 and the 6×4 remainder-column tile) behind assembly/gemm.ts's f32
// instance where MR32 = 6 (gemm-kernel-f32.ts says in which builds). Byte addresses (usize) here.
//
// Why six rows: the fma build's fused multiply-add has a latency of 4 cycles and two issue per
// cycle, so 8 independent sums (the 4×8 tile) are the fewest that keep both pipes busy, with no
// slack; 6×8 holds 12 sums in 15 xmm registers (12 + 2 B vectors + 1 A splat: all that V8 gives
// wasm on x64), bench/fma-tiles.ts. Each element of C is still one sum in p order, as in 4×8.
// Packed A panels are 6 wide: A(i0 + r, p) at pa + p·sa + r·4 (sa = 24, or lda·4 in place).

import { madd32 } from './gemm-kernel-f32';

/**
 * C tile (6×8 f32 at byte address cp, row stride ldc bytes) = (beta ? C : 0) + A·B over kc steps
 * of p; B a packed 8-wide panel (or 8 columns in place: sb bytes per p); A p-major (see above).
 */
export function kernel6x8(kc: i32, pa: usize, sa: usize, pb: usize, sb: usize, cp: usize, ldc: usize, beta: i32): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  let c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  const end = pb + <usize>kc * sb;
  while (pb < end) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let x = v128.load32_splat(pa);
    c00 = madd32(x, b0, c00);
    c01 = madd32(x, b1, c01);
    x = v128.load32_splat(pa, 4);
    c10 = madd32(x, b0, c10);
    c11 = madd32(x, b1, c11);
    x = v128.load32_splat(pa, 8);
    c20 = madd32(x, b0, c20);
    c21 = madd32(x, b1, c21);
    x = v128.load32_splat(pa, 12);
    c30 = madd32(x, b0, c30);
    c31 = madd32(x, b1, c31);
    x = v128.load32_splat(pa, 16);
    c40 = madd32(x, b0, c40);
    c41 = madd32(x, b1, c41);
    x = v128.load32_splat(pa, 20);
    c50 = madd32(x, b0, c50);
    c51 = madd32(x, b1, c51);
    pa += sa;
    pb += sb;
  }
  const r2 = cp + 2 * ldc, r4 = r2 + 2 * ldc;
  storeRows2(cp, ldc, beta, c00, c01, c10, c11);
  storeRows2(r2, ldc, beta, c20, c21, c30, c31);
  storeRows2(r4, ldc, beta, c40, c41, c50, c51);
}

/** As kernel6x8, with A x-major read in place: A(i0 + r, p) at a + r·lda + p·4 (six rows of a row-major A). */
export function kernelX6x8(kc: i32, a: usize, lda: usize, pb: usize, sb: usize, cp: usize, ldc: usize, beta: i32): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  let c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  let r0 = a, r1 = a + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda;
  const end = pb + <usize>kc * sb;
  while (pb < end) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let x = v128.load32_splat(r0);
    c00 = madd32(x, b0, c00);
    c01 = madd32(x, b1, c01);
    x = v128.load32_splat(r1);
    c10 = madd32(x, b0, c10);
    c11 = madd32(x, b1, c11);
    x = v128.load32_splat(r2);
    c20 = madd32(x, b0, c20);
    c21 = madd32(x, b1, c21);
    x = v128.load32_splat(r3);
    c30 = madd32(x, b0, c30);
    c31 = madd32(x, b1, c31);
    x = v128.load32_splat(r4);
    c40 = madd32(x, b0, c40);
    c41 = madd32(x, b1, c41);
    x = v128.load32_splat(r5);
    c50 = madd32(x, b0, c50);
    c51 = madd32(x, b1, c51);
    r0 += 4;
    r1 += 4;
    r2 += 4;
    r3 += 4;
    r4 += 4;
    r5 += 4;
    pb += sb;
  }
  const q2 = cp + 2 * ldc, q4 = q2 + 2 * ldc;
  storeRows2(cp, ldc, beta, c00, c01, c10, c11);
  storeRows2(q2, ldc, beta, c20, c21, c30, c31);
  storeRows2(q4, ldc, beta, c40, c41, c50, c51);
}

/**
 * The last ≤ 4 columns of C beside 6-row tiles: a 6×4 tile (one f32x4 per row), B a packed 4-wide
 * panel (16 bytes per p) or 4 columns in place; the same sums in the same order as kernel6x8.
 */
export function kernel6x4(kc: i32, pa: usize, sa: usize, pb: usize, sb: usize, cp: usize, ldc: usize, beta: i32): void {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
  const end = pb + <usize>kc * sb;
  while (pb < end) {
    const b0 = v128.load(pb);
    c0 = madd32(v128.load32_splat(pa), b0, c0);
    c1 = madd32(v128.load32_splat(pa, 4), b0, c1);
    c2 = madd32(v128.load32_splat(pa, 8), b0, c2);
    c3 = madd32(v128.load32_splat(pa, 12), b0, c3);
    c4 = madd32(v128.load32_splat(pa, 16), b0, c4);
    c5 = madd32(v128.load32_splat(pa, 20), b0, c5);
    pa += sa;
    pb += sb;
  }
  const r2 = cp + 2 * ldc, r4 = r2 + 2 * ldc;
  storeRows1(cp, ldc, beta, c0, c1);
  storeRows1(r2, ldc, beta, c2, c3);
  storeRows1(r4, ldc, beta, c4, c5);
}

/** As kernel6x4, with A x-major read in place (six rows of a row-major A, as kernelX6x8). */
export function kernelX6x4(kc: i32, a: usize, lda: usize, pb: usize, sb: usize, cp: usize, ldc: usize, beta: i32): void {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
  let r0 = a, r1 = a + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda;
  const end = pb + <usize>kc * sb;
  while (pb < end) {
    const b0 = v128.load(pb);
    c0 = madd32(v128.load32_splat(r0), b0, c0);
    c1 = madd32(v128.load32_splat(r1), b0, c1);
    c2 = madd32(v128.load32_splat(r2), b0, c2);
    c3 = madd32(v128.load32_splat(r3), b0, c3);
    c4 = madd32(v128.load32_splat(r4), b0, c4);
    c5 = madd32(v128.load32_splat(r5), b0, c5);
    r0 += 4;
    r1 += 4;
    r2 += 4;
    r3 += 4;
    r4 += 4;
    r5 += 4;
    pb += sb;
  }
  const q2 = cp + 2 * ldc, q4 = q2 + 2 * ldc;
  storeRows1(cp, ldc, beta, c0, c1);
  storeRows1(q2, ldc, beta, c2, c3);
  storeRows1(q4, ldc, beta, c4, c5);
}

// The stores add C one vector at a time (load, add, store), so that at most one C vector is live
// beside the twelve sums: all of them loaded first (as the 4×8 kernels write it) made V8's register
// allocator keep one to five sums on the stack for the whole loop (seen with
// node --print-wasm-code --no-liftoff; the loop ran at half speed).

/** Two rows of an 8-wide tile at cp and cp + ldc: (beta ? C : 0) + the sums. */
// @ts-ignore: decorator
@inline function storeRows2(cp: usize, ldc: usize, beta: i32, c00: v128, c01: v128, c10: v128, c11: v128): void {
  const r1 = cp + ldc;
  if (beta) {
    v128.store(cp, f32x4.add(c00, v128.load(cp)));
    v128.store(cp, f32x4.add(c01, v128.load(cp, 16)), 16);
    v128.store(r1, f32x4.add(c10, v128.load(r1)));
    v128.store(r1, f32x4.add(c11, v128.load(r1, 16)), 16);
  } else {
    v128.store(cp, c00);
    v128.store(cp, c01, 16);
    v128.store(r1, c10);
    v128.store(r1, c11, 16);
  }
}

/** Two rows of a 4-wide tile at cp and cp + ldc: (beta ? C : 0) + the sums. */
// @ts-ignore: decorator
@inline function storeRows1(cp: usize, ldc: usize, beta: i32, c0: v128, c1: v128): void {
  const r1 = cp + ldc;
  if (beta) {
    v128.store(cp, f32x4.add(c0, v128.load(cp)));
    v128.store(r1, f32x4.add(c1, v128.load(r1)));
  } else {
    v128.store(cp, c0);
    v128.store(r1, c1);
  }
}
