/**
 * Runs every peer-library script in its own Node process (sequentially, with a timeout each), collects
 * their JSON lines, prints a table and writes bench/results/peers.json.
 *
 *   npx tsx bench/peers/run-all.ts [name ...]        e.g. `… run-all.ts tfjs-wasm brain`
 * Env: WORKLOADS=mnist,seed,matmul  EPOCHS=1  LIMIT=n (all libraries)  PEER_TIMEOUT_S=180
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PeerResult } from './common.js';

const here = dirname(fileURLToPath(import.meta.url));
const RUNS: { name: string; script: string; args: string[]; library: string; backend: string }[] = [
  { name: 'handwritten', script: 'handwritten.ts', args: [], library: 'handwritten', backend: 'js-f64' },
  { name: 'tfjs-wasm', script: 'tfjs.ts', args: ['wasm'], library: 'tfjs', backend: 'wasm' },
  { name: 'tfjs-cpu', script: 'tfjs.ts', args: ['cpu'], library: 'tfjs', backend: 'cpu' },
  { name: 'brain', script: 'brain.ts', args: [], library: 'brain.js', backend: 'js' },
  { name: 'synaptic', script: 'synaptic.ts', args: [], library: 'synaptic', backend: 'js' },
  { name: 'convnetjs', script: 'convnetjs.ts', args: [], library: 'convnetjs', backend: 'js' },
];
const only = process.argv.slice(2);
const timeoutMs = Number(process.env.PEER_TIMEOUT_S ?? 180) * 1000;

const results: PeerResult[] = [];
for (const run of RUNS.filter((r) => only.length === 0 || only.includes(r.name))) {
  process.stderr.write(`[peers] ${run.name} …\n`);
  const t0 = performance.now();
  // `node --import tsx` keeps it to one process, so the timeout kills the script itself.
  const p = spawnSync(process.execPath, ['--import', 'tsx', join(here, run.script), ...run.args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 << 20,
  });
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  const line = p.stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (p.status === 0 && line) {
    results.push(JSON.parse(line) as PeerResult);
    process.stderr.write(`[peers] ${run.name} done in ${secs} s\n`);
  } else {
    const why = p.error?.message ?? (p.signal ? `killed by ${p.signal}` : `exit ${p.status}`);
    const tail = (p.stderr ?? '')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('npm warn'))
      .slice(-3)
      .join(' | ');
    results.push({ library: run.library, backend: run.backend, workloads: {}, error: `${why}: ${tail.slice(-400)}` });
    process.stderr.write(`[peers] ${run.name} FAILED after ${secs} s (${why})\n`);
  }
}

// ---- table ------------------------------------------------------------------------------------
const fmt = (x: unknown, digits = 0) =>
  typeof x === 'number' ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–';
const sizes = ['64', '128', '256', '512', '1024'];
const header = [
  'library',
  'backend',
  'mnist samples/s',
  'test acc',
  'samples',
  'batch',
  'seed steps/s',
  'o after 1 step',
  'startup ms',
  ...sizes.map((n) => `mm${n} GF/s`),
];
const rows = results.map((r) => {
  const m = r.workloads.mnist,
    s = r.workloads.seed,
    g = r.workloads.matmul?.gflops ?? {};
  return [
    r.library,
    r.backend + (r.error ? ' (FAILED)' : ''),
    fmt(m?.samplesPerSec),
    m ? fmt(m.testAccuracy * 100, 2) + '%' : '–',
    fmt(m?.samples),
    fmt(m?.batchSize),
    fmt(s?.stepsPerSec),
    fmt(s?.outputAfter1Step, 6),
    fmt(r.workloads.startupMs),
    ...sizes.map((n) => fmt(g[n], 2)),
  ];
});
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const show = (cells: string[]) => '| ' + cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
console.log(show(header));
console.log('|' + widths.map((w, i) => (i < 2 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|');
for (const row of rows) console.log(show(row));
console.log('\nSeed reference: exact no-bias backprop gives o = 0.682019 after one step (0.672745 if biases exist and train).');
for (const r of results) if (r.error) console.log(`${r.library}/${r.backend}: ${r.error}`);

const outDir = join(here, '..', 'results');
mkdirSync(outDir, { recursive: true });
const meta = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  env: {
    WORKLOADS: process.env.WORKLOADS ?? 'mnist,seed,matmul',
    EPOCHS: process.env.EPOCHS ?? '1',
    LIMIT: process.env.LIMIT ?? 'per-library default',
  },
};
writeFileSync(join(outDir, 'peers.json'), JSON.stringify({ meta, results }, null, 2) + '\n');
console.log(`\nwrote ${join('bench', 'results', 'peers.json')}`);
