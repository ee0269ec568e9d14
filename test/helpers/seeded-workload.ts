// A fixed, seeded training workload whose saved models must come out bit-identical wherever it
// runs: twice in one process, in a fresh Wasm instance, in another Node process, in Chromium.
// Imports only the public API (and the seeded PRNG), so it bundles for the browser as is.
import { Network, type NetworkSpec, type WasmSource, type FitOptions } from '../../src/index.js';
import { Rng } from '../../src/rng.js';

export interface Job {
  name: string;
  spec: NetworkSpec;
  epochs: number;
  batchSize: number;
  fit?: Omit<FitOptions, 'epochs' | 'batchSize'>;
}

// Targets from +, −, ×, ÷ only: those round exactly the same everywhere, while Math.sin & co.
// differ in the last bit between engines (Node 20's V8 and Chromium's do).
const squash = (s: number) => (s * (1 - 0.1 * s * s)) / (1 + 0.2 * s * s);

const data = (rows: number, inputs: number, outputs: number, kind: 'real' | 'onehot' | 'binary', seed: number) => {
  const rng = new Rng(seed);
  const x = Array.from({ length: rows }, () => Array.from({ length: inputs }, () => 2 * rng.next() - 1));
  const y = x.map((r) => {
    const s = r.reduce((a, v, i) => a + v * (i + 1), 0);
    if (kind === 'onehot') return Array.from({ length: outputs }, (_, o) => (Math.floor(Math.abs(s) * 3) % outputs === o ? 1 : 0));
    if (kind === 'binary') return Array.from({ length: outputs }, (_, o) => (squash(s + o) > 0.1 ? 1 : 0));
    return Array.from({ length: outputs }, (_, o) => squash(s + o) + 0.5 * r[0] * r[0]);
  });
  return { inputs: x, targets: y };
};

/** Every activation and loss; plain, momentum and Nesterov SGD, Adam, AdamW; dropout, L2, no-bias layers; one-sample steps. */
export const JOBS: Job[] = [
  {
    name: 'mse-tanh-relu-momentum',
    spec: {
      inputs: 3,
      layers: [{ units: 7, activation: 'tanh' }, { units: 5, activation: 'relu' }, { units: 2 }],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 },
      seed: 11,
    },
    epochs: 12,
    batchSize: 8,
  },
  {
    name: 'half-sigmoid-leaky-nesterov',
    spec: {
      inputs: 3,
      layers: [
        { units: 6, activation: 'leakyRelu' },
        { units: 4, activation: 'sigmoid', bias: false },
        { units: 1, activation: 'linear' },
      ],
      loss: 'halfSquaredError',
      optimizer: { type: 'sgd', learningRate: 0.03, momentum: 0.8, nesterov: true },
      seed: 12,
    },
    epochs: 12,
    batchSize: 5,
  },
  {
    name: 'crossEntropy-softmax',
    spec: {
      inputs: 3,
      layers: [
        { units: 64, activation: 'relu' },
        { units: 3, activation: 'softmax' },
      ],
      loss: 'crossEntropy',
      optimizer: { type: 'sgd', learningRate: 0.1 },
      seed: 13,
    },
    epochs: 12,
    batchSize: 16,
  },
  {
    name: 'dropout-l2-adamw',
    spec: {
      inputs: 3,
      layers: [{ units: 10, activation: 'relu', dropout: 0.25 }, { units: 6, activation: 'tanh', l2: 1e-3 }, { units: 2 }],
      loss: 'mse',
      l2: 1e-4,
      optimizer: { type: 'adamw', learningRate: 0.01, weightDecay: 0.01 },
      seed: 15,
    },
    epochs: 12,
    batchSize: 9,
  },
  // 10,000 He-normal draws: enough calls for the JIT to compile the initializer's hot loop.
  {
    name: 'wide-relu-init',
    spec: {
      inputs: 40,
      layers: [{ units: 250, activation: 'relu' }, { units: 2 }],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.01 },
      seed: 16,
    },
    epochs: 1,
    batchSize: 32,
  },
  // Learning-rate schedules are computed in JS, per step: they must not depend on the engine's Math.
  {
    name: 'cosine-schedule',
    spec: {
      inputs: 3,
      layers: [{ units: 6, activation: 'tanh' }, { units: 1 }],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.05 },
      seed: 17,
    },
    epochs: 10,
    batchSize: 3,
    fit: { schedule: { type: 'cosine', minFactor: 0.1 } },
  },
  {
    name: 'exponential-schedule',
    spec: {
      inputs: 3,
      layers: [{ units: 6, activation: 'tanh' }, { units: 1 }],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.05 },
      seed: 18,
    },
    epochs: 10,
    batchSize: 3,
    fit: { schedule: { type: 'exponential', rate: 0.9 } },
  },
  {
    name: 'per-sample-momentum',
    spec: {
      inputs: 3,
      layers: [
        { units: 5, activation: 'sigmoid' },
        { units: 2, activation: 'tanh' },
      ],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 },
      seed: 19,
    },
    epochs: 3,
    batchSize: 1,
  },
  {
    name: 'bce-sigmoid-adam',
    spec: {
      inputs: 3,
      layers: [
        { units: 8, activation: 'tanh' },
        { units: 2, activation: 'sigmoid' },
      ],
      loss: 'binaryCrossEntropy',
      optimizer: { type: 'adam', learningRate: 0.01 },
      seed: 14,
    },
    epochs: 12,
    batchSize: 7,
  },
];

export const jobData = (job: Job) => {
  const outputs = job.spec.layers[job.spec.layers.length - 1].units;
  const kind = job.spec.loss === 'crossEntropy' ? 'onehot' : job.spec.loss === 'binaryCrossEntropy' ? 'binary' : 'real';
  return data(64, job.spec.inputs, outputs, kind, 100 + job.spec.seed!);
};

/**
 * Trains every job (shuffled minibatches, then a few trainSteps of 4 rows and of 1) and returns each saved
 * model as JSON text, under `name@init` before training and `name` after.
 */
export async function runWorkload(backend: 'wasm' | 'js' = 'wasm', wasm?: WasmSource, seedShift = 0): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const job of JOBS) {
    const net = await Network.create({ ...job.spec, seed: job.spec.seed! + seedShift, backend }, { backend, wasm });
    const d = jobData(job);
    out[`${job.name}@init`] = JSON.stringify(net); // so a mismatch says whether init or training differs
    await net.fit(d, { ...job.fit, epochs: job.epochs, batchSize: job.batchSize, shuffle: true });
    for (let i = 0; i < 3; i++) net.trainStep(d.inputs.slice(i, i + 4), d.targets.slice(i, i + 4));
    for (let i = 0; i < 3; i++) net.trainStep(d.inputs[i], d.targets[i]); // one row: per-shape modules where eligible
    out[job.name] = JSON.stringify(net);
    net.dispose();
  }
  return out;
}
