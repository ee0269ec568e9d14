// The MNIST split lives with the CLI (src/cli/mnist.ts), which needs it at run time; the
// benchmarks and examples use the very same loader.
import { PIXELS, CLASSES } from '../src/cli/mnist.js';
export { loadMnist, PIXELS, CLASSES, type MnistSplit } from '../src/cli/mnist.js';

/** The threads benches' network (bench/threads.ts, thread-phases.ts, fit-phases.ts): MNIST 784-128-10, relu and softmax, Adam 0.001, seed 1. */
export const threadsSpec = (precision: 'f64' | 'f32' = 'f64') => ({
  inputs: PIXELS,
  layers: [
    { units: 128, activation: 'relu' as const },
    { units: CLASSES, activation: 'softmax' as const },
  ],
  loss: 'crossEntropy' as const,
  optimizer: { type: 'adam' as const, learningRate: 0.001 },
  seed: 1,
  precision,
});
