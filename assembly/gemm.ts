import { MR, NR, SCRATCH, CT, kernel, kernelX, packX, packPBlock } from './gemm-kernel';
import { NR32, NARROW32, MR32, kernel32, kernelX32, kernel32Narrow, kernelX32Narrow, packX32, packP32 } from './gemm-kernel-f32';
import { kernel6x8, kernelX6x8, kernel6x4, kernelX6x4 } from './gemm-kernel-f32-6x8';

// Row-major GEMM in the three forms backprop needs. `acc` = 0 overwrites C, 1 adds to it.
// C must not alias A or B.
//
// All three forms share one cache-blocked driver (`packed` below), generic over the element type T
// (f64 or f32: offsets are T element indices, byte address = offset · sizeof<T>(); every
// `sizeof<T>()` branch is decided at compile time, so each instance holds only its own code). One
// micro-kernel per type: 4×4 f64x2 (assembly/gemm-kernel.ts), 4×8 f32x4 (gemm-kernel-f32.ts) or,
// in the fma builds, 6×8 f32x4 (gemm-kernel-f32-6x8.ts: MR32 rows). B is always packed into kc×NR
// panels; A is read in place (row-major A) or packed into MR-wide panels (Aᵀ). GEMV-like shapes
// (m ≤ 3) take direct paths, in both types.
// No allocation: packing uses a 1 MiB static scratch (see gemm-kernel.ts).
// The exported names are the instances of the build's element type `real` (f64, or f32 in the f32
// build: assembly/mem.ts); the standalone GEMM module exports gemmABtOf<f32> etc. under the same
// names (assembly/gemm-f32-entry.ts).

/** C[m×n] (+)= A[m×k] · B[n×k]ᵀ  (forward: Y = X·Wᵀ). */
export function gemmABt(m: i32, n: i32, k: i32, a: i32, b: i32, c: i32, acc: i32): void {
  gemmABtOf<real>(m, n, k, a, b, c, acc);
}

/** C[m×n] (+)= A[k×m]ᵀ · B[k×n]  (weight gradient: dW = dYᵀ·X). */
export function gemmAtB(m: i32, n: i32, k: i32, a: i32, b: i32, c: i32, acc: i32): void {
  gemmAtBOf<real>(m, n, k, a, b, c, acc);
}

/** C[m×n] (+)= A[m×k] · B[k×n]  (input gradient: dX = dY·W). */
export function gemmAB(m: i32, n: i32, k: i32, a: i32, b: i32, c: i32, acc: i32): void {
  gemmABOf<real>(m, n, k, a, b, c, acc);
}

/** gemmABt on T (f64 or f32) elements. */
// @ts-ignore: decorator
@inline export function gemmABtOf<T>(m: i32, n: i32, k: i32, a: i32, b: i32, c: i32, acc: i32): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) return zeroIfOverwrite<T>(m, n, c, acc);
  if (m < SMALL_M_X || n < 2) return smallABt<T>(m, n, k, a, b, c, acc);
  // A(i,p) = a[i·k + p]: "x-major"; op(B)(p,j) = b[j·k + p]: "x-major".
  packed<T>(m, n, k, a, true, k, b, true, k, c, acc);
}

/** gemmAtB on T (f64 or f32) elements. */
// @ts-ignore: decorator
@inline export function gemmAtBOf<T>(m: i32, n: i32, k: i32, a: i32, b: i32, c: i32, acc: i32): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) return zeroIfOverwrite<T>(m, n, c, acc);
  if (m < SMALL_M_P) return fewRows<T>(m, n, k, a, 1, m, b, c, acc);
  // op(A)(i,p) = a[p·m + i]: "p-major"; B(p,j) = b[p·n + j]: "p-major".
  packed<T>(m, n, k, a, false, m, b, false, n, c, acc);
}

/** gemmAB on T (f64 or f32) elements. */
// @ts-ignore: decorator
@inline export function gemmABOf<T>(m: i32, n: i32, k: i32, a: i32, b: i32, c: i32, acc: i32): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) return zeroIfOverwrite<T>(m, n, c, acc);
  if (m < SMALL_M_P) return fewRows<T>(m, n, k, a, k, 1, b, c, acc);
  packed<T>(m, n, k, a, true, k, b, false, n, c, acc);
}

function zeroIfOverwrite<T>(m: i32, n: i32, c: i32, acc: i32): void {
  if (!acc) memory.fill(<usize>c * sizeof<T>(), 0, <usize>(m * n) * sizeof<T>());
}

// Direct paths, where the blocked path does not pay: GEMV-like shapes (m = batch 1–3), and
// gemmABt with n = 1. Measured: at m ≤ 3 the direct paths run 12–13 GFLOP/s on 784→128 layers vs
// 3–9 blocked (whose 4-row tiles would be mostly zero padding); from m = 4 on the blocked path wins
// at every size, down to 4×4×4 (it never allocates, and packing is cheap), so no flop threshold.
const SMALL_M_X: i32 = 4;
const SMALL_M_P: i32 = 4;

// ---------------------------------------------------------------------------------------------
// Blocked driver: jc (nc columns of C) → pc (kc deep) → pack the kc×nc panel of B → [pack a kc×mc
// block of A] → i (4 rows of C) → jr (4 columns) → 4×4 micro-kernel. Operands are described by a
// base offset, whether element (x, p) lives at x·ld + p ("x-major") or p·ld + x ("p-major"), and
// the leading dimension.
//
// x-major A (gemmABt, gemmAB: row-major A) is read in place, four rows at a time (kernelX): that
// is as fast as a packed panel for this FP-port-bound kernel (f64; f32: see X_PACKED32). p-major A (gemmAtB: A is k×m) read
// in place at stride m would touch kc pages per 4 columns (TLB-bound; ~25% slower at m = 512), so
// it is packed, a kc×mc block at a time, row by row — unless its rows are ≤ 256 bytes apart (m ≤ 32
// in f64, ≤ 64 in f32), where in place is faster than paying for the copy. (On the Sapphire Rapids
// machine in place won up to m = 128 in f64; on this AMD EPYC it loses from 512-byte strides on.)
// p-major B (gemmAtB, gemmAB) is packed unless m ≤ 32 (see B_IN_PLACE_M).
//
// Two blockings, by the width n of C (measured on this project's machine, bench/README.md):
// - n ≤ 128: the B block stays in L1 (48 KiB): x-major kc = 128, nc = 44; p-major kc = 64,
//   nc = mc = 48.
// - n > 128: the B block lives in L2 (2 MiB): kc = 256, nc = 256 (512 KiB), p-major mc = 128.
//   A slab is then re-read from memory once per 256 columns instead of once per 44, and each C
//   tile is stored once per 256 steps of p: +10–25% at n = 512–1024.
// The 1 MiB scratch is static (gemm-kernel.ts); an x-major edge panel of < 4 rows takes ≤ 8 KiB.
// kc fixes where the kernel's sums are cut (C += one kc-deep partial sum at a time), so the f64
// KC values are part of its results' bits; NC and MC are not.
//
// f32 (NR = 8): the same element counts, except nc, which must be a multiple of 8 (x-major: 88 = 2×44,
// the same 44 KiB of L1 as f64's 128×44 doubles; p-major 48), and, with 6-row tiles (MR32 = 6, the
// fma builds), the wide p-major mc: 132 = 22 panels of 6 (48 is 8 of them).
//
// Row edges (< MR rows: 4, or 6 in the f32 fma builds) are computed from a zero-padded packed
// panel; column edges (< NR columns) are zero-padded in the B panel, except that in f32 a last ≤ 4
// columns get a 4-wide panel and the 4×4 (or 6×4) kernel (kernel32Narrow: n = 10 runs 8 + 4 columns, not 8 + 8; MNIST 32×10×128 21.2 → 26.1
// GFLOP/s). An 8×4 variant (eight chains) measured slower (23 vs 34 at 32×12×128) and was dropped.
// Either kind of edge tile goes through the CT scratch tile (192 bytes where a 6×8 f32 tile is built).

// X_PACKED32: in the default f32 builds x-major A is packed like an edge panel (a 4×4 transpose per
// 16 values) rather than read in place: kernelX32's four row-pointer bumps per step cost more there
// than the copy (its multiply-and-add loop issues 26 ops per step: dispatch-bound), A/B by CPU time:
// +3–7% on ABt and AB at n = 64…1024 (64³ 40.2 → 41.3, 1024³ 41.7 → 44.1), +4% on the MNIST L1
// forward and dX. The fma build's 6-row tiles read it in place: a 6-wide panel's last two lanes
// are packed one value at a time, and packing lost 13% there at n ≤ 128.
const WIDE: i32 = 128; // n above this takes the L2 blocking
const NARROW_P_BYTES: i32 = 256;
const B_IN_PLACE_M: i32 = 32; // p-major B read in place (no packing) for m up to this
const KC_X: i32 = 128;
const NC_X: i32 = 44;
const NC_X32: i32 = 88;
const KC_P: i32 = 64;
const NC_P: i32 = 48;
// f32 p-major (gemmAtB, n ≤ 128): a 64×128 B block (32 KiB) instead of 64×48, so that A is packed once
// per call, not once per 48 columns: 128³ 40.9 → 42.6 GFLOP/s (fma 48.5 → 51.5), A/B by CPU time.
const NC_P32: i32 = 128;
const MC_P: i32 = 48;
const KC_WIDE: i32 = 256;
const NC_WIDE: i32 = 256;
const MC_WIDE: i32 = 128; // KC_WIDE·(NC_WIDE + MC_WIDE) = 98304 ≤ SCRATCH_ELEMS
const KC_X32: i32 = 128;
const NC_WIDE32: i32 = 512;
// 6-row tiles: 132 = 22 panels, so that m = 128 (a dense layer's dW) is one block of 120 + 8 rows,
// not 126 + 2 (a 4-row panel of 2 rows); 256 = 132 + 124 (120 + 4).
const MC_WIDE32: i32 = MR32 == 6 ? 132 : 128;

function packed<T>(
  m: i32, n: i32, k: i32,
  a: i32, aX: bool, lda: i32,
  b: i32, bX: bool, ldb: i32,
  c: i32, acc: i32,
): void {
  const f64 = sizeof<T>() == 8;
  const SH: usize = f64 ? 3 : 2; // log2 of the element size
  const NRT = f64 ? NR : NR32; // columns of C per micro-tile
  const six = !f64 && MR32 == 6; // 6-row f32 tiles (compile-time; see sixRows)
  const wide = n > WIDE;
  // A p-major A whose rows are at most NARROW_P_BYTES apart is read in place, saving the copy that
  // packing costs on small products. Wider strides pack: a 4-row tile's kc rows at a stride of
  // 512 B or more crowd few L1 sets (measured here, AMD EPYC: in place at m = 128 f64 ran 15.1
  // GFLOP/s on the 128×784×32 dW shape vs 20.3 packed; f32 m = 128: 35.6 vs 39.2 at 128³).
  const narrowP = !aX && lda * i32(sizeof<T>()) <= NARROW_P_BYTES;
  // A p-major B used by few row tiles is read in place: packing it costs a copy of B per call for
  // only m/4 uses of each panel (measured: the MNIST dX shape 32×784×128 f64 14.6 → 18.8 GFLOP/s,
  // f32 35.9 → 38.3; from m = 128 on, packing wins: 19.3 vs 18.0).
  const bInPlace = !bX && m <= B_IN_PLACE_M;
  const KC = wide ? KC_WIDE : aX ? (f64 ? KC_X : KC_X32) : KC_P;
  const NC = wide ? (f64 ? NC_WIDE : NC_WIDE32) : aX ? (f64 ? NC_X : NC_X32) : (f64 ? NC_P : NC_P32);
  // Rows of A per block: p-major, the rows packed at a time; x-major, the rows one pass of the ir
  // loop runs over (packing only an edge panel): one panel, or every row where panels are 6 or 4 high.
  const MC = aX ? (six ? m : MR) : wide ? (f64 ? MC_WIDE : MC_WIDE32) : MC_P;
  const PB = SCRATCH;
  const PA = SCRATCH + ((<usize>(KC * NC)) << SH);
  const ldcBytes = <usize>n << SH;
  const ldaBytes = <usize>lda << SH;
  const ldbBytes = <usize>ldb << SH;
  const tileBytes = <usize>NRT << SH; // row stride of the CT tile
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const beta = pc > 0 ? 1 : acc;
      // Pack B[pc:pc+kc, jc:jc+nc] into NR-wide panels of kc×NR, zero-padded on the right; in f32 a
      // last panel of ≤ 4 columns is 4 wide (NARROW32), for the 4×4 remainder kernel.
      const rest = nc % NRT;
      const narrowRest = !f64 && rest > 0 && rest <= NARROW32;
      const wideCols = narrowRest ? nc - rest : nc; // columns in NRT-wide panels
      if (bX) {
        for (let jr = 0; jr < nc; jr += NRT) {
          const j = jc + jr;
          const src = (<usize>(j * ldb + pc) + b) << SH;
          const dst = PB + ((<usize>(jr * kc)) << SH);
          if (f64) packX(src, ldbBytes, min(NR, nc - jr), kc, dst);
          else if (jr < wideCols) packX32(src, ldbBytes, min(NR32, nc - jr), kc, dst, NR32);
          else packX32(src, ldbBytes, rest, kc, dst, NARROW32);
        }
      } else if (bInPlace) {
        // Only the last, partial panel is packed (zero-padded); full panels (and a last panel of
        // exactly 4 columns in f32) are read in place.
        if (rest && !(narrowRest && rest == NARROW32)) {
          const src = (<usize>(pc * ldb + jc + nc - rest) + b) << SH;
          const dst = PB + ((<usize>((nc - rest) * kc)) << SH);
          if (f64) packPBlock(src, ldbBytes, rest, kc, dst);
          else packP32(src, ldbBytes, rest, kc, dst, narrowRest ? NARROW32 : NR32);
        }
      } else {
        const src = (<usize>(pc * ldb + jc) + b) << SH;
        if (f64) packPBlock(src, ldbBytes, nc, kc, PB);
        else {
          if (wideCols > 0) packP32(src, ldbBytes, wideCols, kc, PB, NR32);
          if (narrowRest) packP32(src + ((<usize>wideCols) << SH), ldbBytes, rest, kc, PB + ((<usize>(wideCols * kc)) << SH), NARROW32);
        }
      }
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        const n6 = six ? sixRows(mc) : 0; // rows [0, n6) in 6-row panels, the rest in 4-row ones
        if (!aX && !narrowP) {
          const src = (<usize>(pc * lda + ic) + a) << SH;
          if (f64) packPBlock(src, ldaBytes, mc, kc, PA);
          else if (six) {
            if (n6 > 0) packP32(src, ldaBytes, n6, kc, PA, MR32);
            if (mc > n6) packP32(src + ((<usize>n6) << SH), ldaBytes, mc - n6, kc, PA + ((<usize>(n6 * kc)) << SH), MR);
          } else packP32(src, ldaBytes, mc, kc, PA, MR);
        }
        for (let ir = 0; ir < mc; ) {
          const h = ir < n6 ? MR32 : MR; // this panel's rows (MR32 only where six)
          const i = ic + ir;
          const mx = min(h, mc - ir);
          let pa: usize = PA + ((<usize>(ir * kc)) << SH);
          let sa: usize = (<usize>h) << SH;
          let inPlace = false;
          if (aX) {
            const src = (<usize>(i * lda + pc) + a) << SH;
            // In place, except in the default f32 builds (see X_PACKED32 above).
            if (mx == h && (f64 || six)) {
              pa = src;
              inPlace = true;
            } else if (f64) {
              packX(src, ldaBytes, mx, kc, PA); // pa = PA: x-major f64 blocks are one panel (ir = 0)
            } else {
              packX32(src, ldaBytes, mx, kc, PA, h);
              pa = PA;
            }
          } else if (narrowP) {
            const src = (<usize>(pc * lda + i) + a) << SH;
            if (mx == h) {
              pa = src;
              sa = ldaBytes;
            } else {
              if (f64) packPBlock(src, ldaBytes, mx, kc, PA);
              else packP32(src, ldaBytes, mx, kc, PA, h);
              pa = PA;
            }
          }
          const tall = six && h == MR32; // compile-time false outside the 6-row builds
          // Full-width tiles (and an f64 or wide f32 remainder, zero-padded); then an f32
          // remainder of ≤ 4 columns, outside this hot loop (kept as it was: at k = 10 the
          // per-tile overhead is measurable).
          for (let jr = 0; jr < wideCols; jr += NRT) {
            const nx = min(NRT, nc - jr);
            let pb = PB + ((<usize>(jr * kc)) << SH);
            let sb: usize = 32; // bytes per p of a packed B panel (NR elements)
            if (bInPlace && nx == NRT) {
              pb = (<usize>(pc * ldb + jc + jr) + b) << SH;
              sb = ldbBytes;
            }
            const cp = (<usize>(i * n + jc + jr) + c) << SH;
            const full = mx == h && nx == NRT;
            const tp = full ? cp : CT;
            const tld = full ? ldcBytes : tileBytes;
            const tbeta = full ? beta : 0;
            if (f64) {
              if (inPlace) kernelX(kc, pa, ldaBytes, pb, sb, tp, tld, tbeta);
              else kernel(kc, pa, sa, pb, sb, tp, tld, tbeta);
            } else if (tall) {
              if (inPlace) kernelX6x8(kc, pa, ldaBytes, pb, sb, tp, tld, tbeta);
              else kernel6x8(kc, pa, sa, pb, sb, tp, tld, tbeta);
            } else {
              if (inPlace) kernelX32(kc, pa, ldaBytes, pb, sb, tp, tld, tbeta);
              else kernel32(kc, pa, sa, pb, sb, tp, tld, tbeta);
            }
            if (!full) edge<T>(cp, ldcBytes, mx, nx, NRT, beta);
          }
          if (narrowRest) {
            const jr = wideCols;
            let pb = PB + ((<usize>(jr * kc)) << SH);
            let sb: usize = (<usize>NARROW32) << SH;
            if (bInPlace && rest == NARROW32) {
              pb = (<usize>(pc * ldb + jc + jr) + b) << SH;
              sb = ldbBytes;
            }
            const cp = (<usize>(i * n + jc + jr) + c) << SH;
            const full = mx == h && rest == NARROW32;
            const tp = full ? cp : CT;
            const tld = full ? ldcBytes : (<usize>NARROW32) << SH;
            const tbeta = full ? beta : 0;
            if (tall) {
              if (inPlace) kernelX6x4(kc, pa, ldaBytes, pb, sb, tp, tld, tbeta);
              else kernel6x4(kc, pa, sa, pb, sb, tp, tld, tbeta);
            } else {
              if (inPlace) kernelX32Narrow(kc, pa, ldaBytes, pb, sb, tp, tld, tbeta);
              else kernel32Narrow(kc, pa, sa, pb, sb, tp, tld, tbeta);
            }
            if (!full) edge<T>(cp, ldcBytes, mx, rest, NARROW32, beta);
          }
          ir += h;
        }
      }
    }
  }
}

/**
 * Rows of an mc-row block of f32 A that the 6-row tiles take; the last (mc − sixRows) rows, at most
 * 8, go in 4-row panels, so that few computed rows are padding: mc mod 6 = 0 or 5 (a last 6-row
 * panel of 5 rows) all; 3 or 4: one 4-row panel; 1 or 2: two (4 + 3, 4 + 4; m = 32 runs 24 + 8
 * rows, not 36). A padded row costs a tile's time like a real one.
 */
function sixRows(mc: i32): i32 {
  const tail = mc % 6;
  if (tail == 0 || tail == 5) return mc;
  if (tail >= 3) return mc - tail;
  return max(0, mc - tail - 6);
}

/** Writes the valid mx×nx corner of the MR×tw scratch tile (tw columns per row) into C (MR = the tile's rows). */
function edge<T>(cp: usize, ldc: usize, mx: i32, nx: i32, tw: i32, beta: i32): void {
  const SH: usize = sizeof<T>() == 8 ? 3 : 2;
  for (let r = 0; r < mx; r++) {
    const row = cp + <usize>r * ldc;
    const t = CT + ((<usize>(r * tw)) << SH);
    for (let j = 0; j < nx; j++) {
      const o = <usize>j << SH;
      const v = load<T>(t + o);
      store<T>(row + o, beta ? load<T>(row + o) + v : v);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Direct paths for tiny / GEMV-like shapes, generic over T like the driver: v128 ops on 2 f64 or
// 4 f32 lanes (LANES), byte addresses. Products and sums are multiplied and added separately in
// every build (no madd), so these paths give the same bits in the default and fma builds.

// @ts-ignore: decorator
@inline function vadd<T>(x: v128, y: v128): v128 {
  if (sizeof<T>() == 8) return f64x2.add(x, y);
  return f32x4.add(x, y);
}

// @ts-ignore: decorator
@inline function vmul<T>(x: v128, y: v128): v128 {
  if (sizeof<T>() == 8) return f64x2.mul(x, y);
  return f32x4.mul(x, y);
}

/** One element of T at byte address `at`, in every lane. */
// @ts-ignore: decorator
@inline function vsplat<T>(at: usize): v128 {
  if (sizeof<T>() == 8) return v128.load64_splat(at);
  return v128.load32_splat(at);
}

/** The lanes of v summed left to right. */
// @ts-ignore: decorator
@inline function hsum<T>(v: v128): T {
  if (sizeof<T>() == 8) return <T>(f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1));
  return <T>(f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/**
 * gemmABt for few rows (or n = 1): C(i, j) (+)= Σ_p A(i, p)·B(j, p) as dot products of contiguous
 * rows, split over the lanes (lane l sums p ≡ l mod LANES; lanes summed at the end, then the < LANES
 * leftover p in order). Not the blocked kernel's order (which sums each element in p order).
 */
function smallABt<T>(m: i32, n: i32, k: i32, a: i32, b: i32, c: i32, acc: i32): void {
  const SH: usize = sizeof<T>() == 8 ? 3 : 2;
  const LANES: i32 = sizeof<T>() == 8 ? 2 : 4;
  const rowBytes = <usize>k << SH;
  for (let i = 0; i < m; i++) {
    const ai = (<usize>(a + i * k)) << SH;
    let j = 0;
    // Four dot products at once: reuses each A load and keeps four independent add chains.
    for (; j + 4 <= n; j += 4) {
      const b0 = (<usize>(b + j * k)) << SH, b1 = b0 + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes;
      let s0 = f64x2.splat(0), s1 = s0, s2 = s0, s3 = s0;
      let p = 0;
      for (; p + LANES <= k; p += LANES) {
        const o = (<usize>p) << SH;
        const x = v128.load(ai + o);
        s0 = vadd<T>(s0, vmul<T>(x, v128.load(b0 + o)));
        s1 = vadd<T>(s1, vmul<T>(x, v128.load(b1 + o)));
        s2 = vadd<T>(s2, vmul<T>(x, v128.load(b2 + o)));
        s3 = vadd<T>(s3, vmul<T>(x, v128.load(b3 + o)));
      }
      let t0 = hsum<T>(s0), t1 = hsum<T>(s1), t2 = hsum<T>(s2), t3 = hsum<T>(s3);
      for (; p < k; p++) {
        const o = (<usize>p) << SH;
        const x = load<T>(ai + o);
        t0 += x * load<T>(b0 + o);
        t1 += x * load<T>(b1 + o);
        t2 += x * load<T>(b2 + o);
        t3 += x * load<T>(b3 + o);
      }
      const ci = (<usize>(c + i * n + j)) << SH;
      if (acc) {
        t0 += load<T>(ci);
        t1 += load<T>(ci, sizeof<T>());
        t2 += load<T>(ci, 2 * sizeof<T>());
        t3 += load<T>(ci, 3 * sizeof<T>());
      }
      store<T>(ci, t0);
      store<T>(ci, t1, sizeof<T>());
      store<T>(ci, t2, 2 * sizeof<T>());
      store<T>(ci, t3, 3 * sizeof<T>());
    }
    for (; j < n; j++) {
      const bj = (<usize>(b + j * k)) << SH;
      let s2 = f64x2.splat(0);
      let p = 0;
      for (; p + LANES <= k; p += LANES) {
        const o = (<usize>p) << SH;
        s2 = vadd<T>(s2, vmul<T>(v128.load(ai + o), v128.load(bj + o)));
      }
      let s = hsum<T>(s2);
      for (; p < k; p++) {
        const o = (<usize>p) << SH;
        s += load<T>(ai + o) * load<T>(bj + o);
      }
      const ci = (<usize>(c + i * n + j)) << SH;
      store<T>(ci, acc ? load<T>(ci) + s : s);
    }
  }
}

/**
 * Rows of C, one at a time, for a p-major B (gemmAB, gemmAtB) and few rows (GEMV-like):
 * C(i, j) (+)= Σ_p A(i, p) · b[p·n + j], with A(i, p) = a[i·si + p·sp]. 4·LANES columns of C are
 * kept in four v128 accumulators across the whole p loop (one splat + four B loads per step), so C
 * is read and written once, not once per p as in an axpy sweep. Each element is summed in p order
 * from 0, C₀ added last: the ordered reference's bits.
 */
function fewRows<T>(m: i32, n: i32, k: i32, a: i32, si: i32, sp: i32, b: i32, c: i32, acc: i32): void {
  const SH: usize = sizeof<T>() == 8 ? 3 : 2;
  const LANES: i32 = sizeof<T>() == 8 ? 2 : 4;
  const ldb = <usize>n << SH;
  const spb = <usize>sp << SH;
  for (let i = 0; i < m; i++) {
    const ai = (<usize>(a + i * si)) << SH;
    const ci = (<usize>(c + i * n)) << SH;
    let j = 0;
    for (; j + 4 * LANES <= n; j += 4 * LANES) {
      let s0 = f64x2.splat(0), s1 = s0, s2 = s0, s3 = s0;
      let ap = ai;
      let bp = (<usize>(b + j)) << SH;
      for (let p = 0; p < k; p++) {
        const x = vsplat<T>(ap);
        s0 = vadd<T>(s0, vmul<T>(x, v128.load(bp)));
        s1 = vadd<T>(s1, vmul<T>(x, v128.load(bp, 16)));
        s2 = vadd<T>(s2, vmul<T>(x, v128.load(bp, 32)));
        s3 = vadd<T>(s3, vmul<T>(x, v128.load(bp, 48)));
        ap += spb;
        bp += ldb;
      }
      const cj = ci + ((<usize>j) << SH);
      if (acc) {
        s0 = vadd<T>(s0, v128.load(cj));
        s1 = vadd<T>(s1, v128.load(cj, 16));
        s2 = vadd<T>(s2, v128.load(cj, 32));
        s3 = vadd<T>(s3, v128.load(cj, 48));
      }
      v128.store(cj, s0);
      v128.store(cj, s1, 16);
      v128.store(cj, s2, 32);
      v128.store(cj, s3, 48);
    }
    for (; j + LANES <= n; j += LANES) {
      let s0 = f64x2.splat(0);
      let ap = ai;
      let bp = (<usize>(b + j)) << SH;
      for (let p = 0; p < k; p++) {
        s0 = vadd<T>(s0, vmul<T>(vsplat<T>(ap), v128.load(bp)));
        ap += spb;
        bp += ldb;
      }
      const cj = ci + ((<usize>j) << SH);
      if (acc) s0 = vadd<T>(s0, v128.load(cj));
      v128.store(cj, s0);
    }
    for (; j < n; j++) {
      let s = <T>0;
      let ap = ai;
      let bp = (<usize>(b + j)) << SH;
      for (let p = 0; p < k; p++) {
        s += load<T>(ap) * load<T>(bp);
        ap += spb;
        bp += ldb;
      }
      const cj = ci + ((<usize>j) << SH);
      store<T>(cj, acc ? load<T>(cj) + s : s);
    }
  }
}
