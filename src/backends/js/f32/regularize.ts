// f32 twins of assembly/regularize.ts: scalars rounded to f32 where they enter; a store into h rounds.
import { accumulate, f32 } from './round.js';
import { dropoutDraw } from '../regularize.js';

/** Y[n] += α·X[n], in f32 */
export function axpy(h: Float32Array, n: number, alpha: number, x: number, y: number): void {
  const a = f32(alpha);
  for (let i = 0; i < n; i++) h[y + i] += f32(a * h[x + i]);
}

/** Σ X[i]², each square in f32, summed as `accumulate` says, in assembly/regularize.ts's f32 order (eight partial sums) */
export function sumSquares(h: Float32Array, n: number, x: number): number {
  return eightWaySum(n, (i) => f32(h[x + i] * h[x + i]), accumulate);
}

/** X[n] *= α, in f32 */
export function scale(h: Float32Array, n: number, x: number, alpha: number): void {
  const a = f32(alpha);
  for (let i = 0; i < n; i++) h[x + i] *= a;
}

/** X[n] = min(max(X, −c), c), c rounded to f32 */
export function clipValue(h: Float32Array, n: number, x: number, c: number): void {
  const limit = f32(c);
  for (let i = 0; i < n; i++) h[x + i] = Math.min(Math.max(h[x + i], -limit), limit);
}

/** X[n] *= M[n], in f32 */
export function multiply(h: Float32Array, n: number, x: number, m: number): void {
  for (let i = 0; i < n; i++) h[x + i] *= h[m + i];
}

/**
 * Inverted-dropout mask, the f64 twin's pattern (the same 32-bit hash of (seed, i), compared in f64, so an
 * f32 and an f64 network drop the same units): 0 with probability rate, else 1/(1−rate) rounded to f32.
 */
export function dropoutMask(h: Float32Array, n: number, m: number, rate: number, seed: number): void {
  const keep = f32(1 / (1 - rate));
  for (let i = 0; i < n; i++) h[m + i] = dropoutDraw(seed, i) < rate ? 0 : keep;
}

/**
 * Σ term(i) for i < n in the f32 build's sumSquares order: eight partial sums p_j (the terms
 * i ≡ j mod 8 of the whole blocks of eight), combined as ((p0 + p4) + (p2 + p6)) + ((p1 + p5) +
 * (p3 + p7)), then the last n mod 8 terms in order; `add` rounds each sum as `accumulate` does.
 */
function eightWaySum(n: number, term: (i: number) => number, add: (sum: number) => number): number {
  const p = [0, 0, 0, 0, 0, 0, 0, 0];
  let i = 0;
  for (; i + 8 <= n; i += 8) for (let j = 0; j < 8; j++) p[j] = add(p[j] + term(i + j));
  let s = add(add(add(p[0] + p[4]) + add(p[2] + p[6])) + add(add(p[1] + p[5]) + add(p[3] + p[7])));
  for (; i < n; i++) s = add(s + term(i));
  return s;
}
