import { ld, st, ldv } from './mem';
import { promoteHalf } from './lanes';

/** Y[n] += α·X[n]  (L2: dW += λ·W). */
export function axpy(n: i32, alpha: f64, x: i32, y: i32): void {
  const a = <real>alpha;
  for (let i = 0; i < n; i++) st(y + i, ld(y + i) + a * ld(x + i));
}

/**
 * Σ X[i]² over n elements (L2 penalty, gradient norm): each square in real, the sum in f64.
 * f64: one serial chain, the order of every earlier build (issue 16: no f64 result changes a bit).
 * f32: eight partial sums s_j (element i into s_(i mod 8)) over the whole blocks of eight, combined
 * as ((s0 + s4) + (s2 + s6)) + ((s1 + s5) + (s3 + s7)), then the last n mod 8 squares in order:
 * four independent f64x2 chains, ≈ 4.4× the serial one; the f32 twin sums in this order.
 */
export function sumSquares(n: i32, x: i32): f64 {
  let i = 0;
  if (sizeof<real>() == 4) {
    let s01 = f64x2.splat(0), s23 = f64x2.splat(0), s45 = f64x2.splat(0), s67 = f64x2.splat(0);
    for (; i + 8 <= n; i += 8) {
      const lo = ldv(x + i), hi = ldv(x + i + 4);
      const qlo = f32x4.mul(lo, lo), qhi = f32x4.mul(hi, hi); // squares in f32, exact in f64
      s01 = f64x2.add(s01, promoteHalf(qlo, 0));
      s23 = f64x2.add(s23, promoteHalf(qlo, 1));
      s45 = f64x2.add(s45, promoteHalf(qhi, 0));
      s67 = f64x2.add(s67, promoteHalf(qhi, 1));
    }
    const pairs = f64x2.add(f64x2.add(s01, s45), f64x2.add(s23, s67));
    let s = f64x2.extract_lane(pairs, 0) + f64x2.extract_lane(pairs, 1);
    for (; i < n; i++) { const v = ld(x + i); s += v * v; }
    return s;
  }
  let s: f64 = 0;
  for (; i < n; i++) { const v = ld(x + i); s += v * v; }
  return s;
}

/** X[n] *= α. */
export function scale(n: i32, x: i32, alpha: f64): void {
  const a = <real>alpha;
  for (let i = 0; i < n; i++) st(x + i, ld(x + i) * a);
}

/** X[n] = min(max(X, −c), c). */
export function clipValue(n: i32, x: i32, c: f64): void {
  const r = <real>c;
  for (let i = 0; i < n; i++) st(x + i, min<real>(max<real>(ld(x + i), -r), r));
}

/** X[n] *= M[n] elementwise (apply a dropout mask forward, or to a gradient backward). */
export function multiply(n: i32, x: i32, m: i32): void {
  for (let i = 0; i < n; i++) st(x + i, ld(x + i) * ld(m + i));
}

/**
 * Inverted-dropout mask: M[i] = 0 with probability `rate`, else 1/(1−rate). The uniform for i is a
 * 32-bit integer hash of (seed, i), so Wasm and TS give the same mask bit for bit.
 */
export function dropoutMask(n: i32, m: i32, rate: f64, seed: u32): void {
  dropoutMaskFrom(n, m, rate, seed, 0);
}

/** dropoutMask for the n elements from element `from` of a larger mask (a thread's rows of a batch). */
export function dropoutMaskFrom(n: i32, m: i32, rate: f64, seed: u32, from: i32): void {
  const keep = <real>(1 / (1 - rate));
  for (let i = 0; i < n; i++) {
    let h: u32 = seed ^ (<u32>(from + i) * 0x9e3779b9);
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    st(m + i, <f64>h * 2.3283064365386963e-10 < rate ? 0 : keep);
  }
}
