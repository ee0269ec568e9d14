// The plan table: a network's shape and buffer offsets, one f64 per field, written into the heap
// so that a fused pass needs only (plan, rows). These tables are the only place the numbers are
// written: scripts/kinds.ts generates assembly/plan.generated.ts from them (PLAN_FIELD.nLayers →
// N_LAYERS, LAYER_FIELD.units → L_UNITS) before asc runs.
export const PLAN_FIELD = {
  nLayers: 0,
  loss: 1,
  inputs: 2,
  x: 3,
  y: 4,
  d0: 5,
  d1: 6,
  params: 7,
  grads: 8,
  state: 9,
  nParams: 10,
  optimizer: 11,
  lr: 12,
  decay1: 13, // the first decay rate: sgd's momentum, adam's β1, rmsprop's ρ
  nesterov: 14,
  decay2: 15, // adam's β2
  eps: 16,
  weightDecay: 17,
  clipNorm: 18,
  clipValue: 19,
  counters: 20, // offset of [optimizer step t, dropout stream]
  metric: 21,
  fusable: 22, // 1 when one-sample steps may take the fused path (assembly/fused.ts)
  // Set to 1 by a kernel whose update made a parameter or optimizer state value non-finite; cleared by the caller.
  diverged: 23,
  // Where trainStep keeps a copy of params | state | counters while it runs (in the work block).
  snapshot: 24,
} as const;
/** Cells in the plan's header (one spare). */
export const HEADER = 26;
/** The fields of each layer's record, after the header. */
export const LAYER_FIELD = { inputs: 0, units: 1, act: 2, w: 3, b: 4, z: 5, a: 6, l2: 7, dropout: 8, mask: 9 } as const;
/** Cells per layer record. */
export const LAYER = 10;

export const planSize = (layers: number) => HEADER + layers * LAYER;
export const layerAt = (plan: number, l: number) => plan + HEADER + l * LAYER;
