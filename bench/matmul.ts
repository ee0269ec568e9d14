/**
 * GEMM throughput in one run: the Wasm kernels (assembly/gemm.ts) in f64 and f32, default and fma
 * builds, beside TF.js wasm (f32), the plain TS twin (src/backends/js/gemm.ts) and a textbook i-k-j
 * loop; square n = 32…1024 in all three forms, the MNIST 784-128-10 layer shapes at batch 32, and
 * batch-1 shapes (one-sample predict and training; 1×2×2 is the seed net).
 *
 *   node --experimental-wasm-relaxed-simd --import tsx bench/matmul.ts   (≈ 3 minutes; writes bench/results/matmul.json)
 *
 * GFLOP/s = 2·m·n·k / seconds per call. The Wasm builds and TF.js are measured interleaved: ROUNDS
 * (env, default 7) rounds, each timing every implementation once (a sample = back-to-back calls for
 * ≥ 25 ms); the table gives the median over rounds and the range, in the JSON every sample. Time is
 * this process's CPU time (process.cpuUsage; everything here runs on the main thread), so that
 * other processes on a shared machine do not count against the kernels; wall-clock figures are in
 * the JSON too (on an idle machine the two agree). The fma builds
 * need relaxed SIMD (Node 20: the flag above, which bench/run.ts passes). The f32 GEMMs come from
 * the standalone module build/gemm-f32(.fma).wasm (assembly/gemm-f32-entry.ts). TF.js: tf.matMul
 * with the transpose flags of each form, f32, single-threaded SIMD wasm backend; its kernel runs
 * synchronously in the call, so no dataSync is timed (tensor allocation and dispose are).
 * The twin and the plain loop are timed once per size (not interleaved) and skipped at n = 1024.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { wasmBackend } from '../src/backends/wasm/index.js';
import { relaxedSimdSupported, fmaModule } from '../src/backends/wasm/loader.js';
import { enableFma } from '../src/fma.js';
import * as twin from '../src/backends/js/gemm.js';
import { Rng } from '../src/rng.js';
import { gemmF32Module } from '../test/helpers/gemm-f32-module.js';
import { time } from './bjs.js';

type Form = 'gemmABt' | 'gemmAtB' | 'gemmAB';
const FORMS: Form[] = ['gemmABt', 'gemmAtB', 'gemmAB'];
const ROUNDS = Math.max(1, Number(process.env.ROUNDS ?? 7));
const SAMPLE_MS = 25;

const load0 = loadavg()[0];
const rng = new Rng(2024);
enableFma();
const relaxed = relaxedSimdSupported();
const f64 = await wasmBackend();
const f64fma = relaxed ? await wasmBackend(await fmaModule()) : undefined;
const f32 = await gemmF32Module('default');
const f32fma = relaxed ? await gemmF32Module('fma') : undefined;

// TF.js wasm, single-threaded, SIMD (as in bench/peers/tfjs.ts); its console chatter to stderr.
const log = console.log;
console.log = (...a: unknown[]) => console.error(...a);
const tf = await import('@tensorflow/tfjs-core');
const tfWasm = await import('@tensorflow/tfjs-backend-wasm');
tfWasm.setWasmPaths(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')) + sep);
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
if (!(await tf.setBackend('wasm'))) throw new Error('TF.js wasm backend unavailable');
await tf.ready();
const tfSimd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
console.log = log;

type Impl = 'f64' | 'f64 fma' | 'f32' | 'f32 fma' | 'tfjs f32';
const IMPLS: Impl[] = ['f64', 'f64 fma', 'f32', 'f32 fma', 'tfjs f32'];

/** A prepared call of one implementation on one shape and form, or undefined where unavailable. */
type Call = (() => void) | undefined;

interface Shape {
  label: string;
  m: number;
  n: number;
  k: number;
}

/** Operands for op(A)[m×k]·op(B)[k×n] in every implementation (the same N(0,1) values, rounded to f32 for f32). */
function prepare(s: Shape): { calls: Record<Form, Record<Impl, Call>>; free(): void } {
  const { m, n, k } = s;
  const A = Float64Array.from({ length: m * k }, () => rng.normal());
  const B = Float64Array.from({ length: n * k }, () => rng.normal());
  const frees: (() => void)[] = [];
  const onF64 = (be: typeof f64 | undefined) => {
    if (!be) return undefined;
    const [a, b, c] = [be.alloc(m * k), be.alloc(n * k), be.alloc(m * n)];
    be.heap().set(A, a);
    be.heap().set(B, b);
    frees.push(() => [a, b, c].forEach((o) => be.free(o)));
    return (f: Form) => () => be.kernels[f](m, n, k, a, b, c, 0);
  };
  const onF32 = (g: typeof f32 | undefined) => {
    if (!g) return undefined;
    g.reset();
    const [a, b, c] = [g.alloc(m * k), g.alloc(n * k), g.alloc(m * n)];
    g.heap().set(A, a);
    g.heap().set(B, b);
    return (f: Form) => () => g[f](m, n, k, a, b, c, 0);
  };
  // TF.js: op(A) = A[m×k] or, for AtB, (A[k×m])ᵀ; op(B) = B[k×n] or, for ABt, (B[n×k])ᵀ.
  const tA = { plain: tf.tensor2d(Float32Array.from(A), [m, k]), t: tf.tensor2d(Float32Array.from(A), [k, m]) };
  const tB = { plain: tf.tensor2d(Float32Array.from(B), [k, n]), t: tf.tensor2d(Float32Array.from(B), [n, k]) };
  frees.push(() => tf.dispose([tA.plain, tA.t, tB.plain, tB.t]));
  const onTf = (f: Form) => () => {
    const c =
      f === 'gemmABt'
        ? tf.matMul(tA.plain, tB.t, false, true)
        : f === 'gemmAtB'
          ? tf.matMul(tA.t, tB.plain, true, false)
          : tf.matMul(tA.plain, tB.plain);
    c.dispose();
  };
  const on = { f64: onF64(f64), 'f64 fma': onF64(f64fma), f32: onF32(f32), 'f32 fma': onF32(f32fma) };
  const calls = {} as Record<Form, Record<Impl, Call>>;
  for (const f of FORMS)
    calls[f] = {
      f64: on['f64']?.(f),
      'f64 fma': on['f64 fma']?.(f),
      f32: on['f32']?.(f),
      'f32 fma': on['f32 fma']?.(f),
      'tfjs f32': onTf(f),
    };
  return { calls, free: () => frees.forEach((x) => x()) };
}

/** Milliseconds of CPU time this process has used (user + system). */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
}

/** GFLOP/s of one sample (perSample calls back to back) by CPU time and by wall-clock time. */
function sample(fn: () => void, flop: number, perSample: number): { cpu: number; wall: number } {
  const t = performance.now(),
    c = cpuMs();
  for (let i = 0; i < perSample; i++) fn();
  const cpu = cpuMs() - c,
    wall = performance.now() - t;
  return { cpu: (flop * perSample) / (cpu * 1e6), wall: (flop * perSample) / (wall * 1e6) };
}

/** Calls per sample so that one sample lasts about SAMPLE_MS (after warm-up: tier-up to TurboFan). */
function calibrate(fn: () => void): number {
  for (let i = 0; i < 3; i++) fn();
  let n = 1;
  for (;;) {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    const dt = performance.now() - t;
    if (dt >= SAMPLE_MS / 4) return Math.max(1, Math.round((n * SAMPLE_MS) / dt));
    n *= 2;
  }
}

interface Cell {
  impl: Impl;
  form: Form;
  shape: string;
  m: number;
  n: number;
  k: number;
  /** GFLOP/s by CPU time, one per round. */
  samples: number[];
  /** GFLOP/s by wall-clock time, one per round (lower whenever other processes took the core). */
  wallSamples: number[];
  median: number;
  wallMedian: number;
  min: number;
  max: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Every available implementation × form on one shape, interleaved over ROUNDS rounds. */
function measureShape(s: Shape, forms: Form[]): Cell[] {
  const p = prepare(s);
  const flop = 2 * s.m * s.n * s.k;
  const jobs: { impl: Impl; form: Form; fn: () => void; per: number; samples: number[]; wall: number[] }[] = [];
  for (const form of forms) {
    for (const impl of IMPLS) {
      const fn = p.calls[form][impl];
      if (fn) jobs.push({ impl, form, fn, per: calibrate(fn), samples: [], wall: [] });
    }
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const j of jobs) {
      const x = sample(j.fn, flop, j.per);
      j.samples.push(x.cpu);
      j.wall.push(x.wall);
    }
  }
  p.free();
  return jobs.map((j) => ({
    impl: j.impl,
    form: j.form,
    shape: s.label,
    m: s.m,
    n: s.n,
    k: s.k,
    samples: j.samples,
    wallSamples: j.wall,
    median: median(j.samples),
    wallMedian: median(j.wall),
    min: Math.min(...j.samples),
    max: Math.max(...j.samples),
  }));
}

// --- Square n×n×n, every form ------------------------------------------------------------------
// SIZES=256 (comma list, env) measures only those squares (the MNIST table needs 256).
const SIZES = process.env.SIZES ? process.env.SIZES.split(',').map(Number) : [32, 64, 128, 256, 512, 1024];
const cells: Cell[] = [];
const plainCells: { name: string; n: number; gflops: number }[] = [];
for (const N of SIZES) {
  cells.push(...measureShape({ label: `${N}³`, m: N, n: N, k: N }, FORMS));
  if (N < 1024) {
    const h = Float64Array.from({ length: 3 * N * N }, () => rng.normal());
    const t = time(`twin gemmABt ${N}`, () => twin.gemmABt(h, N, N, N, 0, N * N, 2 * N * N, 0), 0.5);
    const A = h.subarray(0, N * N),
      B = h.subarray(N * N, 2 * N * N),
      C = h.subarray(2 * N * N);
    const q = time(`plain ikj ${N}`, () => plainIKJ(A, B, C, N, N, N), 0.5);
    plainCells.push(
      { name: 'twin', n: N, gflops: (2 * N ** 3) / t.median / 1e9 },
      { name: 'plain', n: N, gflops: (2 * N ** 3) / q.median / 1e9 },
    );
  }
  console.error(`done n=${N}`);
}

// --- MNIST 784-128-10, batch 32: both layers' forward Y = X·Wᵀ, dW = dZᵀ·X, dX = dZ·W -------------
const MNIST: (Shape & { form: Form })[] = [
  { label: 'L1 fwd X·Wᵀ', form: 'gemmABt', m: 32, n: 128, k: 784 },
  { label: 'L1 dW dZᵀ·X', form: 'gemmAtB', m: 128, n: 784, k: 32 },
  { label: 'L1 dX dZ·W', form: 'gemmAB', m: 32, n: 784, k: 128 },
  { label: 'L2 fwd X·Wᵀ', form: 'gemmABt', m: 32, n: 10, k: 128 },
  { label: 'L2 dW dZᵀ·X', form: 'gemmAtB', m: 10, n: 128, k: 32 },
  { label: 'L2 dX dZ·W', form: 'gemmAB', m: 32, n: 128, k: 10 },
];
for (const s of MNIST) cells.push(...measureShape(s, [s.form]));

// --- Batch 1 (one-sample predict, per-sample training): the direct GEMV-like paths (m ≤ 3) -----
const BATCH1: (Shape & { form: Form })[] = [
  { label: 'b1 L1 fwd', form: 'gemmABt', m: 1, n: 128, k: 784 },
  { label: 'b1 L2 fwd', form: 'gemmABt', m: 1, n: 10, k: 128 },
  { label: 'b1 L2 dX', form: 'gemmAB', m: 1, n: 128, k: 10 },
  { label: 'b1 L1 dX', form: 'gemmAB', m: 1, n: 784, k: 128 },
  { label: 'b1 seed ABt', form: 'gemmABt', m: 1, n: 2, k: 2 },
  { label: 'b1 seed AtB', form: 'gemmAtB', m: 1, n: 2, k: 2 },
  { label: 'b1 seed AB', form: 'gemmAB', m: 1, n: 2, k: 2 },
];
for (const s of BATCH1) cells.push(...measureShape(s, [s.form]));

// The 2-2-1 seed net (batch 1): ns per call, f64 wasm vs the twin.
const tiny: string[][] = [];
for (const form of FORMS) {
  const a = f64.alloc(4),
    b = f64.alloc(4),
    c = f64.alloc(4);
  const fn = f64.kernels[form];
  const w = time(`wasm ${form} 1x2x2`, () => fn(1, 2, 2, a, b, c, 0), 0.5);
  const h = new Float64Array(12);
  const tw = time(`twin ${form} 1x2x2`, () => twin[form](h, 1, 2, 2, 0, 2, 6, 0), 0.5);
  tiny.push([form, (w.median * 1e9).toFixed(0), (tw.median * 1e9).toFixed(0)]);
  [a, b, c].forEach((o) => f64.free(o));
}

/** The textbook loop: C = A[m×k]·B[k×n], i-k-j order, written out here on purpose. */
function plainIKJ(A: Float64Array, B: Float64Array, C: Float64Array, m: number, n: number, k: number): void {
  C.fill(0);
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const aip = A[i * k + p];
      const bp = p * n;
      for (let j = 0; j < n; j++) C[ci + j] += aip * B[bp + j];
    }
  }
}

// --- Report ------------------------------------------------------------------------------------
function table(head: string[], body: string[][]): string {
  const all = [head, ...body];
  const width = head.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((x, c) => (c === 0 ? x.padEnd(width[c]) : x.padStart(width[c]))).join('  ');
  return [line(head), width.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
const cell = (shape: string, form: Form, impl: Impl) => cells.find((c) => c.shape === shape && c.form === form && c.impl === impl);
const fmt = (c: Cell | undefined) => (c ? c.median.toFixed(1) : '—');
const range = (c: Cell | undefined) => (c ? `${c.min.toFixed(1)}–${c.max.toFixed(1)}` : '—');
const load = [load0, loadavg()[0]];
console.log(
  `\nGFLOP/s by CPU time, median of ${ROUNDS} interleaved rounds [min–max] (${cpus()[0]?.model ?? '?'}, Node ${process.version})`,
);
console.log(`load average before/after: ${load.map((x) => x.toFixed(2)).join(' / ')} on ${cpus().length} CPUs; TF.js wasm SIMD: ${tfSimd}`);
if (Math.max(...load) > cpus().length * 0.6)
  console.log(
    'WARNING: the machine was busy: CPU-time figures hold up better than wall-clock ones, but shared caches and cores still cost (see the ranges).',
  );
if (!relaxed) console.log('fma builds not measured: no relaxed SIMD in this engine (Node 20: --experimental-wasm-relaxed-simd).');
console.log('');
const sq: string[][] = [];
for (const N of SIZES) {
  for (const form of FORMS) {
    const s = `${N}³`;
    const c32 = cell(s, form, 'f32'),
      c64 = cell(s, form, 'f64'),
      ctf = cell(s, form, 'tfjs f32');
    const tw = form === 'gemmABt' ? plainCells.find((p) => p.name === 'twin' && p.n === N) : undefined;
    const pl = form === 'gemmABt' ? plainCells.find((p) => p.name === 'plain' && p.n === N) : undefined;
    sq.push([
      s,
      form,
      `${fmt(c64)} [${range(c64)}]`,
      fmt(cell(s, form, 'f64 fma')),
      `${fmt(c32)} [${range(c32)}]`,
      `${fmt(cell(s, form, 'f32 fma'))} [${range(cell(s, form, 'f32 fma'))}]`,
      `${fmt(ctf)} [${range(ctf)}]`,
      c32 && c64 ? (c32.median / c64.median).toFixed(2) : '—',
      c32 && ctf ? (c32.median / ctf.median).toFixed(2) : '—',
      tw ? tw.gflops.toFixed(2) : '',
      pl ? pl.gflops.toFixed(2) : '',
    ]);
  }
}
console.log(table(['n', 'form', 'f64', 'f64 fma', 'f32', 'f32 fma', 'TF.js wasm f32', 'f32/f64', 'f32/TF.js', 'TS twin', 'plain ikj'], sq));
console.log('(TS twin and plain i-k-j loop: f64, gemmABt form, one benchmark.js median; skipped at n = 1024)\n');
const mn: string[][] = [];
for (const s of MNIST) {
  const shape = `${s.m}×${s.n}×${s.k}`;
  const sq256 = (impl: Impl) => cell('256³', s.form, impl);
  const rel = (impl: Impl) => {
    const c = cell(s.label, s.form, impl),
      q = sq256(impl);
    return c && q ? `${fmt(c)} (${((100 * c.median) / q.median).toFixed(0)}%)` : '—';
  };
  const c64 = cell(s.label, s.form, 'f64'),
    c32 = cell(s.label, s.form, 'f32');
  mn.push([
    s.label,
    shape,
    s.form,
    rel('f64'),
    range(c64),
    rel('f64 fma'),
    rel('f32'),
    range(c32),
    rel('f32 fma'),
    fmt(cell(s.label, s.form, 'tfjs f32')),
  ]);
}
console.log(
  table(
    [
      'MNIST layer (batch 32)',
      'm×n×k',
      'form',
      'f64 (% of 256³)',
      'f64 range',
      'f64 fma',
      'f32 (% of 256³)',
      'f32 range',
      'f32 fma',
      'TF.js f32',
    ],
    mn,
  ),
);
console.log("(% of 256³ = this shape's median over the same build and form at n = 256 in this run)\n");
const b1: string[][] = [];
for (const s of BATCH1) {
  const c64 = cell(s.label, s.form, 'f64'),
    c32 = cell(s.label, s.form, 'f32');
  const ns = (c: Cell | undefined) => (c ? ((2 * s.m * s.n * s.k) / c.median).toFixed(0) : '—');
  b1.push([
    s.label,
    `${s.m}×${s.n}×${s.k}`,
    s.form,
    `${fmt(c64)} [${range(c64)}]`,
    `${fmt(c32)} [${range(c32)}]`,
    fmt(cell(s.label, s.form, 'f32 fma')),
    c32 && c64 ? (c32.median / c64.median).toFixed(2) : '—',
    ns(c64),
    ns(c32),
  ]);
}
console.log(table(['batch 1', 'm×n×k', 'form', 'f64', 'f32', 'f32 fma', 'f32/f64', 'f64 ns/call', 'f32 ns/call'], b1));
console.log('(m ≤ 3 takes the direct paths in both types: dot products for gemmABt, rows of C in p order for gemmAB and gemmAtB)\n');
console.log(table(['seed 1×2×2 (f64)', 'wasm ns/call', 'TS twin ns/call'], tiny));

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const out = new URL('./results/matmul.json', import.meta.url);
writeFileSync(
  out,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      loadavg: load,
      rounds: ROUNDS,
      sampleMs: SAMPLE_MS,
      tfjsSimd: tfSimd,
      cells,
      plain: plainCells,
      tiny,
    },
    null,
    2,
  ) + '\n',
);
console.log(`\nwrote ${out.pathname}`);
