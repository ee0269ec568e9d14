import { loadInt, ldCell, stCell, CELL } from './mem';
import { HEADER, LAYER } from './plan.generated';

// The plan table: the network's shape and buffer offsets, written into memory by src/core.ts.
// One f64 cell per field (CELL elements: see mem.ts); offsets are element indices of `real`. The
// field numbers are generated from src/plan.ts.
export * from './plan.generated';

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
