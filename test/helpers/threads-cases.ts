// The threads suite's case tables, one for both precisions: test/helpers/threads-suite.ts runs every
// case in f64 and in f32 (`inPrecision` sets the spec's precision). A case is a name, a spec without
// a precision, fit options, the kind of targets and (exact cases) the number of threads.
import { ELEMENTWISE_ACTIVATIONS } from '../../src/kinds/activations.js';
import { PIXELS, CLASSES } from '../../bench/mnist.js';
import type { NetworkSpec } from '../../src/index.js';
import type { FitOptions } from '../../src/fit-options.js';
import type { Precision } from '../../src/spec.js';

export type Kind = 'class' | 'reg';
type Spec = Omit<NetworkSpec, 'precision'>;
export type CloseCase = [name: string, spec: Spec, options: FitOptions, kind: Kind];
export type ExactCase = [name: string, spec: Spec, options: FitOptions, kind: Kind, threads: number];

const adamDropoutL2: Spec = {
  inputs: 6,
  l2: 1e-3,
  layers: [{ units: 32, activation: 'relu', dropout: 0.25 }, { units: 16, activation: 'leakyRelu', dropout: 0.1 }, { units: 4 }],
  loss: 'crossEntropy',
  optimizer: { type: 'adam', learningRate: 0.01 },
};
const adamwClipNorm: Spec = {
  inputs: 4,
  layers: [
    { units: 9, activation: 'sigmoid' },
    { units: 2, activation: 'sigmoid' },
  ],
  loss: 'binaryCrossEntropy',
  optimizer: { type: 'adamw', learningRate: 0.02, weightDecay: 0.01, clipNorm: 0.5 },
};
const rmspropClipValue: Spec = {
  inputs: 3,
  layers: [
    { units: 11, activation: 'relu' },
    { units: 2, activation: 'linear' },
  ],
  loss: 'halfSquaredError',
  optimizer: { type: 'rmsprop', learningRate: 0.01, clipValue: 0.05 },
};

/** Threads within 1e-12 of one thread (data of 150 rows, seed 5), and the one-thread bits where batches have ≥ 2 rows. */
export const CLOSE: CloseCase[] = [
  [
    'sgd + nesterov momentum, tanh, mse, last batch short',
    {
      inputs: 5,
      layers: [
        { units: 24, activation: 'tanh' },
        { units: 3, activation: 'linear' },
      ],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true },
      seed: 11,
    },
    { epochs: 6, batchSize: 13 },
    'reg',
  ],
  ['adam, relu, dropout and L2, crossEntropy', { ...adamDropoutL2, seed: 12 }, { epochs: 5, batchSize: 20, validationSplit: 0.2 }, 'class'],
  [
    'adamw with clipNorm (the serial step), sigmoid, binaryCrossEntropy, odd batch',
    { ...adamwClipNorm, seed: 13 },
    { epochs: 5, batchSize: 7 },
    'class',
  ],
  [
    'rmsprop with clipValue, halfSquaredError, cosine schedule',
    { ...rmspropClipValue, seed: 14 },
    { epochs: 4, batchSize: 16, schedule: { type: 'cosine', minFactor: 0.1 } },
    'reg',
  ],
  [
    'adagrad, batches smaller than the thread count (1 row)',
    {
      inputs: 3,
      layers: [{ units: 5, activation: 'tanh' }, { units: 2 }],
      loss: 'crossEntropy',
      optimizer: { type: 'adagrad', learningRate: 0.05 },
      seed: 15,
    },
    { epochs: 2, batchSize: 1 },
    'class',
  ],
];

/**
 * Every thread ≥ 4 rows of every batch, so the one-thread bits (data of 240 rows, seed 9: a multiple
 * of every batchSize, also after a 0.2 validation split; batchSize ≥ 4 × threads).
 */
export const EXACT: ExactCase[] = [
  [
    'sgd + nesterov, two hidden layers (tanh, relu), mse; 2 threads',
    {
      inputs: 5,
      layers: [
        { units: 24, activation: 'tanh' },
        { units: 13, activation: 'relu' },
        { units: 3, activation: 'linear' },
      ],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true },
      seed: 21,
    },
    { epochs: 4, batchSize: 12 },
    'reg',
    2,
  ],
  [
    'sgd with momentum (not Nesterov), sigmoid, halfSquaredError; 4 threads',
    {
      inputs: 6,
      layers: [
        { units: 20, activation: 'sigmoid' },
        { units: 2, activation: 'linear' },
      ],
      loss: 'halfSquaredError',
      optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.8 },
      seed: 27,
    },
    { epochs: 4, batchSize: 16 },
    'reg',
    4,
  ],
  [
    'adam, dropout and L2 on every layer, crossEntropy, validation; 3 threads',
    { ...adamDropoutL2, seed: 22 },
    { epochs: 4, batchSize: 24, validationSplit: 0.2 },
    'class',
    3,
  ],
  [
    'adamw with clipNorm (the serial step), binaryCrossEntropy; 2 threads',
    { ...adamwClipNorm, seed: 23 },
    { epochs: 4, batchSize: 16 },
    'class',
    2,
  ],
  [
    'sgd + nesterov with clipNorm, crossEntropy; 4 threads',
    {
      inputs: 5,
      layers: [{ units: 28, activation: 'tanh' }, { units: 3 }],
      loss: 'crossEntropy',
      optimizer: { type: 'sgd', learningRate: 0.2, momentum: 0.9, nesterov: true, clipNorm: 0.3 },
      seed: 28,
    },
    { epochs: 3, batchSize: 20 },
    'class',
    4,
  ],
  [
    'rmsprop with clipValue, halfSquaredError, cosine schedule; 2 threads',
    { ...rmspropClipValue, seed: 24 },
    { epochs: 3, batchSize: 8, schedule: { type: 'cosine', minFactor: 0.1 } },
    'reg',
    2,
  ],
  // Every hidden activation of the table (src/kinds/activations.ts), one layer each: a new kind is held to the one-thread bits unlisted.
  [
    'every elementwise activation, one hidden layer each, mse; 2 threads',
    {
      inputs: 4,
      layers: [...ELEMENTWISE_ACTIVATIONS.map((activation) => ({ units: 8, activation })), { units: 2, activation: 'linear' as const }],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.02, momentum: 0.9 },
      seed: 26,
    },
    { epochs: 3, batchSize: 16 },
    'reg',
    2,
  ],
  [
    'adagrad, no hidden layer, its 5 units all on one thread (thinner slices would not be bit for bit); 4 threads',
    {
      inputs: 7,
      layers: [{ units: 5, activation: 'sigmoid' }],
      loss: 'binaryCrossEntropy',
      optimizer: { type: 'adagrad', learningRate: 0.1 },
      seed: 25,
    },
    { epochs: 3, batchSize: 20 },
    'class',
    4,
  ],
];

/** MNIST 784-128-10 with softmax and Adam (lr 0.001) on the wasm backend. */
export const mnistSpec = (seed: number): Spec => ({
  inputs: PIXELS,
  layers: [
    { units: 128, activation: 'relu' },
    { units: CLASSES, activation: 'softmax' },
  ],
  loss: 'crossEntropy',
  optimizer: { type: 'adam', learningRate: 0.001 },
  seed,
  backend: 'wasm',
});

/** A spec of the table in the given precision. */
export const inPrecision = (spec: Spec, precision: Precision): NetworkSpec => ({ ...spec, precision });
