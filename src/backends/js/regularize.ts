// Plain twins of assembly/regularize.ts.

/** Y[n] += α·X[n] */
export function axpy(h: Float64Array, n: number, alpha: number, x: number, y: number): void {
  for (let i = 0; i < n; i++) h[y + i] += alpha * h[x + i];
}

/** Σ X[i]², one serial chain (the f32 build's order differs: f32/regularize.ts) */
export function sumSquares(h: Float64Array, n: number, x: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += h[x + i] * h[x + i];
  return s;
}

/** X[n] *= α */
export function scale(h: Float64Array, n: number, x: number, alpha: number): void {
  for (let i = 0; i < n; i++) h[x + i] *= alpha;
}

/** X[n] = min(max(X, −c), c) */
export function clipValue(h: Float64Array, n: number, x: number, c: number): void {
  for (let i = 0; i < n; i++) h[x + i] = Math.min(Math.max(h[x + i], -c), c);
}

/** X[n] *= M[n] */
export function multiply(h: Float64Array, n: number, x: number, m: number): void {
  for (let i = 0; i < n; i++) h[x + i] *= h[m + i];
}

/** The uniform draw in [0, 1) of element i for a dropout seed: a 32-bit hash of (seed, i), scaled by 2⁻³². */
export function dropoutDraw(seed: number, i: number): number {
  let x = (seed ^ Math.imul(i, 0x9e3779b9)) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x = (x ^ (x >>> 13)) >>> 0;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  return x * 2.3283064365386963e-10;
}

/** Inverted-dropout mask from a 32-bit hash of (seed, i): 0 with probability rate, else 1/(1−rate). */
export function dropoutMask(h: Float64Array, n: number, m: number, rate: number, seed: number): void {
  const keep = 1 / (1 - rate);
  for (let i = 0; i < n; i++) h[m + i] = dropoutDraw(seed, i) < rate ? 0 : keep;
}

/** The dropout seed of layer l for step counter c (same mix as assembly/network.ts). */
export function dropoutSeed(counter: number, l: number): number {
  return (Math.imul(counter >>> 0, 0x632be5ab) ^ Math.imul(l + 1, 0x1b873593)) >>> 0;
}
