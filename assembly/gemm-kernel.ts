// Packing and the 4×4 f64x2 micro-kernels behind assembly/gemm.ts. Byte addresses (usize) here.
//
// Packed panel layout (the same for A and B, MR = NR = 4): a panel of up to 4 "x" (rows of op(A)
// or columns of op(B)) over kc steps of p is stored p-major, 4 doubles per p:
//   panel[p·4 + x] = op(X)(x0 + x, p0 + p), zero-padded for x ≥ nx.
// So each kernel step reads 32 contiguous, 16-byte-aligned bytes of the B panel (and of the A
// panel, when A is packed; `kernelX` reads a row-major A in place instead).

import { SHIFT } from './mem';

export const MR: i32 = 4;
export const NR: i32 = 4;

// Static scratch: one 1 MiB region + a 128 B tile, below __heap_base (the host allocator, which
// starts at heapStart(), never hands it out; being zeros, it costs nothing in the .wasm file). The
// driver splits it per call into a packed B block (kc×nc) followed by packed A (kc×mc): see
// gemm.ts. The threads build's initial memory (asconfig.json) must hold it.
/** Scratch size in f64 elements (1 MiB). */
export const SCRATCH_ELEMS: i32 = 131072;
// Globals, not constants, so that each instance of the threads build (one per thread, all over one
// shared memory) can point them at its own heap block (setScratch). The single-thread build never
// writes them, and Binaryen folds them back into constants there (same .wasm as before).
export let SCRATCH: usize = memory.data(SCRATCH_ELEMS * 8, 64);
/**
 * One C tile, for tiles cut by the right or bottom edge of C: the build's largest micro-tile, 128
 * bytes (f64 4×4, f32 4×8), or 192 where f32 runs 6×8 tiles (the fma builds: gemm-kernel-f32.ts
 * MR32). The threads builds are not fma builds, so their hosts' 128-byte reservation holds it.
 */
export let CT: usize = memory.data(ASC_FEATURE_RELAXED_SIMD ? 192 : MR * NR * 8, 16);

/**
 * Threads build: moves this instance's scratch to element `at` of the build's `real` (1 MiB + one
 * 128-byte tile from there, 16-byte aligned: SCRATCH_ELEMS + MR·NR f64 elements' worth of bytes).
 */
export function setScratch(at: i32): void {
  SCRATCH = (<usize>at) << SHIFT;
  CT = SCRATCH + ((<usize>SCRATCH_ELEMS) << 3);
}

// Both kernels: C tile (4×4 at byte address cp, row stride ldc bytes) = (beta ? C : 0) + A·B over
// kc steps of p, with B a packed micro-panel (32 bytes per p). Eight v128 accumulators; per p: two
// B loads, four A splat-loads, eight f64x2.mul + eight f64x2.add. That is 15 live v128s at most
// (8 acc + 6 loads + 1 product; V8 keeps xmm15 as scratch), so there are no spills. The loop is
// bound by the FP ports (mul on p0/p1, add on p1/p5: 16 ops per 5⅓ cycles), ≈ 22.5 GFLOP/s here.
// Unrolling p by 2 makes Binaryen/TurboFan hoist 12 loads and spill: keep one step per iteration.

// c + x·b. The default build multiplies and adds (two roundings; the same bits on every engine).
// The fma build (asconfig target "fma", opt-in: CreateOptions.fma) uses relaxed SIMD's madd,
// which V8 lowers to vfmadd231pd where the CPU has FMA: one rounding and one FP-port op instead of
// two, ≈ 1.2× the GEMM throughput, but bits that depend on the CPU and engine.
// @ts-ignore: decorator
@inline function madd(x: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(x, b, c);
  return f64x2.add(c, f64x2.mul(x, b));
}

/** A given p-major: A(i0 + r, p) at pa + p·sa + r·8 (packed panel: sa = 32; Aᵀ rows: sa = lda·8). */
export function kernel(kc: i32, pa: usize, sa: usize, pb: usize, sb: usize, cp: usize, ldc: usize, beta: i32): void {
  let c00 = f64x2.splat(0), c01 = c00, c10 = c00, c11 = c00;
  let c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  const end = pb + <usize>kc * sb;
  while (pb < end) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let x = v128.load64_splat(pa);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    x = v128.load64_splat(pa, 8);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    x = v128.load64_splat(pa, 16);
    c20 = madd(x, b0, c20);
    c21 = madd(x, b1, c21);
    x = v128.load64_splat(pa, 24);
    c30 = madd(x, b0, c30);
    c31 = madd(x, b1, c31);
    pa += sa;
    pb += sb;
  }
  storeTile(cp, ldc, beta, c00, c01, c10, c11, c20, c21, c30, c31);
}

/**
 * A given x-major, read in place (no packing): A(i0 + r, p) at a + r·lda + p·8, i.e. four rows of
 * a row-major A. Three more pointer bumps per step than `kernel`, which the FP-port-bound loop
 * absorbs (measured equal speed).
 */
export function kernelX(kc: i32, a: usize, lda: usize, pb: usize, sb: usize, cp: usize, ldc: usize, beta: i32): void {
  let c00 = f64x2.splat(0), c01 = c00, c10 = c00, c11 = c00;
  let c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  let r0 = a, r1 = a + lda, r2 = r1 + lda, r3 = r2 + lda;
  const end = pb + <usize>kc * sb;
  while (pb < end) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let x = v128.load64_splat(r0);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    x = v128.load64_splat(r1);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    x = v128.load64_splat(r2);
    c20 = madd(x, b0, c20);
    c21 = madd(x, b1, c21);
    x = v128.load64_splat(r3);
    c30 = madd(x, b0, c30);
    c31 = madd(x, b1, c31);
    r0 += 8;
    r1 += 8;
    r2 += 8;
    r3 += 8;
    pb += sb;
  }
  storeTile(cp, ldc, beta, c00, c01, c10, c11, c20, c21, c30, c31);
}

// @ts-ignore: decorator
@inline function storeTile(
  cp: usize, ldc: usize, beta: i32,
  c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128,
): void {
  const r1 = cp + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
  if (beta) {
    c00 = f64x2.add(c00, v128.load(cp));
    c01 = f64x2.add(c01, v128.load(cp, 16));
    c10 = f64x2.add(c10, v128.load(r1));
    c11 = f64x2.add(c11, v128.load(r1, 16));
    c20 = f64x2.add(c20, v128.load(r2));
    c21 = f64x2.add(c21, v128.load(r2, 16));
    c30 = f64x2.add(c30, v128.load(r3));
    c31 = f64x2.add(c31, v128.load(r3, 16));
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
 * Packs nx ≤ 4 "x" whose elements are contiguous in p (element (x, p) at src + x·ld + p·8):
 * rows of A for ABt/AB, rows of B (= columns of Bᵀ) for ABt. Two p at a time via shuffles.
 */
export function packX(src: usize, ld: usize, nx: i32, kc: i32, dst: usize): void {
  if (nx == 4) {
    let r0 = src, r1 = src + ld, r2 = r1 + ld, r3 = r2 + ld;
    const end = dst + ((<usize>(kc & ~1)) << 5);
    while (dst < end) {
      const v0 = v128.load(r0), v1 = v128.load(r1), v2 = v128.load(r2), v3 = v128.load(r3);
      v128.store(dst, v128.shuffle<f64>(v0, v1, 0, 2));
      v128.store(dst, v128.shuffle<f64>(v2, v3, 0, 2), 16);
      v128.store(dst, v128.shuffle<f64>(v0, v1, 1, 3), 32);
      v128.store(dst, v128.shuffle<f64>(v2, v3, 1, 3), 48);
      r0 += 16;
      r1 += 16;
      r2 += 16;
      r3 += 16;
      dst += 64;
    }
    if (kc & 1) {
      store<f64>(dst, load<f64>(r0));
      store<f64>(dst, load<f64>(r1), 8);
      store<f64>(dst, load<f64>(r2), 16);
      store<f64>(dst, load<f64>(r3), 24);
    }
  } else {
    for (let p = 0; p < kc; p++) {
      const d = dst + ((<usize>p) << 5);
      const s = src + ((<usize>p) << 3);
      for (let x = 0; x < 4; x++) store<f64>(d + ((<usize>x) << 3), x < nx ? load<f64>(s + <usize>x * ld) : 0.0);
    }
  }
}

/**
 * Packs a p-major block of nx "x" (any nx ≥ 1) into ⌈nx/4⌉ consecutive panels of kc×4, walking
 * the source row by row: one pass over each of the kc rows, so each row's cache lines and page are
 * touched once (packing 4 columns at a time would re-walk kc pages per panel when ld is large).
 */
export function packPBlock(src: usize, ld: usize, nx: i32, kc: i32, dst: usize): void {
  const full = nx & ~3;
  const panel = (<usize>kc) << 5; // bytes per panel
  for (let p = 0; p < kc; p++) {
    const s = src + <usize>p * ld;
    let d = dst + ((<usize>p) << 5);
    let x = 0;
    for (; x < full; x += 4) {
      v128.store(d, v128.load(s + ((<usize>x) << 3)));
      v128.store(d, v128.load(s + ((<usize>x) << 3), 16), 16);
      d += panel;
    }
    if (x < nx) {
      for (let r = 0; r < 4; r++) store<f64>(d + ((<usize>r) << 3), x + r < nx ? load<f64>(s + ((<usize>(x + r)) << 3)) : 0.0);
    }
  }
}
