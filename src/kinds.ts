// Names users write ↔ the numbers kernels take. assembly/activations.ts and assembly/losses.ts
// hold the same numbers.
export const ACTIVATIONS = ['linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'softmax'] as const;
export const LOSSES = ['halfSquaredError', 'mse', 'crossEntropy', 'binaryCrossEntropy'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export type Loss = (typeof LOSSES)[number];

export const Act = { linear: 0, sigmoid: 1, tanh: 2, relu: 3, leakyRelu: 4, softmax: 5 } as const;
export const LossKind = { halfSquaredError: 0, mse: 1, crossEntropy: 2, binaryCrossEntropy: 3 } as const;
export const LEAKY_SLOPE = 0.01;

/** True when lossBackward yields dL/dZ of the output layer directly (the fused pairs). */
export function fusedWithOutput(loss: number): boolean {
  return loss === LossKind.crossEntropy || loss === LossKind.binaryCrossEntropy;
}
