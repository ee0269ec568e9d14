// Where each layer's parameters sit in the flat blocks. Parameters, gradients and optimizer
// state are each one block of `size` elements laid out by these same offsets.
import type { ResolvedLayer } from './spec.js';

export interface LayerSlots {
  w: number; // weights[out][in], row-major: units × inputs
  b: number; // bias[out], or -1 without bias
}

export interface Layout {
  layers: LayerSlots[];
  size: number; // parameters in all
}

/** Where each layer's weights and bias start in the parameter block, and its size. @internal */
export function layoutOf(layers: ResolvedLayer[]): Layout {
  let at = 0;
  const slots = layers.map((l) => {
    const w = at;
    at += l.units * l.inputs;
    const b = l.bias ? at : -1;
    if (l.bias) at += l.units;
    return { w, b };
  });
  return { layers: slots, size: at };
}

/** Sizes of the per-capacity work buffers: batch X and Y, each layer's Z and A, two deltas. @internal */
export function workSize(layers: ResolvedLayer[], inputs: number, capacity: number, padTo: (n: number) => number = pad): number {
  const widest = Math.max(...layers.map((l) => l.units));
  const zs = layers.reduce((s, l) => s + 2 * padTo(capacity * l.units), 0);
  return padTo(capacity * inputs) + padTo(capacity * layers[layers.length - 1].units) + zs + 2 * padTo(capacity * widest);
}

/** Rounds up to an even count so every buffer starts 16-byte aligned. @internal */
export const pad = (n: number) => n + (n % 2); // not (n + 1) & ~1: that wraps past 2³¹

/** Rounds up to a multiple of 4: an f32 buffer's 16-byte alignment (4 values per v128). @internal */
export const pad4 = (n: number) => n + ((4 - (n % 4)) % 4);
