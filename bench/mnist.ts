// The MNIST split lives with the CLI (src/cli/mnist.ts), which needs it at run time; the
// benchmarks and examples use the very same loader.
export { loadMnist, PIXELS, CLASSES, type MnistSplit } from '../src/cli/mnist.js';
