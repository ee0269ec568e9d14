// The reductions of an f32 MNIST step (batch 32, 784-128-10), each kernel timed alone at the step's shapes in
// the f32 build: what f64 accumulation of their terms can cost (ARCHITECTURE.md, Precision). Run: npx tsx bench/reductions.ts
import { wasmF32Backend } from '../src/backends/wasm/index.js';
import { Act, LossKind } from '../src/kinds.js';
import { enableF32 } from '../src/f32.js';

enableF32();
const be = await wasmF32Backend();
const at = (n: number) => 2 * be.alloc(Math.ceil(n / 2) + 2);
const v = be.values() as Float32Array;
const dz = at(32 * 128),
  db = at(128),
  z = at(320),
  a = at(320),
  y = at(320),
  g = at(101770);
for (let i = 0; i < 32 * 128; i++) v[dz + i] = Math.random() - 0.5;
for (let i = 0; i < 320; i++) {
  v[z + i] = Math.random();
  v[y + i] = i % 10 === 0 ? 1 : 0;
}
for (let i = 0; i < 101770; i++) v[g + i] = Math.random() - 0.5;
const time = (name: string, f: () => void, reps: number) => {
  for (let i = 0; i < reps; i++) f();
  const ts: number[] = [];
  for (let k = 0; k < 7; k++) {
    const t = performance.now();
    for (let i = 0; i < reps; i++) f();
    ts.push(((performance.now() - t) / reps) * 1000);
  }
  ts.sort((p, q) => p - q);
  console.log(`${name}: ${ts[3].toFixed(3)} µs (range ${ts[0].toFixed(3)}–${ts[6].toFixed(3)})`);
};
time('sumRows 32×128 (bias gradient, f64 column sums)', () => be.kernels.sumRows(32, 128, dz, db), 20000);
time('sumRows 32×10', () => be.kernels.sumRows(32, 10, dz, db), 20000);
time('softmax 32×10 (row sums in f64)', () => be.kernels.activate(Act.softmax, 32, 10, z, a), 20000);
time('crossEntropy loss 32×10 (f64 sums)', () => be.kernels.loss(LossKind.crossEntropy, 32, 10, z, a, y), 20000);
time('metric 32×10', () => be.kernels.metric(1, 32, 10, a, y), 20000);
time('sumSquares 101,770 (‖g‖², clipping only; f64 sum)', () => be.kernels.sumSquares(101770, g), 200);
time('sgd 101,770', () => be.kernels.sgd(101770, g, g, g, 1e-30, 0, 0), 200);
