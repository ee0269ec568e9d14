/**
 * ConvNetJS 0.3 (Net + SGDTrainer, Float64Array volumes). Prints one JSON line.
 * The trainer is called one sample at a time and applies the summed gradient / batch_size every batch_size
 * samples, so batch 32 with the batch-mean gradient is the same update rule as ours.
 */
import { createRequire } from 'node:module';
import { loadMnist } from '../mnist.js';
import {
  BATCH,
  HIDDEN,
  LR_MNIST,
  SEED,
  TEST_COUNT,
  TRAIN_COUNT,
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
type Any = any;
const cnn = createRequire(import.meta.url)('convnetjs') as Any;

/** A 1×1×n input volume holding `values`. */
function vol(values: ArrayLike<number>): Any {
  const v = new cnn.Vol(1, 1, values.length, 0);
  v.w.set(values);
  return v;
}

async function seed(): Promise<PeerResult['workloads']['seed']> {
  // Built layer by layer: the 'regression' layer definition would insert an extra fc layer before it.
  const dims = (n: number) => ({ in_sx: 1, in_sy: 1, in_depth: n });
  const fc1 = new cnn.FullyConnLayer({ ...dims(2), num_neurons: 2 });
  const fc2 = new cnn.FullyConnLayer({ ...dims(2), num_neurons: 1 });
  const net = new cnn.Net();
  net.layers = [
    new cnn.InputLayer({ out_sx: 1, out_sy: 1, out_depth: 2 }),
    fc1,
    new cnn.SigmoidLayer(dims(2)),
    fc2,
    new cnn.SigmoidLayer(dims(1)),
    new cnn.RegressionLayer(dims(1)),
  ];
  for (let j = 0; j < 2; j++) {
    fc1.filters[j].w.set(SEED.w1[j]);
    fc1.biases.w[j] = 0;
  }
  fc2.filters[0].w.set(SEED.w2);
  fc2.biases.w[0] = 0;
  const trainer = new cnn.SGDTrainer(net, { learning_rate: SEED.lr, batch_size: 1, momentum: 0, l2_decay: 0 });
  const x = vol(SEED.input),
    y = [SEED.target];
  trainer.train(x, y);
  const outputAfter1Step = net.forward(x).w[0] as number;
  const rate = await stepsPerSec((steps) => {
    for (let s = 0; s < steps; s++) trainer.train(x, y);
  });
  return {
    stepsPerSec: Math.round(rate),
    outputAfter1Step,
    notes:
      'fc layers always have biases (start at 0, then train): outputAfter1Step equals exact backprop with trainable biases (0.672745100); f64 (Float64Array); SGDTrainer batch 1, momentum 0; regression layer = ½(t−o)²',
  };
}

function mnist(): PeerResult['workloads']['mnist'] {
  const epochs = envInt('EPOCHS', 1);
  const d = loadMnist(TRAIN_COUNT, TEST_COUNT);
  const n = Math.min(envInt('LIMIT', d.trainCount), d.trainCount);
  const net = new cnn.Net();
  net.makeLayers([
    { type: 'input', out_sx: 1, out_sy: 1, out_depth: 784 },
    { type: 'fc', num_neurons: HIDDEN, activation: 'relu' },
    { type: 'softmax', num_classes: 10 },
  ]);
  const [fc1, fc2] = [net.layers[1], net.layers[3]]; // input, fc, relu, fc, softmax
  const w = initMnistWeights();
  for (let j = 0; j < HIDDEN; j++) for (let k = 0; k < 784; k++) fc1.filters[j].w[k] = w.w1[k * HIDDEN + j];
  for (let c = 0; c < 10; c++) for (let j = 0; j < HIDDEN; j++) fc2.filters[c].w[j] = w.w2[j * 10 + c];
  fc1.biases.w.fill(0); // convnetjs starts relu biases at 0.1; use the common init
  fc2.biases.w.fill(0);
  const trainer = new cnn.SGDTrainer(net, { learning_rate: LR_MNIST, batch_size: BATCH, momentum: 0, l2_decay: 0 });
  const xs = Array.from({ length: d.trainCount }, (_, r) => vol(d.trainX.subarray(r * 784, r * 784 + 784)));
  const times: number[] = [];
  for (let e = 0; e < epochs; e++) {
    const order = epochOrder(d.trainCount, e).slice(0, n);
    const t0 = performance.now();
    for (const r of order) trainer.train(xs[r], d.trainLabels[r]);
    times.push((performance.now() - t0) / 1000);
  }
  let correct = 0;
  for (let r = 0; r < d.testCount; r++) {
    net.forward(vol(d.testX.subarray(r * 784, r * 784 + 784)));
    if (net.getPrediction() === d.testLabels[r]) correct++;
  }
  return {
    samplesPerSec: Math.round(n / median(times)),
    testAccuracy: round(correct / d.testCount),
    epochs,
    samples: n * epochs,
    batchSize: BATCH,
    learningRate: LR_MNIST,
    notes:
      'f64; forward/backward one sample at a time, gradients summed and applied (÷32) every 32 samples by SGDTrainer; ' +
      `momentum 0, l2_decay 0; softmax + log-loss; common init copied in; ${n} of ${d.trainCount} samples per epoch`,
  };
}

const wl = workloads();
const out: PeerResult = { library: 'convnetjs', backend: 'js', workloads: {} };
if (wl.has('seed')) out.workloads.seed = await seed();
if (wl.has('mnist')) out.workloads.mnist = mnist();
emit(out);
