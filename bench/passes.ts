/**
 * Microbenchmarks of the passes (with benchmark.js), wasm vs the TS reference path, in one run:
 * forward, backward and one full training step for the MNIST MLP (batch 32 and one sample) and the seed 2-2-1
 * network (one sample), the per-shape module's step beside the generic fused kernel, and the
 * fixed cost of a call: an empty Wasm export, a one-sample predict, a one-sample trainStep.
 *
 *   npx tsx bench/passes.ts            (≈ 1 minute; writes bench/results/passes.json)
 *
 * Kernels are called as the library calls them (src/backends/backend.ts), on a network's plan,
 * with the batch already in its X/Y buffers; `trainStep` changes the weights as it runs, which
 * does not change its cost.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Network, type NetworkSpec } from '../src/index.js';
import { Rng } from '../src/rng.js';
import { time, type Timing } from './bjs.js';

const load0 = loadavg()[0];
const rng = new Rng(7);
const MNIST: NetworkSpec = {
  inputs: 784,
  layers: [
    { units: 128, activation: 'relu' },
    { units: 10, activation: 'softmax' },
  ],
  loss: 'crossEntropy',
  optimizer: { type: 'sgd', learningRate: 0.01 },
  seed: 1,
};
const SEED: NetworkSpec = {
  inputs: 2,
  layers: [
    { units: 2, activation: 'sigmoid', bias: false },
    { units: 1, activation: 'sigmoid', bias: false },
  ],
  loss: 'halfSquaredError',
  optimizer: { type: 'sgd', learningRate: 0.1 },
  seed: 1,
};

interface Row {
  name: string;
  wasm: Timing;
  js?: Timing;
}
const rows: Row[] = [];

/** A network with `rows` random samples loaded into its X/Y buffers (through a loss() call). */
async function loaded(spec: NetworkSpec, backend: 'wasm' | 'js', batch: number) {
  const net = await Network.create({ ...spec, backend });
  const outputs = spec.layers[spec.layers.length - 1].units;
  const x = Array.from({ length: batch }, () => Array.from({ length: spec.inputs }, () => rng.next()));
  const y = Array.from({ length: batch }, (_, r) => Array.from({ length: outputs }, (_, o) => Number(o === r % outputs)));
  net.loss(x, y);
  return { net, k: net.core.backend.kernels, plan: net.core.plan, x, y };
}

async function passes(label: string, spec: NetworkSpec, batch: number, maxTime: number) {
  const [w, j] = [await loaded(spec, 'wasm', batch), await loaded(spec, 'js', batch)];
  for (const [name, run] of [
    ['forward', (n: typeof w) => () => n.k.forward(n.plan, batch, 0)],
    ['forward + backward', (n: typeof w) => () => (n.k.forward(n.plan, batch, 0), n.k.backward(n.plan, batch, 0))],
    ['training step (generic kernels)', (n: typeof w) => () => n.k.trainStep(n.plan, batch)],
  ] as const) {
    rows.push({
      name: `${label}: ${name}`,
      wasm: time(`wasm ${label} ${name}`, run(w), maxTime),
      js: time(`js ${label} ${name}`, run(j), maxTime),
    });
  }
  return w;
}

await passes('MNIST 784-128-10, batch 32', MNIST, 32, 1);
await passes('MNIST 784-128-10, one sample', MNIST, 1, 0.5);
const seed = await passes('seed 2-2-1, one sample', SEED, 1, 0.5);
// The seed network's step on its per-shape module (what trainStep of one row runs).
const fast = seed.net.core.perSample();
rows.push({
  name: 'seed 2-2-1, one sample: training step (per-shape module)',
  wasm: time('wasm seed per-shape step', () => fast.trainStep(seed.plan, 1), 0.5),
});

// Fixed cost of crossing into Wasm and of the public API around a kernel.
const e = seed.net.core.backend.kernels as unknown as { heapStart(): number };
rows.push({ name: 'call: an empty Wasm export (heapStart)', wasm: time('wasm empty call', () => e.heapStart(), 0.5) });
const seedJs = await Network.create({ ...SEED, backend: 'js' });
const x = [0.35, 0.9],
  y = [0.5];
rows.push({
  name: 'call: net.predict(one sample) (allocates the result)',
  wasm: time('wasm predict', () => seed.net.predict(x), 0.5),
  js: time('js predict', () => seedJs.predict(x), 0.5),
});
rows.push({
  name: 'call: net.trainStep(one sample)',
  wasm: time('wasm trainStep', () => seed.net.trainStep(x, y), 0.5),
  js: time('js trainStep', () => seedJs.trainStep(x, y), 0.5),
});

const fmt = (s: number) =>
  s >= 1e-3 ? `${(s * 1e3).toFixed(2)} ms` : s >= 1e-6 ? `${(s * 1e6).toFixed(2)} µs` : `${(s * 1e9).toFixed(1)} ns`;
const table = [
  ['pass', 'wasm', 'js', 'js ÷ wasm'],
  ...rows.map((r) => [
    r.name,
    fmt(r.wasm.median),
    r.js ? fmt(r.js.median) : '—',
    r.js ? `${(r.js.median / r.wasm.median).toFixed(1)}×` : '—',
  ]),
];
const width = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
const line = (r: string[]) => r.map((v, c) => (c === 0 ? v.padEnd(width[c]) : v.padStart(width[c]))).join('  ');
const load = [load0, loadavg()[0]];
console.log(
  `median time per call (benchmark.js), ${cpus()[0]?.model ?? '?'}, Node ${process.version}, load ${load.map((l) => l.toFixed(2)).join(' / ')}`,
);
console.log([line(table[0]), width.map((w) => '-'.repeat(w)).join('  '), ...table.slice(1).map(line)].join('\n'));
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/passes.json', import.meta.url),
  JSON.stringify({ date: new Date().toISOString(), node: process.version, loadavg: load, rows }, null, 2) + '\n',
);
