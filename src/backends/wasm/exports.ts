// What the Wasm module must export, name by name with each function's number of parameters: the
// Kernels interface (its arities checked against the interface when this compiles) and the few
// exports beside it. The loader checks a module against this at instantiation, so a module built
// from other sources (a stale build, a user's `wasm` option, a kernel renamed on one side only)
// fails there with one line instead of as `undefined is not a function` mid-training.
// (Node 20 has no WebAssembly.Function type reflection: `.length` of an exported function is its
// parameter count, which is what is compared.)
import type { Kernels } from '../backend.js';
import { BackpropError, words } from '../../errors.js';

/** Every Kernels method with its parameter count; a missing, extra or miscounted entry does not compile. */
export const KERNEL_ARITY = {
  gemmABt: 7,
  gemmAtB: 7,
  gemmAB: 7,
  addBias: 4,
  sumRows: 4,
  activate: 5,
  activateBackward: 7,
  loss: 6,
  lossBackward: 6,
  sgd: 7,
  adam: 11,
  rmsprop: 7,
  adagrad: 6,
  axpy: 4,
  sumSquares: 2,
  scale: 3,
  clipValue: 3,
  multiply: 3,
  dropoutMask: 4,
  metric: 5,
  gather: 6,
  forward: 3,
  batchLoss: 2,
  backward: 3,
  step: 1,
  trainStep: 2,
  trainBatches: 9,
} as const satisfies { [K in keyof Kernels]: Parameters<Kernels[K]>['length'] };

/**
 * The module's other function exports: the heap's start, the fma flag, the element size (4 in the
 * f32 build), the element functions and
 * step helpers the per-shape modules import (activation-emit.ts IMPORTS).
 */
export const OTHER_EXPORTS = {
  heapStart: 0,
  fma: 0,
  elementBytes: 0,
  sigmoid: 1,
  tanh: 1,
  exp: 1,
  erf: 1,
  activationOne: 2,
  derivativeOne: 3,
  keepStep: 1,
  undoStep: 1,
  paramsNonFinite: 1,
} as const;

/**
 * Throws INVALID_OPTION at `wasm`, naming the first difference, unless `exports` has exactly a
 * `memory` and the functions above (plus `extra`, e.g. the threads build's), each with its arity.
 */
export function checkExports(exports: WebAssembly.Exports, extra: Readonly<Record<string, number>> = {}): void {
  const expected: Record<string, number> = { ...KERNEL_ARITY, ...OTHER_EXPORTS, ...extra };
  const mismatch = (what: string) =>
    new BackpropError(
      'INVALID_OPTION',
      'wasm',
      'a backprop-wasm module whose exports match src/backends/wasm/exports.ts (the Kernels interface)',
      words(`a module ${what}`),
    );
  if (!(exports.memory instanceof WebAssembly.Memory)) throw mismatch('without an exported memory');
  for (const [name, arity] of Object.entries(expected)) {
    const f = exports[name];
    if (typeof f !== 'function') throw mismatch(`without the function export ${name}`);
    if (f.length !== arity) throw mismatch(`whose export ${name} takes ${f.length} parameters, not ${arity}`);
  }
  for (const name of Object.keys(exports)) {
    if (name !== 'memory' && !Object.hasOwn(expected, name)) throw mismatch(`with an export ${name} that no interface names`);
  }
}
