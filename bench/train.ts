// Training throughput of backprop itself, wasm vs the TS reference path, in one run:
// the seed 2-2-1 network (per-sample trainStep from JS, and fit with many steps per Wasm call)
// and the MNIST MLP 784-128-10 (fit, batch 32). Run: npx tsx bench/train.ts
import { writeFileSync, mkdirSync } from 'node:fs';
import { Network } from '../src/index.js';
import { enableFma } from '../src/fma.js';
import { relaxedSimdSupported } from '../src/backends/wasm/loader.js';
import { loadMnist, PIXELS, CLASSES } from './mnist.js';
import { median, initMnistWeights, epochOrder, LR_MNIST, BATCH, HIDDEN, SEED } from './peers/common.js';
import { PerformanceObserver } from 'node:perf_hooks';
import { enableF32 } from '../src/f32.js';

const REPEATS = Number(process.env.REPEATS ?? 5);
enableF32(); // MNIST in f32 beside f64
enableFma(); // measured beside the default where relaxed SIMD exists (bench/run.ts passes Node 20's flag)

/** Median rate (units/s) over REPEATS timed runs of `run`, which returns the units it did. */
async function rate(run: () => number | Promise<number>): Promise<number> {
  await run(); // warm-up
  const rates: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t = performance.now();
    const units = await run();
    rates.push(units / ((performance.now() - t) / 1000));
  }
  return median(rates);
}

const seedSpec = {
  inputs: 2,
  layers: [
    { units: 2, activation: 'sigmoid' as const, bias: false },
    { units: 1, activation: 'sigmoid' as const, bias: false },
  ],
  loss: 'halfSquaredError' as const,
  optimizer: { type: 'sgd' as const, learningRate: 1 },
};

async function seed(backend: 'wasm' | 'js', precision: 'f64' | 'f32' = 'f64') {
  const net = await Network.create({ ...seedSpec, backend, precision });
  // The write-up's weights, as every peer script starts from (bench/peers/common.ts): the step's
  // cost depends on where training converges (bench/seed-data.ts), so a random start would not be
  // the same work.
  net.setWeights([{ weights: SEED.w1 }, { weights: [SEED.w2] }]);
  const x = SEED.input,
    y = [SEED.target];
  const steps = backend === 'wasm' ? 300_000 : 100_000;
  const perCall = await rate(() => {
    for (let i = 0; i < steps; i++) net.trainStep(x, y);
    return steps;
  });
  // 100,000 copies of the sample, 10 epochs per fit: the data set is checked and copied into the
  // heap once per fit, then every step runs inside Wasm.
  const n = 100_000,
    epochs = backend === 'wasm' ? 10 : 2;
  const inputs = new Float64Array(2 * n).map((_, i) => x[i % 2]);
  const targets = new Float64Array(n).fill(SEED.target);
  net.setWeights([{ weights: SEED.w1 }, { weights: [SEED.w2] }]);
  const fit = await rate(async () => {
    await net.fit({ inputs, targets }, { epochs, batchSize: 1, shuffle: false });
    return n * epochs;
  });
  return { trainStepPerSec: perCall, fitStepsPerSec: fit };
}

/**
 * MNIST 784-128-10, SGD 0.1, batch 32, exactly as the peer scripts train it: the same initial
 * weights (bench/peers/common.ts), the same epoch order, no shuffling of our own.
 */
async function mnist(backend: 'wasm' | 'js', fma = false) {
  const d = loadMnist(8000, 2000);
  const net = await Network.create(
    {
      inputs: PIXELS,
      layers: [
        { units: HIDDEN, activation: 'relu' },
        { units: CLASSES, activation: 'softmax' },
      ],
      loss: 'crossEntropy',
      optimizer: { type: 'sgd', learningRate: LR_MNIST },
      seed: 1,
      backend,
    },
    { fma },
  );
  const w = initMnistWeights();
  const transpose = (a: Float64Array, rows: number, cols: number) =>
    Array.from({ length: cols }, (_, c) => Array.from({ length: rows }, (_, r) => a[r * cols + c]));
  net.setWeights([
    { weights: transpose(w.w1, PIXELS, HIDDEN), bias: Array.from(w.b1) },
    { weights: transpose(w.w2, HIDDEN, CLASSES), bias: Array.from(w.b2) },
  ]);
  const rows = backend === 'wasm' ? 8000 : 2000;
  const ordered = (epoch: number) => {
    const order = epochOrder(8000, epoch).slice(0, rows);
    const inputs = new Float64Array(rows * PIXELS),
      targets = new Float64Array(rows * CLASSES);
    order.forEach((r, i) => {
      inputs.set(d.trainX.subarray(r * PIXELS, (r + 1) * PIXELS), i * PIXELS);
      targets.set(d.trainY.subarray(r * CLASSES, (r + 1) * CLASSES), i * CLASSES);
    });
    return { inputs, targets };
  };
  const rates: number[] = [];
  let testAccuracy = 0;
  for (let epoch = 0; epoch < (backend === 'wasm' ? REPEATS : 2); epoch++) {
    const data = ordered(epoch);
    const t = performance.now();
    await net.fit(data, { epochs: 1, batchSize: BATCH, shuffle: false });
    rates.push(rows / ((performance.now() - t) / 1000));
    if (epoch === 0) testAccuracy = net.evaluate({ inputs: d.testX, targets: d.testY }).accuracy!;
  }
  return { samplesPerSec: median(rates), testAccuracyAfter1Epoch: testAccuracy, samplesPerEpoch: rows };
}

/**
 * The same MNIST work in f64 and in f32 (precision: 'f32'; the initial weights rounded to f32),
 * interleaved epoch by epoch so that both see the same machine: per-epoch samples/s (median and
 * range over REPEATS epochs each), the f32 ÷ f64 ratio of each pair of epochs, and the test
 * accuracy of both after the first and after the last epoch.
 */
async function mnistPrecisions() {
  const d = loadMnist(8000, 2000);
  const w = initMnistWeights();
  const transpose = (a: Float64Array, rows: number, cols: number) =>
    Array.from({ length: cols }, (_, c) => Array.from({ length: rows }, (_, r) => a[r * cols + c]));
  const make = async (precision: 'f64' | 'f32') => {
    const net = await Network.create({
      inputs: PIXELS,
      layers: [
        { units: HIDDEN, activation: 'relu' },
        { units: CLASSES, activation: 'softmax' },
      ],
      loss: 'crossEntropy',
      optimizer: { type: 'sgd', learningRate: LR_MNIST },
      seed: 1,
      precision,
    });
    net.setWeights([
      { weights: transpose(w.w1, PIXELS, HIDDEN), bias: Array.from(w.b1) },
      { weights: transpose(w.w2, HIDDEN, CLASSES), bias: Array.from(w.b2) },
    ]);
    return net;
  };
  const nets = { f64: await make('f64'), f32: await make('f32') };
  const rates: Record<'f64' | 'f32', number[]> = { f64: [], f32: [] };
  // Per CPU second too: on a loaded machine wall time includes other processes' time slices.
  const cpuRates: Record<'f64' | 'f32', number[]> = { f64: [], f32: [] };
  const accuracy: Record<'f64' | 'f32', number[]> = { f64: [], f32: [] };
  const test = { inputs: d.testX, targets: d.testY };
  for (let epoch = 0; epoch < REPEATS; epoch++) {
    const order = epochOrder(8000, epoch);
    const inputs = new Float64Array(8000 * PIXELS),
      targets = new Float64Array(8000 * CLASSES);
    order.forEach((r, i) => {
      inputs.set(d.trainX.subarray(r * PIXELS, (r + 1) * PIXELS), i * PIXELS);
      targets.set(d.trainY.subarray(r * CLASSES, (r + 1) * CLASSES), i * CLASSES);
    });
    // Alternate which precision goes first, so neither always follows the other's cache state.
    for (const p of epoch % 2 ? (['f32', 'f64'] as const) : (['f64', 'f32'] as const)) {
      const t = performance.now(),
        c = process.cpuUsage();
      await nets[p].fit({ inputs, targets }, { epochs: 1, batchSize: BATCH, shuffle: false });
      rates[p].push(8000 / ((performance.now() - t) / 1000));
      const used = process.cpuUsage(c);
      cpuRates[p].push(8000 / ((used.user + used.system) / 1e6));
      if (epoch === 0 || epoch === REPEATS - 1) accuracy[p].push(nets[p].evaluate(test).accuracy!);
    }
  }
  const ratios = rates.f32.map((r, i) => r / rates.f64[i]);
  const cpuRatios = cpuRates.f32.map((r, i) => r / cpuRates.f64[i]);
  const summary = (p: 'f64' | 'f32') => ({
    samplesPerSec: median(rates[p]),
    range: [Math.min(...rates[p]), Math.max(...rates[p])],
    samplesPerCpuSec: median(cpuRates[p]),
    testAccuracyAfter1Epoch: accuracy[p][0],
    testAccuracyAfterLast: accuracy[p][accuracy[p].length - 1],
    epochs: REPEATS,
    samplesPerEpoch: 8000,
  });
  return {
    f64: summary('f64'),
    f32: summary('f32'),
    f32OverF64: {
      median: median(ratios),
      range: [Math.min(...ratios), Math.max(...ratios)],
      cpuMedian: median(cpuRatios),
      cpuRange: [Math.min(...cpuRatios), Math.max(...cpuRatios)],
    },
  };
}

/**
 * JS-heap garbage per step of a long fit: garbage collections seen during 2M steps, and the heap
 * retained afterwards (after a forced collection when node runs with --expose-gc, as bench/run.ts does).
 */
async function allocations() {
  const net = await Network.create({ ...seedSpec, backend: 'wasm' });
  const n = 200_000;
  const data = { inputs: new Float64Array(2 * n).map((_, i) => (i % 2 ? 0.9 : 0.35)), targets: new Float64Array(n).fill(0.5) };
  await net.fit(data, { epochs: 1, batchSize: 1 });
  let gcs = 0;
  const obs = new PerformanceObserver((list) => void (gcs += list.getEntries().length));
  obs.observe({ entryTypes: ['gc'] });
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  await net.fit(data, { epochs: 10, batchSize: 1 });
  gc?.();
  const grown = process.memoryUsage().heapUsed - before;
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  return { steps: 10 * n, gcs, heapGrowthBytes: grown, bytesPerStep: grown / (10 * n), forcedGc: !!gc };
}

const precisions = await mnistPrecisions();
const result = {
  // wasmF32: an f32 network, on its own per-shape module (bench/shape-f32.ts compares it with the generic f32 kernels).
  seed: { wasm: await seed('wasm'), wasmF32: await seed('wasm', 'f32'), js: await seed('js') },
  // wasm: the f64 network of the interleaved f64/f32 pair (mnist() trains it the same way).
  mnist: {
    wasm: precisions.f64,
    wasmF32: precisions.f32,
    f32OverF64: precisions.f32OverF64,
    js: await mnist('js'),
    ...(relaxedSimdSupported() ? { wasmFma: await mnist('wasm', true) } : {}),
  },
  allocations: await allocations(),
};
const f = (v: number) => Math.round(v).toLocaleString('en-US');
const r = (a: number, b: number) => `${(a / b).toFixed(1)}×`;
console.log(`backprop training throughput (median of ${REPEATS}), Node ${process.version}`);
console.log(
  `seed 2-2-1, trainStep per sample from JS: wasm ${f(result.seed.wasm.trainStepPerSec)} steps/s, js ${f(result.seed.js.trainStepPerSec)} (${r(result.seed.wasm.trainStepPerSec, result.seed.js.trainStepPerSec)})`,
);
console.log(
  `seed 2-2-1, fit batch 1 (one call per epoch):  wasm ${f(result.seed.wasm.fitStepsPerSec)} steps/s, js ${f(result.seed.js.fitStepsPerSec)} (${r(result.seed.wasm.fitStepsPerSec, result.seed.js.fitStepsPerSec)})`,
);
console.log(
  `seed 2-2-1 in f32 (precision: 'f32'):         trainStep ${f(result.seed.wasmF32.trainStepPerSec)} steps/s, fit batch 1 ${f(result.seed.wasmF32.fitStepsPerSec)} steps/s`,
);
console.log(
  `MNIST 784-128-10, fit batch 32:                wasm ${f(result.mnist.wasm.samplesPerSec)} samples/s, js ${f(result.mnist.js.samplesPerSec)} (${r(result.mnist.wasm.samplesPerSec, result.mnist.js.samplesPerSec)}); test accuracy after 1 epoch ${(100 * result.mnist.wasm.testAccuracyAfter1Epoch).toFixed(2)}% (js ${(100 * result.mnist.js.testAccuracyAfter1Epoch).toFixed(2)}% on 2,000 rows)`,
);
const m32 = result.mnist.wasmF32,
  q = result.mnist.f32OverF64;
const range = (r: number[]) => `${f(r[0])}–${f(r[1])}`;
console.log(
  `MNIST 784-128-10, fit batch 32, f32 (precision: 'f32'), interleaved with f64 epoch by epoch: f32 ${f(m32.samplesPerSec)} samples/s (${range(m32.range)}), f64 ${f(result.mnist.wasm.samplesPerSec)} (${range(result.mnist.wasm.range)}); f32 ÷ f64 ${q.median.toFixed(2)}× (${q.range[0].toFixed(2)}–${q.range[1].toFixed(2)}); per CPU second ${f(m32.samplesPerCpuSec)} vs ${f(result.mnist.wasm.samplesPerCpuSec)}, ${q.cpuMedian.toFixed(2)}× (${q.cpuRange[0].toFixed(2)}–${q.cpuRange[1].toFixed(2)}); test accuracy after 1 / ${REPEATS} epochs: f32 ${(100 * m32.testAccuracyAfter1Epoch).toFixed(2)}% / ${(100 * m32.testAccuracyAfterLast).toFixed(2)}%, f64 ${(100 * result.mnist.wasm.testAccuracyAfter1Epoch).toFixed(2)}% / ${(100 * result.mnist.wasm.testAccuracyAfterLast).toFixed(2)}%`,
);
const fm = (result.mnist as { wasmFma?: { samplesPerSec: number; testAccuracyAfter1Epoch: number } }).wasmFma;
if (fm)
  console.log(
    `MNIST 784-128-10, fit batch 32, opt-in fma build: ${f(fm.samplesPerSec)} samples/s (${r(fm.samplesPerSec, result.mnist.wasm.samplesPerSec)} the default); test accuracy after 1 epoch ${(100 * fm.testAccuracyAfter1Epoch).toFixed(2)}%`,
  );
const a = result.allocations;
console.log(
  `JS heap during a ${f(a.steps)}-step fit (batch 1): ${a.gcs} garbage collections; heap ${a.forcedGc ? 'retained after GC' : 'change (run with --expose-gc to collect first)'} ${a.heapGrowthBytes >= 0 ? '+' : ''}${f(a.heapGrowthBytes)} bytes`,
);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/train.json', import.meta.url),
  JSON.stringify({ date: new Date().toISOString(), ...result }, null, 2) + '\n',
);
