// The f32 twins as one set of primitives: the reference for the Wasm f32 build and the js backend's
// f32 kernels. The convention (ARCHITECTURE.md, Precision): every offset counts f32 elements;
// values the network computes with are f32; the plan, counters, permutation, out and lrs stay f64
// cells, an f64 cell at offset o being Float64Array index o / 2.
import type { Primitives } from '../index.js';
import * as gemm from './gemm.js';
import * as act from './activations.js';
import * as losses from './losses.js';
import * as opt from './optimizers.js';
import * as reg from './regularize.js';
import { metric } from './metrics.js';
import { gather } from './gather.js';

/** The f32 primitives over the heap's current f32 view (values) and f64 view (cells). */
export function f32Primitives(values: () => Float32Array, cells: () => Float64Array): Primitives {
  const h = values;
  return {
    gemmABt: (...a) => gemm.gemmABt(h(), ...a),
    gemmAtB: (...a) => gemm.gemmAtB(h(), ...a),
    gemmAB: (...a) => gemm.gemmAB(h(), ...a),
    addBias: (...a) => act.addBias(h(), ...a),
    sumRows: (...a) => act.sumRows(h(), ...a),
    activate: (...a) => act.activate(h(), ...a),
    activateBackward: (...a) => act.activateBackward(h(), ...a),
    loss: (...a) => losses.loss(h(), ...a),
    lossBackward: (...a) => losses.lossBackward(h(), ...a),
    sgd: (...a) => opt.sgd(h(), ...a),
    adam: (...a) => opt.adam(h(), ...a),
    rmsprop: (...a) => opt.rmsprop(h(), ...a),
    adagrad: (...a) => opt.adagrad(h(), ...a),
    axpy: (...a) => reg.axpy(h(), ...a),
    sumSquares: (...a) => reg.sumSquares(h(), ...a),
    scale: (...a) => reg.scale(h(), ...a),
    clipValue: (...a) => reg.clipValue(h(), ...a),
    multiply: (...a) => reg.multiply(h(), ...a),
    dropoutMask: (...a) => reg.dropoutMask(h(), ...a),
    metric: (...a) => metric(h(), ...a),
    gather: (...a) => gather(h(), cells(), ...a),
  };
}
