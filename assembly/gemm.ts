import { ld, st, ld2 } from './mem';
import { MR, NR, SCRATCH, CT, kernel, kernelX, packX, packPBlock } from './gemm-kernel';
import { NR32, kernel32, kernelX32, packX32, packP32 } from './gemm-kernel-f32';

// Row-major GEMM in the three forms backprop needs. `acc` = 0 overwrites C, 1 adds to it.
// C must not alias A or B.
//
// All three forms share one cache-blocked driver (`packed` below), generic over the element type T
// (f64 or f32: offsets are T element indices, byte address = offset · sizeof<T>(); every
// `sizeof<T>()` branch is decided at compile time, so each instance holds only its own code). One
// micro-kernel per type: 4×4 f64x2 (assembly/gemm-kernel.ts), 4×8 f32x4 (gemm-kernel-f32.ts).
// B is always packed into kc×NR panels; A is read in place (row-major A) or packed into MR-wide
// panels (Aᵀ). In f64, GEMV-like shapes (m ≤ 3) take direct paths.
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
  if (sizeof<T>() == 8) {
    if (m < SMALL_M_X || n < 2) return smallABt(m, n, k, a, b, c, acc);
  }
  // A(i,p) = a[i·k + p]: "x-major"; op(B)(p,j) = b[j·k + p]: "x-major".
  packed<T>(m, n, k, a, true, k, b, true, k, c, acc);
}

/** gemmAtB on T (f64 or f32) elements. */
// @ts-ignore: decorator
@inline export function gemmAtBOf<T>(m: i32, n: i32, k: i32, a: i32, b: i32, c: i32, acc: i32): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) return zeroIfOverwrite<T>(m, n, c, acc);
  if (sizeof<T>() == 8) {
    if (m < SMALL_M_P) return fewRows(m, n, k, a, 1, m, b, c, acc);
  }
  // op(A)(i,p) = a[p·m + i]: "p-major"; B(p,j) = b[p·n + j]: "p-major".
  packed<T>(m, n, k, a, false, m, b, false, n, c, acc);
}

/** gemmAB on T (f64 or f32) elements. */
// @ts-ignore: decorator
@inline export function gemmABOf<T>(m: i32, n: i32, k: i32, a: i32, b: i32, c: i32, acc: i32): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) return zeroIfOverwrite<T>(m, n, c, acc);
  if (sizeof<T>() == 8) {
    if (m < SMALL_M_P) return fewRows(m, n, k, a, k, 1, b, c, acc);
  }
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
// is as fast as a packed panel for this FP-port-bound kernel. p-major A (gemmAtB: A is k×m) read
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
// the same 44 KiB of L1 as f64's 128×44 doubles; p-major 48).
//
// Row edges (< 4 rows) are computed from a zero-padded packed panel; column edges (< NR columns)
// are zero-padded in the B panel; either kind of edge tile goes through the CT scratch tile.

const WIDE: i32 = 128; // n above this takes the L2 blocking
const NARROW_P_BYTES: i32 = 256;
const B_IN_PLACE_M: i32 = 32; // p-major B read in place (no packing) for m up to this
const KC_X: i32 = 128;
const NC_X: i32 = 44;
const NC_X32: i32 = 88;
const KC_P: i32 = 64;
const NC_P: i32 = 48;
const MC_P: i32 = 48;
const KC_WIDE: i32 = 256;
const NC_WIDE: i32 = 256;
const MC_WIDE: i32 = 128; // KC_WIDE·(NC_WIDE + MC_WIDE) = 98304 ≤ SCRATCH_ELEMS
const KC_X32: i32 = 128;
const NC_WIDE32: i32 = 512;

function packed<T>(
  m: i32, n: i32, k: i32,
  a: i32, aX: bool, lda: i32,
  b: i32, bX: bool, ldb: i32,
  c: i32, acc: i32,
): void {
  const f64 = sizeof<T>() == 8;
  const SH: usize = f64 ? 3 : 2; // log2 of the element size
  const NRT = f64 ? NR : NR32; // columns of C per micro-tile
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
  const NC = wide ? (f64 ? NC_WIDE : NC_WIDE32) : aX ? (f64 ? NC_X : NC_X32) : NC_P;
  const MC = aX ? MR : wide ? MC_WIDE : MC_P; // rows of A per packed block (x-major: only the edge panel)
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
      // Pack B[pc:pc+kc, jc:jc+nc] into NR-wide panels of kc×NR, zero-padded on the right.
      if (bX) {
        for (let jr = 0; jr < nc; jr += NRT) {
          const j = jc + jr;
          const src = (<usize>(j * ldb + pc) + b) << SH;
          const dst = PB + ((<usize>(jr * kc)) << SH);
          if (f64) packX(src, ldbBytes, min(NR, nc - jr), kc, dst);
          else packX32(src, ldbBytes, min(NR32, nc - jr), kc, dst, NR32);
        }
      } else if (bInPlace) {
        // Only the last, partial panel is packed (zero-padded); full panels are read in place.
        const rest = nc % NRT;
        if (rest) {
          const src = (<usize>(pc * ldb + jc + nc - rest) + b) << SH;
          const dst = PB + ((<usize>((nc - rest) * kc)) << SH);
          if (f64) packPBlock(src, ldbBytes, rest, kc, dst);
          else packP32(src, ldbBytes, rest, kc, dst, NR32);
        }
      } else {
        const src = (<usize>(pc * ldb + jc) + b) << SH;
        if (f64) packPBlock(src, ldbBytes, nc, kc, PB);
        else packP32(src, ldbBytes, nc, kc, PB, NR32);
      }
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        if (!aX && !narrowP) {
          const src = (<usize>(pc * lda + ic) + a) << SH;
          if (f64) packPBlock(src, ldaBytes, mc, kc, PA);
          else packP32(src, ldaBytes, mc, kc, PA, MR);
        }
        for (let ir = 0; ir < mc; ir += MR) {
          const i = ic + ir;
          const mx = min(MR, mc - ir);
          let pa: usize = PA + ((<usize>(ir * kc)) << SH);
          let sa: usize = (<usize>MR) << SH;
          let inPlace = false;
          if (aX) {
            const src = (<usize>(i * lda + pc) + a) << SH;
            if (mx == MR) {
              pa = src;
              inPlace = true;
            } else if (f64) {
              packX(src, ldaBytes, mx, kc, PA);
            } else {
              packX32(src, ldaBytes, mx, kc, PA, MR);
            }
          } else if (narrowP) {
            const src = (<usize>(pc * lda + i) + a) << SH;
            if (mx == MR) {
              pa = src;
              sa = ldaBytes;
            } else {
              if (f64) packPBlock(src, ldaBytes, mx, kc, PA);
              else packP32(src, ldaBytes, mx, kc, PA, MR);
              pa = PA;
            }
          }
          for (let jr = 0; jr < nc; jr += NRT) {
            const nx = min(NRT, nc - jr);
            let pb = PB + ((<usize>(jr * kc)) << SH);
            let sb: usize = 32; // bytes per p of a packed B panel (NR elements)
            if (bInPlace && nx == NRT) {
              pb = (<usize>(pc * ldb + jc + jr) + b) << SH;
              sb = ldbBytes;
            }
            const cp = (<usize>(i * n + jc + jr) + c) << SH;
            const full = mx == MR && nx == NRT;
            const tp = full ? cp : CT;
            const tld = full ? ldcBytes : tileBytes;
            const tbeta = full ? beta : 0;
            if (f64) {
              if (inPlace) kernelX(kc, pa, ldaBytes, pb, sb, tp, tld, tbeta);
              else kernel(kc, pa, sa, pb, sb, tp, tld, tbeta);
            } else {
              if (inPlace) kernelX32(kc, pa, ldaBytes, pb, sb, tp, tld, tbeta);
              else kernel32(kc, pa, sa, pb, sb, tp, tld, tbeta);
            }
            if (!full) edge<T>(cp, ldcBytes, mx, nx, beta);
          }
        }
      }
    }
  }
}

/** Writes the valid mx×nx corner of the MR×NR scratch tile into C. */
function edge<T>(cp: usize, ldc: usize, mx: i32, nx: i32, beta: i32): void {
  const SH: usize = sizeof<T>() == 8 ? 3 : 2;
  const NRT = sizeof<T>() == 8 ? NR : NR32;
  for (let r = 0; r < mx; r++) {
    const row = cp + <usize>r * ldc;
    const t = CT + ((<usize>r * NRT) << SH);
    for (let j = 0; j < nx; j++) {
      const o = <usize>j << SH;
      const v = load<T>(t + o);
      store<T>(row + o, beta ? load<T>(row + o) + v : v);
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

/**
 * Rows of C, one at a time, for a p-major B (gemmAB, gemmAtB) and few rows (GEMV-like):
 * C(i, j) (+)= Σ_p A(i, p) · b[p·n + j], with A(i, p) = a[i·si + p·sp]. Eight columns of C are kept
 * in four v128 accumulators across the whole p loop (one splat + four B loads per step), so C is
 * read and written once, not once per p as in an axpy sweep.
 */
function fewRows(m: i32, n: i32, k: i32, a: i32, si: i32, sp: i32, b: i32, c: i32, acc: i32): void {
  const ldb = <usize>n << 3;
  const spb = <usize>sp << 3;
  for (let i = 0; i < m; i++) {
    const ai = (<usize>(a + i * si)) << 3;
    const ci = (<usize>(c + i * n)) << 3;
    let j = 0;
    for (; j + 8 <= n; j += 8) {
      let s0 = f64x2.splat(0), s1 = s0, s2 = s0, s3 = s0;
      let ap = ai;
      let bp = (<usize>(b + j)) << 3;
      for (let p = 0; p < k; p++) {
        const x = v128.load64_splat(ap);
        s0 = f64x2.add(s0, f64x2.mul(x, v128.load(bp)));
        s1 = f64x2.add(s1, f64x2.mul(x, v128.load(bp, 16)));
        s2 = f64x2.add(s2, f64x2.mul(x, v128.load(bp, 32)));
        s3 = f64x2.add(s3, f64x2.mul(x, v128.load(bp, 48)));
        ap += spb;
        bp += ldb;
      }
      const cj = ci + ((<usize>j) << 3);
      if (acc) {
        s0 = f64x2.add(s0, v128.load(cj));
        s1 = f64x2.add(s1, v128.load(cj, 16));
        s2 = f64x2.add(s2, v128.load(cj, 32));
        s3 = f64x2.add(s3, v128.load(cj, 48));
      }
      v128.store(cj, s0);
      v128.store(cj, s1, 16);
      v128.store(cj, s2, 32);
      v128.store(cj, s3, 48);
    }
    for (; j + 2 <= n; j += 2) {
      let s0 = f64x2.splat(0);
      let ap = ai;
      let bp = (<usize>(b + j)) << 3;
      for (let p = 0; p < k; p++) {
        s0 = f64x2.add(s0, f64x2.mul(v128.load64_splat(ap), v128.load(bp)));
        ap += spb;
        bp += ldb;
      }
      const cj = ci + ((<usize>j) << 3);
      if (acc) s0 = f64x2.add(s0, v128.load(cj));
      v128.store(cj, s0);
    }
    if (j < n) {
      let s = 0.0;
      let ap = ai;
      let bp = (<usize>(b + j)) << 3;
      for (let p = 0; p < k; p++) {
        s += load<f64>(ap) * load<f64>(bp);
        ap += spb;
        bp += ldb;
      }
      const cj = ci + ((<usize>j) << 3);
      store<f64>(cj, acc ? load<f64>(cj) + s : s);
    }
  }
}
