/**
 * TF.js 4.22 (tfjs-core + tfjs-layers) on the `wasm` or `cpu` backend: argv[2].
 * Workloads: startup, mnist (model.fit), seed (layers trainOnBatch, plus core optimizer.minimize), matmul.
 * Prints one JSON line.
 */
import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
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
const backend = process.argv[2] ?? 'wasm';
if (backend !== 'wasm' && backend !== 'cpu') throw new Error(`backend must be wasm or cpu, got ${backend}`);

// --- start-up: import → backend ready → model built → first predict done -------------------------
const t0 = performance.now();
const tf = await import('@tensorflow/tfjs-core');
const tfl = await import('@tensorflow/tfjs-layers');
let simd: boolean | undefined;
if (backend === 'wasm') {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // In Node a filesystem path prefix works: Emscripten reads it with fs.
  const dist = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')) + sep;
  wasm.setWasmPaths(dist);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // single-threaded (Node is never threaded here anyway)
  if (process.env.WASM_SIMD === '0') tf.env().set('WASM_HAS_SIMD_SUPPORT', false);
  simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
} else {
  await import('@tensorflow/tfjs-backend-cpu');
}
if (!(await tf.setBackend(backend))) throw new Error(`setBackend(${backend}) failed`);
await tf.ready();

function mnistModel() {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [784], units: HIDDEN, activation: 'relu' }),
      tfl.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}
{
  const m = mnistModel();
  const p = m.predict(tf.zeros([1, 784])) as Tensor;
  p.dataSync();
  tf.dispose([p, ...m.weights.map((w) => w.read())]);
}
const startupMs = performance.now() - t0;

const f32 = 'f32 only (TF.js has no f64 kernels)';
const backendNote = backend === 'wasm' ? `wasm backend, single-threaded, SIMD ${simd ? 'on' : 'off'}` : 'cpu backend (plain JS kernels)';

async function mnist(): Promise<PeerResult['workloads']['mnist']> {
  const epochs = envInt('EPOCHS', 1);
  const d = loadMnist(TRAIN_COUNT, TEST_COUNT);
  const n = Math.min(envInt('LIMIT', d.trainCount), d.trainCount);
  const model = mnistModel();
  const w = initMnistWeights();
  model.setWeights([
    tf.tensor2d(Float32Array.from(w.w1), [784, HIDDEN]),
    tf.tensor1d(Float32Array.from(w.b1)),
    tf.tensor2d(Float32Array.from(w.w2), [HIDDEN, 10]),
    tf.tensor1d(Float32Array.from(w.b2)),
  ]);
  model.compile({ optimizer: tf.train.sgd(LR_MNIST), loss: 'categoricalCrossentropy' });
  const times: number[] = [];
  for (let e = 0; e < epochs; e++) {
    const order = epochOrder(d.trainCount, e).slice(0, n);
    const xs = new Float32Array(n * 784),
      ys = new Float32Array(n * 10);
    order.forEach((r, i) => {
      xs.set(d.trainX.subarray(r * 784, r * 784 + 784), i * 784);
      ys.set(d.trainY.subarray(r * 10, r * 10 + 10), i * 10);
    });
    const X = tf.tensor2d(xs, [n, 784]),
      Y = tf.tensor2d(ys, [n, 10]);
    const t = performance.now();
    await model.fit(X, Y, { batchSize: BATCH, epochs: 1, shuffle: false, verbose: 0 });
    model.getWeights()[0].dataSync(); // make sure all training work has finished
    times.push((performance.now() - t) / 1000);
    tf.dispose([X, Y]);
  }
  const pred = tf.tidy(() => tf.argMax(model.predict(tf.tensor2d(Float32Array.from(d.testX), [d.testCount, 784])) as Tensor, -1));
  const labels = pred.dataSync();
  let correct = 0;
  for (let i = 0; i < d.testCount; i++) if (labels[i] === d.testLabels[i]) correct++;
  return {
    samplesPerSec: Math.round(n / median(times)),
    testAccuracy: round(correct / d.testCount),
    epochs,
    samples: n * epochs,
    batchSize: BATCH,
    learningRate: LR_MNIST,
    notes: `${f32}; ${backendNote}; tfjs-layers model.fit (shuffle off, our seeded epoch order), common init via setWeights; time includes fit() per-batch overhead`,
  };
}

async function seed(): Promise<PeerResult['workloads']['seed']> {
  const k1 = [
    [SEED.w1[0][0], SEED.w1[1][0]],
    [SEED.w1[0][1], SEED.w1[1][1]],
  ]; // kernel[in][out]
  const k2 = [[SEED.w2[0]], [SEED.w2[1]]];
  const x = tf.tensor2d([SEED.input]),
    y = tf.tensor2d([[SEED.target]]);
  const halfSq = (t: Tensor, o: Tensor) => tf.mul(0.5, tf.sum(tf.square(tf.sub(t, o)), -1));

  // (a) tfjs-layers: one trainOnBatch per step.
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [2], units: 2, activation: 'sigmoid', useBias: false }),
      tfl.layers.dense({ units: 1, activation: 'sigmoid', useBias: false }),
    ],
  });
  model.setWeights([tf.tensor2d(k1), tf.tensor2d(k2)]);
  model.compile({ optimizer: tf.train.sgd(SEED.lr), loss: halfSq });
  await model.trainOnBatch(x, y);
  const outputAfter1Step = (model.predict(x) as Tensor).dataSync()[0];
  const layersRate = await stepsPerSec(async (steps) => {
    for (let s = 0; s < steps; s++) await model.trainOnBatch(x, y);
  });

  // (b) tfjs-core: variables + optimizer.minimize, no Layers machinery.
  const W1 = tf.variable(tf.tensor2d(k1)),
    W2 = tf.variable(tf.tensor2d(k2));
  const opt = tf.train.sgd(SEED.lr);
  const loss = () => tf.sum(halfSq(y, tf.sigmoid(tf.matMul(tf.sigmoid(tf.matMul(x, W1)), W2)))) as Scalar;
  opt.minimize(loss);
  const coreOutputAfter1Step = tf.tidy(() => tf.sigmoid(tf.matMul(tf.sigmoid(tf.matMul(x, W1)), W2)).dataSync()[0]);
  const coreRate = await stepsPerSec((steps) => {
    for (let s = 0; s < steps; s++) opt.minimize(loss);
    W2.dataSync();
  });
  return {
    stepsPerSec: Math.round(layersRate),
    outputAfter1Step,
    coreStepsPerSec: Math.round(coreRate),
    coreOutputAfter1Step,
    notes: `${f32}; ${backendNote}; stepsPerSec = tfjs-layers trainOnBatch (async, returns the loss), coreStepsPerSec = tf.train.sgd.minimize on tf.variables; useBias false; loss ½·Σ(t−o)² as a custom loss`,
  };
}

async function matmul(): Promise<{ gflops: Record<string, number>; notes: string }> {
  const gflops: Record<string, number> = {};
  for (const n of [64, 128, 256, 512, 1024]) {
    const a = tf.randomUniform([n, n]),
      b = tf.randomUniform([n, n]);
    const once = () => {
      const t = performance.now();
      const c = tf.matMul(a, b);
      c.dataSync();
      const dt = performance.now() - t;
      c.dispose();
      return dt;
    };
    once(); // warm-up
    const ms: number[] = [];
    let total = 0;
    while (ms.length < 3 || (total < 300 && ms.length < 200)) {
      const dt = once();
      ms.push(dt);
      total += dt;
    }
    gflops[n] = round((2 * n ** 3) / (median(ms) * 1e6), 3);
    tf.dispose([a, b]);
  }
  return { gflops, notes: `${f32}; ${backendNote}; median of ≥3 reps (≥0.3 s), each tf.matMul + dataSync` };
}

const wl = workloads();
const out: PeerResult = { library: 'tfjs', backend, workloads: {} };
out.workloads.startupMs = Math.round(startupMs);
if (wl.has('mnist')) out.workloads.mnist = await mnist();
if (wl.has('seed')) out.workloads.seed = await seed();
if (wl.has('matmul')) out.workloads.matmul = await matmul();
emit(out);
