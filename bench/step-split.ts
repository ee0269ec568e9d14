// One MNIST training step (784-128(relu)-10(softmax), cross-entropy, batch 32) split by kernel, in the
// f64 and the f32 build side by side: each kernel called alone, as trainBatches calls it, on a
// network's own buffers (offsets read from its plan), timed by this process's CPU time, f64 and f32
// interleaved round by round. Prints per kernel the median µs per call in each precision, f64 ÷ f32
// and the f32 time above half the f64 one (what keeps the step from 2×); then the whole step
// (trainStep) and the sum of its parts.
//
//   npx tsx bench/step-split.ts                 (≈ 1 minute; ROUNDS=9 by default)
//   OPTIMIZER=adam npx tsx bench/step-split.ts  (the step with Adam's update instead of SGD's)
import { loadavg } from 'node:os';
import { Network, type NetworkSpec } from '../src/index.js';
import { enableF32 } from '../src/f32.js';
import { PLAN_FIELD, LAYER_FIELD, layerAt } from '../src/plan.js';
import { Act, LossKind } from '../src/kinds.js';
import type { Kernels } from '../src/backends/backend.js';
import { loadMnist } from './mnist.js';

const ROUNDS = Number(process.env.ROUNDS ?? 9);
const OPTIMIZER = process.env.OPTIMIZER === 'adam' ? 'adam' : 'sgd';
const ROWS = 32;
enableF32();

interface Setup {
  kernels: Kernels;
  net: Network;
  /** The kernels of one step, each a thunk that calls it once on the network's buffers. */
  parts: [string, () => void][];
  step: () => void;
}

async function setup(precision: 'f64' | 'f32'): Promise<Setup> {
  const spec: NetworkSpec = {
    inputs: 784,
    layers: [
      { units: 128, activation: 'relu' },
      { units: 10, activation: 'softmax' },
    ],
    loss: 'crossEntropy',
    optimizer: OPTIMIZER === 'adam' ? { type: 'adam', learningRate: 1e-3 } : { type: 'sgd', learningRate: 1e-3 },
    seed: 1,
    precision,
  };
  const net = await Network.create(spec);
  let s = 7;
  const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const x = Array.from({ length: ROWS }, () => Array.from({ length: 784 }, rnd));
  const y = Array.from({ length: ROWS }, (_, r) => Array.from({ length: 10 }, (_, c) => Number(c === r % 10)));
  net.loss(x, y); // loads X/Y and makes the network resident with room for ROWS
  const core = net.core;
  const k = core.backend.kernels;
  const h = core.backend.heap();
  const plan = core.plan;
  const field = (f: number) => h[plan / core.cell + f];
  const layer = (l: number, f: number) => h[layerAt(plan / core.cell, l) + f];
  const X = field(PLAN_FIELD.x),
    Y = field(PLAN_FIELD.y),
    d0 = field(PLAN_FIELD.d0),
    d1 = field(PLAN_FIELD.d1);
  const toGrad = field(PLAN_FIELD.grads) - field(PLAN_FIELD.params);
  const [w1, b1, z1, a1] = [LAYER_FIELD.w, LAYER_FIELD.b, LAYER_FIELD.z, LAYER_FIELD.a].map((f) => layer(0, f));
  const [w2, b2, z2, a2] = [LAYER_FIELD.w, LAYER_FIELD.b, LAYER_FIELD.z, LAYER_FIELD.a].map((f) => layer(1, f));
  const n = field(PLAN_FIELD.nParams),
    p = field(PLAN_FIELD.params),
    g = field(PLAN_FIELD.grads),
    st = field(PLAN_FIELD.state);
  const s2 = st + core.padE(n);
  // Gathering a batch from a data set: perm and the data placed in a block of this heap.
  const cell = core.cell;
  const data = 200;
  const block = cell * core.backend.alloc(Math.ceil((data * 794 + 2 * data) / cell) + 4, true);
  const dataX = block,
    dataY = block + data * 784,
    perm = block + data * 794 + ((block + data * 794) % 2);
  const heap = core.backend.heap(),
    values = core.backend.values();
  for (let i = 0; i < data; i++) heap[perm / cell + i] = (i * 37) % data;
  for (let i = 0; i < data * 784; i++) values[dataX + i] = rnd();
  for (let i = 0; i < data; i++) values[dataY + i * 10 + (i % 10)] = 1;
  let t = 1;
  const parts: [string, () => void][] = [
    ['gather X, Y (32 rows)', () => (k.gather(ROWS, 784, dataX, perm, 0, X), k.gather(ROWS, 10, dataY, perm, 0, Y))],
    ['L1 forward GEMM 32×128×784', () => k.gemmABt(ROWS, 128, 784, X, w1, z1, 0)],
    ['L1 addBias 32×128', () => k.addBias(ROWS, 128, b1, z1)],
    ['L1 relu 32×128', () => k.activate(Act.relu, ROWS, 128, z1, a1)],
    ['L2 forward GEMM 32×10×128', () => k.gemmABt(ROWS, 10, 128, a1, w2, z2, 0)],
    ['L2 addBias 32×10', () => k.addBias(ROWS, 10, b2, z2)],
    ['L2 softmax 32×10', () => k.activate(Act.softmax, ROWS, 10, z2, a2)],
    ['loss (cross-entropy)', () => k.loss(LossKind.crossEntropy, ROWS, 10, z2, a2, Y)],
    ['lossBackward', () => k.lossBackward(LossKind.crossEntropy, ROWS, 10, a2, Y, d0)],
    ['L2 dW GEMM 10×128×32', () => k.gemmAtB(10, 128, ROWS, d0, a1, w2 + toGrad, 0)],
    ['L2 db sumRows 32×10', () => k.sumRows(ROWS, 10, d0, b2 + toGrad)],
    ['L2 dX GEMM 32×128×10', () => k.gemmAB(ROWS, 128, 10, d0, w2, d1, 0)],
    ["L1 relu' 32×128", () => k.activateBackward(Act.relu, ROWS, 128, z1, a1, d1, d1)],
    ['L1 dW GEMM 128×784×32', () => k.gemmAtB(128, 784, ROWS, d1, X, w1 + toGrad, 0)],
    ['L1 db sumRows 32×128', () => k.sumRows(ROWS, 128, d1, b1 + toGrad)],
    OPTIMIZER === 'adam'
      ? [`adam ${n}`, () => k.adam(n, p, g, st, s2, 1e-30, 0.9, 0.999, 1e-7, t++, 0)]
      : [`sgd ${n}`, () => k.sgd(n, p, g, st, 1e-30, 0, 0)],
    ['metric 32×10', () => k.metric(1, ROWS, 10, a2, Y)],
  ];
  // The whole step as fit runs it (trainBatches of one batch: the gathers, the step, the metric).
  const out = cell * core.backend.alloc(4, true);
  const step = () => k.trainBatches(plan, dataX, dataY, perm, 0, ROWS, ROWS, out, -1);
  // A tiny learning rate keeps the weights (and so the relu pattern) where they were.
  h[plan / cell + PLAN_FIELD.lr] = 1e-30;
  return { kernels: k, net, parts, step };
}

/** CPU µs per call of f over `reps` calls. */
function cpuMicros(f: () => void, reps: number): number {
  const c = process.cpuUsage();
  for (let i = 0; i < reps; i++) f();
  const u = process.cpuUsage(c);
  return (u.user + u.system) / reps;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
const load0 = loadavg();
const sets = { f64: await setup('f64'), f32: await setup('f32') };
const names = [...sets.f64.parts.map(([name]) => name), 'the whole step (trainBatches of one batch)'];
const times: Record<'f64' | 'f32', number[][]> = { f64: names.map(() => []), f32: names.map(() => []) };
// Repetitions per kernel, chosen once so that each sample takes ≈ 20 ms of CPU.
const reps = names.map((_, i) => {
  const f = i < sets.f64.parts.length ? sets.f64.parts[i][1] : sets.f64.step;
  const once = Math.max(0.05, cpuMicros(f, 50));
  return Math.max(20, Math.round(20000 / once));
});
// A whole epoch as bench/train.ts runs it: fit of 8,000 MNIST digits given as a Float64Array, one
// epoch per call (the f32 network converts them), beside 250 of the steps above.
const digits = loadMnist(8000, 2000);
const epochs: Record<'f64' | 'f32', number[]> = { f64: [], f32: [] };
const epoch = (net: Network) => {
  const c = process.cpuUsage();
  return net.fit({ inputs: digits.trainX, targets: digits.trainY }, { epochs: 1, batchSize: ROWS, shuffle: false }).then(() => {
    const u = process.cpuUsage(c);
    return u.user + u.system;
  });
};
for (let round = 0; round < ROUNDS; round++) {
  for (const p of round % 2 ? (['f32', 'f64'] as const) : (['f64', 'f32'] as const)) {
    const set = sets[p];
    names.forEach((_, i) => times[p][i].push(cpuMicros(i < set.parts.length ? set.parts[i][1] : set.step, reps[i])));
    epochs[p].push(await epoch(set.net));
  }
}
const load1 = loadavg();
const rows = names.map((name, i) => {
  const f64 = median(times.f64[i]),
    f32 = median(times.f32[i]);
  const ratios = times.f64[i].map((v, r) => v / times.f32[i][r]);
  return { name, f64, f32, ratio: median(ratios), lo: Math.min(...ratios), hi: Math.max(...ratios), excess: f32 - f64 / 2 };
});
const parts = rows.slice(0, -1),
  whole = rows[rows.length - 1];
const sum = (p: 'f64' | 'f32') => parts.reduce((s, r) => s + r[p], 0);
const fmt = (v: number) => v.toFixed(2);
console.log(
  `MNIST 784-128-10 batch ${ROWS}, ${OPTIMIZER}: CPU µs per call, median of ${ROUNDS} interleaved rounds; load ${load0[0].toFixed(2)} → ${load1[0].toFixed(2)}`,
);
console.log('| kernel | f64 µs | f32 µs | f64 ÷ f32 [range] | f32 − f64/2 µs | share of f32 step |');
console.log('|---|--:|--:|--:|--:|--:|');
for (const r of rows) {
  console.log(
    `| ${r.name} | ${fmt(r.f64)} | ${fmt(r.f32)} | ${r.ratio.toFixed(2)} [${r.lo.toFixed(2)}–${r.hi.toFixed(2)}] | ${fmt(r.excess)} | ${((100 * r.f32) / whole.f32).toFixed(1)}% |`,
  );
}
console.log(`| sum of the parts | ${fmt(sum('f64'))} | ${fmt(sum('f32'))} | ${(sum('f64') / sum('f32')).toFixed(2)} | | |`);
const perStep = (p: 'f64' | 'f32') => median(epochs[p]) / 250;
const epochRatios = epochs.f64.map((v, r) => v / epochs.f32[r]);
console.log(
  `| fit, one epoch of 8,000 digits (Float64Array), per batch | ${fmt(perStep('f64'))} | ${fmt(perStep('f32'))} | ${median(epochRatios).toFixed(2)} [${Math.min(...epochRatios).toFixed(2)}–${Math.max(...epochRatios).toFixed(2)}] | ${fmt(perStep('f32') - perStep('f64') / 2)} | ${((100 * perStep('f32')) / whole.f32).toFixed(1)}% |`,
);
