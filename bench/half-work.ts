// Does splitting a batch's work in two cost more work? One thread (no workers, no sharing) does
// MNIST 784-128's per-batch kernels whole, then as the two halves a 2-thread fit gives its threads
// (assembly/parallel.ts: hidden units split 64 + 64), one half after the other: the forward GEMM
// (gemmABt, X · W_sliceᵀ), the weight-gradient GEMM (gemmAtB, dZ_sliceᵀ · X) and Adam's update over
// the layer's parameters. Half after half ÷ whole > 1 is work the split adds (both halves read and
// pack all of X; narrower GEMMs; shorter streams), before any concurrency or data moving between
// cores. Release build, f64 (PRECISION=f32: the f32 build), batch ROWS (32); CPU time of this
// process, whole and halves interleaved, ROUNDS rounds. Run: npx tsx bench/half-work.ts
import { loadavg } from 'node:os';
import { embeddedBytes } from '../src/backends/wasm/loader.js';
import { F32_WASM_BASE64 } from '../src/backends/wasm/f32-bytes.generated.js';
import { fromBase64 } from '../src/backends/wasm/loader.js';

const ROUNDS = Number(process.env.ROUNDS ?? 9);
const ROWS = Number(process.env.ROWS ?? 32);
const PRECISION = process.env.PRECISION === 'f32' ? 'f32' : 'f64';
const bytes = PRECISION === 'f32' ? fromBase64(F32_WASM_BASE64) : embeddedBytes();
type K = Record<string, (...a: number[]) => number> & { memory: WebAssembly.Memory };
const k = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), {}).exports as unknown as K;
const UNITS = 128,
  INPUTS = 784,
  HALF = UNITS / 2,
  PARAMS = UNITS * INPUTS + UNITS;
// Element offsets: X, W, Z, dZ, G, then Adam's parameters, gradients and moments (PARAMS each).
const x = k.heapStart(),
  w = x + ROWS * INPUTS,
  z = w + UNITS * INPUTS,
  dz = z + ROWS * UNITS,
  g = dz + ROWS * UNITS,
  p = g + UNITS * INPUTS,
  pg = p + PARAMS,
  m = pg + PARAMS,
  v = m + PARAMS,
  end = v + PARAMS;
const elementBytes = k.elementBytes();
const need = end * elementBytes - k.memory.buffer.byteLength;
if (need > 0) k.memory.grow(Math.ceil(need / 65536));
const h = elementBytes === 4 ? new Float32Array(k.memory.buffer) : new Float64Array(k.memory.buffer);
for (let i = x; i < end; i++) h[i] = ((i * 2654435761) % 1000) / 1000 - 0.5;
h.fill(0, m, end);
let t = 0;
const adam = (n: number, at: number) => k.adam(n, p + at, pg + at, m + at, v + at, 1e-6, 0.9, 0.999, 1e-8, ++t, 0);

/** Each kernel: [name, whole, the two halves one after the other]. */
const kernels: [string, () => void, () => void][] = [
  [
    'forward GEMM',
    () => k.gemmABt(ROWS, UNITS, INPUTS, x, w, z, 0),
    () => [0, HALF].forEach((u) => k.gemmABt(ROWS, HALF, INPUTS, x, w + u * INPUTS, z, 0)),
  ],
  [
    'dW GEMM',
    () => k.gemmAtB(UNITS, INPUTS, ROWS, dz, x, g, 0),
    () => [0, HALF].forEach((u) => k.gemmAtB(HALF, INPUTS, ROWS, dz + u * ROWS, x, g + u * INPUTS, 0)),
  ],
  ['Adam update', () => adam(PARAMS, 0), () => [0, PARAMS / 2].forEach((at) => adam(PARAMS / 2, at))],
];
const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
/** CPU µs per call of f, over about 40 ms of calls. */
function time(f: () => void, reps: number): number {
  const c = cpuUs();
  for (let i = 0; i < reps; i++) f();
  return (cpuUs() - c) / reps;
}
const median = (a: number[]) => [...a].sort((l, r) => l - r)[Math.floor(a.length / 2)];
console.log(
  `load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${PRECISION}, batch ${ROWS}, ${ROUNDS} rounds, CPU µs per call, median (range)`,
);
for (const [name, whole, halves] of kernels) {
  // Past the engine's tier-up.
  for (let i = 0; i < 50; i++) {
    whole();
    halves();
  }
  const reps = Math.max(10, Math.round(40000 / time(whole, 10)));
  const a: number[] = [],
    b: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    a.push(time(whole, reps));
    b.push(time(halves, reps));
  }
  const ratio = a.map((v, i) => b[i] / v);
  console.log(
    `${name.padEnd(13)} whole ${median(a).toFixed(1)} (${Math.min(...a).toFixed(1)}–${Math.max(...a).toFixed(1)}), halves ${median(b).toFixed(1)} (${Math.min(...b).toFixed(1)}–${Math.max(...b).toFixed(1)}): halves ÷ whole ${median(ratio).toFixed(3)} (${Math.min(...ratio).toFixed(3)}–${Math.max(...ratio).toFixed(3)})`,
  );
}
console.log(
  `load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
