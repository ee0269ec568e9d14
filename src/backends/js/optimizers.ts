// Plain twin of assembly/optimizers.ts.

/** SGD: μ = 0: P −= lr·G; else V = μV + G, P −= lr·V (Nesterov: P −= lr·(G + μV)). */
export function sgd(h: Float64Array, n: number, p: number, g: number, v: number, lr: number, momentum: number, nesterov: number): void {
  for (let i = 0; i < n; i++) {
    if (momentum === 0) {
      h[p + i] -= lr * h[g + i];
      continue;
    }
    const vi = (h[v + i] = momentum * h[v + i] + h[g + i]);
    h[p + i] -= lr * (nesterov ? h[g + i] + momentum * vi : vi);
  }
}
