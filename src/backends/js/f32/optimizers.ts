// f32 twins of assembly/optimizers.ts. Parameters, gradients and state are f32; each hyper-parameter
// and each per-step scalar derived from them (1 − β, the bias corrections) is computed in f64 from
// the plan's f64 values and rounded once to f32 before the loop. Each kernel returns 1 when a new
// parameter or state value is NaN or ±Infinity, else 0; the values are written either way.
import { f32 } from './round.js';

const MIN_NORMAL = 2 ** -126;
/** x, or +0 when |x| < 2⁻¹²⁶, f32's smallest normal (NaN stays NaN): state never sinks into subnormals. */
export const flush = (x: number): number => (Math.abs(x) < MIN_NORMAL ? 0 : x);

/** SGD: μ = 0: P −= lr·G; else V = flush(μV + G), P −= lr·V (Nesterov: P −= lr·(G + μV)). Returns 1 when a new P or V is not finite. */
export function sgd(h: Float32Array, n: number, p: number, g: number, v: number, lr: number, momentum: number, nesterov: number): number {
  const rate = f32(lr),
    mu = f32(momentum);
  let bad = 0; // Σ (x − x) over the new values: 0 while all are finite, NaN after one is not
  for (let i = 0; i < n; i++) {
    if (mu === 0) {
      const pn = (h[p + i] = f32(h[p + i] - f32(rate * h[g + i]))); // the stored value: f64's −= would report the unrounded one
      bad += pn - pn;
      continue;
    }
    const vi = (h[v + i] = flush(f32(f32(mu * h[v + i]) + h[g + i])));
    const pn = (h[p + i] = f32(h[p + i] - f32(rate * (nesterov ? f32(h[g + i] + f32(mu * vi)) : vi))));
    bad += pn - pn;
  }
  return bad === 0 ? 0 : 1;
}

/** Adam (decay > 0: AdamW): M = flush(β1M + (1−β1)G), V = flush(β2V + (1−β2)G²), P −= lr·(M̂/(√V̂ + ε) + decay·P), in f32. */
export function adam(
  h: Float32Array,
  n: number,
  p: number,
  g: number,
  m: number,
  v: number,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  t: number,
  decay: number,
): number {
  const [rate, b1, b2, e, wd] = [f32(lr), f32(beta1), f32(beta2), f32(eps), f32(decay)];
  const [rest1, rest2] = [f32(1 - beta1), f32(1 - beta2)];
  const c1 = f32(1 / (1 - Math.pow(beta1, t))),
    c2 = f32(1 / (1 - Math.pow(beta2, t)));
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const gi = h[g + i];
    const mi = (h[m + i] = flush(f32(f32(b1 * h[m + i]) + f32(rest1 * gi))));
    const vi = (h[v + i] = flush(f32(f32(b2 * h[v + i]) + f32(f32(rest2 * gi) * gi))));
    const update = f32(f32(f32(mi * c1) / f32(f32(Math.sqrt(f32(vi * c2))) + e)) + f32(wd * h[p + i]));
    const pn = (h[p + i] = f32(h[p + i] - f32(rate * update)));
    bad += pn - pn + (vi - vi); // a non-finite M makes P non-finite; V = +∞ need not (M/∞ = 0)
  }
  return bad === 0 ? 0 : 1;
}

/** RMSprop: S = flush(ρS + (1−ρ)G²), P −= lr·G/(√S + ε), in f32. */
export function rmsprop(h: Float32Array, n: number, p: number, g: number, s: number, lr: number, rho: number, eps: number): number {
  const [rate, r, rest, e] = [f32(lr), f32(rho), f32(1 - rho), f32(eps)];
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const gi = h[g + i];
    const si = (h[s + i] = flush(f32(f32(r * h[s + i]) + f32(f32(rest * gi) * gi))));
    const pn = (h[p + i] = f32(h[p + i] - f32(f32(rate * gi) / f32(f32(Math.sqrt(si)) + e))));
    bad += pn - pn + (si - si);
  }
  return bad === 0 ? 0 : 1;
}

/** Adagrad: S = flush(S + G²), P −= lr·G/(√S + ε), in f32. */
export function adagrad(h: Float32Array, n: number, p: number, g: number, s: number, lr: number, eps: number): number {
  const [rate, e] = [f32(lr), f32(eps)];
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const gi = h[g + i];
    const si = (h[s + i] = flush(f32(h[s + i] + f32(gi * gi))));
    const pn = (h[p + i] = f32(h[p + i] - f32(f32(rate * gi) / f32(f32(Math.sqrt(si)) + e))));
    bad += pn - pn + (si - si);
  }
  return bad === 0 ? 0 : 1;
}
