// ln, exp, pow and cos from +, −, ×, ÷ only, so that learning-rate schedules and seeded random
// draws are the same bits in every JS engine (Math.log, Math.cos and ** are not required to round
// correctly, and Node's and Chromium's differ in the last bit). Accurate to a few ulps.

/** ln x for x > 0 (finite): x = m·2^e with m in [√½, √2), ln m = 2·atanh((m−1)/(m+1)). */
export function ln(x: number): number {
  let e = 0;
  while (x < Math.SQRT1_2) {
    x *= 2;
    e--;
  } // exact: scaling by 2
  while (x >= Math.SQRT2) {
    x /= 2;
    e++;
  }
  const s = (x - 1) / (x + 1),
    s2 = s * s;
  let sum = 0;
  for (let k = 25; k >= 1; k -= 2) sum = sum * s2 + 1 / k; // |s| ≤ 0.172: s²¹² < 1e-18
  return 2 * s * sum + e * Math.LN2;
}

/** cos(2π·t) for t in [0, 1). */
export function cosTurns(t: number): number {
  let u = t < 0.5 ? t : 1 - t; // cos(2π(1−t)) = cos(2πt); 1 − t is exact here (Sterbenz)
  let sign = 1;
  if (u > 0.25) {
    u = 0.5 - u;
    sign = -1;
  } // cos(π − x) = −cos x; exact
  const x = 2 * Math.PI * u,
    x2 = x * x; // x in [0, π/2]
  let sum = 1;
  // cos x = 1 − x²/2!·(1 − x²/(3·4)·(1 − …)); the first dropped term, x²⁴/24!, is < 1e-19.
  for (let k = 22; k >= 2; k -= 2) sum = 1 - (x2 / (k * (k - 1))) * sum;
  return sign * sum;
}

/** e^x: x = k·ln2 + r with |r| ≤ ln2/2, Taylor series for e^r, then exact scaling by 2^k. */
export function exp(x: number): number {
  if (x > 709.8) return Infinity;
  if (x < -745.2) return 0;
  const k = Math.round(x / Math.LN2);
  const r = x - k * 0.6931471803691238 - k * 1.9082149292705877e-10; // ln2 split: k·hi is exact for |k| < 2¹¹
  let sum = 1;
  for (let n = 20; n >= 1; n--) sum = 1 + (r / n) * sum; // r²¹/21! < 1e-22
  let scale = 1;
  for (let i = 0; i < Math.abs(k); i++) scale *= k > 0 ? 2 : 0.5; // exact, subnormals aside
  return sum * scale;
}

/** b^y for b > 0. */
export const pow = (b: number, y: number): number => (Number.isInteger(y) && Math.abs(y) < 64 ? powInt(b, y) : exp(y * ln(b)));
function powInt(b: number, n: number): number {
  let r = 1;
  for (let i = 0; i < Math.abs(n); i++) r *= b;
  return n < 0 ? 1 / r : r;
}

const TWO_OVER_SQRT_PI = 1.1283791670955126,
  INV_SQRT_PI = 0.5641895835477563;

/**
 * erf x, from +, −, ×, ÷ and exp above, so the Wasm kernels (assembly/detmath.ts, the same
 * operations in the same order) give the same bits. Measured within 5 ulps of a 320-bit reference
 * (test/erf.test.ts). For t = |x| < 2.5: erf t = (2/√π)·t·e^{−t²}·Σₙ (2t²)ⁿ/(1·3·…·(2n+1)), all terms
 * positive (40 terms: the rest < 1e-17 of the sum); for 2.5 ≤ t < 6: 1 − erfc t with
 * erfc t = e^{−t²}/(√π·(t + ½/(t + 1/(t + 3⁄2/(t + …))))) (50 levels); beyond 6, erfc t < 2⁻⁵⁵: ±1.
 */
export function erf(x: number): number {
  const t = Math.abs(x);
  if (!(t < 6)) return t === t ? (x < 0 ? -1 : 1) : x;
  const t2 = t * t,
    e = exp(-t2);
  if (t < 2.5) {
    const u = 2 * t2;
    let s = 1;
    for (let n = 40; n >= 1; n--) s = 1 + s * (u / (2 * n + 1));
    return TWO_OVER_SQRT_PI * x * e * s; // x, not t: the sign (and −0) comes with it
  }
  let f = t;
  for (let k = 50; k >= 1; k--) f = t + k / 2 / f;
  const r = 1 - (e * INV_SQRT_PI) / f;
  return x < 0 ? -r : r;
}
