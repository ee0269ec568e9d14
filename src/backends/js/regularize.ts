// Plain twins of assembly/regularize.ts.

/** Y[n] += α·X[n] */
export function axpy(h: Float64Array, n: number, alpha: number, x: number, y: number): void {
  for (let i = 0; i < n; i++) h[y + i] += alpha * h[x + i];
}

/**
 * Σ X[i]², in assembly/regularize.ts's order: eight partial sums s_j (element i into s_(i mod 8))
 * over the whole blocks of eight, combined as ((s0 + s4) + (s2 + s6)) + ((s1 + s5) + (s3 + s7)),
 * then the last n mod 8 squares added in order.
 */
export function sumSquares(h: Float64Array, n: number, x: number): number {
  return eightWaySum(
    n,
    (i) => h[x + i] * h[x + i],
    (s) => s,
  );
}

/**
 * Σ term(i) for i < n in sumSquares' order; `add` rounds each partial sum as the caller's precision
 * does (the f32 twin's `accumulate`).
 */
export function eightWaySum(n: number, term: (i: number) => number, add: (sum: number) => number): number {
  const p = [0, 0, 0, 0, 0, 0, 0, 0]; // p[j]: the terms i ≡ j (mod 8) of the whole blocks of eight
  let i = 0;
  for (; i + 8 <= n; i += 8) for (let j = 0; j < 8; j++) p[j] = add(p[j] + term(i + j));
  let s = add(add(add(p[0] + p[4]) + add(p[2] + p[6])) + add(add(p[1] + p[5]) + add(p[3] + p[7])));
  for (; i < n; i++) s = add(s + term(i));
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
