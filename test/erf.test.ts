// gelu's erf (src/detmath.ts, assembly/detmath.ts): within a few ulps of a 320-bit reference, and
// the same bits in Wasm and in TS; and the new activations at hand-derived values on both backends.
import { describe, it, expect, beforeAll } from 'vitest';
import { erf } from '../src/detmath.js';
import { wasmBackend, type WasmBackend } from '../src/backends/wasm/index.js';
import { activate } from '../src/backends/js/activations.js';
import { Act, SELU_ALPHA, SELU_SCALE } from '../src/kinds/activations.js';
import { Rng } from '../src/rng.js';

// erf x = (2/√π) Σₙ (−1)ⁿ x^{2n+1}/(n!(2n+1)) in 320-bit fixed point: exact integer arithmetic, so the
// alternating series' cancellation (terms up to e^{x²} ≈ 2⁵² at x = 6) costs nothing.
const P = 320n,
  ONE = 1n << P;
function arctanOfInverse(k: bigint): bigint {
  let sum = 0n,
    term = ONE / k,
    sign = 1n;
  for (let n = 1n; term !== 0n; n += 2n, term /= k * k, sign = -sign) sum += (sign * term) / n;
  return sum;
}
const PI = 4n * (4n * arctanOfInverse(5n) - arctanOfInverse(239n)); // Machin
function sqrtFixed(v: bigint): bigint {
  let x = BigInt(Math.floor(Math.sqrt(Number(v >> 600n)))) << 300n; // v = π·2^(2P): start near √v
  for (;;) {
    const next = (x + v / x) >> 1n;
    if (next === x || next === x + 1n) return x;
    x = next;
  }
}
const SQRT_PI = sqrtFixed(PI << P);
function referenceErf(x: number): number {
  let m = Math.abs(x),
    e = 0;
  while (!Number.isInteger(m)) {
    m *= 2; // |x| = m·2^e exactly
    e--;
  }
  const X = (BigInt(m) << P) >> BigInt(-e),
    X2 = (X * X) >> P;
  let term = X,
    sum = 0n;
  for (let n = 0n; term !== 0n; n++) {
    sum += (n % 2n ? -term : term) / (2n * n + 1n);
    term = ((term * X2) >> P) / (n + 1n);
  }
  const r = Number((((2n * sum) << P) / SQRT_PI) >> (P - 110n)) / 2 ** 110;
  return x < 0 ? -r : r;
}
const ulp = (v: number) => 2 ** (Math.floor(Math.log2(Math.abs(v))) - 52);

describe('erf', () => {
  let be: WasmBackend;
  beforeAll(async () => {
    be = await wasmBackend();
  });

  it('is within 5 ulps of the 320-bit reference on [−6.5, 6.5] (measured: ≤ 5, near 2 and 2.7)', () => {
    const rng = new Rng(11);
    let worst = 0;
    for (let i = 0; i < 1500; i++) {
      const x = i < 1300 ? 13 * rng.next() - 6.5 : 10 ** (-12 + 12 * rng.next()); // and tiny arguments
      worst = Math.max(worst, Math.abs(erf(x) - referenceErf(x)) / ulp(referenceErf(x)));
    }
    expect(worst).toBeLessThanOrEqual(5);
    expect(worst).toBeGreaterThan(0); // the comparison sees rounding at all
    expect([erf(0), erf(-0), erf(7), erf(-Infinity), erf(NaN)]).toEqual([0, -0, 1, -1, NaN]);
  });

  it('has the same bits in Wasm and in TS at 20,000 points', () => {
    const wasmErf = (be.kernels as unknown as { erf(x: number): number }).erf;
    const rng = new Rng(12);
    for (let i = 0; i < 20000; i++) {
      const x = i % 4 === 0 ? 20 * rng.next() - 10 : 7 * rng.next() - 3.5;
      expect(Object.is(wasmErf(x), erf(x)), `x = ${x}`).toBe(true);
    }
  });
});

describe('the newer activations at hand-derived values, both backends', () => {
  const sigma = (z: number) => 1 / (1 + Math.exp(-z));
  const cases: [keyof typeof Act, number, number][] = [
    ['elu', 2, 2],
    ['elu', -1, Math.exp(-1) - 1],
    ['selu', 1, SELU_SCALE],
    ['selu', -2, SELU_SCALE * SELU_ALPHA * Math.expm1(-2)],
    ['softplus', 0, Math.LN2],
    ['softplus', 20, 20 + 2.0611536181902037e-9], // no switch to linear: ln(1 + e^20) − 20 = log1p(e^−20)
    ['softplus', -40, 4.248354255291589e-18], // e^−40 to rounding, not 0
    ['softplus', 800, 800], // no overflow
    ['swish', 1, sigma(1)],
    ['swish', -3, -3 * sigma(-3)],
    ['gelu', 1, 0.8413447460685429], // Φ(1)
    ['gelu', -1, -0.15865525393145707], // −(1 − Φ(1))
    ['gelu', 3, 3 * 0.9986501019683699],
  ];
  it.each(cases)('%s(%d)', async (name, z, expected) => {
    const be = await wasmBackend();
    const at = be.alloc(1);
    be.heap()[at] = z;
    be.kernels.activate(Act[name], 1, 1, at, at);
    const h = Float64Array.of(z);
    activate(h, Act[name], 1, 1, 0, 0);
    for (const got of [be.heap()[at], h[0]])
      expect(Math.abs(got - expected)).toBeLessThanOrEqual(
        4e-16 * Math.max(1, Math.abs(expected)) + (expected !== 0 && Math.abs(expected) < 1e-10 ? 1e-30 : 0),
      );
    be.free(at);
  });
});
