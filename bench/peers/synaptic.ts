/**
 * synaptic 1.1 (Layer/Network API, neuron-level objects). Prints one JSON line.
 * Quirks measured here, not worked around:
 *  - no softmax, no mini-batches: per-sample propagate(rate, target);
 *  - an output neuron's error is (t − o) with no f'(z) factor, i.e. the gradient of cross-entropy for a
 *    logistic output, not of squared error (so the seed step is not the squared-error gradient);
 *  - the output layer updates its incoming weights before the hidden layer back-propagates through them
 *    (hidden deltas use post-update weights);
 *  - every neuron has a bias (random ±0.1 unless overwritten).
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
type Any = any;
const { Layer, Network, Neuron } = createRequire(import.meta.url)('synaptic') as Any;
const OPTIMIZE = process.env.SYNAPTIC_OPTIMIZE !== '0';

/** input → hidden → output network with all-to-all connections, weights set by weight(from, to), biases 0. */
function build(sizes: number[], squash: Any[], weight: (layer: number, from: number, to: number) => number) {
  const layers = sizes.map((n) => new Layer(n));
  for (let l = 1; l < layers.length; l++) {
    layers[l].set({ squash: squash[l - 1] });
    for (const nr of layers[l].list) nr.bias = 0; // set({ bias: 0 }) is ignored (falsy check in synaptic)
    layers[l - 1].project(layers[l]);
    const index = new Map<Any, number>(layers[l - 1].list.map((nr: Any, i: number) => [nr, i]));
    layers[l].list.forEach((nr: Any, to: number) => {
      for (const id in nr.connections.inputs) {
        const c = nr.connections.inputs[id];
        c.weight = weight(l, index.get(c.from)!, to);
      }
    });
  }
  const net = new Network({ input: layers[0], hidden: layers.slice(1, -1), output: layers[layers.length - 1] });
  net.setOptimize(OPTIMIZE);
  return net;
}

async function seed(): Promise<PeerResult['workloads']['seed']> {
  const L = Neuron.squash.LOGISTIC;
  const net = build([2, 2, 1], [L, L], (l, from, to) => (l === 1 ? SEED.w1[to][from] : SEED.w2[from]));
  net.activate(SEED.input);
  net.propagate(SEED.lr, [SEED.target]);
  const outputAfter1Step = net.activate(SEED.input)[0] as number;
  const rate = await stepsPerSec((steps) => {
    for (let s = 0; s < steps; s++) {
      net.activate(SEED.input);
      net.propagate(SEED.lr, [SEED.target]);
    }
  });
  return {
    stepsPerSec: Math.round(rate),
    outputAfter1Step,
    notes:
      `biases cannot be removed (start at 0, then train); output error is (t−o) without σ'(z), so not the squared-error gradient; ` +
      `hidden deltas use already-updated output weights (outputAfter1Step reproduces exactly under these rules); network.optimize ${OPTIMIZE ? 'on (compiled)' : 'off'}`,
  };
}

function mnist(): PeerResult['workloads']['mnist'] {
  const epochs = envInt('EPOCHS', 1);
  const d = loadMnist(TRAIN_COUNT, TEST_COUNT);
  const n = Math.min(envInt('LIMIT', 500), d.trainCount);
  const w = initMnistWeights();
  const net = build([784, HIDDEN, 10], [Neuron.squash.RELU, Neuron.squash.LOGISTIC], (l, from, to) =>
    l === 1 ? w.w1[from * HIDDEN + to] : w.w2[from * 10 + to],
  );
  const row = (X: Float64Array, r: number, k: number) => Array.from(X.subarray(r * k, r * k + k));
  const xs = Array.from({ length: d.trainCount }, (_, r) => row(d.trainX, r, 784));
  const ys = Array.from({ length: d.trainCount }, (_, r) => row(d.trainY, r, 10));
  net.activate(xs[0]); // builds the optimized (compiled) network outside the timed region; no training
  const times: number[] = [];
  for (let e = 0; e < epochs; e++) {
    const order = epochOrder(d.trainCount, e).slice(0, n);
    const t0 = performance.now();
    for (const r of order) {
      net.activate(xs[r]);
      net.propagate(LR_PER_SAMPLE, ys[r]);
    }
    times.push((performance.now() - t0) / 1000);
  }
  let correct = 0;
  for (let r = 0; r < d.testCount; r++) if (argmax(net.activate(row(d.testX, r, 784))) === d.testLabels[r]) correct++;
  return {
    samplesPerSec: Math.round(n / median(times)),
    testAccuracy: round(correct / d.testCount),
    epochs,
    samples: n * epochs,
    batchSize: 1,
    learningRate: LR_PER_SAMPLE,
    notes:
      `no mini-batches: per-sample SGD at lr 0.1/32 (batch-equivalent; 0.1 per sample diverges to a constant class); relu hidden, logistic output (no softmax), output error t−o (= sigmoid+cross-entropy gradient); ` +
      `common init copied in, biases 0; network.optimize ${OPTIMIZE ? 'on' : 'off'}; trained on only ${n} of ${d.trainCount} samples per epoch (LIMIT), so accuracy is not comparable`,
  };
}

const wl = workloads();
const out: PeerResult = { library: 'synaptic', backend: 'js', workloads: {} };
if (wl.has('seed')) out.workloads.seed = await seed();
if (wl.has('mnist')) out.workloads.mnist = mnist();
emit(out);
