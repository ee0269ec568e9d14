// Handing fit its rows: the time from the fit call until its training begins (data read,
// checked and copied into the network's heap), for 8,000 × 784 inputs and 8,000 × 10 targets as
// number[][] into an f64 network, and into an f32 network as number[][] (rounded once), as
// Float32Array rows and as one flat Float32Array, beside bare copy loops of the same numbers
// measured in the same run (all interleaved).
// Wall time, and CPU time (user + system, page faults included; time-slicing on a loaded machine is not).
// Run: npx tsx bench/handover.ts   (REPEATS=11 by default)
import { Network, type NetworkSpec } from '../src/index.js';
import { enableF32 } from '../src/f32.js';
import { loadMnist, PIXELS, CLASSES } from './mnist.js';
import { median } from './peers/common.js';

const REPEATS = Math.max(7, Number(process.env.REPEATS ?? 11));
const ROWS = 8000;
const d = loadMnist(ROWS, 2000);
const rowsOf = (flat: Float64Array, width: number) =>
  Array.from({ length: ROWS }, (_, r) => Array.from(flat.subarray(r * width, (r + 1) * width)));
const inputs = rowsOf(d.trainX, PIXELS),
  targets = rowsOf(d.trainY, CLASSES);
const flatX32 = Float32Array.from(d.trainX.subarray(0, ROWS * PIXELS)),
  flatY32 = Float32Array.from(d.trainY.subarray(0, ROWS * CLASSES));
const rowsOf32 = (flat: Float32Array, width: number) => Array.from({ length: ROWS }, (_, r) => flat.slice(r * width, (r + 1) * width));
const inputs32 = rowsOf32(flatX32, PIXELS),
  targets32 = rowsOf32(flatY32, CLASSES);
enableF32();
const spec: NetworkSpec = {
  inputs: PIXELS,
  layers: [
    { units: 128, activation: 'relu' },
    { units: CLASSES, activation: 'softmax' },
  ],
  loss: 'crossEntropy',
  optimizer: { type: 'sgd', learningRate: 0.1 },
  seed: 1,
};
const net = await Network.create(spec);
const net32 = await Network.create({ ...spec, precision: 'f32' });

/** Wall and CPU ms since `t0`, `c0`. */
const since = (t0: number, c0: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
};

/** ms from the fit call to onTrainBegin (which stops the fit before its first batch). */
async function handover(to: Network, data: { inputs: unknown; targets: unknown }): Promise<{ wall: number; cpu: number }> {
  const t0 = performance.now(),
    c0 = process.cpuUsage();
  let t = { wall: NaN, cpu: NaN };
  await to.fit(data as { inputs: number[][]; targets: number[][] }, {
    epochs: 1,
    batchSize: 32,
    callbacks: [{ onTrainBegin: (c) => void ((t = since(t0, c0)), c.stop()) }],
  });
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
type Time = { wall: number; cpu: number };
const runs: [string, () => Time | Promise<Time>][] = [
  ["fit's handover, f64 network, number[][]:     ", () => handover(net, { inputs, targets })],
  ["fit's handover, f32 network, number[][]:     ", () => handover(net32, { inputs, targets })],
  ["fit's handover, f32 network, Float32Array[]: ", () => handover(net32, { inputs: inputs32, targets: targets32 })],
  ["fit's handover, f32 network, flat Float32Array:", () => handover(net32, { inputs: flatX32, targets: flatY32 })],
  ['bare copy loop into a new Float64Array:      ', () => bareCopy(() => new Float64Array(size))],
  ['bare copy loop into a reused Float64Array:   ', () => bareCopy(() => reused)],
];
const times = runs.map(() => [] as Time[]);
for (let i = 0; i < 2; i++) for (const [, run] of runs) await run(); // warm-up
for (let i = 0; i < REPEATS; i++) for (const [k, [, run]] of runs.entries()) times[k].push(await run());
const figure = (t: number[]) =>
  `median ${median(t).toFixed(1)} ms (${((1e6 * median(t)) / size).toFixed(1)} ns a number), range ${Math.min(...t).toFixed(1)}–${Math.max(...t).toFixed(1)}`;
const show = (t: { wall: number; cpu: number }[]) => `wall ${figure(t.map((x) => x.wall))}; CPU ${figure(t.map((x) => x.cpu))}`;
console.log(
  `fit of ${ROWS} × ${PIXELS} + ${ROWS} × ${CLASSES} rows, until training begins, ${REPEATS} runs interleaved; Node ${process.version}`,
);
for (const [k, [name]] of runs.entries()) console.log(`  ${name} ${show(times[k])}`);
