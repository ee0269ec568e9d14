import { ld, st } from './mem';

/**
 * SGD with optional (Nesterov) momentum over n parameters P, gradients G, velocity V:
 * μ = 0: P −= lr·G;  else V = μV + G, P −= lr·V (Nesterov: P −= lr·(G + μV)).
 */
export function sgd(n: i32, p: i32, g: i32, v: i32, lr: f64, momentum: f64, nesterov: i32): void {
  if (momentum == 0) {
    for (let i = 0; i < n; i++) st(p + i, ld(p + i) - lr * ld(g + i));
    return;
  }
  for (let i = 0; i < n; i++) {
    const gi = ld(g + i);
    const vi = momentum * ld(v + i) + gi;
    st(v + i, vi);
    st(p + i, ld(p + i) - lr * (nesterov ? gi + momentum * vi : vi));
  }
}
