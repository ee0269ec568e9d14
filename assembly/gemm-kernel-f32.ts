// Packing and the 4×8 f32x4 micro-kernels behind assembly/gemm.ts's f32 instance. Byte addresses
// (usize) here; the scratch (SCRATCH, CT) is the f64 kernels' own (gemm-kernel.ts), sized in bytes.
//
// The f64 tile is 4×4 (two f64x2 per row of C); with four lanes the same eight v128 accumulators
// hold a 4×8 tile, so a kernel step does the same 16 FP ops and 6 loads for twice the flops.
// Packed panel layout: a panel of up to w "x" (w = NR32 = 8 for B, MR = 4 for A) over kc steps of
// p is stored p-major, w floats per p: panel[p·w + x] = op(X)(x0 + x, p0 + p), zero-padded for
// x ≥ nx. A B panel step is 32 bytes, as in f64.

export const NR32: i32 = 8;
/** Width of the f32 remainder panel and tile (the last ≤ 4 columns of C). */
export const NARROW32: i32 = 4;
/**
 * Rows of C per f32 micro-tile: 6 (gemm-kernel-f32-6x8.ts) in the fma builds, where 4×8's eight sums
 * are FMA-latency-bound; 4 in the default builds, where a multiply and an add per step need a
 * sixteenth register for the product at 6×8 and V8 spills (bench/README.md, "What limits each figure").
 */
export const MR32: i32 = ASC_FEATURE_RELAXED_SIMD ? 6 : 4;

// c + x·b: two roundings in the default build, one (f32x4.relaxed_madd → vfmadd where the CPU has
// FMA) in the fma build, as for f64 (gemm-kernel.ts).
// @ts-ignore: decorator
@inline export function madd32(x: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, b, c);
  return f32x4.add(c, f32x4.mul(x, b));
}

/**
 * C tile (4×8 f32 at byte address cp, row stride ldc bytes) = (beta ? C : 0) + A·B over kc steps
 * of p; B a packed 8-wide panel (32 bytes per p); A p-major: A(i0 + r, p) at pa + p·sa + r·4
 * (packed 4-wide panel: sa = 16; Aᵀ rows read in place: sa = lda·4).
 */
export function kernel32(kc: i32, pa: usize, sa: usize, pb: usize, sb: usize, cp: usize, ldc: usize, beta: i32): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00;
  let c20 = c00, c21 = c00, c30 = c00, c31 = c00;
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
    pa += sa;
    pb += sb;
  }
  storeTile(cp, ldc, beta, c00, c01, c10, c11, c20, c21, c30, c31);
}

/** As kernel32, with A x-major read in place: A(i0 + r, p) at a + r·lda + p·4 (four rows of a row-major A). */
export function kernelX32(kc: i32, a: usize, lda: usize, pb: usize, sb: usize, cp: usize, ldc: usize, beta: i32): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00;
  let c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  let r0 = a, r1 = a + lda, r2 = r1 + lda, r3 = r2 + lda;
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
    r0 += 4;
    r1 += 4;
    r2 += 4;
    r3 += 4;
    pb += sb;
  }
  storeTile(cp, ldc, beta, c00, c01, c10, c11, c20, c21, c30, c31);
}

/**
 * The remainder-column kernels: a 4×4 f32 tile (one f32x4 per row of C), for the last ≤ 4 columns
 * of C, so that they do not run as a zero-padded 4×8 tile (n = 10: 10 columns in 8 + 4 instead of
 * 8 + 8). B is a packed 4-wide panel (16 bytes per p) or 4 columns read in place; the same sums in
 * the same order as the 4×8 kernels, so the same bits. Four accumulator chains only (each step's
 * adds wait on the previous step's): slower per flop than the 4×8 tile, faster than padding it.
 */
export function kernel32Narrow(kc: i32, pa: usize, sa: usize, pb: usize, sb: usize, cp: usize, ldc: usize, beta: i32): void {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0;
  const end = pb + <usize>kc * sb;
  while (pb < end) {
    const b0 = v128.load(pb);
    c0 = madd32(v128.load32_splat(pa), b0, c0);
    c1 = madd32(v128.load32_splat(pa, 4), b0, c1);
    c2 = madd32(v128.load32_splat(pa, 8), b0, c2);
    c3 = madd32(v128.load32_splat(pa, 12), b0, c3);
    pa += sa;
    pb += sb;
  }
  storeNarrow(cp, ldc, beta, c0, c1, c2, c3);
}

/** As kernel32Narrow, with A x-major read in place (four rows of a row-major A, as kernelX32). */
export function kernelX32Narrow(kc: i32, a: usize, lda: usize, pb: usize, sb: usize, cp: usize, ldc: usize, beta: i32): void {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0;
  let r0 = a, r1 = a + lda, r2 = r1 + lda, r3 = r2 + lda;
  const end = pb + <usize>kc * sb;
  while (pb < end) {
    const b0 = v128.load(pb);
    c0 = madd32(v128.load32_splat(r0), b0, c0);
    c1 = madd32(v128.load32_splat(r1), b0, c1);
    c2 = madd32(v128.load32_splat(r2), b0, c2);
    c3 = madd32(v128.load32_splat(r3), b0, c3);
    r0 += 4;
    r1 += 4;
    r2 += 4;
    r3 += 4;
    pb += sb;
  }
  storeNarrow(cp, ldc, beta, c0, c1, c2, c3);
}

// @ts-ignore: decorator
@inline function storeNarrow(cp: usize, ldc: usize, beta: i32, c0: v128, c1: v128, c2: v128, c3: v128): void {
  const r1 = cp + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
  if (beta) {
    c0 = f32x4.add(c0, v128.load(cp));
    c1 = f32x4.add(c1, v128.load(r1));
    c2 = f32x4.add(c2, v128.load(r2));
    c3 = f32x4.add(c3, v128.load(r3));
  }
  v128.store(cp, c0);
  v128.store(r1, c1);
  v128.store(r2, c2);
  v128.store(r3, c3);
}

// @ts-ignore: decorator
@inline function storeTile(
  cp: usize, ldc: usize, beta: i32,
  c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128,
): void {
  const r1 = cp + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
  if (beta) {
    c00 = f32x4.add(c00, v128.load(cp));
    c01 = f32x4.add(c01, v128.load(cp, 16));
    c10 = f32x4.add(c10, v128.load(r1));
    c11 = f32x4.add(c11, v128.load(r1, 16));
    c20 = f32x4.add(c20, v128.load(r2));
    c21 = f32x4.add(c21, v128.load(r2, 16));
    c30 = f32x4.add(c30, v128.load(r3));
    c31 = f32x4.add(c31, v128.load(r3, 16));
  }
  v128.store(cp, c00);
  v128.store(cp, c01, 16);
  v128.store(r1, c10);
  v128.store(r1, c11, 16);
  v128.store(r2, c20);
  v128.store(r2, c21, 16);
  v128.store(r3, c30);
  v128.store(r3, c31, 16);
}

/**
 * Packs nx ≤ w "x" whose elements are contiguous in p (element (x, p) at src + x·ld + p·4) into one
 * w-wide panel (w = 4, 6 or 8): rows of A for ABt/AB, rows of B (= columns of Bᵀ) for ABt. Each group
 * of four full rows goes four p at a time through a 4×4 transpose (shuffles); a group of w − g < 4
 * lanes (w = 6: lanes 4 and 5) is written lane by lane, so it never reaches the next p's lanes.
 */
export function packX32(src: usize, ld: usize, nx: i32, kc: i32, dst: usize, w: i32): void {
  const step = (<usize>w) << 2; // bytes per p in the panel
  for (let g = 0; g < w; g += 4) {
    const base = dst + ((<usize>g) << 2);
    const rows = src + <usize>g * ld;
    const lanes = min(4, w - g);
    let p = 0;
    if (g + 4 <= nx && lanes == 4) {
      let r0 = rows, r1 = rows + ld, r2 = r1 + ld, r3 = r2 + ld;
      let d = base;
      for (; p + 4 <= kc; p += 4) {
        const v0 = v128.load(r0), v1 = v128.load(r1), v2 = v128.load(r2), v3 = v128.load(r3);
        const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5);
        const t1 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
        const t2 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
        const t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
        v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
        v128.store(d + step, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
        v128.store(d + 2 * step, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
        v128.store(d + 3 * step, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
        r0 += 16;
        r1 += 16;
        r2 += 16;
        r3 += 16;
        d += step << 2;
      }
    }
    for (; p < kc; p++) {
      const d = base + <usize>p * step;
      const s = rows + ((<usize>p) << 2);
      for (let x = 0; x < lanes; x++) store<f32>(d + ((<usize>x) << 2), g + x < nx ? load<f32>(s + <usize>x * ld) : <f32>0);
    }
  }
}

/**
 * Packs a p-major block of nx "x" (any nx ≥ 1) into ⌈nx/w⌉ consecutive w-wide panels (w = 4, 6 or 8),
 * row by row of the source (each of its kc rows' cache lines and page touched once).
 */
export function packP32(src: usize, ld: usize, nx: i32, kc: i32, dst: usize, w: i32): void {
  const full = nx - nx % w;
  const step = (<usize>w) << 2;
  const panel = <usize>kc * step;
  for (let p = 0; p < kc; p++) {
    const s = src + <usize>p * ld;
    let d = dst + <usize>p * step;
    let x = 0;
    if (w == 8) {
      for (; x < full; x += 8) {
        v128.store(d, v128.load(s + ((<usize>x) << 2)));
        v128.store(d, v128.load(s + ((<usize>x) << 2), 16), 16);
        d += panel;
      }
    } else if (w == 6) {
      for (; x < full; x += 6) {
        const at = s + ((<usize>x) << 2);
        v128.store(d, v128.load(at));
        store<u64>(d, load<u64>(at, 16), 16);
        d += panel;
      }
    } else {
      for (; x < full; x += 4) {
        v128.store(d, v128.load(s + ((<usize>x) << 2)));
        d += panel;
      }
    }
    if (x < nx) {
      for (let r = 0; r < w; r++) store<f32>(d + ((<usize>r) << 2), x + r < nx ? load<f32>(s + ((<usize>(x + r)) << 2)) : <f32>0);
    }
  }
}
