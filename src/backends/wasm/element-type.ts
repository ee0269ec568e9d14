// The element types a per-shape step is written in (see unrolled-step.ts): f64, or f32 for an
// f32 network beside the f32 build. One emitter takes either, so the f32 step is the f64 one's
// code with other instructions, never a second copy.
import { op, F64, F32 } from './encode.js';

/**
 * The element type of a network's values (the main module's `real`): the value type, its size
 * and its instructions. Bookkeeping (plan fields, counters, perm, out, lrs) stays in f64 cells
 * either way; the f64 → f32 rounding happens where the f32 build's `<real>` does.
 */
export interface ElementType {
  readonly type: typeof F64 | typeof F32;
  /** log2 of the bytes per value: byte address = element offset << shift. */
  readonly shift: 2 | 3;
  readonly load: number;
  readonly store: number;
  readonly add: number;
  readonly sub: number;
  readonly mul: number;
  readonly abs: number;
  readonly ne: number;
  readonly lt: number;
  readonly gt: number;
  readonly ge: number;
  /** To f64 and back (nothing in f64): around the main module's f64 functions and the f64 sums. */
  readonly promote: readonly number[];
  readonly demote: readonly number[];
  /** The smallest normal value: optimizer state below it is flushed to +0 (assembly/optimizers.ts MIN_NORMAL). */
  readonly minNormal: number;
}

export const REAL_F64: ElementType = {
  type: F64,
  shift: 3,
  load: op.f64Load,
  store: op.f64Store,
  add: op.f64Add,
  sub: op.f64Sub,
  mul: op.f64Mul,
  abs: op.f64Abs,
  ne: op.f64Ne,
  lt: op.f64Lt,
  gt: op.f64Gt,
  ge: op.f64Ge,
  promote: [],
  demote: [],
  minNormal: 2.2250738585072014e-308,
};

export const REAL_F32: ElementType = {
  type: F32,
  shift: 2,
  load: op.f32Load,
  store: op.f32Store,
  add: op.f32Add,
  sub: op.f32Sub,
  mul: op.f32Mul,
  abs: op.f32Abs,
  ne: op.f32Ne,
  lt: op.f32Lt,
  gt: op.f32Gt,
  ge: op.f32Ge,
  promote: [op.f64PromoteF32],
  demote: [op.f32DemoteF64],
  minNormal: 1.1754943508222875e-38,
};
