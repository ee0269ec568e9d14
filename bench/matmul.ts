/**
 * GEMM throughput: the Wasm kernels (assembly/gemm.ts) vs their plain TS twins
 * (src/backends/js/gemm.ts) vs a textbook i-k-j triple loop on Float64Arrays.
 *
 *   npx tsx bench/matmul.ts            (≈ 1–2 minutes; writes bench/results/matmul.json)
 *
 * GFLOP/s = 2·m·n·k / (median seconds per call over benchmark.js samples). With relaxed SIMD
 * (`node --experimental-wasm-relaxed-simd --import tsx bench/matmul.ts` on Node 20) the fma
 * build's three forms are measured too.
 * The twin and the plain loop are skipped at n = 1024 (≈ 1–3 s per call each).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { wasmBackend } from '../src/backends/wasm/index.js';
import { relaxedSimdSupported, fmaModule } from '../src/backends/wasm/loader.js';
import { enableFma } from '../src/fma.js';
import * as twin from '../src/backends/js/gemm.js';
import { Rng } from '../src/rng.js';
import { time } from './bjs.js';

type Form = 'gemmABt' | 'gemmAtB' | 'gemmAB';
const FORMS: Form[] = ['gemmABt', 'gemmAtB', 'gemmAB'];

const load0 = loadavg()[0];
const be = await wasmBackend();
// The opt-in fma build (relaxed SIMD; Node 20 needs --experimental-wasm-relaxed-simd, which
// bench/run.ts passes): measured beside the default where the engine has it.
enableFma();
const fmaBe = relaxedSimdSupported() ? await wasmBackend(await fmaModule()) : undefined;
const rng = new Rng(2024);

interface Measure {
  name: string;
  m: number;
  n: number;
  k: number;
  medianMs: number;
  /** From the median time per call. */
  gflops: number;
  /** From the fastest sample (less sensitive to other load on the machine). */
  bestGflops: number;
  hz: number;
  rmePct: number;
  samples: number;
}

function measure(name: string, m: number, n: number, k: number, fn: () => void, maxTime: number): Measure {
  const t = time(name, fn, maxTime);
  const flop = 2 * m * n * k;
  return { name, m, n, k, medianMs: t.median * 1e3, gflops: flop / t.median / 1e9, bestGflops: flop / t.best / 1e9, hz: t.hz, rmePct: t.rmePct, samples: t.samples };
}

/** Operands for C[m×n] = op(A)·op(B) with inner k, in the Wasm heap and in a plain array. */
function setup(m: number, n: number, k: number) {
  const a = be.alloc(m * k), b = be.alloc(n * k), c = be.alloc(m * n);
  const h = be.heap();
  const plain = new Float64Array(m * k + n * k + m * n);
  for (let i = 0; i < m * k; i++) plain[i] = h[a + i] = rng.normal();
  for (let i = 0; i < n * k; i++) plain[m * k + i] = h[b + i] = rng.normal();
  return {
    a, b, c, plain,
    free() {
      be.free(a);
      be.free(b);
      be.free(c);
    },
  };
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

const results: Measure[] = [];
const rows: string[][] = [];
const fmt = (x: number | undefined, d = 2) => (x === undefined ? '—' : x.toFixed(d));

// --- Square n×n×n ------------------------------------------------------------------------------
const SIZES = [32, 64, 128, 256, 512, 1024];
for (const N of SIZES) {
  const d = setup(N, N, N);
  const time = N >= 512 ? 1.5 : 0.7;
  const w: Partial<Record<Form, Measure>> = {};
  for (const f of FORMS) {
    const fn = be.k[f];
    w[f] = measure(`wasm ${f} ${N}`, N, N, N, () => fn(N, N, N, d.a, d.b, d.c, 0), time);
    results.push(w[f]!);
  }
  const fm: Partial<Record<Form, Measure>> = {};
  if (fmaBe) {
    const [a, b, c] = [fmaBe.alloc(N * N), fmaBe.alloc(N * N), fmaBe.alloc(N * N)];
    fmaBe.heap().set(be.heap().subarray(d.a, d.a + N * N), a);
    fmaBe.heap().set(be.heap().subarray(d.b, d.b + N * N), b);
    for (const f of FORMS) {
      const fn = fmaBe.k[f];
      results.push((fm[f] = measure(`fma ${f} ${N}`, N, N, N, () => fn(N, N, N, a, b, c, 0), time)));
    }
    [a, b, c].forEach((o) => fmaBe.free(o));
  }
  let tw: Measure | undefined, pl: Measure | undefined;
  if (N < 1024) {
    const h = d.plain;
    tw = measure(`twin gemmABt ${N}`, N, N, N, () => twin.gemmABt(h, N, N, N, 0, N * N, 2 * N * N, 0), time);
    const A = h.subarray(0, N * N), B = h.subarray(N * N, 2 * N * N), C = h.subarray(2 * N * N);
    pl = measure(`plain ikj ${N}`, N, N, N, () => plainIKJ(A, B, C, N, N, N), time);
    results.push(tw, pl);
  }
  rows.push([
    `${N}³`, fmt(w.gemmABt!.gflops), fmt(w.gemmAtB!.gflops), fmt(w.gemmAB!.gflops), fmt(tw?.gflops), fmt(pl?.gflops),
    fmt(tw && w.gemmABt!.gflops / tw.gflops, 1), fmt(pl && w.gemmABt!.gflops / pl.gflops, 1),
    FORMS.map((f) => fmt(w[f]!.bestGflops, 1)).join('/'),
    fmaBe ? FORMS.map((f) => fmt(fm[f]!.gflops, 1)).join('/') : '—',
  ]);
  d.free();
  console.error(`done n=${N}`);
}

// --- Neural-net layer shapes -------------------------------------------------------------------
// MNIST-ish 784→128 layer, batch 32: forward Y = X·Wᵀ, dW = dYᵀ·X, dX = dY·W; and the 2-2-1 seed
// net (batch 1). The twin and the plain loop run the same m×n×k product.
const nn: { label: string; form: Form; m: number; n: number; k: number }[] = [
  { label: 'fwd  X·Wᵀ 32×128×784', form: 'gemmABt', m: 32, n: 128, k: 784 },
  { label: 'dW dYᵀ·X 128×784×32', form: 'gemmAtB', m: 128, n: 784, k: 32 },
  { label: 'dX  dY·W 32×784×128', form: 'gemmAB', m: 32, n: 784, k: 128 },
  { label: 'fwd  1×2×2', form: 'gemmABt', m: 1, n: 2, k: 2 },
  { label: 'dW  1×2×2', form: 'gemmAtB', m: 1, n: 2, k: 2 },
  { label: 'dX  1×2×2', form: 'gemmAB', m: 1, n: 2, k: 2 },
];
const nnRows: string[][] = [];
for (const s of nn) {
  const { m, n, k, form } = s;
  const d = setup(m, n, k);
  const fn = be.k[form];
  const w = measure(`wasm ${form} ${m}x${n}x${k}`, m, n, k, () => fn(m, n, k, d.a, d.b, d.c, 0), 0.7);
  const h = d.plain;
  const tf = twin[form];
  const tw = measure(`twin ${form} ${m}x${n}x${k}`, m, n, k, () => tf(h, m, n, k, 0, m * k, m * k + n * k, 0), 0.7);
  const A = h.subarray(0, m * k), B = h.subarray(m * k, m * k + n * k), C = h.subarray(m * k + n * k);
  const pl = measure(`plain ikj ${m}x${n}x${k}`, m, n, k, () => plainIKJ(A, B, C, m, n, k), 0.7);
  results.push(w, tw, pl);
  const big = m * n * k > 1000;
  const cell = (x: Measure) => (big ? `${fmt(x.gflops)} GF/s` : `${fmt(x.medianMs * 1e6, 0)} ns`);
  nnRows.push([s.label, form, cell(w), cell(tw), cell(pl), fmt(w.gflops / tw.gflops, 1), fmt(w.gflops / pl.gflops, 1)]);
  d.free();
}

// --- Report ------------------------------------------------------------------------------------
function table(head: string[], body: string[][]): string {
  const all = [head, ...body];
  const width = head.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((x, c) => (c === 0 ? x.padEnd(width[c]) : x.padStart(width[c]))).join('  ');
  return [line(head), width.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
const load = [load0, loadavg()[0]];
console.log(`\nGFLOP/s, median of benchmark.js samples (${cpus()[0]?.model ?? '?'}, Node ${process.version})`);
console.log(`load average before/after: ${load.map((x) => x.toFixed(2)).join(' / ')} on ${cpus().length} CPUs`);
if (Math.max(...load) > cpus().length * 0.6) console.log('WARNING: the machine was busy; numbers are low and noisy (see bestGflops in the JSON).');
console.log('');
console.log(table(['n', 'wasm ABt', 'wasm AtB', 'wasm AB', 'TS twin', 'plain ikj', 'ABt/twin', 'ABt/plain', 'best ABt/AtB/AB', 'fma ABt/AtB/AB'], rows));
console.log(`(twin = src/backends/js/gemm.ts gemmABt; twin and plain skipped at n = 1024; best = fastest sample; fma = the opt-in relaxed-SIMD build${fmaBe ? '' : ', not measured: no relaxed SIMD in this engine'})\n`);
console.log(table(['layer shape', 'form', 'wasm', 'TS twin', 'plain ikj', 'wasm/twin', 'wasm/plain'], nnRows));

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const out = new URL('./results/matmul.json', import.meta.url);
writeFileSync(
  out,
  JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, loadavg: load, results }, null, 2) + '\n',
);
console.log(`\nwrote ${out.pathname}`);
