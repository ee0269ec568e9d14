// Where the per-shape module stops paying (src/backends/wasm/specialize.ts MAX_PARAMS): softmax
// classifiers from 58 to 766 parameters, hidden layers relu or sigmoid, in each precision, `fit`
// with batch 1 on the module against the same network forced onto the generic one-sample kernels
// (the same bits: test/specialize.test.ts, test/specialize-f32.test.ts). CPU ns per step
// (process.cpuUsage), the two interleaved in every round, which goes first alternating; median over
// REPEATS rounds, the first round dropped (compiling). Shapes past the precision's limit get no
// module and are printed as such.
// Run: npx tsx bench/shape-limit.ts   (REPEATS=15 by default; ≈ 25 s)
import { loadavg } from 'node:os';
import { Network, type NetworkSpec } from '../src/index.js';
import { enableF32 } from '../src/f32.js';
import type { Precision } from '../src/spec.js';
import { Rng } from '../src/rng.js';
import { median } from './peers/common.js';

enableF32();
const REPEATS = Math.max(5, Number(process.env.REPEATS ?? 15));
const ROWS = 4_000,
  EPOCHS = 3;
const SHAPES = [
  [4, 8, 2],
  [8, 8, 4],
  [16, 8, 4],
  [8, 16, 4],
  [16, 12, 4],
  [16, 16, 4],
  [16, 16, 8, 4],
  [16, 20, 8],
  [16, 24, 10],
  [16, 28, 10],
];
const load0 = loadavg();

const parameters = (shape: number[]) => shape.slice(1).reduce((sum, units, i) => sum + units * (shape[i] + 1), 0);

function specOf(shape: number[], hidden: 'relu' | 'sigmoid', precision: Precision): NetworkSpec {
  const last = shape.length - 2;
  return {
    inputs: shape[0],
    layers: shape.slice(1).map((units, i) => ({ units, activation: i === last ? 'softmax' : hidden })),
    loss: 'crossEntropy',
    optimizer: { type: 'sgd', learningRate: 0.05 },
    seed: 1,
    precision,
  };
}

/** CPU ns per step of one fit. */
async function timeFit(net: Network, data: { inputs: Float64Array; targets: Float64Array }): Promise<number> {
  const before = process.cpuUsage();
  await net.fit(data, { epochs: EPOCHS, batchSize: 1, shuffle: false });
  const used = process.cpuUsage(before);
  return ((used.user + used.system) * 1000) / (ROWS * EPOCHS);
}

console.log(
  `load average ${load0.map((l) => l.toFixed(2)).join(' ')}; generic ÷ module, CPU ns per step (median of ${REPEATS - 1} rounds)`,
);
for (const hidden of ['relu', 'sigmoid'] as const)
  for (const shape of SHAPES) {
    const rng = new Rng(1);
    const outputs = shape[shape.length - 1];
    const data = {
      inputs: new Float64Array(shape[0] * ROWS).map(() => 2 * rng.next() - 1),
      targets: new Float64Array(outputs * ROWS).map((_, i) => Number(i % outputs === Math.floor(i / outputs) % outputs)),
    };
    const cells: string[] = [];
    for (const precision of ['f64', 'f32'] as const) {
      const module = await Network.create(specOf(shape, hidden, precision));
      const generic = await Network.create(specOf(shape, hidden, precision));
      (generic.core as unknown as { fast: null }).fast = null; // 'none generated': the backend's kernels
      if (module.core.perSample() === module.core.backend.kernels) {
        cells.push(`${precision}: no module`);
        continue;
      }
      const moduleNs: number[] = [],
        genericNs: number[] = [];
      for (let round = 0; round < REPEATS; round++) {
        const order: [Network, number[]][] = [
          [module, moduleNs],
          [generic, genericNs],
        ];
        if (round % 2) order.reverse();
        for (const [net, times] of order) {
          const ns = await timeFit(net, data);
          if (round > 0) times.push(ns);
        }
      }
      const [m, g] = [median(moduleNs), median(genericNs)];
      cells.push(`${precision}: module ${m.toFixed(0)} ns, generic ${g.toFixed(0)} ns, ${(g / m).toFixed(2)}×`);
    }
    console.log(
      `${hidden.padEnd(7)} ${shape.join('-').padEnd(10)} ${String(parameters(shape)).padStart(4)} parameters  ${cells.join(' | ')}`,
    );
  }
console.log(
  `load average after ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
