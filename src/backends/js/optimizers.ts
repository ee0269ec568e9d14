// Plain twin of assembly/optimizers.ts. Each kernel returns 1 when a new parameter or state value
// is NaN or ±Infinity (an update that overflowed), else 0; the values are written either way.

const MIN_NORMAL = 2.2250738585072014e-308;
/** x, or +0 when |x| < 2⁻¹⁰²² (NaN stays NaN): optimizer state never sinks into subnormals (see assembly/optimizers.ts). */
export const flush = (x: number): number => (Math.abs(x) < MIN_NORMAL ? 0 : x);

/** SGD: μ = 0: P −= lr·G; else V = flush(μV + G), P −= lr·V (Nesterov: P −= lr·(G + μV)). Returns 1 when a new P or V is not finite. */
export function sgd(h: Float64Array, n: number, p: number, g: number, v: number, lr: number, momentum: number, nesterov: number): number {
  let bad = 0; // Σ (x − x) over the new values: 0 while all are finite, NaN after one is not
  for (let i = 0; i < n; i++) {
    if (momentum === 0) {
      const pn = (h[p + i] -= lr * h[g + i]);
      bad += pn - pn;
      continue;
    }
    const vi = (h[v + i] = flush(momentum * h[v + i] + h[g + i]));
    const pn = (h[p + i] -= lr * (nesterov ? h[g + i] + momentum * vi : vi));
    bad += pn - pn; // a non-finite V makes P non-finite too
  }
  return bad === 0 ? 0 : 1;
}

/** Adam (decay > 0: AdamW): M = flush(β1M + (1−β1)G), V = flush(β2V + (1−β2)G²), P −= lr·(M̂/(√V̂ + ε) + decay·P). Returns 1 when a new P, M or V is not finite. */
export function adam(
  h: Float64Array,
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
  const c1 = 1 / (1 - Math.pow(beta1, t)),
    c2 = 1 / (1 - Math.pow(beta2, t));
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const gi = h[g + i];
    const mi = (h[m + i] = flush(beta1 * h[m + i] + (1 - beta1) * gi));
    const vi = (h[v + i] = flush(beta2 * h[v + i] + (1 - beta2) * gi * gi));
    const pn = (h[p + i] -= lr * ((mi * c1) / (Math.sqrt(vi * c2) + eps) + decay * h[p + i]));
    bad += pn - pn + (vi - vi); // a non-finite M makes P non-finite; V = +∞ need not (M/∞ = 0)
  }
  return bad === 0 ? 0 : 1;
}

/** RMSprop: S = flush(ρS + (1−ρ)G²), P −= lr·G/(√S + ε). Returns 1 when a new P or S is not finite. */
export function rmsprop(h: Float64Array, n: number, p: number, g: number, s: number, lr: number, rho: number, eps: number): number {
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const gi = h[g + i];
    const si = (h[s + i] = flush(rho * h[s + i] + (1 - rho) * gi * gi));
    const pn = (h[p + i] -= (lr * gi) / (Math.sqrt(si) + eps));
    bad += pn - pn + (si - si);
  }
  return bad === 0 ? 0 : 1;
}

/** Adagrad: S = flush(S + G²), P −= lr·G/(√S + ε). Returns 1 when a new P or S is not finite. */
export function adagrad(h: Float64Array, n: number, p: number, g: number, s: number, lr: number, eps: number): number {
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const gi = h[g + i];
    const si = (h[s + i] = flush(h[s + i] + gi * gi));
    const pn = (h[p + i] -= (lr * gi) / (Math.sqrt(si) + eps));
    bad += pn - pn + (si - si);
  }
  return bad === 0 ? 0 : 1;
}
