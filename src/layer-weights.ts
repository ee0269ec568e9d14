// Parameters as users see them — per layer, weights [out][in] and bias [out] — to and from the flat
// parameter block (src/layout.ts).
import { BackpropError } from './errors.js';
import { toRows } from './data.js';
import type { ResolvedSpec } from './spec.js';
import type { Layout } from './layout.js';

export interface LayerWeights {
  weights: number[][]; // [out][in]
  bias?: number[]; // [out], present when the layer has a bias
}

/** The layers of the parameter block at `at` in `heap` (a backend's values()). @internal */
export function unpackLayers(heap: Float64Array | Float32Array, at: number, spec: ResolvedSpec, layout: Layout): LayerWeights[] {
  return spec.layers.map((l, i) => {
    const s = layout.layers[i];
    const weights: number[][] = [];
    for (let o = 0; o < l.units; o++) weights.push(Array.from(heap.subarray(at + s.w + o * l.inputs, at + s.w + (o + 1) * l.inputs)));
    return s.b >= 0 ? { weights, bias: Array.from(heap.subarray(at + s.b, at + s.b + l.units)) } : { weights };
  });
}

/**
 * A parameter block from every layer's weights (and bias; omitted means zeros), checked whole
 * before anything is written: INVALID_DATA naming the first bad field.
 * @internal
 */
export function packLayers(layers: LayerWeights[], spec: ResolvedSpec, layout: Layout): Float64Array {
  const bad = (field: string, expected: string, got: unknown): never => {
    throw new BackpropError('INVALID_DATA', field, expected, got);
  };
  if (!Array.isArray(layers) || layers.length !== spec.layers.length) bad('weights', `an array of ${spec.layers.length} layers`, layers);
  const next = new Float64Array(layout.size);
  spec.layers.forEach((l, i) => {
    const given = layers[i];
    if (typeof given !== 'object' || given === null) bad(`weights[${i}]`, '{ weights, bias? }', given);
    // Each property read once (a getter may answer differently the next time); toRows copies, then checks.
    const { weights, bias } = given;
    const w = toRows(weights, l.inputs, `weights[${i}].weights`);
    if (w.rows !== l.units || w.shape !== 'nested') bad(`weights[${i}].weights`, `${l.units} rows of ${l.inputs} numbers`, weights);
    next.set(w.data, layout.layers[i].w);
    if (bias !== undefined) {
      if (!l.bias) bad(`weights[${i}].bias`, 'no bias (the layer has bias: false)', bias);
      const b = toRows(bias, l.units, `weights[${i}].bias`);
      if (b.shape !== 'single') bad(`weights[${i}].bias`, `${l.units} numbers`, bias);
      next.set(b.data, layout.layers[i].b);
    }
  });
  return next;
}
