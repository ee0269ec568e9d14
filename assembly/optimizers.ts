import { ld, st, ld2, st2 } from './mem';

// Optimizer state (momentum, Adam's moments, RMSprop's and Adagrad's averages) is flushed to +0
// where its magnitude falls below the smallest normal double, 2⁻¹⁰²². A state that decays (a unit
// whose gradient became 0: a dead ReLU, an input that is always 0 from some point) otherwise sinks
// into subnormals — and sticks there (0.9 × 4 ulps rounds back to 4 ulps) — where every x86
// operation on it takes a ~100-cycle microcode assist: measured 5–10× slower training. A subnormal
// state moves no normal weight (lr·v is below half its ulp), so nothing is lost; NaN is kept.
// src/backends/js/optimizers.ts and the fused steps do the same, so the backends stay equal.
export const MIN_NORMAL: f64 = 2.2250738585072014e-308;

/** x, or +0 when |x| < 2⁻¹⁰²² (NaN stays NaN). */
@inline export function flush(x: f64): f64 {
  return Math.abs(x) < MIN_NORMAL ? 0 : x;
}

/** Both lanes flushed as flush() does. */
@inline export function flush2(x: v128): v128 {
  return v128.andnot(x, f64x2.lt(f64x2.abs(x), f64x2.splat(MIN_NORMAL)));
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

/** 1 when the running sums (two lanes and a scalar tail) over P (and V) hide a non-finite value, else 0. */
@inline export function verdict(sum: v128, tail: f64, n: i32, p: i32, v: i32): i32 {
  const total = f64x2.extract_lane(sum, 0) + f64x2.extract_lane(sum, 1) + tail;
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
export function sgd(n: i32, p: i32, g: i32, v: i32, lr: f64, momentum: f64, nesterov: i32): i32 {
  // Two lanes at a time; every lane does the scalar formula's operations, so the bits are the same.
  const lr2 = f64x2.splat(lr), mu2 = f64x2.splat(momentum);
  let sum = f64x2.splat(0), tail: f64 = 0;
  let i = 0;
  if (momentum == 0) {
    // Four at a time with two sums, so that the sums' add latency does not set this short loop's pace.
    let sum2 = f64x2.splat(0);
    for (; i + 4 <= n; i += 4) {
      const p0 = f64x2.sub(ld2(p + i), f64x2.mul(lr2, ld2(g + i)));
      const p1 = f64x2.sub(ld2(p + i + 2), f64x2.mul(lr2, ld2(g + i + 2)));
      st2(p + i, p0);
      st2(p + i + 2, p1);
      sum = f64x2.add(sum, p0);
      sum2 = f64x2.add(sum2, p1);
    }
    for (; i < n; i++) {
      const pi = ld(p + i) - lr * ld(g + i);
      st(p + i, pi);
      tail += pi;
    }
    return verdict(f64x2.add(sum, sum2), tail, n, p, p);
  }
  for (; i + 2 <= n; i += 2) {
    const gi = ld2(g + i);
    const vi = flush2(f64x2.add(f64x2.mul(mu2, ld2(v + i)), gi));
    st2(v + i, vi);
    const pi = f64x2.sub(ld2(p + i), f64x2.mul(lr2, nesterov ? f64x2.add(gi, f64x2.mul(mu2, vi)) : vi));
    st2(p + i, pi);
    sum = f64x2.add(sum, pi); // a non-finite V makes P non-finite too (lr·±∞ is ±∞ or NaN)
  }
  for (; i < n; i++) {
    const gi = ld(g + i);
    const vi = flush(momentum * ld(v + i) + gi);
    st(v + i, vi);
    const pi = ld(p + i) - lr * (nesterov ? gi + momentum * vi : vi);
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
export function adam(n: i32, p: i32, g: i32, m: i32, v: i32, lr: f64, beta1: f64, beta2: f64, eps: f64, t: f64, decay: f64): i32 {
  const c1 = 1 / (1 - Math.pow(beta1, t)), c2 = 1 / (1 - Math.pow(beta2, t));
  // Two lanes at a time (sqrt and division are correctly rounded per lane: the same bits as scalar).
  const b1 = f64x2.splat(beta1), nb1 = f64x2.splat(1 - beta1), b2 = f64x2.splat(beta2), nb2 = f64x2.splat(1 - beta2);
  const cc1 = f64x2.splat(c1), cc2 = f64x2.splat(c2), e = f64x2.splat(eps), lr2 = f64x2.splat(lr), d2 = f64x2.splat(decay);
  let sum = f64x2.splat(0), tail: f64 = 0;
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const gi = ld2(g + i);
    const mi = flush2(f64x2.add(f64x2.mul(b1, ld2(m + i)), f64x2.mul(nb1, gi)));
    const vi = flush2(f64x2.add(f64x2.mul(b2, ld2(v + i)), f64x2.mul(f64x2.mul(nb2, gi), gi)));
    st2(m + i, mi);
    st2(v + i, vi);
    const pi = ld2(p + i);
    const step = f64x2.add(f64x2.div(f64x2.mul(mi, cc1), f64x2.add(f64x2.sqrt(f64x2.mul(vi, cc2)), e)), f64x2.mul(d2, pi));
    const pn = f64x2.sub(pi, f64x2.mul(lr2, step));
    st2(p + i, pn);
    // A non-finite M makes P non-finite; a V of +∞ need not (M/∞ = 0), so P and V are checked.
    sum = f64x2.add(sum, f64x2.add(pn, vi));
  }
  for (; i < n; i++) {
    const gi = ld(g + i);
    const mi = flush(beta1 * ld(m + i) + (1 - beta1) * gi);
    const vi = flush(beta2 * ld(v + i) + (1 - beta2) * gi * gi);
    st(m + i, mi);
    st(v + i, vi);
    const pi = ld(p + i);
    const pn = pi - lr * ((mi * c1) / (Math.sqrt(vi * c2) + eps) + decay * pi);
    st(p + i, pn);
    tail += pn + vi;
  }
  return verdict(sum, tail, n, p, v);
}

/** RMSprop: S = flush(ρS + (1−ρ)G²), P −= lr·G/(√S + ε). Returns 1 when a new P or S is not finite, else 0. */
export function rmsprop(n: i32, p: i32, g: i32, s: i32, lr: f64, rho: f64, eps: f64): i32 {
  let bad: f64 = 0;
  for (let i = 0; i < n; i++) {
    const gi = ld(g + i);
    const si = flush(rho * ld(s + i) + (1 - rho) * gi * gi);
    st(s + i, si);
    const pn = ld(p + i) - (lr * gi) / (Math.sqrt(si) + eps);
    st(p + i, pn);
    bad += (pn - pn) + (si - si);
  }
  return bad != 0 ? 1 : 0;
}

/** Adagrad: S = flush(S + G²), P −= lr·G/(√S + ε). Returns 1 when a new P or S is not finite, else 0. */
export function adagrad(n: i32, p: i32, g: i32, s: i32, lr: f64, eps: f64): i32 {
  let bad: f64 = 0;
  for (let i = 0; i < n; i++) {
    const gi = ld(g + i);
    const si = flush(ld(s + i) + gi * gi);
    st(s + i, si);
    const pn = ld(p + i) - (lr * gi) / (Math.sqrt(si) + eps);
    st(p + i, pn);
    bad += (pn - pn) + (si - si);
  }
  return bad != 0 ? 1 : 0;
}
