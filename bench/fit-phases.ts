// Where a fit's wall time goes, one thread beside two: from fit() to the first epoch (reading and
// placing the rows; on 2 threads also opening the trainer: mirror, control block, workers), the
// epoch (on 2 threads split into the chunks' Threaded.train calls and what runs between them:
// the chunk scheduler, yields, the `before` copy), and from the epoch's end to fit()'s (on 2
// threads the trainer's close: the push, the workers parking). The methods are wrapped in this
// process only (no change to the library). MNIST 784-128-10, adam, 8,000 digits, one-epoch fits,
// 1 and 2 threads interleaved, REPEATS rounds per batch size (after a warm-up of each); µs per
// batch, median (range); other processes' CPU during the fits beside (2 cores: any of it slows the
// 2-thread fits). Run: npx tsx bench/fit-phases.ts (PRECISION=f32, BATCHES=32,256, REPEATS=7)
import { loadavg } from 'node:os';
import { machineCpuMs, ownCpuMs } from './cpu-time.js';
import { Network } from '../src/index.js';
import { loadMnist, threadsSpec } from './mnist.js';
import { enableThreads } from '../src/parallel/enable.js';
import { enableF32 } from '../src/f32.js';
import { Threaded } from '../src/parallel/trainer.js';
import { ChunkScheduler } from '../src/fit-chunks.js';

enableThreads();
enableF32();

const REPEATS = Number(process.env.REPEATS ?? 7);
const BATCHES = (process.env.BATCHES ?? '32,256').split(',').map(Number);
const PRECISION = (process.env.PRECISION ?? 'f64') as 'f64' | 'f32';
const ROWS = 8000;
const d = loadMnist(ROWS, 0);
const data = { inputs: d.trainX, targets: d.trainY };
const spec = threadsSpec(PRECISION);

/** Per fit, ms in each phase (filled by the wrappers below). */
interface Phases {
  open: number;
  setUp: number;
  epoch: number;
  chunks: number;
  chunkCount: number;
  tearDown: number;
  close: number;
  wall: number;
  cpu: number;
  setUpCpu: number;
  epochCpu: number;
  /** CPU ms other processes used during the fit. */
  others: number;
}
let current: Phases | undefined;
const now = () => performance.now();

const open = Threaded.open;
Threaded.open = async (...args: Parameters<typeof open>) => {
  const t = now();
  const tr = await open(...args);
  if (current) current.open += now() - t;
  return tr;
};
const train = Threaded.prototype.train;
Threaded.prototype.train = function (this: Threaded, ...args: Parameters<typeof train>) {
  const t = now();
  const done = train.apply(this, args);
  if (current) {
    current.chunks += now() - t;
    current.chunkCount++;
  }
  return done;
};
const close = Threaded.prototype.close;
Threaded.prototype.close = async function (this: Threaded) {
  const t = now();
  await close.apply(this);
  if (current) current.close += now() - t;
};
let epochStart = 0,
  epochEnd = 0,
  epochStartCpu = 0,
  epochEndCpu = 0;
const trainEpoch = ChunkScheduler.prototype.trainEpoch;
ChunkScheduler.prototype.trainEpoch = async function (this: ChunkScheduler, epoch: number) {
  epochStart = now();
  epochStartCpu = ownCpuMs();
  const logs = await trainEpoch.call(this, epoch);
  epochEndCpu = ownCpuMs();
  epochEnd = now();
  return logs;
};

async function timedFit(batchSize: number, threads: number): Promise<Phases> {
  const net = await Network.create(spec);
  const p: Phases = {
    open: 0,
    setUp: 0,
    epoch: 0,
    chunks: 0,
    chunkCount: 0,
    tearDown: 0,
    close: 0,
    wall: 0,
    cpu: 0,
    setUpCpu: 0,
    epochCpu: 0,
    others: 0,
  };
  current = p;
  const m0 = machineCpuMs(),
    c0 = ownCpuMs(),
    t0 = now();
  const h = await net.fit(data, { epochs: 1, batchSize, threads });
  p.wall = now() - t0;
  p.cpu = ownCpuMs() - c0;
  p.others = machineCpuMs() - m0 - p.cpu;
  p.setUpCpu = epochStartCpu - c0;
  p.epochCpu = epochEndCpu - epochStartCpu;
  current = undefined;
  if ((h.threads ?? 1) !== threads) throw new Error(`asked for ${threads} threads, got ${h.threads}`);
  p.setUp = epochStart - t0;
  p.epoch = epochEnd - epochStart;
  p.tearDown = t0 + p.wall - epochEnd;
  net.dispose();
  return p;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const cell = (v: number[]) => `${median(v).toFixed(0).padStart(5)} (${Math.min(...v).toFixed(0)}–${Math.max(...v).toFixed(0)})`;
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

console.log(
  `load ${load()}; ${PRECISION}, ${ROWS} rows, one-epoch fits, ${REPEATS} rounds of (1 thread, 2 threads); µs per batch, median (range)`,
);
for (const batchSize of BATCHES) {
  const batches = Math.ceil(ROWS / batchSize);
  for (const t of [1, 2]) await timedFit(batchSize, t); // warm-up
  const runs: Record<number, Phases[]> = { 1: [], 2: [] };
  for (let r = 0; r < REPEATS; r++) for (const t of [1, 2]) runs[t].push(await timedFit(batchSize, t));
  console.log(`\nbatch ${batchSize} (${batches} batches a fit)`);
  const us = (f: (p: Phases) => number) => (t: number) => runs[t].map((p) => (1000 * f(p)) / batches);
  const rows: [string, (t: number) => number[]][] = [
    ['fit wall', us((p) => p.wall)],
    ['  set-up (fit() → epoch)', us((p) => p.setUp)],
    ['    its CPU', us((p) => p.setUpCpu)],
    ['    of which Threaded.open', us((p) => p.open)],
    ['  epoch', us((p) => p.epoch)],
    ['    its CPU', us((p) => p.epochCpu)],
    ['    in Threaded.train', us((p) => p.chunks)],
    ['    between chunks', us((p) => p.epoch - p.chunks)],
    ['  tear-down (epoch → end)', us((p) => p.tearDown)],
    ['    of which Threaded.close', us((p) => p.close)],
    ['process CPU', us((p) => p.cpu)],
    ["others' CPU (machine − process)", us((p) => p.others)],
  ];
  for (const [name, f] of rows) console.log(`${name.padEnd(30)} 1 thread ${cell(f(1))}   2 threads ${cell(f(2))}`);
  console.log(`chunks a fit (2 threads): ${median(runs[2].map((p) => p.chunkCount))}`);
  const speedUp = runs[1].map((p, i) => p.wall / runs[2][i].wall);
  const epochSpeedUp = runs[1].map((p, i) => p.epoch / runs[2][i].epoch);
  console.log(
    `2 ÷ 1 thread: fit ${median(speedUp).toFixed(2)}× (${Math.min(...speedUp).toFixed(2)}–${Math.max(...speedUp).toFixed(2)}), epoch only ${median(epochSpeedUp).toFixed(2)}× (${Math.min(...epochSpeedUp).toFixed(2)}–${Math.max(...epochSpeedUp).toFixed(2)})`,
  );
}
console.log(`\nload ${load()}`);
