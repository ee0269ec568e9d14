// f32 networks' one-sample steps on their per-shape module (src/backends/wasm/specialize.ts)
// against the f32 build's generic one-sample kernels (fused.ts) that ran them before, with the f64
// module and the f64 generic kernels beside them for scale: `fit` with batch 1 of the seed 2-2-1
// (one sample, from the peers' SEED weights, as bench/train.ts) and of a 16-16-8-4 softmax
// classifier (444 parameters, random rows; first hidden layer tanh or relu). CPU ns per step
// (process.cpuUsage: other processes' time slices do not count), the four runs interleaved in
// every round, which goes first rotating; median and range over REPEATS rounds, and the per-round
// ratios generic ÷ module. A module and its generic path give the same bits
// (test/specialize.test.ts, test/specialize-f32.test.ts), so both do the same work.
// Run: npx tsx bench/shape-f32.ts   (REPEATS=11 by default; ≈ 10 s)
import { loadavg } from 'node:os';
import { Network, type NetworkSpec } from '../src/index.js';
import { enableF32 } from '../src/f32.js';
import { Rng } from '../src/rng.js';
import { SEED, median } from './peers/common.js';

enableF32();
const REPEATS = Math.max(5, Number(process.env.REPEATS ?? 11));
const load0 = loadavg();

interface Case {
  name: string;
  spec: NetworkSpec;
  weights?: { weights: number[][] }[];
  data: { inputs: Float64Array; targets: Float64Array };
  rows: number;
  epochs: number;
}

const seedRows = 100_000;
const classifierRows = 4_000;
const rng = new Rng(3);
const classifierData = {
  inputs: new Float64Array(16 * classifierRows).map(() => 2 * rng.next() - 1),
  targets: new Float64Array(4 * classifierRows).map((_, i) => Number(i % 4 === Math.floor(i / 4) % 4)),
};
const cases: Case[] = [
  {
    name: 'seed 2-2-1',
    spec: {
      inputs: 2,
      layers: [
        { units: 2, activation: 'sigmoid', bias: false },
        { units: 1, activation: 'sigmoid', bias: false },
      ],
      loss: 'halfSquaredError',
      optimizer: { type: 'sgd', learningRate: SEED.lr },
    },
    weights: [{ weights: SEED.w1 }, { weights: [SEED.w2] }],
    data: {
      inputs: new Float64Array(2 * seedRows).map((_, i) => SEED.input[i % 2]),
      targets: new Float64Array(seedRows).fill(SEED.target),
    },
    rows: seedRows,
    epochs: 5,
  },
  ...(['tanh', 'relu'] as const).map((hidden) => ({
    name: `16-16-8-4 (${hidden}, relu, softmax)`,
    spec: {
      inputs: 16,
      layers: [
        { units: 16, activation: hidden },
        { units: 8, activation: 'relu' as const },
        { units: 4, activation: 'softmax' as const },
      ],
      loss: 'crossEntropy' as const,
      optimizer: { type: 'sgd' as const, learningRate: 0.05 },
      seed: 1,
    },
    data: classifierData,
    rows: classifierRows,
    epochs: 5,
  })),
];

const variants = [
  { label: 'f32 per-shape module', precision: 'f32', generic: false },
  { label: 'f32 generic kernels', precision: 'f32', generic: true },
  { label: 'f64 per-shape module', precision: 'f64', generic: false },
  { label: 'f64 generic kernels', precision: 'f64', generic: true },
] as const;

for (const c of cases) {
  const nets = await Promise.all(
    variants.map(async (v) => {
      const net = await Network.create({ ...c.spec, precision: v.precision });
      if (v.generic) (net.core as unknown as { fast: null }).fast = null; // perSample() then gives the build's own kernels
      const usesModule = net.core.perSample() !== net.core.backend.kernels;
      if (usesModule === v.generic) throw new Error(`${c.name} ${v.label}: expected ${v.generic ? 'the generic kernels' : 'a module'}`);
      return net;
    }),
  );
  const steps = c.rows * c.epochs;
  const times = variants.map(() => [] as number[]);
  for (let round = 0; round <= REPEATS; round++) {
    for (let k = 0; k < variants.length; k++) {
      const i = (k + round) % variants.length; // rotate which goes first
      if (c.weights) nets[i].setWeights(c.weights); // the same work every round (the seed's cost depends on where it converges)
      const t = process.cpuUsage();
      await nets[i].fit(c.data, { epochs: c.epochs, batchSize: 1, shuffle: false });
      const u = process.cpuUsage(t);
      if (round > 0) times[i].push(((u.user + u.system) * 1000) / steps); // round 0 warms up
    }
  }
  const ratio = (generic: number, module: number) => {
    const r = times[generic].map((g, round) => g / times[module][round]);
    return `median ${median(r).toFixed(2)}×, range ${Math.min(...r).toFixed(2)}–${Math.max(...r).toFixed(2)}×`;
  };
  console.log(
    `${c.name}, fit batch 1 (${c.rows.toLocaleString('en-US')} rows × ${c.epochs} epochs a run), CPU ns per step, ${REPEATS} interleaved rounds:`,
  );
  for (const [i, v] of variants.entries()) {
    const t = times[i];
    console.log(`  ${v.label.padEnd(22)} median ${median(t).toFixed(1)}, range ${Math.min(...t).toFixed(1)}–${Math.max(...t).toFixed(1)}`);
  }
  console.log(`  f32 generic ÷ f32 module: ${ratio(1, 0)}; f64 generic ÷ f64 module: ${ratio(3, 2)}`);
}
const fmt = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
console.log(`Node ${process.version}; load average (1, 5, 15 min) before: ${fmt(load0)}, after: ${fmt(loadavg())}`);
