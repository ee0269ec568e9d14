// The headline table: backprop beside each peer library on the same work, from the JSON the other
// bench scripts wrote in this run (bench/results/). Run: npx tsx bench/report.ts
import { readFileSync, writeFileSync } from 'node:fs';
import type { PeerResult } from './peers/common.js';

const read = (f: string) => JSON.parse(readFileSync(new URL(`./results/${f}`, import.meta.url), 'utf8'));
const train = read('train.json');
const matmul = read('matmul.json');
const startup = read('startup.json');
const peersFile = read('peers.json');
const peers: PeerResult[] = peersFile.results;

// Each script writes its figures with the time it measured them: a figure that a failed or skipped
// script left from an earlier run says so, rather than passing for this run's.
const newest = Math.max(
  ...[train.date, matmul.date, startup.date, peers.length ? peersFile.meta.date : undefined].map((d) => Date.parse(d ?? '') || 0),
);
const RUN_SPAN_MS = 60 * 60_000; // a full npm run bench takes ≈ 20 minutes
/** '' for a figure of this run; else when it was measured. */
const staleness = (date: string | undefined) => {
  const at = Date.parse(date ?? '');
  if (!Number.isFinite(at)) return ' (undated: from an earlier run)';
  return newest - at > RUN_SPAN_MS ? ` (from an earlier run, ${date!.slice(0, 16).replace('T', ' ')} UTC)` : '';
};

const f0 = (v: number) => Math.round(v).toLocaleString('en-US');
const pct = (v: number | undefined) => (v === undefined ? '—' : `${(100 * v).toFixed(2)}%`);
const ratio = (ours: number, theirs: number | undefined) => (theirs ? `${(ours / theirs).toFixed(1)}×` : '—');
const ours = train.mnist.wasm.samplesPerSec as number;
const oursSeedFit = train.seed.wasm.fitStepsPerSec as number;
const oursSeedStep = train.seed.wasm.trainStepPerSec as number;

const lines: string[] = [];
const when = new Date(newest).toISOString().slice(0, 16).replace('T', ' ');
lines.push(`Measured ${when} UTC (${matmul.cpu ?? 'unknown CPU'}, ${matmul.cores} cores, Node ${matmul.node}).`);
const late = [
  ['bench/train.ts', train.date],
  ['bench/matmul.ts', matmul.date],
  ['bench/startup.ts', startup.date],
].filter(([, d]) => staleness(d) !== '');
if (late.length) lines.push(`Not from this run: ${late.map(([s, d]) => `${s}${staleness(d)}`).join('; ')}.`);
lines.push('');
lines.push(
  '| library (backend) | MNIST samples/s | test acc. (1 epoch) | backprop ÷ it | seed steps/s | backprop fit ÷ it | backprop trainStep ÷ it |',
);
lines.push('|---|--:|--:|--:|--:|--:|--:|');
lines.push(
  `| **backprop (wasm, f64)** | **${f0(ours)}** | ${pct(train.mnist.wasm.testAccuracyAfter1Epoch)} | 1× | fit ${f0(oursSeedFit)} / trainStep ${f0(oursSeedStep)} | 1× | 1× |`,
);
const f32 = train.mnist.wasmF32 as
  { samplesPerSec: number; testAccuracyAfter1Epoch: number; testAccuracyAfterLast: number; epochs: number } | undefined;
if (f32)
  lines.push(
    `| **backprop (wasm, f32)** | **${f0(f32.samplesPerSec)}** | ${pct(f32.testAccuracyAfter1Epoch)} | ${ratio(f32.samplesPerSec, ours)} f64's | — | — | — |`,
  );
lines.push(
  `| backprop (js, f64) | ${f0(train.mnist.js.samplesPerSec)} | ${pct(train.mnist.js.testAccuracyAfter1Epoch)}¹ | ${ratio(ours, train.mnist.js.samplesPerSec)} | fit ${f0(train.seed.js.fitStepsPerSec)} / trainStep ${f0(train.seed.js.trainStepPerSec)} | ${ratio(oursSeedFit, train.seed.js.fitStepsPerSec)} | ${ratio(oursSeedStep, train.seed.js.trainStepPerSec)} |`,
);
for (const p of peers) {
  const m = p.workloads.mnist,
    s = p.workloads.seed;
  const name = `${p.library} (${p.backend})`;
  const acc = m ? `${pct(m.testAccuracy)}${m.samples < 8000 ? ` (${m.samples} samples)` : ''}` : '—';
  lines.push(
    `| ${name} | ${m ? f0(m.samplesPerSec) : '—'} | ${acc} | ${ratio(ours, m?.samplesPerSec)} | ${s ? f0(s.stepsPerSec) : '—'} | ${ratio(oursSeedFit, s?.stepsPerSec)} | ${ratio(oursSeedStep, s?.stepsPerSec)} |`,
  );
}
lines.push('');
lines.push('¹ the js backend trains on 2,000 of the 8,000 digits per timed epoch, to keep the run short.');
const tfWasm = peers.find((p) => p.library === 'tfjs' && p.backend === 'wasm')?.workloads.mnist?.samplesPerSec;
if (f32) {
  const q = train.mnist.f32OverF64 as { median: number; range: number[] };
  lines.push('');
  lines.push(
    `f32 (\`precision: 'f32'\`), interleaved with f64 epoch by epoch: ${f0(f32.samplesPerSec)} samples/s = ${ratio(f32.samplesPerSec, tfWasm)} TF.js wasm, ${q.median.toFixed(2)}× f64 (${q.range[0].toFixed(2)}–${q.range[1].toFixed(2)} over ${f32.epochs} pairs of epochs; f64 ${ratio(ours, tfWasm)} TF.js wasm); test accuracy after ${f32.epochs} epochs: f32 ${pct(f32.testAccuracyAfterLast)}, f64 ${pct(train.mnist.wasm.testAccuracyAfterLast)}.`,
  );
}
lines.push('');
// bench/matmul.ts's cells: GFLOP/s by CPU time, median over its interleaved rounds.
type Cell = { impl: string; form: string; shape: string; median: number };
const cellOf = (impl: string, form: string, n: number) =>
  (matmul.cells as Cell[]).find((c) => c.impl === impl && c.form === form && c.shape === `${n}³`)?.median;
const plainOf = (name: string, n: number) =>
  (matmul.plain as { name: string; n: number; gflops: number }[]).find((r) => r.name === name && r.n === n)?.gflops;
const FORMS = ['gemmABt', 'gemmAtB', 'gemmAB'];
lines.push(
  '| n | f64 gemmABt / AtB / AB | f32 ABt / AtB / AB | f64 fma (opt-in) | f32 fma (opt-in) | TS twin | plain JS | TF.js wasm (f32) ABt / AtB / AB | f32 ÷ TF.js (best form each) |',
);
lines.push('|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
for (const n of [64, 128, 256, 512, 1024]) {
  const cell = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(1));
  const forms = (impl: string) => FORMS.map((f) => cell(cellOf(impl, f, n))).join(' / ');
  const best = (impl: string) => Math.max(...FORMS.map((f) => cellOf(impl, f, n) ?? 0));
  const tf = best('tfjs f32');
  lines.push(
    `| ${n} | ${forms('f64')} | ${forms('f32')} | ${forms('f64 fma')} | ${forms('f32 fma')} | ${cell(plainOf('twin', n))} | ${cell(plainOf('plain', n))} | ${forms('tfjs f32')} | ${tf ? (best('f32') / tf).toFixed(2) : '—'} |`,
  );
}
lines.push('');
const tfStart = peers.find((p) => p.library === 'tfjs' && p.backend === 'wasm')?.workloads.startupMs;
lines.push(
  `Start-up to a first prediction (784-128-10, module compile included): backprop ${startup.readyMs.toFixed(1)} ms after a ${startup.importMs.toFixed(1)} ms import${startup.f32 ? ` (f32: ${startup.f32.readyMs.toFixed(1)} ms after ${startup.f32.importMs.toFixed(1)} ms importing both entries)` : ''}; TF.js wasm ${tfStart ?? '—'} ms from import.`,
);
const al = train.allocations;
lines.push(
  `Allocations: ${f0(al.steps)} training steps in one fit (batch 1) ran with ${al.gcs} garbage collections; JS heap ${al.forcedGc ? 'retained after a forced GC' : 'change'}: ${f0(al.heapGrowthBytes)} bytes.`,
);
// bench/threads.ts: per batch size the capacity measured in its rounds, and per precision the
// 2-thread ÷ 1-thread ratio and its share of that capacity.
type ThreadsCell = { ratio: number; ofCapacity?: { median: number } };
type ThreadsBatch = { capacity?: { median: number }; f64?: ThreadsCell; f32?: ThreadsCell };
let threads: (Record<string, ThreadsBatch> & { date?: string }) | undefined;
try {
  threads = read('threads.json');
} catch {
  threads = undefined; // bench/threads.ts did not run
}
if (threads) {
  const cells = ['batch32', 'batch256']
    .filter((b) => threads![b])
    .map((b) => {
      const r = threads![b];
      const per = (['f64', 'f32'] as const)
        .filter((p) => r[p])
        .map((p) => `${p} ${r[p]!.ratio.toFixed(2)}×${r[p]!.ofCapacity ? ` (${(100 * r[p]!.ofCapacity.median).toFixed(0)}%)` : ''}`);
      const capacity = r.capacity ? ` of a capacity of ${r.capacity.median.toFixed(2)} measured beside it` : '';
      return `batch ${b.slice(5)}: ${per.join(', ')}${capacity}`;
    });
  lines.push(
    `Threads (MNIST 784-128-10, adam, 2 threads ÷ 1, with the share of the machine's capacity): ${cells.join('; ')}${staleness(threads.date)}.`,
  );
}
const table = lines.join('\n');
console.log(table);
writeFileSync(new URL('./results/summary.md', import.meta.url), table + '\n');
