// The f32 GEMMs (standalone module, test/helpers/gemm-f32-module.ts) against an ordered f32
// reference: C(i,j) = fround(C₀ + s) with s = fround(s + fround(A(i,p)·B(p,j))) for p = 0…k−1 in
// order (or s alone for acc = 0). Used by test/gemm.test.ts in-process (default build) and, run as a
// script, in a child Node with relaxed SIMD (fma build): prints one JSON line.
//
// Bound: the kernel and the reference each sum the same k products (+ C₀) in f32, in different
// orders (kc-deep partial sums, four-lane tiles, one rounding per FMA): each is within
// γ(k+1)·(|C₀| + Σ_p |A(i,p)·B(p,j)|) of the exact value, γ(n) = n·u/(1 − n·u), u = 2⁻²⁴ (f32 unit
// roundoff), so |kernel − reference| ≤ 2·γ(k+1)·(|C₀| + Σ|a||b|). Where the order is the same — the
// default build with k ≤ 64 (every blocking's kc; one partial sum per element, lanes summed
// sequentially in p, C₀ added last), and the direct paths for m ≤ 3 of gemmAtB and gemmAB (one sum
// in p order over all k, in both builds) — the results must be identical bit for bit. In the fma
// build the blocked path with k ≤ 64 is held to the same order with every step fused,
// s = fma(A(i,p), B(p,j), s) rounded once (fmaF32 below), C₀ added last unfused: on a CPU with FMA,
// where V8 lowers relaxed_madd to vfmadd (every x86-64 since Haswell and Zen), bit for bit. The
// tile shape (4×8 or 6×8, 4- or 6-row panels) does not change any element's order.
import { Rng } from '../../src/rng.js';
import { gemmF32Module, type GemmF32Module } from './gemm-f32-module.js';

export type Form = 'gemmABt' | 'gemmAtB' | 'gemmAB';
export const FORMS: Form[] = ['gemmABt', 'gemmAtB', 'gemmAB'];
const U = 2 ** -24;
const gamma = (n: number) => (n * U) / (1 - n * U);
/** Guard elements after C that no call may touch. */
const GUARD = 6;

// The f32 blocking (assembly/gemm.ts): MR = 4, NR = 8; n ≤ 128: x-major kc = 128, nc = 88;
// p-major kc = 64, nc = mc = 48; n > 128: kc = nc = 256, p-major mc = 128; p-major A in place for
// m ≤ 128. The shapes straddle all of these, plus 1 and 0 in every dimension.
export const FIXED_F32: [number, number, number][] = [
  [0, 0, 0],
  [0, 5, 3],
  [5, 0, 3],
  [3, 5, 0],
  [4, 8, 0],
  [40, 50, 0],
  [1, 1, 1],
  [1, 2, 2],
  [2, 1, 3],
  [1, 1, 300],
  [1, 128, 784],
  [32, 1, 784],
  [3, 3, 3],
  [4, 8, 4],
  [5, 9, 5],
  [4, 8, 1],
  [4, 7, 2],
  [7, 9, 11],
  [16, 16, 16],
  [17, 15, 16],
  [4, 88, 128],
  [5, 89, 129],
  [8, 96, 256],
  [9, 97, 257],
  [31, 43, 127],
  [32, 128, 784],
  [128, 784, 32],
  [32, 784, 128],
  [32, 10, 128],
  [10, 128, 32],
  [32, 128, 10],
  [33, 130, 300],
  [64, 64, 64],
  [64, 64, 65],
  [67, 3, 200],
  [3, 67, 200],
  [100, 7, 130],
  [13, 97, 1],
  [97, 13, 2],
  [130, 140, 150],
  [49, 50, 65],
  [97, 49, 129],
  [129, 47, 64],
  [9, 129, 257],
  [131, 260, 300],
  [5, 300, 600],
  [129, 513, 40],
  // The 4-wide remainder panel (n mod 8 in 1…4) with full and partial row tiles, bit for bit (k ≤ 64),
  // in every A layout: row-major, p-major in place (m ≤ 64), p-major packed (m > 64, blocks of 48).
  [16, 12, 64],
  [24, 4, 33],
  [13, 20, 40],
  [136, 12, 64],
  [72, 100, 64],
  [9, 260, 64],
  // The fma builds' 6-row panels (assembly/gemm.ts sixRows): every m mod 6 (7: 4 + 3 rows, 8: 4 + 4,
  // 9: 6 + 3, 10: 6 + 4, 11: 6 + 5, 13, 14, 12), with column remainders of 1…7 (6×4 and padded 6×8
  // tiles), in every A layout: row-major, p-major in place (m ≤ 64), p-major packed (m > 64: blocks
  // of 48, or of 132 for n > 128, whose last block is 1 row at m = 133), all k ≤ 64 (bit for bit).
  [7, 13, 64],
  [8, 12, 40],
  [9, 21, 33],
  [10, 128, 32],
  [11, 19, 64],
  [13, 5, 17],
  [14, 30, 64],
  [12, 4, 8],
  [70, 100, 64],
  [71, 7, 50],
  [97, 36, 64],
  [133, 260, 40],
  [137, 131, 30],
  // The direct small-m paths: m = 1…3, every column remainder of 16 / 4 lanes, in p order at any k.
  [2, 21, 64],
  [3, 19, 200],
  [1, 784, 128],
  [1, 10, 128],
];

/**
 * fround(a·b + c) with one rounding, for f32 a, b, c: a·b is exact in f64 (24 + 24 bits); the f64
 * sum s is off the exact sum by err (TwoSum), and rounding s to f32 is right unless s lies exactly
 * halfway between two f32 values, where err decides the side (s itself rounded to even).
 */
export function fmaF32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const v = s - p;
  const err = p - (s - v) + (c - v);
  const r = f(s);
  if (err === 0 || r === s) return r;
  const other = f(s + (s - r)); // the f32 on s's other side when s is a midpoint
  if (s - r !== other - s) return r;
  return Math.sign(err) === Math.sign(other - r) ? other : r;
}

export interface CaseResult {
  label: string;
  /** max over elements of |got − reference| / bound (≤ 1 for a correct kernel). */
  ratio: number;
  /** elements that differ from the reference's bits. */
  differing: number;
  /** elements that differ from the fused reference's bits (every step s = fmaF32(a, b, s)). */
  differingFused: number;
  /** whether every element is bit-identical to the reference (required where the order is the same). */
  sameOrder: boolean;
  /** fma build, blocked path, k ≤ 64: every element must equal the fused reference's bits. */
  sameFusedOrder: boolean;
  guardOk: boolean;
  /** C exactly 0 for k = 0, acc = 0 (true when not applicable). */
  zeroOk: boolean;
}

const f = Math.fround;

export function runCase(g: GemmF32Module, rng: Rng, form: Form, m: number, n: number, k: number, acc: number, build: string): CaseResult {
  const A = Float32Array.from({ length: m * k }, () => rng.normal());
  const B = Float32Array.from({ length: n * k }, () => rng.normal());
  const C0 = Float32Array.from({ length: m * n + GUARD }, () => rng.normal());
  // Garbage that would show if acc = 0 read C.
  if (!acc) for (let i = 0; i < m * n; i++) if (rng.next() < 0.2) C0[i] = rng.next() < 0.5 ? NaN : 3e38;
  g.reset();
  const a = g.alloc(A.length),
    b = g.alloc(B.length),
    c = g.alloc(C0.length);
  let h = g.heap();
  h.set(A, a);
  h.set(B, b);
  h.set(C0, c);
  g[form](m, n, k, a, b, c, acc);
  h = g.heap();
  const got = h.slice(c, c + C0.length);
  const opA = form === 'gemmAtB' ? (i: number, p: number) => A[p * m + i] : (i: number, p: number) => A[i * k + p];
  const opB = form === 'gemmABt' ? (p: number, j: number) => B[j * k + p] : (p: number, j: number) => B[p * n + j];
  let ratio = 0,
    differing = 0,
    differingFused = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0,
        fused = 0,
        mag = acc ? Math.abs(C0[i * n + j]) : 0;
      for (let p = 0; p < k; p++) {
        const prod = f(opA(i, p) * opB(p, j));
        s = f(s + prod);
        fused = fmaF32(opA(i, p), opB(p, j), fused);
        mag += Math.abs(prod);
      }
      const want = acc ? f(C0[i * n + j] + s) : s;
      const v = got[i * n + j];
      if (!Object.is(v, want)) differing++;
      if (!Object.is(v, acc ? f(C0[i * n + j] + fused) : fused)) differingFused++;
      const bound = 2 * gamma(k + 1) * mag;
      const err = Math.abs(v - want);
      ratio = Math.max(ratio, err === 0 ? 0 : Number.isFinite(err) ? err / bound : Infinity);
    }
  }
  const guardOk = got.subarray(m * n).every((v, i) => Object.is(v, C0[m * n + i]));
  const zeroOk = !(k === 0 && !acc) || got.subarray(0, m * n).every((v) => v === 0);
  // gemmABt with m ≤ 3 or n = 1 takes the direct dot-product path, which splits each sum over four
  // lanes (assembly/gemm.ts smallABt); every other path sums each element in p order.
  const laneSplit = form === 'gemmABt' && (m < 4 || n < 2);
  const fewRows = form !== 'gemmABt' && m < 4;
  const sameOrder = fewRows || (build === 'default' && k <= 64 && !laneSplit);
  const sameFusedOrder = build === 'fma' && !fewRows && !laneSplit && k <= 64;
  const label = `${build} ${form} m=${m} n=${n} k=${k} acc=${acc}`;
  return { label, ratio, differing, differingFused, sameOrder, sameFusedOrder, guardOk, zeroOk };
}

export function cases(seed: number, randomCount: number): [Form, number, number, number, number][] {
  const rng = new Rng(seed);
  const dim = (max: number) => (rng.next() < 0.15 ? rng.int(4) : 1 + rng.int(max));
  const shapes = [...FIXED_F32];
  for (let i = 0; i < randomCount; i++) shapes.push([dim(70), dim(140), dim(300)]);
  const out: [Form, number, number, number, number][] = [];
  for (const [m, n, k] of shapes) for (const form of FORMS) for (const acc of [0, 1]) out.push([form, m, n, k, acc]);
  return out;
}

// As a script (fma build in a child Node with relaxed SIMD): one JSON line.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const build = (process.argv[2] ?? 'default') as 'default' | 'fma';
  const g = await gemmF32Module(build);
  const rng = new Rng(0xf32);
  const results = cases(0xf33, 30).map(([form, m, n, k, acc]) => runCase(g, rng, form, m, n, k, acc, build));
  console.log(
    JSON.stringify({
      build,
      cases: results.length,
      worstRatio: Math.max(...results.map((r) => r.ratio)),
      bad: results.filter((r) => !(r.ratio <= 1) || !r.guardOk || !r.zeroOk).map((r) => r.label),
      differing: results.reduce((s, r) => s + r.differing, 0),
      // Cases held to a reference's bits: the fused one (blocked, k ≤ 64), the plain one (m ≤ 3).
      fusedExact: results.filter((r) => r.sameFusedOrder).length,
      notBitExact: results
        .filter((r) => (r.sameFusedOrder && r.differingFused > 0) || (r.sameOrder && r.differing > 0))
        .map((r) => r.label),
    }),
  );
}
