// Handing fit nested rows: the time from the fit call until its training begins (data read,
// checked and copied into the network's heap), for 8,000 × 784 inputs and 8,000 × 10 targets as
// number[][], beside bare copy loops of the same numbers measured in the same run (interleaved).
// Run: npx tsx bench/handover.ts   (REPEATS=11 by default)
import { Network } from '../src/index.js';
import { loadMnist, PIXELS, CLASSES } from './mnist.js';
import { median } from './peers/common.js';

const REPEATS = Math.max(7, Number(process.env.REPEATS ?? 11));
const ROWS = 8000;
const d = loadMnist(ROWS, 2000);
const rowsOf = (flat: Float64Array, width: number) => Array.from({ length: ROWS }, (_, r) => Array.from(flat.subarray(r * width, (r + 1) * width)));
const inputs = rowsOf(d.trainX, PIXELS), targets = rowsOf(d.trainY, CLASSES);
const net = await Network.create({ inputs: PIXELS, layers: [{ units: 128, activation: 'relu' }, { units: CLASSES, activation: 'softmax' }], loss: 'crossEntropy', optimizer: { type: 'sgd', learningRate: 0.1 }, seed: 1 });

/** ms from the fit call to onTrainBegin (which stops the fit before its first batch). */
async function handover(): Promise<number> {
  const t0 = performance.now();
  let t1 = NaN;
  await net.fit({ inputs, targets }, { epochs: 1, batchSize: 32, callbacks: [{ onTrainBegin: (c) => void ((t1 = performance.now()), c.stop()) }] });
  return t1 - t0;
}

/** ms of a plain loop copying every number of inputs and targets into `out` (no checks). */
function bareCopy(out: () => Float64Array): number {
  const t0 = performance.now();
  const o = out();
  let k = 0;
  for (const rows of [inputs, targets]) {
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      for (let i = 0; i < row.length; i++) o[k++] = row[i];
    }
  }
  return performance.now() - t0;
}

const size = ROWS * (PIXELS + CLASSES);
const reused = new Float64Array(size);
const times = { fit: [] as number[], fresh: [] as number[], reused: [] as number[] };
for (let i = 0; i < 2; i++) void (await handover(), bareCopy(() => new Float64Array(size)), bareCopy(() => reused)); // warm-up
for (let i = 0; i < REPEATS; i++) {
  times.fit.push(await handover());
  times.fresh.push(bareCopy(() => new Float64Array(size)));
  times.reused.push(bareCopy(() => reused));
}
const show = (t: number[]) => `median ${median(t).toFixed(1)} ms (${(1e6 * median(t) / size).toFixed(1)} ns a number), range ${Math.min(...t).toFixed(1)}–${Math.max(...t).toFixed(1)}`;
console.log(`fit of ${ROWS} × ${PIXELS} + ${ROWS} × ${CLASSES} nested rows, until training begins, ${REPEATS} runs interleaved; Node ${process.version}`);
console.log(`  fit's handover:                                ${show(times.fit)}`);
console.log(`  bare copy loop into a new Float64Array:        ${show(times.fresh)}`);
console.log(`  bare copy loop into a reused Float64Array:     ${show(times.reused)}`);
