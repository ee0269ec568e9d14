// Where each thread's time in a threaded batch goes, per phase (src/parallel/control.ts PHASE:
// gathering rows, hidden layers' forward by units, output layer and deltas by rows, loss and metric,
// weight gradients, the optimizer's update, and the waits at each kind of barrier), 2 threads beside
// the same code on 1 thread (the trainer opened with one thread: no workers, no one to wait for), so
// that each phase's scaling shows: 1 thread's µs ÷ the slower thread's µs (2.00 = perfect). The
// threads build reads the host's clock only when balanceHooks.onPhases is set (a flag read once per
// chunk). MNIST 784-128-10, adam, 8,000 digits, one-epoch fits, 1 and 2 threads interleaved,
// REPEATS rounds; wall µs per batch, median (range) over the rounds; other processes' CPU beside
// (on 2 cores, any of it slows the 2-thread fits: such rounds are run again, KEEP_DISTURBED=1 keeps them). Each round first measures the machine's parallel
// capacity (bench/capacity.ts) for the GEMMs and for Adam's update over half the network's
// parameters (what each of 2 threads updates), to read each phase's scaling against what two cores
// give for that kind of work. Run: npx tsx bench/thread-phases.ts
// (PRECISION=f32, BATCHES=32,256, REPEATS=5)
import { loadavg } from 'node:os';
import { machineCpuMs, ownCpuMs } from './cpu-time.js';
import { Network } from '../src/index.js';
import { loadMnist, threadsSpec } from './mnist.js';
import { enableThreads } from '../src/parallel/enable.js';
import { enableF32 } from '../src/f32.js';
import { Threaded } from '../src/parallel/trainer.js';
import { balanceHooks } from '../src/parallel/balance.js';
import { PHASES } from '../src/parallel/control.js';
import { capacityProbe } from './capacity.js';

enableThreads();
enableF32();

const REPEATS = Number(process.env.REPEATS ?? 5);
const KEEP_DISTURBED = process.env.KEEP_DISTURBED === '1';
const BATCHES = (process.env.BATCHES ?? '32,256').split(',').map(Number);
const PRECISION = (process.env.PRECISION ?? 'f64') as 'f64' | 'f32';
const ROWS = 8000;
const batches = (batchSize: number) => Math.ceil(ROWS / batchSize);
const d = loadMnist(ROWS, 0);
const data = { inputs: d.trainX, targets: d.trainY };
const spec = threadsSpec(PRECISION);

// fit({ threads: 2 }) opens the trainer; for the 1-thread runs it opens it with one thread.
let openWith = 2;
const open = Threaded.open;
Threaded.open = (net, _threads, batchSize) => open(net, openWith, batchSize);

/** One fit on `threads` threads: per thread the µs per batch of each phase; others' CPU µs per batch. */
async function timedFit(batchSize: number, threads: number) {
  openWith = threads;
  const ms = Array.from({ length: threads }, () => PHASES.map(() => 0));
  balanceHooks.onPhases = (chunk) => chunk.forEach((phases, t) => phases.forEach((v, k) => (ms[t][k] += v)));
  const net = await Network.create(spec);
  const m0 = machineCpuMs(),
    c0 = ownCpuMs(),
    t0 = performance.now();
  try {
    const h = await net.fit(data, { epochs: 1, batchSize, threads: 2 });
    if (h.threads !== threads) throw new Error(`asked for ${threads} threads, got ${h.threads}`);
  } finally {
    balanceHooks.onPhases = undefined;
  }
  const wall = performance.now() - t0,
    own = ownCpuMs() - c0;
  net.dispose();
  return {
    us: ms.map((phases) => phases.map((v) => (1000 * v) / batches(batchSize))),
    others: (1000 * (machineCpuMs() - m0 - own)) / batches(batchSize),
    wall,
  };
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const cell = (v: number[]) => `${median(v).toFixed(1).padStart(7)} (${Math.min(...v).toFixed(0)}–${Math.max(...v).toFixed(0)})`;
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

const ratio = (v: number[]) => `${median(v).toFixed(2)} (${Math.min(...v).toFixed(2)}–${Math.max(...v).toFixed(2)})`;
// MNIST 784-128-10's parameters: 784·128 + 128 + 128·10 + 10 = 101,770; each of 2 threads updates about half.
const HALF = Math.round(101770 / 2);
const gemmProbe = await capacityProbe(),
  adamProbe = await capacityProbe(32, 150, HALF);

console.log(
  `load ${load()}; ${PRECISION}, ${ROWS} rows, one-epoch fits, ${REPEATS} rounds of (1 thread, 2 threads); µs per batch, median (range)`,
);
for (const batchSize of BATCHES) {
  for (const t of [1, 2]) await timedFit(batchSize, t); // warm-up
  const one: Awaited<ReturnType<typeof timedFit>>[] = [],
    two: typeof one = [],
    gemm: number[] = [],
    adam: number[] = [];
  let discarded = 0;
  for (let tries = 0; one.length < REPEATS && tries < 10 * REPEATS; tries++) {
    const m0 = machineCpuMs(),
      c0 = ownCpuMs(),
      t0 = performance.now();
    const g = (await gemmProbe.probe()).capacity,
      a = (await adamProbe.probe()).capacity;
    const probes = performance.now() - t0,
      others = machineCpuMs() - m0 - (ownCpuMs() - c0); // the probes' workers are this process's threads
    const f1 = await timedFit(batchSize, 1),
      f2 = await timedFit(batchSize, 2);
    // A round during which other processes used more than 5% of a core (+ /proc/stat's 10 ms ticks) is run again.
    const disturbed = [
      [others, probes],
      [(f1.others * batches(batchSize)) / 1000, f1.wall],
      [(f2.others * batches(batchSize)) / 1000, f2.wall],
    ].some(([o, wall]) => o > 0.05 * wall + 20);
    if (disturbed && !KEEP_DISTURBED) {
      discarded++;
      continue;
    }
    gemm.push(g);
    adam.push(a);
    one.push(f1);
    two.push(f2);
  }
  if (one.length === 0) throw new Error('every round was disturbed by other processes (KEEP_DISTURBED=1 keeps them)');
  console.log(
    `\nbatch ${batchSize} (${one.length} rounds, ${discarded} discarded for other processes' CPU): phase, 1 thread, thread 0 and thread 1 of 2, scaling (1 thread ÷ the slower of the 2)`,
  );
  PHASES.forEach((phase, k) => {
    const a = one.map((f) => f.us[0][k]);
    if (Math.max(...a, ...two.map((f) => Math.max(f.us[0][k], f.us[1][k]))) === 0) return;
    const scale = one.map((f, i) => f.us[0][k] / Math.max(two[i].us[0][k], two[i].us[1][k]));
    const s = phase.startsWith('wait')
      ? ''
      : `${median(scale).toFixed(2)} (${Math.min(...scale).toFixed(2)}–${Math.max(...scale).toFixed(2)})`;
    console.log(`${phase.padEnd(13)} ${cell(a)}  ${cell(two.map((f) => f.us[0][k]))}  ${cell(two.map((f) => f.us[1][k]))}  ${s}`);
  });
  console.log(
    `others' CPU µs/batch during the fits: 1 thread ${cell(one.map((f) => f.others))}, 2 threads ${cell(two.map((f) => f.others))}`,
  );
  const fit = one.map((f, i) => f.wall / two[i].wall);
  console.log(`fit wall 1 thread ÷ 2 threads ${ratio(fit)}; capacity: GEMM ${ratio(gemm)}, Adam over ${HALF} parameters ${ratio(adam)}`);
}
await Promise.all([gemmProbe.close(), adamProbe.close()]);
console.log(`\nload ${load()}`);
