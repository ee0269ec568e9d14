// f32 twins of assembly/regularize.ts: scalars rounded to f32 where they enter; a store into h rounds.
import { accumulate, f32 } from './round.js';
import { dropoutDraw, eightWaySum } from '../regularize.js';

/** Y[n] += α·X[n], in f32 */
export function axpy(h: Float32Array, n: number, alpha: number, x: number, y: number): void {
  const a = f32(alpha);
  for (let i = 0; i < n; i++) h[y + i] += f32(a * h[x + i]);
}

/** Σ X[i]², each square in f32, summed as `accumulate` says, in the f64 twin's order (eight partial sums) */
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
