import { ld, st } from './mem';

/** Y[n] += α·X[n]  (L2: dW += λ·W). */
export function axpy(n: i32, alpha: f64, x: i32, y: i32): void {
  const a = <real>alpha;
  for (let i = 0; i < n; i++) st(y + i, ld(y + i) + a * ld(x + i));
}

/** Σ X[i]² over n elements (L2 penalty, gradient norm): each square in real, the sum in f64. */
export function sumSquares(n: i32, x: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) { const v = ld(x + i); s += v * v; }
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
