/**
 * "Plain JS" reference: hand-written Float64Array loops, no library.
 *  - seed: 2-2-1 sigmoid, no biases, E = ½(t−o)², lr 1, correct backprop (hidden deltas use the pre-update w2).
 *  - mnist: 784-128(relu)-10(softmax), cross-entropy, plain SGD lr 0.1 on the batch-mean gradient, batch 32.
 * Prints one JSON line.
 */
import { loadMnist } from '../mnist.js';
import {
  BATCH,
  HIDDEN,
  LR_MNIST,
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
const sig = (z: number) => 1 / (1 + Math.exp(-z));

async function seed(): Promise<PeerResult['workloads']['seed']> {
  const w = new Float64Array([SEED.w1[0][0], SEED.w1[0][1], SEED.w1[1][0], SEED.w1[1][1], SEED.w2[0], SEED.w2[1]]);
  const x0 = SEED.input[0],
    x1 = SEED.input[1],
    t = SEED.target,
    lr = SEED.lr;
  const step = (n: number) => {
    for (let s = 0; s < n; s++) {
      const h0 = sig(w[0] * x0 + w[1] * x1);
      const h1 = sig(w[2] * x0 + w[3] * x1);
      const o = sig(w[4] * h0 + w[5] * h1);
      const dOut = (o - t) * o * (1 - o); // dE/dz_out
      const d0 = dOut * w[4] * h0 * (1 - h0);
      const d1 = dOut * w[5] * h1 * (1 - h1);
      w[4] -= lr * dOut * h0;
      w[5] -= lr * dOut * h1;
      w[0] -= lr * d0 * x0;
      w[1] -= lr * d0 * x1;
      w[2] -= lr * d1 * x0;
      w[3] -= lr * d1 * x1;
    }
  };
  step(1);
  const outputAfter1Step = sig(w[4] * sig(w[0] * x0 + w[1] * x1) + w[5] * sig(w[2] * x0 + w[3] * x1));
  return {
    stepsPerSec: Math.round(await stepsPerSec(step)),
    outputAfter1Step,
    notes: 'f64 scalars in a Float64Array, no biases, exact gradients',
  };
}

function mnist(): PeerResult['workloads']['mnist'] {
  const epochs = envInt('EPOCHS', 1);
  const d = loadMnist(TRAIN_COUNT, TEST_COUNT);
  const n = Math.min(envInt('LIMIT', d.trainCount), d.trainCount);
  const { w1, w2, b1, b2 } = initMnistWeights();
  const I = 784,
    H = HIDDEN,
    O = 10;
  const h = new Float64Array(BATCH * H),
    p = new Float64Array(BATCH * O),
    dh = new Float64Array(BATCH * H);
  const gw1 = new Float64Array(I * H),
    gw2 = new Float64Array(H * O),
    gb1 = new Float64Array(H),
    gb2 = new Float64Array(O);

  // Forward pass for `rows` (sample indices) into h (relu) and p (softmax).
  const forward = (X: Float64Array, rows: ArrayLike<number>, bs: number) => {
    for (let r = 0; r < bs; r++) {
      const xo = rows[r] * I,
        ho = r * H;
      for (let j = 0; j < H; j++) h[ho + j] = b1[j];
      for (let k = 0; k < I; k++) {
        const xk = X[xo + k],
          wo = k * H;
        for (let j = 0; j < H; j++) h[ho + j] += xk * w1[wo + j];
      }
      for (let j = 0; j < H; j++) if (h[ho + j] < 0) h[ho + j] = 0;
      const po = r * O;
      for (let c = 0; c < O; c++) {
        let z = b2[c];
        for (let j = 0; j < H; j++) z += h[ho + j] * w2[j * O + c];
        p[po + c] = z;
      }
      let max = -Infinity,
        sum = 0;
      for (let c = 0; c < O; c++) max = Math.max(max, p[po + c]);
      for (let c = 0; c < O; c++) sum += p[po + c] = Math.exp(p[po + c] - max);
      for (let c = 0; c < O; c++) p[po + c] /= sum;
    }
  };

  const trainBatch = (rows: number[], bs: number) => {
    forward(d.trainX, rows, bs);
    gw1.fill(0);
    gw2.fill(0);
    gb1.fill(0);
    gb2.fill(0);
    for (let r = 0; r < bs; r++) {
      const po = r * O,
        ho = r * H,
        yo = rows[r] * 10;
      for (let c = 0; c < O; c++) p[po + c] = (p[po + c] - d.trainY[yo + c]) / bs; // dL/dz2, batch mean
      for (let j = 0; j < H; j++) {
        let s = 0;
        for (let c = 0; c < O; c++) {
          gw2[j * O + c] += h[ho + j] * p[po + c];
          s += w2[j * O + c] * p[po + c];
        }
        dh[ho + j] = h[ho + j] > 0 ? s : 0;
      }
      for (let c = 0; c < O; c++) gb2[c] += p[po + c];
      const xo = rows[r] * I;
      for (let k = 0; k < I; k++) {
        const xk = d.trainX[xo + k],
          wo = k * H;
        for (let j = 0; j < H; j++) gw1[wo + j] += xk * dh[ho + j];
      }
      for (let j = 0; j < H; j++) gb1[j] += dh[ho + j];
    }
    for (let i = 0; i < gw1.length; i++) w1[i] -= LR_MNIST * gw1[i];
    for (let i = 0; i < gw2.length; i++) w2[i] -= LR_MNIST * gw2[i];
    for (let i = 0; i < H; i++) b1[i] -= LR_MNIST * gb1[i];
    for (let i = 0; i < O; i++) b2[i] -= LR_MNIST * gb2[i];
  };

  const times: number[] = [];
  for (let e = 0; e < epochs; e++) {
    const order = epochOrder(d.trainCount, e).slice(0, n);
    const t0 = performance.now();
    for (let s = 0; s < n; s += BATCH) trainBatch(order.slice(s, s + BATCH), Math.min(BATCH, n - s));
    times.push((performance.now() - t0) / 1000);
  }
  let correct = 0;
  for (let s = 0; s < d.testCount; s += BATCH) {
    const bs = Math.min(BATCH, d.testCount - s);
    const rows = Array.from({ length: bs }, (_, r) => s + r);
    forward(d.testX, rows, bs);
    for (let r = 0; r < bs; r++) if (argmax(p, r * O, O) === d.testLabels[s + r]) correct++;
  }
  return {
    samplesPerSec: Math.round(n / median(times)),
    testAccuracy: round(correct / d.testCount),
    epochs,
    samples: n * epochs,
    batchSize: BATCH,
    learningRate: LR_MNIST,
    notes: 'f64, dense loops (no zero-skipping), common Glorot-uniform init, batch-mean gradient',
  };
}

const w = workloads();
const out: PeerResult = { library: 'handwritten', backend: 'js-f64', workloads: {} };
if (w.has('seed')) out.workloads.seed = await seed();
if (w.has('mnist')) out.workloads.mnist = mnist();
emit(out);
