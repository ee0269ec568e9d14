// Training throughput of backprop itself, wasm vs the TS reference path, in one run:
// the seed 2-2-1 network (per-sample trainStep from JS, and fit with many steps per Wasm call)
// and the MNIST MLP 784-128-10 (fit, batch 32). Run: npx tsx bench/train.ts
import { writeFileSync, mkdirSync } from 'node:fs';
import { Network } from '../src/index.js';
import { loadMnist, PIXELS, CLASSES } from './mnist.js';
import { median } from './peers/common.js';

const REPEATS = Number(process.env.REPEATS ?? 5);

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
  layers: [{ units: 2, activation: 'sigmoid' as const, bias: false }, { units: 1, activation: 'sigmoid' as const, bias: false }],
  loss: 'halfSquaredError' as const,
  optimizer: { type: 'sgd' as const, learningRate: 1 },
};

async function seed(backend: 'wasm' | 'js') {
  const net = await Network.create({ ...seedSpec, backend });
  const x = [0.35, 0.9], y = [0.5];
  const steps = backend === 'wasm' ? 300_000 : 100_000;
  const perCall = await rate(() => {
    for (let i = 0; i < steps; i++) net.trainStep(x, y);
    return steps;
  });
  const n = backend === 'wasm' ? 1_000_000 : 200_000;
  const inputs = new Float64Array(2 * n).map((_, i) => x[i % 2]);
  const targets = new Float64Array(n).fill(0.5);
  const fit = await rate(async () => {
    await net.fit({ inputs, targets }, { epochs: 1, batchSize: 1, shuffle: false });
    return n;
  });
  return { trainStepPerSec: perCall, fitStepsPerSec: fit };
}

async function mnist(backend: 'wasm' | 'js') {
  const d = loadMnist(8000, 2000);
  const net = await Network.create({ inputs: PIXELS, layers: [{ units: 128, activation: 'relu' }, { units: CLASSES, activation: 'softmax' }], loss: 'crossEntropy', optimizer: { type: 'sgd', learningRate: 0.1 }, seed: 1, backend });
  const rows = backend === 'wasm' ? 8000 : 1000;
  const inputs = d.trainX.subarray(0, rows * PIXELS), targets = d.trainY.subarray(0, rows * CLASSES);
  const samplesPerSec = await rate(async () => {
    await net.fit({ inputs, targets }, { epochs: 1, batchSize: 32 });
    return rows;
  });
  return { samplesPerSec };
}

const result = {
  seed: { wasm: await seed('wasm'), js: await seed('js') },
  mnist: { wasm: await mnist('wasm'), js: await mnist('js') },
};
const f = (v: number) => Math.round(v).toLocaleString('en-US');
const r = (a: number, b: number) => `${(a / b).toFixed(1)}×`;
console.log(`backprop training throughput (median of ${REPEATS}), Node ${process.version}`);
console.log(`seed 2-2-1, trainStep per sample from JS: wasm ${f(result.seed.wasm.trainStepPerSec)} steps/s, js ${f(result.seed.js.trainStepPerSec)} (${r(result.seed.wasm.trainStepPerSec, result.seed.js.trainStepPerSec)})`);
console.log(`seed 2-2-1, fit batch 1 (one call per epoch):  wasm ${f(result.seed.wasm.fitStepsPerSec)} steps/s, js ${f(result.seed.js.fitStepsPerSec)} (${r(result.seed.wasm.fitStepsPerSec, result.seed.js.fitStepsPerSec)})`);
console.log(`MNIST 784-128-10, fit batch 32:                wasm ${f(result.mnist.wasm.samplesPerSec)} samples/s, js ${f(result.mnist.js.samplesPerSec)} (${r(result.mnist.wasm.samplesPerSec, result.mnist.js.samplesPerSec)})`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/train.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
