/**
 * What a backend implements: kernels over element offsets into one heap, and the heap itself.
 * The Wasm backend's kernels are the module's exports; the JS backend's are the plain twins.
 * Elements are f64, or f32 for a backend of precision 'f32' (ARCHITECTURE.md, Precision): there
 * offsets of values are f32 element indices, and bookkeeping (plan, counters, perm, out, lrs)
 * stays in f64 cells at element 2·i.
 */
export interface Kernels {
  gemmABt(m: number, n: number, k: number, a: number, b: number, c: number, acc: number): void;
  gemmAtB(m: number, n: number, k: number, a: number, b: number, c: number, acc: number): void;
  gemmAB(m: number, n: number, k: number, a: number, b: number, c: number, acc: number): void;
  addBias(rows: number, cols: number, b: number, z: number): void;
  sumRows(rows: number, cols: number, dz: number, db: number): void;
  activate(kind: number, rows: number, cols: number, z: number, a: number): void;
  activateBackward(kind: number, rows: number, cols: number, z: number, a: number, da: number, dz: number): void;
  loss(kind: number, rows: number, cols: number, z: number, a: number, y: number): number;
  lossBackward(kind: number, rows: number, cols: number, a: number, y: number, g: number): void;
  sgd(n: number, p: number, g: number, v: number, lr: number, momentum: number, nesterov: number): number;
  adam(
    n: number,
    p: number,
    g: number,
    m: number,
    v: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    t: number,
    decay: number,
  ): number;
  rmsprop(n: number, p: number, g: number, s: number, lr: number, rho: number, eps: number): number;
  adagrad(n: number, p: number, g: number, s: number, lr: number, eps: number): number;
  axpy(n: number, alpha: number, x: number, y: number): void;
  sumSquares(n: number, x: number): number;
  scale(n: number, x: number, alpha: number): void;
  clipValue(n: number, x: number, c: number): void;
  multiply(n: number, x: number, m: number): void;
  dropoutMask(n: number, m: number, rate: number, seed: number): void;
  metric(kind: number, rows: number, cols: number, a: number, y: number): number;
  gather(rows: number, width: number, data: number, perm: number, from: number, out: number): void;
  // The fused passes over a plan table (see src/plan.ts and src/passes.ts).
  forward(plan: number, rows: number, training: number): void;
  batchLoss(plan: number, rows: number): number;
  backward(plan: number, rows: number, training: number): void;
  step(plan: number): number;
  trainStep(plan: number, rows: number): number;
  trainBatches(
    plan: number,
    dataX: number,
    dataY: number,
    perm: number,
    start: number,
    count: number,
    batchSize: number,
    out: number,
    lrs: number,
  ): number;
}

import type { Homes } from './homes.js';
import type { ResolvedSpec, Precision } from '../spec.js';

export type BackendName = 'wasm' | 'js';

export interface Backend {
  readonly name: BackendName;
  readonly kernels: Kernels;
  /** The element type of its values; absent means 'f64'. */
  readonly precision?: Precision;
  /** The heap as f64 cells, as it is now; re-read after any alloc, which may replace the buffer. */
  heap(): Float64Array;
  /** The heap as values (Float64Array, or Float32Array at precision 'f32'), indexed by element offsets. */
  values(): Float64Array | Float32Array;
  /** Reserves n f64 units (16-byte aligned; zeroed unless `zeroed` is false); returns the offset in f64 units. */
  alloc(n: number, zeroed?: boolean): number;
  free(offset: number): void;
  /** Elements allocated now. */
  readonly inUse: number;
  /** True for the wasm backend's fma build. */
  readonly fma?: boolean;
  /** Residency of the networks that use this heap. */
  readonly homes: Homes;
  /** Kernels specialized for a network's shape (trainStep, trainBatches), where the backend generates them. */
  specialize?(spec: ResolvedSpec, params: number): Kernels | undefined;
}
