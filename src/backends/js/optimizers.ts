// Plain twin of assembly/optimizers.ts.

const MIN_NORMAL = 2.2250738585072014e-308;
/** x, or +0 when |x| < 2⁻¹⁰²² (NaN stays NaN): optimizer state never sinks into subnormals (see assembly/optimizers.ts). */
export const flush = (x: number): number => (Math.abs(x) < MIN_NORMAL ? 0 : x);

/** SGD: μ = 0: P −= lr·G; else V = flush(μV + G), P −= lr·V (Nesterov: P −= lr·(G + μV)). */
export function sgd(h: Float64Array, n: number, p: number, g: number, v: number, lr: number, momentum: number, nesterov: number): void {
  for (let i = 0; i < n; i++) {
    if (momentum === 0) {
      h[p + i] -= lr * h[g + i];
      continue;
    }
    const vi = (h[v + i] = flush(momentum * h[v + i] + h[g + i]));
    h[p + i] -= lr * (nesterov ? h[g + i] + momentum * vi : vi);
  }
}

/** Adam (decay > 0: AdamW): M = flush(β1M + (1−β1)G), V = flush(β2V + (1−β2)G²), P −= lr·(M̂/(√V̂ + ε) + decay·P). */
export function adam(h: Float64Array, n: number, p: number, g: number, m: number, v: number, lr: number, beta1: number, beta2: number, eps: number, t: number, decay: number): void {
  const c1 = 1 / (1 - Math.pow(beta1, t)), c2 = 1 / (1 - Math.pow(beta2, t));
  for (let i = 0; i < n; i++) {
    const gi = h[g + i];
    const mi = (h[m + i] = flush(beta1 * h[m + i] + (1 - beta1) * gi));
    const vi = (h[v + i] = flush(beta2 * h[v + i] + (1 - beta2) * gi * gi));
    h[p + i] -= lr * ((mi * c1) / (Math.sqrt(vi * c2) + eps) + decay * h[p + i]);
  }
}

/** RMSprop: S = flush(ρS + (1−ρ)G²), P −= lr·G/(√S + ε). */
export function rmsprop(h: Float64Array, n: number, p: number, g: number, s: number, lr: number, rho: number, eps: number): void {
  for (let i = 0; i < n; i++) {
    const gi = h[g + i];
    const si = (h[s + i] = flush(rho * h[s + i] + (1 - rho) * gi * gi));
    h[p + i] -= (lr * gi) / (Math.sqrt(si) + eps);
  }
}

/** Adagrad: S = flush(S + G²), P −= lr·G/(√S + ε). */
export function adagrad(h: Float64Array, n: number, p: number, g: number, s: number, lr: number, eps: number): void {
  for (let i = 0; i < n; i++) {
    const gi = h[g + i];
    const si = (h[s + i] = flush(h[s + i] + gi * gi));
    h[p + i] -= (lr * gi) / (Math.sqrt(si) + eps);
  }
}
