// Seeded initial weights, uniform (one draw per weight, so start-up stays fast), by the scheme
// each activation's descriptor names (src/kinds/activations.ts): He U(±√(6/in)), LeCun U(±√(3/in))
// or Glorot U(±√(6/(in+out))); zero biases.
import type { ResolvedLayer } from './spec.js';
import type { Layout } from './layout.js';
import { Rng } from './rng.js';
import { ACTIVATION_KINDS, type InitScheme } from './kinds/activations.js';

/** The half-width of the uniform draw: variance 2/in (He), 1/in (LeCun) or 2/(in+out) (Glorot). */
function initLimit(scheme: InitScheme, inputs: number, units: number): number {
  switch (scheme) {
    case 'he':
      return Math.sqrt(6 / inputs);
    case 'lecun':
      return Math.sqrt(3 / inputs);
    case 'glorot':
      return Math.sqrt(6 / (inputs + units));
  }
}

export function initParams(layers: ResolvedLayer[], layout: Layout, seed: number, out: Float64Array | Float32Array): void {
  const rng = new Rng(seed);
  layers.forEach((l, i) => {
    const { w, b } = layout.layers[i];
    const limit = initLimit(ACTIVATION_KINDS[l.activation].init, l.inputs, l.units);
    for (let j = 0; j < l.units * l.inputs; j++) out[w + j] = limit * (2 * rng.next() - 1);
    if (b >= 0) out.fill(0, b, b + l.units);
  });
}
