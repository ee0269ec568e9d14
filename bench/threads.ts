// Data-parallel fit (options.threads) on this machine: MNIST 784-128-10, adam, 8,000 digits, at a
// small and a large batch, in f64 and f32 (precision: 'f32', the f32 threads build); samples/s for
// 1 and 2 threads (median of REPEATS timed fits of EPOCHS epochs each, worker start-up included),
// the ratio, and the machine's parallel capacity measured in the same rounds (bench/capacity.ts:
// the same Wasm work on one worker and on two at once), so that the ratio can be read as a share of
// what two cores gave at that moment; also each fit's CPU time (process.cpuUsage: all of this
// process's threads), whose 2-thread / 1-thread ratio is what the threads cost beyond the work
// (spinning at barriers, the mirror). Run: npx tsx bench/threads.ts (PRECISIONS=f64 for one).
// Each round is a capacity probe and then every fit (f64 1 thread, 2 threads, f32 1 thread, 2
// threads), so slow phases of the machine hit all of them; on Linux, a round during which other
// processes used more than 5% of a fit's wall time in CPU is discarded and run again (the count is
// reported; KEEP_DISTURBED=1 keeps them, for a machine that is never idle): on 2 cores, any other
// load halves what 2 threads can get.
import { writeFileSync, mkdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { Network } from '../src/index.js';
import { loadMnist, threadsSpec, PIXELS, CLASSES } from './mnist.js';
import { machineCpuMs, ownCpuMs } from './cpu-time.js';
import { enableThreads } from '../src/parallel/enable.js';
import { enableF32 } from '../src/f32.js';
import { capacityProbe } from './capacity.js';
import { balanceHooks } from '../src/parallel/balance.js';

enableThreads();
enableF32();

const REPEATS = Number(process.env.REPEATS ?? 3);
const EPOCHS = Number(process.env.EPOCHS ?? 5);
const BATCHES = (process.env.BATCHES ?? '32,256').split(',').map(Number);
// 1 thread, 2 threads whose split follows the arrivals (src/parallel/balance.ts), and with EQUAL=1
// also 2 threads on the equal split (the split before balancing), interleaved in every round.
const EQUAL = process.env.EQUAL === '1';
const RUNS = EQUAL ? [1, 2, -2] : [1, 2]; // −2: two threads, equal split
const THREADS = [1, 2];
const PRECISIONS = (process.env.PRECISIONS ?? 'f64,f32').split(',') as ('f64' | 'f32')[];
/** The fits of a round, in the order they run: every precision's runs (1 thread, then 2). */
const FITS = PRECISIONS.flatMap((precision) => RUNS.map((run) => ({ precision, run, key: `${precision}/${run}` })));
const KEEP_DISTURBED = process.env.KEEP_DISTURBED === '1';

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const d = loadMnist(8000, 2000);
const data = { inputs: d.trainX, targets: d.trainY };
const spec = threadsSpec();

let discarded = 0;

type Fit = { s: number; cpuS: number; loss: number };

/** One timed fit: wall and CPU seconds, or undefined when other processes disturbed it. */
async function timedFit(batchSize: number, precision: 'f64' | 'f32', run: number, epochs: number, x = data): Promise<Fit | undefined> {
  const threads = Math.abs(run);
  balanceHooks.shares = run < 0 ? () => [1, 1] : undefined;
  const net = await Network.create({ ...spec, precision });
  const m0 = machineCpuMs(),
    o0 = ownCpuMs(),
    t = performance.now();
  const h = await net.fit(x, { epochs, batchSize, threads });
  const ms = performance.now() - t,
    own = ownCpuMs() - o0;
  if (h.threads !== undefined && h.threads !== threads) throw new Error(`asked for ${threads} threads, got ${h.threads}`);
  const m1 = machineCpuMs();
  if (!KEEP_DISTURBED && m1 - m0 - own > 0.05 * ms + 20) {
    discarded++; // + 20 ms: the 10 ms ticks of /proc/stat
    return undefined;
  }
  return { s: ms / 1000, cpuS: own / 1000, loss: h.loss[epochs - 1] };
}

const probe = await capacityProbe();

/** REPEATS undisturbed rounds (capacity, then every fit of FITS), after one warm-up fit of each. */
async function measure(batchSize: number, epochs: number, x = data) {
  const runs: Record<string, Fit[]> = Object.fromEntries(FITS.map((f) => [f.key, []])),
    capacity: number[] = [];
  for (const f of FITS) await timedFit(batchSize, f.precision, f.run, epochs, x); // warm-up
  for (let tries = 0; capacity.length < REPEATS && tries < 5 * REPEATS; tries++) {
    const c = await probe.probe();
    const round: (Fit | undefined)[] = [];
    for (const f of FITS) round.push(await timedFit(batchSize, f.precision, f.run, epochs, x));
    if (round.some((r) => !r)) continue;
    FITS.forEach((f, i) => runs[f.key].push(round[i]!));
    capacity.push(c.capacity);
  }
  if (capacity.length === 0)
    throw new Error('bench/threads: every round was disturbed by other processes; run it on an idle machine (or KEEP_DISTURBED=1)');
  return { runs, capacity };
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
const rate = (fit: Fit) => (EPOCHS * 8000) / fit.s;
for (const batch of BATCHES) {
  const { runs, capacity } = await measure(batch, EPOCHS);
  const byPrecision: Record<string, unknown> = { capacity: { median: median(capacity), runs: capacity } };
  for (const precision of PRECISIONS) {
    const [r1, r2] = THREADS.map((t) => runs[`${precision}/${t}`]);
    const row: Record<string, unknown> = {};
    THREADS.forEach((t, i) => {
      const r = [r1, r2][i];
      row[`threads${t}`] = {
        samplesPerSec: median(r.map(rate)),
        runs: r.map(rate),
        cpuSeconds: r.map((v) => v.cpuS),
        lastEpochLoss: r.at(-1)!.loss,
      };
    });
    // Per round: the speed-up, its share of the capacity measured just before it, and CPU time 2 threads / 1 thread.
    const ratios = r1.map((one, i) => one.s / r2[i].s),
      shares = ratios.map((v, i) => v / capacity[i]),
      cpu = r1.map((one, i) => r2[i].cpuS / one.cpuS);
    Object.assign(row, {
      ratio: median(ratios),
      ratios,
      ofCapacity: { median: median(shares), runs: shares },
      cpuRatio: { median: median(cpu), runs: cpu },
    });
    byPrecision[precision] = row;
    if (EQUAL) {
      // Per round: balanced 2-thread samples/s over the equal split's, measured back to back.
      const gains = runs[`${precision}/-2`].map((v, i) => v.s / r2[i].s);
      row.balancedOverEqual = { median: median(gains), runs: gains };
      console.log(
        `batch ${String(batch).padStart(4)} ${precision}: 2 threads balanced / equal split ${median(gains).toFixed(3)}× (rounds ${range(gains, 3)})`,
      );
    }
    console.log(
      `batch ${String(batch).padStart(4)} ${precision}: 1 thread ${f(median(r1.map(rate)))} samples/s, 2 threads ${f(median(r2.map(rate)))} samples/s: ` +
        `${median(ratios).toFixed(2)}× (rounds ${range(ratios)}); speed-up / capacity ${(100 * median(shares)).toFixed(0)}% (${range(
          shares.map((v) => 100 * v),
          0,
        )}%); CPU time 2 threads / 1 thread ${median(cpu).toFixed(2)} (${range(cpu)})`,
    );
  }
  if (PRECISIONS.length === 2)
    for (const t of THREADS) {
      const perRound = runs[`f64/${t}`].map((v, i) => v.s / runs[`f32/${t}`][i].s);
      byPrecision[`f32OverF64Threads${t}`] = { median: median(perRound), runs: perRound };
      console.log(
        `batch ${String(batch).padStart(4)} f32 / f64 on ${t} thread${t > 1 ? 's' : ''}: ${median(perRound).toFixed(2)}× (rounds ${range(perRound)})`,
      );
    }
  console.log(`batch ${String(batch).padStart(4)} capacity ${median(capacity).toFixed(2)} (${range(capacity)})`);
  results[`batch${batch}`] = byPrecision;
}
// Fixed cost of a threaded fit (mirror network, worker start-up, shutdown): a fit of one batch.
const tiny = { inputs: d.trainX.subarray(0, 32 * PIXELS), targets: d.trainY.subarray(0, 32 * CLASSES) };
const { runs: one } = await measure(32, 1, tiny);
await probe.close();
const startMs = (key: string) => median(one[key].map((v) => v.s)) * 1000;
results.startupMs = Object.fromEntries(FITS.map((fit) => [fit.key, startMs(fit.key)]));
console.log(
  `a one-batch fit (worker start-up and shutdown): ${FITS.map((fit) => `${fit.precision} ${fit.key.split('/')[1]} thread(s) ${startMs(fit.key).toFixed(1)} ms`).join(', ')}`,
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
