// Seeded initial weights, uniform (one draw per weight, so start-up stays fast): He uniform
// U(±√(6/in)) for (leaky) ReLU layers, Glorot uniform U(±√(6/(in+out))) otherwise; zero biases.
import type { Layer } from './spec.js';
import type { Layout } from './layout.js';
import { Rng } from './rng.js';

export function initParams(layers: Layer[], layout: Layout, seed: number, out: Float64Array): void {
  const rng = new Rng(seed);
  layers.forEach((l, i) => {
    const { w, b } = layout.layers[i];
    const he = l.activation === 'relu' || l.activation === 'leakyRelu';
    const limit = Math.sqrt(6 / (he ? l.inputs : l.inputs + l.units));
    for (let j = 0; j < l.units * l.inputs; j++) out[w + j] = limit * (2 * rng.next() - 1);
    if (b >= 0) out.fill(0, b, b + l.units);
  });
}
