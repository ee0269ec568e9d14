/**
 * brain.js 1.6 (NeuralNetwork, CPU). Prints one JSON line.
 * brain.js has no softmax, no cross-entropy and no mini-batches: it trains one sample at a time on
 * ½Σ(t−o)² with the same activation in every layer, and always has biases.
 * We drive NeuralNetwork.trainPattern (the per-sample step that train() loops over) so that the
 * learning rate and momentum can be set exactly (train() insists on 0 < lr < 1 and momentum > 0).
 */
import { createRequire } from 'node:module';
import { loadMnist } from '../mnist.js';
import {
  HIDDEN,
  LR_PER_SAMPLE,
  SEED,
  TEST_COUNT,
  TRAIN_COUNT,
  argmax,
  emit,
  envInt,
  epochOrder,
  initMnistWeights,
  median,
  quietStdout,
  round,
  stepsPerSec,
  workloads,
  type PeerResult,
} from './common.js';

quietStdout();
const brain = createRequire(import.meta.url)('brain.js') as any;

/** A brain.js net with the given layer sizes, initialised, lr and momentum set directly. */
function makeNet(sizes: number[], activation: string, lr: number) {
  const net = new brain.NeuralNetwork({ activation });
  net.sizes = sizes;
  net.initialize();
  net.trainOpts.learningRate = lr;
  net.trainOpts.momentum = 0;
  return net;
}

async function seed(): Promise<PeerResult['workloads']['seed']> {
  const net = makeNet([2, 2, 1], 'sigmoid', SEED.lr);
  for (let j = 0; j < 2; j++) {
    for (let i = 0; i < 2; i++) net.weights[1][j][i] = SEED.w1[j][i];
    net.weights[2][0][j] = SEED.w2[j];
    net.biases[1][j] = 0;
  }
  net.biases[2][0] = 0;
  const sample = { input: Float32Array.from(SEED.input), output: Float32Array.of(SEED.target) };
  net.trainPattern(sample);
  const outputAfter1Step = net.run(sample.input)[0] as number;
  const rate = await stepsPerSec((steps) => {
    for (let s = 0; s < steps; s++) net.trainPattern(sample);
  });
  return {
    stepsPerSec: Math.round(rate),
    outputAfter1Step,
    notes:
      'biases cannot be removed (set to 0 at start, but they train): outputAfter1Step matches exact backprop with trainable biases (0.672745100, up to f32 rounding); weights stored as Float32Array; trainPattern per step, lr 1, momentum 0',
  };
}

function mnist(): PeerResult['workloads']['mnist'] {
  const epochs = envInt('EPOCHS', 1);
  const d = loadMnist(TRAIN_COUNT, TEST_COUNT);
  const n = Math.min(envInt('LIMIT', 8000), d.trainCount);
  const activation = process.env.BRAIN_ACTIVATION ?? 'relu';
  const lr = Number(process.env.LR ?? LR_PER_SAMPLE);
  const net = makeNet([784, HIDDEN, 10], activation, lr);
  const w = initMnistWeights();
  for (let j = 0; j < HIDDEN; j++) for (let k = 0; k < 784; k++) net.weights[1][j][k] = w.w1[k * HIDDEN + j];
  for (let c = 0; c < 10; c++) for (let j = 0; j < HIDDEN; j++) net.weights[2][c][j] = w.w2[j * 10 + c];
  net.biases[1].fill(0);
  net.biases[2].fill(0);
  // brain.js formats samples into Float32Arrays itself inside train(); do that up front (not timed).
  const samples = Array.from({ length: d.trainCount }, (_, r) => ({
    input: Float32Array.from(d.trainX.subarray(r * 784, r * 784 + 784)),
    output: Float32Array.from(d.trainY.subarray(r * 10, r * 10 + 10)),
  }));
  const times: number[] = [];
  for (let e = 0; e < epochs; e++) {
    const order = epochOrder(d.trainCount, e).slice(0, n);
    const t0 = performance.now();
    for (const r of order) net.trainPattern(samples[r]);
    times.push((performance.now() - t0) / 1000);
  }
  let correct = 0;
  for (let r = 0; r < d.testCount; r++) {
    const out = net.run(Float32Array.from(d.testX.subarray(r * 784, r * 784 + 784)));
    if (argmax(out) === d.testLabels[r]) correct++;
  }
  return {
    samplesPerSec: Math.round(n / median(times)),
    testAccuracy: round(correct / d.testCount),
    epochs,
    samples: n * epochs,
    batchSize: 1,
    learningRate: lr,
    notes:
      `no mini-batches: per-sample SGD at lr 0.1/32 (batch-equivalent); no softmax/cross-entropy: ${activation} on both layers ` +
      `(brain.js uses one activation for all layers) with squared error ½Σ(t−o)²; weights stored as Float32Array; common init copied in; momentum 0; ` +
      `${n} of ${d.trainCount} samples per epoch. Other settings (EPOCHS=1, full data): relu lr 0.03 → 92.8%, relu lr 0.1 → 9.6% (dead relus), sigmoid lr 0.1 → 89.3%, sigmoid lr 0.1/32 → 46.6%`,
  };
}

const wl = workloads();
const out: PeerResult = { library: 'brain.js', backend: 'js', workloads: {} };
if (wl.has('mnist')) out.workloads.mnist = mnist();
if (wl.has('seed')) out.workloads.seed = await seed();
emit(out);
