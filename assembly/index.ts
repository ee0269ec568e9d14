// The ABI: every export takes and returns numbers only (f64 element offsets, sizes, kinds).
export { gemmABt, gemmAtB, gemmAB } from './gemm';
export { addBias, sumRows, activate, activateBackward, sigmoidOne as sigmoid, tanhOne as tanh, expOne as exp, activationOne, derivativeOne } from './activations';
export { erf } from './detmath'; // gelu's erf, exported so a test can hold it to src/detmath.ts bit for bit
export { loss, lossBackward } from './losses';
export { sgd, adam, rmsprop, adagrad } from './optimizers';
export { axpy, sumSquares, scale, clipValue, multiply, dropoutMask } from './regularize';
export { metric } from './metrics';
export { gather } from './gather';
export { forward, batchLoss, backward, step, trainStep, trainBatches, keepStep, undoStep, paramsNonFinite } from './network';

/** First f64 element index free for the host's allocator (above static data). */
export function heapStart(): i32 {
  return <i32>((__heap_base + 15) & ~15) >> 3;
}

/** 1 in the fma build (GEMM with relaxed SIMD fused multiply-add), else 0. */
export function fma(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}

/** Bytes per value: 8 in the f64 builds, 4 in the f32 build (offsets are element indices of this size). */
export function elementBytes(): i32 {
  return <i32>sizeof<real>();
}
