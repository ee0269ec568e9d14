import { loadInt, ldCell, stCell, CELL } from './mem';

// The plan table: the network's shape and buffer offsets, written into memory by src/plan.ts
// (which holds the same field numbers). One f64 cell per field (CELL elements: see mem.ts); offsets
// are element indices of `real`.
export const N_LAYERS = 0;
export const LOSS = 1;
export const INPUTS = 2;
export const X = 3;
export const Y = 4;
export const D0 = 5;
export const D1 = 6;
export const PARAMS = 7;
export const GRADS = 8;
export const STATE = 9;
export const N_PARAMS = 10;
export const OPTIMIZER = 11;
export const LR = 12;
export const BETA1 = 13; // sgd momentum, adam β1, rmsprop ρ
export const NESTEROV = 14;
export const BETA2 = 15;
export const EPS = 16;
export const WEIGHT_DECAY = 17; // adamw's decoupled decay
export const CLIP_NORM = 18;
export const CLIP_VALUE = 19;
export const COUNTERS = 20; // offset of [optimizer step t, dropout stream]
export const METRIC = 21;
export const FUSABLE = 22; // 1 when one-sample steps may take the fused path (see fused.ts)
export const DIVERGED = 23; // set to 1 when an update made a parameter or state value non-finite (cleared by the host)
export const SNAPSHOT = 24; // trainStep's copy of params | state | counters (work block), to undo a diverged update
export const HEADER = 26;

export const L_INPUTS = 0;
export const L_UNITS = 1;
export const L_ACT = 2;
export const L_W = 3;
export const L_B = 4;
export const L_Z = 5;
export const L_A = 6;
export const L_L2 = 7;
export const L_DROPOUT = 8;
export const L_MASK = 9;
export const LAYER = 10;


// Integer fields are read with loadInt (mem.ts), not <i32>: V8's TurboFan sinks i32.trunc_sat_f64_s
// (a multi-instruction sequence with a false register dependency) into the loops that use the
// value, which made small-layer passes up to 8× slower.

/** An integer header field of the plan. */
@inline export function planInt(plan: i32, f: i32): i32 {
  return loadInt(plan + f * CELL);
}

/** An integer field of layer l. */
@inline export function layerInt(plan: i32, l: i32, f: i32): i32 {
  return loadInt(plan + (HEADER + l * LAYER + f) * CELL);
}

/** An f64 header field of the plan (rates, thresholds). */
@inline export function planValue(plan: i32, f: i32): f64 {
  return ldCell(plan + f * CELL);
}

/** Writes an f64 header field of the plan (the learning rate of a scheduled batch, the DIVERGED flag). */
@inline export function setPlanValue(plan: i32, f: i32, v: f64): void {
  stCell(plan + f * CELL, v);
}

/** An f64 field of layer l (l2, dropout rate). */
@inline export function layerValue(plan: i32, l: i32, f: i32): f64 {
  return ldCell(plan + (HEADER + l * LAYER + f) * CELL);
}
