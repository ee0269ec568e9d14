// Data-parallel fit (options.threads) on this machine: MNIST 784-128-10, adam, 8,000 digits, at a
// small and a large batch; samples/s for 1 and 2 threads (median of REPEATS timed fits of EPOCHS
// epochs each, worker start-up included), the ratio, and the machine's parallel capacity measured
// in the same rounds (bench/capacity.ts: the same Wasm work on one worker and on two at once), so
// that the ratio can be read as a share of what two cores gave at that moment. Run:
// npx tsx bench/threads.ts
// Each round is a capacity probe, a 1-thread fit and a 2-thread fit, so slow phases of the machine
// hit all three; on Linux, a round during which other processes used more than 5% of a fit's wall
// time in CPU is discarded and run again (the count is reported; KEEP_DISTURBED=1 keeps them, for
// a machine that is never idle): on 2 cores, any other load halves what 2 threads can get.
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { Network } from '../src/index.js';
import { loadMnist, PIXELS, CLASSES } from './mnist.js';
import { enableThreads } from '../src/parallel/enable.js';
import { capacityProbe } from './capacity.js';
import { balanceHooks } from '../src/parallel/balance.js';

enableThreads();

const REPEATS = Number(process.env.REPEATS ?? 3);
const EPOCHS = Number(process.env.EPOCHS ?? 5);
const BATCHES = (process.env.BATCHES ?? '32,256').split(',').map(Number);
// 1 thread, 2 threads whose split follows the arrivals (src/parallel/balance.ts), and with EQUAL=1
// also 2 threads on the equal split (the split before balancing), interleaved in every round.
const EQUAL = process.env.EQUAL === '1';
const RUNS = EQUAL ? [1, 2, -2] : [1, 2]; // −2: two threads, equal split
const THREADS = [1, 2];
const KEEP_DISTURBED = process.env.KEEP_DISTURBED === '1';

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const d = loadMnist(8000, 2000);
const data = { inputs: d.trainX, targets: d.trainY };
const spec = {
  inputs: PIXELS,
  layers: [
    { units: 128, activation: 'relu' as const },
    { units: CLASSES, activation: 'softmax' as const },
  ],
  loss: 'crossEntropy' as const,
  optimizer: { type: 'adam' as const, learningRate: 0.001 },
  seed: 1,
};

/** CPU ms used by all processes (from /proc/stat), or undefined where there is none. */
function machineCpuMs(): number | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return (f[0] + f[1] + f[2] + f[5] + f[6]) * 10; // user nice system irq softirq, in 10 ms ticks
  } catch {
    return undefined;
  }
}
const ownCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
let discarded = 0;

/** One timed fit: seconds, or undefined when other processes disturbed it. */
async function timedFit(batchSize: number, run: number, epochs: number, x = data): Promise<{ s: number; loss: number } | undefined> {
  const threads = Math.abs(run);
  balanceHooks.shares = run < 0 ? () => [1, 1] : undefined;
  const net = await Network.create(spec);
  const m0 = machineCpuMs(),
    o0 = ownCpuMs(),
    t = performance.now();
  const h = await net.fit(x, { epochs, batchSize, threads });
  const ms = performance.now() - t;
  if (h.threads !== undefined && h.threads !== threads) throw new Error(`asked for ${threads} threads, got ${h.threads}`);
  const m1 = machineCpuMs();
  if (!KEEP_DISTURBED && m0 !== undefined && m1 !== undefined && m1 - m0 - (ownCpuMs() - o0) > 0.05 * ms + 20) {
    discarded++; // + 20 ms: the 10 ms ticks of /proc/stat
    return undefined;
  }
  return { s: ms / 1000, loss: h.loss[epochs - 1] };
}

const probe = await capacityProbe();

/** REPEATS undisturbed rounds (capacity, 1 thread, 2 threads), after one warm-up fit of each. */
async function measure(batchSize: number, epochs: number, x = data) {
  const runs: Record<number, number[]> = { 1: [], 2: [], [-2]: [] },
    loss: Record<number, number> = {},
    capacity: number[] = [];
  for (const run of RUNS) await timedFit(batchSize, run, epochs, x); // warm-up
  for (let tries = 0; runs[1].length < REPEATS && tries < 5 * REPEATS; tries++) {
    const c = await probe.probe();
    const round: ({ s: number; loss: number } | undefined)[] = [];
    for (const run of RUNS) round.push(await timedFit(batchSize, run, epochs, x));
    if (round.some((r) => !r)) continue;
    RUNS.forEach((threads, i) => {
      runs[threads].push(round[i]!.s);
      loss[threads] = round[i]!.loss;
    });
    capacity.push(c.capacity);
  }
  if (runs[1].length === 0)
    throw new Error('bench/threads: every round was disturbed by other processes; run it on an idle machine (or KEEP_DISTURBED=1)');
  return { runs, loss, capacity };
}

const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  node: process.version,
  cores: availableParallelism(),
  epochsPerFit: EPOCHS,
  repeats: REPEATS,
  loadAverageBefore: loadavg(),
};
const f = (v: number) => Math.round(v).toLocaleString('en-US');
console.log(
  `threaded fit, MNIST 784-128-10 adam, 8,000 digits × ${EPOCHS} epochs per fit, median of ${REPEATS}, ${availableParallelism()} cores, Node ${process.version}, load average ${loadavg()
    .map((v) => v.toFixed(2))
    .join(' ')}`,
);
const range = (v: number[], digits = 2) => `${Math.min(...v).toFixed(digits)}–${Math.max(...v).toFixed(digits)}`;
for (const batch of BATCHES) {
  const { runs, loss, capacity } = await measure(batch, EPOCHS);
  const row: Record<string, unknown> = {};
  for (const t of THREADS)
    row[`threads${t}`] = {
      samplesPerSec: median(runs[t].map((s) => (EPOCHS * 8000) / s)),
      runs: runs[t].map((s) => (EPOCHS * 8000) / s),
      lastEpochLoss: loss[t],
    };
  const one = (row.threads1 as { samplesPerSec: number }).samplesPerSec,
    two = (row.threads2 as { samplesPerSec: number }).samplesPerSec;
  // Per round: the speed-up and its share of the capacity measured just before it.
  const ratios = runs[1].map((s1, i) => s1 / runs[2][i]),
    shares = ratios.map((r, i) => r / capacity[i]);
  row.ratio = two / one;
  row.ratios = ratios;
  row.capacity = { median: median(capacity), runs: capacity };
  row.ofCapacity = { median: median(shares), runs: shares };
  results[`batch${batch}`] = row;
  if (EQUAL) {
    // Per round: balanced 2-thread samples/s over the equal split's, measured back to back.
    const gains = runs[-2].map((s, i) => s / runs[2][i]);
    row.balancedOverEqual = { median: median(gains), runs: gains };
    console.log(
      `batch ${String(batch).padStart(4)}: 2 threads balanced / equal split ${median(gains).toFixed(3)}× (rounds ${range(gains, 3)})`,
    );
  }
  console.log(
    `batch ${String(batch).padStart(4)}: 1 thread ${f(one)} samples/s, 2 threads ${f(two)} samples/s: ${(two / one).toFixed(2)}× (rounds ${range(ratios)}); ` +
      `capacity ${median(capacity).toFixed(2)} (${range(capacity)}); speed-up / capacity ${(100 * median(shares)).toFixed(0)}% (${range(
        shares.map((v) => 100 * v),
        0,
      )}%)`,
  );
}
// Fixed cost of a threaded fit (mirror network, worker start-up, shutdown): a fit of one batch.
const tiny = { inputs: d.trainX.subarray(0, 32 * PIXELS), targets: d.trainY.subarray(0, 32 * CLASSES) };
const { runs: one } = await measure(32, 1, tiny);
await probe.close();
results.startupMs = { threads1: median(one[1]) * 1000, threads2: median(one[2]) * 1000 };
console.log(
  `a one-batch fit: 1 thread ${(median(one[1]) * 1000).toFixed(1)} ms, 2 threads ${(median(one[2]) * 1000).toFixed(1)} ms (worker start-up and shutdown)`,
);
results.discardedFits = discarded;
results.loadAverageAfter = loadavg();
console.log(
  `${discarded} fit(s) discarded for other processes' CPU use; load average ${loadavg()
    .map((v) => v.toFixed(2))
    .join(' ')}`,
);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/threads.json', import.meta.url), JSON.stringify(results, null, 2) + '\n');
