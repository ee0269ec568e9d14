// The plan table: a network's shape and buffer offsets, one f64 per field, written into the heap
// so that a fused pass needs only (plan, rows). assembly/plan.ts holds the same field numbers.
export const F = {
  nLayers: 0, loss: 1, inputs: 2, x: 3, y: 4, d0: 5, d1: 6, params: 7, grads: 8, state: 9,
  nParams: 10, optimizer: 11, lr: 12, beta1: 13, nesterov: 14, beta2: 15, eps: 16,
  weightDecay: 17, clipNorm: 18, clipValue: 19, counters: 20, metric: 21, fusable: 22,
  // Set to 1 by a kernel whose update made a parameter or optimizer state value non-finite; cleared by the caller.
  diverged: 23,
  // Where trainStep keeps a copy of params | state | counters while it runs (in the work block).
  snapshot: 24,
} as const;
export const HEADER = 26;
export const L = { inputs: 0, units: 1, act: 2, w: 3, b: 4, z: 5, a: 6, l2: 7, dropout: 8, mask: 9 } as const;
export const LAYER = 10;

export const planSize = (layers: number) => HEADER + layers * LAYER;
export const layerAt = (plan: number, l: number) => plan + HEADER + l * LAYER;
