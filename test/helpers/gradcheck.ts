// Central finite differences of net.loss against analytic gradients: an oracle that uses only
// the forward pass, so it is independent of every backward kernel.
import type { Network, LayerWeights } from '../../src/index.js';

type Data = number[][];

/**
 * Max over parameters of |analytic − numeric| / max(1e-3, |analytic| + |numeric|): relative for
 * ordinary gradients, absolute (×1e3) for tiny ones, where central differences with h = 1e-5 carry
 * ~1e-10 of truncation and rounding error.
 */
export function gradCheckError(net: Network, x: Data, y: Data, analytic: LayerWeights[] = net.gradients(x, y), h = 1e-5): number {
  const base = net.getWeights();
  let worst = 0;
  const probe = (set: (w: LayerWeights[], v: number) => void, v0: number, a: number) => {
    const at = (v: number) => {
      const w = structuredClone(base);
      set(w, v);
      net.setWeights(w);
      return net.loss(x, y);
    };
    const numeric = (at(v0 + h) - at(v0 - h)) / (2 * h);
    worst = Math.max(worst, Math.abs(a - numeric) / Math.max(1e-3, Math.abs(a) + Math.abs(numeric)));
  };
  base.forEach((layer, l) => {
    layer.weights.forEach((row, o) => row.forEach((v, i) => probe((w, nv) => (w[l].weights[o][i] = nv), v, analytic[l].weights[o][i])));
    layer.bias?.forEach((v, o) => probe((w, nv) => (w[l].bias![o] = nv), v, analytic[l].bias![o]));
  });
  net.setWeights(base);
  return worst;
}
