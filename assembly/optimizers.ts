import { ld, st, ldv, stv, LANES } from './mem';
import { vsplat, vadd, vsub, vmul, vdiv, vsqrt, vabs, vlt, vsum } from './lanes';

// Optimizer state (momentum, Adam's moments, RMSprop's and Adagrad's averages) is flushed to +0
// where its magnitude falls below the smallest normal double, 2⁻¹⁰²². A state that decays (a unit
// whose gradient became 0: a dead ReLU, an input that is always 0 from some point) otherwise sinks
// into subnormals — and sticks there (0.9 × 4 ulps rounds back to 4 ulps) — where every x86
// operation on it takes a ~100-cycle microcode assist: measured 5–10× slower training. A subnormal
// state moves no normal weight (lr·v is below half its ulp), so nothing is lost; NaN is kept.
// src/backends/js/optimizers.ts and the fused steps do the same, so the backends stay equal.
// In the f32 build the threshold is f32's smallest normal, 2⁻¹²⁶, for the same reason.
// Hyper-parameters come in as f64; in the f32 build each, and each scalar derived from them in f64
// (1 − β, Adam's bias corrections), is rounded once to f32 (<real>) before use.
export const MIN_NORMAL: real = sizeof<real>() == 4 ? <real>1.1754943508222875e-38 : <real>2.2250738585072014e-308;

/** x, or +0 when |x| < MIN_NORMAL (NaN stays NaN). */
@inline export function flush(x: real): real {
  return abs<real>(x) < MIN_NORMAL ? 0 : x;
}

/** Every lane flushed as flush() does. */
@inline export function flushv(x: v128): v128 {
  return v128.andnot(x, vlt(vabs(x), vsplat(MIN_NORMAL)));
}

// Every optimizer kernel returns 1 when a new parameter or state value is NaN or ±Infinity (an
// update that overflowed), else 0, checked in registers on the pass that writes them: no extra
// memory traffic. The values are written either way; the caller restores the step's starting
// point (assembly/network.ts keepStep for trainStep, src/fit.ts for a chunk of batches).
// The check is a running sum of the new values, one add per two lanes: non-finite whenever one
// of them is (±∞ stays, ∞ − ∞ and NaN give NaN), and a finite sum that overflows is told apart by
// an exact pass, run only then. (x − x ≠ 0 with an OR cost SGD 25% and Adam 20% of the kernel's
// time on MNIST's 101,770 parameters: these loops are a few instructions long.)

/** 1 when some P[i] or V[i], i < n, is NaN or ±Infinity, else 0: the exact check behind a sum that overflowed. */
export function anyNonFinite(n: i32, p: i32, v: i32): i32 {
  for (let i = 0; i < n; i++) {
    const a = ld(p + i), b = ld(v + i);
    if (a - a != 0 || b - b != 0) return 1;
  }
  return 0;
}

/** 1 when the running sums (the lanes and a scalar tail) over P (and V) hide a non-finite value, else 0. */
@inline export function verdict(sum: v128, tail: real, n: i32, p: i32, v: i32): i32 {
  const total = vsum(sum) + tail;
  return total - total == 0 ? 0 : anyNonFinite(n, p, v);
}

// Optimizer kinds: generated from src/kinds/losses.ts (scripts/kinds.ts).
import { SGD, ADAM, ADAMW, RMSPROP, ADAGRAD } from './kinds.generated';
export { SGD, ADAM, ADAMW, RMSPROP, ADAGRAD };

/**
 * SGD with optional (Nesterov) momentum over n parameters P, gradients G, velocity V:
 * μ = 0: P −= lr·G;  else V = flush(μV + G), P −= lr·V (Nesterov: P −= lr·(G + μV)).
 * Returns 1 when a new P or V is not finite, else 0 (P alone is checked: a non-finite V makes it so).
 */
export function sgd(n: i32, p: i32, g: i32, v: i32, learningRate: f64, momentum: f64, nesterov: i32): i32 {
  // LANES at a time; every lane does the scalar formula's operations, so the bits are the same.
  const lr = <real>learningRate, mu = <real>momentum;
  const lrv = vsplat(lr), muv = vsplat(mu);
  let sum = vsplat(0), tail: real = 0;
  let i = 0;
  if (mu == 0) {
    // Two vectors at a time with two sums, so that the sums' add latency does not set this short loop's pace.
    let sum2 = vsplat(0);
    for (; i + 2 * LANES <= n; i += 2 * LANES) {
      const p0 = vsub(ldv(p + i), vmul(lrv, ldv(g + i)));
      const p1 = vsub(ldv(p + i + LANES), vmul(lrv, ldv(g + i + LANES)));
      stv(p + i, p0);
      stv(p + i + LANES, p1);
      sum = vadd(sum, p0);
      sum2 = vadd(sum2, p1);
    }
    for (; i < n; i++) {
      const pi = ld(p + i) - lr * ld(g + i);
      st(p + i, pi);
      tail += pi;
    }
    return verdict(vadd(sum, sum2), tail, n, p, p);
  }
  for (; i + LANES <= n; i += LANES) {
    const gi = ldv(g + i);
    const vi = flushv(vadd(vmul(muv, ldv(v + i)), gi));
    stv(v + i, vi);
    const pi = vsub(ldv(p + i), vmul(lrv, nesterov ? vadd(gi, vmul(muv, vi)) : vi));
    stv(p + i, pi);
    sum = vadd(sum, pi); // a non-finite V makes P non-finite too (lr·±∞ is ±∞ or NaN)
  }
  for (; i < n; i++) {
    const gi = ld(g + i);
    const vi = flush(mu * ld(v + i) + gi);
    st(v + i, vi);
    const pi = ld(p + i) - lr * (nesterov ? gi + mu * vi : vi);
    st(p + i, pi);
    tail += pi;
  }
  return verdict(sum, tail, n, p, p);
}

/**
 * Adam at step t ≥ 1 with moments M, V: M = flush(β1M + (1−β1)G), V = flush(β2V + (1−β2)G²),
 * P −= lr·(M/(1−β1ᵗ) / (√(V/(1−β2ᵗ)) + ε) + decay·P)   (decay > 0 is AdamW's decoupled decay).
 * Returns 1 when a new P, M or V is not finite, else 0 (P and V are checked: a non-finite M makes P so).
 */
export function adam(n: i32, p: i32, g: i32, m: i32, v: i32, learningRate: f64, beta1: f64, beta2: f64, epsilon: f64, t: f64, weightDecay: f64): i32 {
  const c1 = <real>(1 / (1 - Math.pow(beta1, t))), c2 = <real>(1 / (1 - Math.pow(beta2, t)));
  const b1 = <real>beta1, nb1 = <real>(1 - beta1), b2 = <real>beta2, nb2 = <real>(1 - beta2);
  const eps = <real>epsilon, lr = <real>learningRate, decay = <real>weightDecay;
  // LANES at a time (sqrt and division are correctly rounded per lane: the same bits as scalar).
  const b1v = vsplat(b1), nb1v = vsplat(nb1), b2v = vsplat(b2), nb2v = vsplat(nb2);
  const c1v = vsplat(c1), c2v = vsplat(c2), ev = vsplat(eps), lrv = vsplat(lr), dv = vsplat(decay);
  let sum = vsplat(0), tail: real = 0;
  let i = 0;
  for (; i + LANES <= n; i += LANES) {
    const gi = ldv(g + i);
    const mi = flushv(vadd(vmul(b1v, ldv(m + i)), vmul(nb1v, gi)));
    const vi = flushv(vadd(vmul(b2v, ldv(v + i)), vmul(vmul(nb2v, gi), gi)));
    stv(m + i, mi);
    stv(v + i, vi);
    const pi = ldv(p + i);
    const step = vadd(vdiv(vmul(mi, c1v), vadd(vsqrt(vmul(vi, c2v)), ev)), vmul(dv, pi));
    const pn = vsub(pi, vmul(lrv, step));
    stv(p + i, pn);
    // A non-finite M makes P non-finite; a V of +∞ need not (M/∞ = 0), so P and V are checked.
    sum = vadd(sum, vadd(pn, vi));
  }
  for (; i < n; i++) {
    const gi = ld(g + i);
    const mi = flush(b1 * ld(m + i) + nb1 * gi);
    const vi = flush(b2 * ld(v + i) + nb2 * gi * gi);
    st(m + i, mi);
    st(v + i, vi);
    const pi = ld(p + i);
    const pn = pi - lr * ((mi * c1) / (sqrt<real>(vi * c2) + eps) + decay * pi);
    st(p + i, pn);
    tail += pn + vi;
  }
  return verdict(sum, tail, n, p, v);
}

/** RMSprop: S = flush(ρS + (1−ρ)G²), P −= lr·G/(√S + ε). Returns 1 when a new P or S is not finite, else 0. */
export function rmsprop(n: i32, p: i32, g: i32, s: i32, learningRate: f64, rho: f64, epsilon: f64): i32 {
  const lr = <real>learningRate, r = <real>rho, nr = <real>(1 - rho), eps = <real>epsilon;
  let bad: real = 0;
  for (let i = 0; i < n; i++) {
    const gi = ld(g + i);
    const si = flush(r * ld(s + i) + nr * gi * gi);
    st(s + i, si);
    const pn = ld(p + i) - (lr * gi) / (sqrt<real>(si) + eps);
    st(p + i, pn);
    bad += (pn - pn) + (si - si);
  }
  return bad != 0 ? 1 : 0;
}

/** Adagrad: S = flush(S + G²), P −= lr·G/(√S + ε). Returns 1 when a new P or S is not finite, else 0. */
export function adagrad(n: i32, p: i32, g: i32, s: i32, learningRate: f64, epsilon: f64): i32 {
  const lr = <real>learningRate, eps = <real>epsilon;
  let bad: real = 0;
  for (let i = 0; i < n; i++) {
    const gi = ld(g + i);
    const si = flush(ld(s + i) + gi * gi);
    st(s + i, si);
    const pn = ld(p + i) - (lr * gi) / (sqrt<real>(si) + eps);
    st(p + i, pn);
    bad += (pn - pn) + (si - si);
  }
  return bad != 0 ? 1 : 0;
}
