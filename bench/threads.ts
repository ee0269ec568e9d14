// Data-parallel fit (options.threads) on this machine: MNIST 784-128-10, adam, 8,000 digits, at a
// small and a large batch; samples/s for 1 and 2 threads (median of REPEATS timed fits of EPOCHS
// epochs each, worker start-up included), and the ratio. Run: npx tsx bench/threads.ts
import { writeFileSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Network } from '../src/index.js';
import { loadMnist, PIXELS, CLASSES } from './mnist.js';
import { enableThreads } from '../src/parallel/enable.js';

enableThreads();

const REPEATS = Number(process.env.REPEATS ?? 3);
const EPOCHS = Number(process.env.EPOCHS ?? 5);
const BATCHES = (process.env.BATCHES ?? '32,256').split(',').map(Number);
const THREADS = [1, 2];

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const d = loadMnist(8000, 2000);
const data = { inputs: d.trainX, targets: d.trainY };
const spec = {
  inputs: PIXELS, layers: [{ units: 128, activation: 'relu' as const }, { units: CLASSES, activation: 'softmax' as const }],
  loss: 'crossEntropy' as const, optimizer: { type: 'adam' as const, learningRate: 0.001 }, seed: 1,
};

async function samplesPerSec(batchSize: number, threads: number) {
  const rates: number[] = [];
  let loss = 0;
  for (let i = 0; i <= REPEATS; i++) {
    const net = await Network.create(spec);
    const t = performance.now();
    const h = await net.fit(data, { epochs: EPOCHS, batchSize, threads });
    const s = (performance.now() - t) / 1000;
    if (h.threads !== undefined && h.threads !== threads) throw new Error(`asked for ${threads} threads, got ${h.threads}`);
    if (i > 0) rates.push((EPOCHS * 8000) / s); // run 0 warms up
    loss = h.loss[EPOCHS - 1];
  }
  return { samplesPerSec: median(rates), runs: rates, lastEpochLoss: loss };
}

const results: Record<string, unknown> = { node: process.version, cores: availableParallelism(), epochsPerFit: EPOCHS, repeats: REPEATS };
const f = (v: number) => Math.round(v).toLocaleString('en-US');
console.log(`threaded fit, MNIST 784-128-10 adam, 8,000 digits × ${EPOCHS} epochs per fit, median of ${REPEATS}, ${availableParallelism()} cores, Node ${process.version}`);
for (const batch of BATCHES) {
  const row: Record<string, unknown> = {};
  for (const threads of THREADS) row[`threads${threads}`] = await samplesPerSec(batch, threads);
  const one = (row.threads1 as { samplesPerSec: number }).samplesPerSec, two = (row.threads2 as { samplesPerSec: number }).samplesPerSec;
  row.ratio = two / one;
  results[`batch${batch}`] = row;
  console.log(`batch ${String(batch).padStart(4)}: 1 thread ${f(one)} samples/s, 2 threads ${f(two)} samples/s: ${(two / one).toFixed(2)}×`);
}
// Fixed cost of a threaded fit (mirror network, worker start-up, shutdown): a fit of one batch.
const tiny = { inputs: d.trainX.subarray(0, 32 * PIXELS), targets: d.trainY.subarray(0, 32 * CLASSES) };
const fitMs = async (threads: number) => {
  const ms: number[] = [];
  for (let i = 0; i <= REPEATS; i++) {
    const net = await Network.create(spec);
    const t = performance.now();
    await net.fit(tiny, { epochs: 1, batchSize: 32, threads });
    if (i > 0) ms.push(performance.now() - t);
  }
  return median(ms);
};
const [one, two] = [await fitMs(1), await fitMs(2)];
results.startupMs = { threads1: one, threads2: two };
console.log(`a one-batch fit: 1 thread ${one.toFixed(1)} ms, 2 threads ${two.toFixed(1)} ms (worker start-up and shutdown)`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/threads.json', import.meta.url), JSON.stringify(results, null, 2) + '\n');
