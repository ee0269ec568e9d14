// The plan table: a network's shape and buffer offsets, one f64 per field, written into the heap
// so that a fused pass needs only (plan, rows). assembly/plan.ts holds the same field numbers.
export const F = {
  nLayers: 0, loss: 1, inputs: 2, x: 3, y: 4, d0: 5, d1: 6, params: 7, grads: 8, state: 9,
  nParams: 10, optimizer: 11, lr: 12, momentum: 13, nesterov: 14,
} as const;
export const HEADER = 24;
export const L = { inputs: 0, units: 1, act: 2, w: 3, b: 4, z: 5, a: 6 } as const;
export const LAYER = 8;

export const planSize = (layers: number) => HEADER + layers * LAYER;
export const layerAt = (plan: number, l: number) => plan + HEADER + l * LAYER;
