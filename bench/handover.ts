// Handing fit nested rows: the time from the fit call until its training begins (data read,
// checked and copied into the network's heap), for 8,000 × 784 inputs and 8,000 × 10 targets as
// number[][], beside bare copy loops of the same numbers measured in the same run (interleaved).
// Wall time, and CPU time (user + system, page faults included; time-slicing on a loaded machine is not).
// Run: npx tsx bench/handover.ts   (REPEATS=11 by default)
import { Network } from '../src/index.js';
import { loadMnist, PIXELS, CLASSES } from './mnist.js';
import { median } from './peers/common.js';

const REPEATS = Math.max(7, Number(process.env.REPEATS ?? 11));
const ROWS = 8000;
const d = loadMnist(ROWS, 2000);
const rowsOf = (flat: Float64Array, width: number) =>
  Array.from({ length: ROWS }, (_, r) => Array.from(flat.subarray(r * width, (r + 1) * width)));
const inputs = rowsOf(d.trainX, PIXELS),
  targets = rowsOf(d.trainY, CLASSES);
const net = await Network.create({
  inputs: PIXELS,
  layers: [
    { units: 128, activation: 'relu' },
    { units: CLASSES, activation: 'softmax' },
  ],
  loss: 'crossEntropy',
  optimizer: { type: 'sgd', learningRate: 0.1 },
  seed: 1,
});

/** Wall and CPU ms since `t0`, `c0`. */
const since = (t0: number, c0: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
};

/** ms from the fit call to onTrainBegin (which stops the fit before its first batch). */
async function handover(): Promise<{ wall: number; cpu: number }> {
  const t0 = performance.now(),
    c0 = process.cpuUsage();
  let t = { wall: NaN, cpu: NaN };
  await net.fit(
    { inputs, targets },
    { epochs: 1, batchSize: 32, callbacks: [{ onTrainBegin: (c) => void ((t = since(t0, c0)), c.stop()) }] },
  );
  return t;
}

/** ms of a plain loop copying every number of inputs and targets into `out` (no checks). */
function bareCopy(out: () => Float64Array): { wall: number; cpu: number } {
  const t0 = performance.now(),
    c0 = process.cpuUsage();
  const o = out();
  let k = 0;
  for (const rows of [inputs, targets]) {
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      for (let i = 0; i < row.length; i++) o[k++] = row[i];
    }
  }
  return since(t0, c0);
}

const size = ROWS * (PIXELS + CLASSES);
const reused = new Float64Array(size);
const times = {
  fit: [] as { wall: number; cpu: number }[],
  fresh: [] as { wall: number; cpu: number }[],
  reused: [] as { wall: number; cpu: number }[],
};
for (let i = 0; i < 2; i++) void (await handover(), bareCopy(() => new Float64Array(size)), bareCopy(() => reused)); // warm-up
for (let i = 0; i < REPEATS; i++) {
  times.fit.push(await handover());
  times.fresh.push(bareCopy(() => new Float64Array(size)));
  times.reused.push(bareCopy(() => reused));
}
const figure = (t: number[]) =>
  `median ${median(t).toFixed(1)} ms (${((1e6 * median(t)) / size).toFixed(1)} ns a number), range ${Math.min(...t).toFixed(1)}–${Math.max(...t).toFixed(1)}`;
const show = (t: { wall: number; cpu: number }[]) => `wall ${figure(t.map((x) => x.wall))}; CPU ${figure(t.map((x) => x.cpu))}`;
console.log(
  `fit of ${ROWS} × ${PIXELS} + ${ROWS} × ${CLASSES} nested rows, until training begins, ${REPEATS} runs interleaved; Node ${process.version}`,
);
console.log(`  fit's handover:                            ${show(times.fit)}`);
console.log(`  bare copy loop into a new Float64Array:    ${show(times.fresh)}`);
console.log(`  bare copy loop into a reused Float64Array: ${show(times.reused)}`);
