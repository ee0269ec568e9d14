// src/detmath.ts's exp and erf, the same operations in the same order, so erf (gelu's Φ) has the
// same bits here and in the TS twin. Math.round rounds half up as JS's does.

/** e^x: x = k·ln2 + r with |r| ≤ ln2/2, Taylor series for e^r, then exact scaling by 2^k. */
export function exp(x: f64): f64 {
  if (x > 709.8) return Infinity;
  if (x < -745.2) return 0;
  const k = Math.round(x / Math.LN2);
  const r = x - k * 0.6931471803691238 - k * 1.9082149292705877e-10;
  let sum: f64 = 1;
  for (let n = 20; n >= 1; n--) sum = 1 + (r / <f64>n) * sum;
  let scale: f64 = 1;
  const steps = <i32>Math.abs(k);
  for (let i = 0; i < steps; i++) scale *= k > 0 ? 2 : 0.5;
  return sum * scale;
}

const TWO_OVER_SQRT_PI: f64 = 1.1283791670955126, INV_SQRT_PI: f64 = 0.5641895835477563;

/** erf x (src/detmath.ts erf: the series below 2.5, the continued fraction for erfc to 6, ±1 beyond). */
export function erf(x: f64): f64 {
  const t = Math.abs(x);
  if (!(t < 6)) return t == t ? (x < 0 ? -1 : 1) : x;
  const t2 = t * t, e = exp(-t2);
  if (t < 2.5) {
    const u = 2 * t2;
    let s: f64 = 1;
    for (let n = 40; n >= 1; n--) s = 1 + s * (u / <f64>(2 * n + 1));
    return TWO_OVER_SQRT_PI * x * e * s; // x, not t: the sign (and −0) comes with it
  }
  let f = t;
  for (let k = 50; k >= 1; k--) f = t + <f64>k / 2 / f;
  const r = 1 - (e * INV_SQRT_PI) / f;
  return x < 0 ? -r : r;
}
