// Names users write ↔ the numbers kernels take. Activations are described in kinds/activations.ts
// (assembly/kinds.generated.ts is written from it); assembly/losses.ts holds the loss numbers.
export { ACTIVATIONS, Act, LEAKY_SLOPE, type Activation } from './kinds/activations.js';
export const LOSSES = ['halfSquaredError', 'mse', 'crossEntropy', 'binaryCrossEntropy'] as const;
export type Loss = (typeof LOSSES)[number];

export const LossKind = { halfSquaredError: 0, mse: 1, crossEntropy: 2, binaryCrossEntropy: 3 } as const;

/** True when lossBackward yields dL/dZ of the output layer directly (the fused pairs). */
export function fusedWithOutput(loss: number): boolean {
  return loss === LossKind.crossEntropy || loss === LossKind.binaryCrossEntropy;
}

export const OPTIMIZERS = ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
export const Opt = { sgd: 0, adam: 1, adamw: 2, rmsprop: 3, adagrad: 4 } as const;
/** Optimizer state blocks (each the size of the parameter block). */
export const stateBlocks = (o: OptimizerName) => (o === 'adam' || o === 'adamw' ? 2 : 1);

export const Metric = { none: 0, categoricalAccuracy: 1, binaryAccuracy: 2, mae: 3 } as const;
/** The metric reported beside each loss: accuracy for classification, MAE for regression. */
export const metricFor = (loss: Loss): number =>
  loss === 'crossEntropy' ? Metric.categoricalAccuracy : loss === 'binaryCrossEntropy' ? Metric.binaryAccuracy : Metric.mae;
