/**
 * A/B of two builds of the standalone f32 GEMM module (assembly/gemm-f32-entry.ts), default and fma,
 * in one process: square n = 64…1024 in the three forms (bench/matmul.ts's square cells) and the
 * MNIST batch-32 shapes, the two builds timed back to back in every round (which goes first
 * alternates), so that a load change on this shared machine hits both alike.
 *
 *   BASE=dir node --experimental-wasm-relaxed-simd --import tsx bench/gemm-f32-ab.ts
 *
 * dir holds the other build's gemm-f32.wasm and gemm-f32.fma.wasm (e.g. `npx asc
 * assembly/gemm-f32-entry.ts --target gemm-f32` in a worktree of the old commit; copy its build/
 * files); "new" is this tree's build/. GFLOP/s by this process's CPU time (a sample = back-to-back
 * calls for ≥ 25 ms), median [min–max] over ROUNDS (default 9) rounds, and new ÷ base as the median
 * [range] of the per-round ratios. SIZES (comma list) and BUILDS (default,fma) narrow the run.
 */
import { readFileSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../src/rng.js';
import { relaxedSimdSupported } from '../src/backends/wasm/loader.js';
import { gemmF32Module, type GemmF32Module } from '../test/helpers/gemm-f32-module.js';

type Form = 'gemmABt' | 'gemmAtB' | 'gemmAB';
const FORMS: Form[] = ['gemmABt', 'gemmAtB', 'gemmAB'];
const ROUNDS = Math.max(1, Number(process.env.ROUNDS ?? 9));
const SAMPLE_MS = 25;
const SIZES = (process.env.SIZES ?? '64,128,256,512,1024').split(',').map(Number);
const BUILDS = (process.env.BUILDS ?? 'default,fma').split(',') as ('default' | 'fma')[];
const base = process.env.BASE;
if (!base) throw new Error('BASE=dir (the other build of gemm-f32.wasm and gemm-f32.fma.wasm) is required');
if (BUILDS.includes('fma') && !relaxedSimdSupported())
  throw new Error('fma builds need relaxed SIMD: node --experimental-wasm-relaxed-simd');

const file = (build: 'default' | 'fma') => (build === 'fma' ? 'gemm-f32.fma.wasm' : 'gemm-f32.wasm');
const modules: { build: string; which: 'base' | 'new'; g: GemmF32Module }[] = [];
for (const build of BUILDS) {
  modules.push({ build, which: 'base', g: await gemmF32Module(new Uint8Array(readFileSync(join(base, file(build))))) });
  modules.push({ build, which: 'new', g: await gemmF32Module(build) });
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface Job {
  label: string;
  form: Form;
  build: string;
  calls: Record<'base' | 'new', { fn: () => void; per: number; samples: number[] }>;
  flop: number;
}

/** Calls per sample so that one sample lasts about SAMPLE_MS (after warm-up: tier-up to TurboFan). */
function calibrate(fn: () => void): number {
  for (let i = 0; i < 3; i++) fn();
  for (let n = 1; ; n *= 2) {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    const dt = performance.now() - t;
    if (dt >= SAMPLE_MS / 4) return Math.max(1, Math.round((n * SAMPLE_MS) / dt));
  }
}

const rng = new Rng(2024);
const shapes: { label: string; m: number; n: number; k: number; forms: Form[] }[] = SIZES.map((N) => ({
  label: `${N}³`,
  m: N,
  n: N,
  k: N,
  forms: FORMS,
}));
shapes.push(
  { label: 'L1 fwd', m: 32, n: 128, k: 784, forms: ['gemmABt'] },
  { label: 'L1 dW', m: 128, n: 784, k: 32, forms: ['gemmAtB'] },
  { label: 'L1 dX', m: 32, n: 784, k: 128, forms: ['gemmAB'] },
);
const load0 = loadavg()[0];
const rows: string[][] = [];
for (const s of shapes) {
  const A = Float32Array.from({ length: s.m * s.k }, () => rng.normal());
  const B = Float32Array.from({ length: s.n * s.k }, () => rng.normal());
  const jobs: Job[] = [];
  for (const { g } of modules) g.reset();
  const at = new Map<GemmF32Module, number[]>();
  for (const { g } of modules) {
    const [a, b, c] = [g.alloc(A.length), g.alloc(B.length), g.alloc(s.m * s.n)];
    g.heap().set(A, a);
    g.heap().set(B, b);
    at.set(g, [a, b, c]);
  }
  for (const form of s.forms) {
    for (const build of BUILDS) {
      const pick = (which: 'base' | 'new') => {
        const g = modules.find((x) => x.build === build && x.which === which)!.g;
        const [a, b, c] = at.get(g)!;
        const fn = () => g[form](s.m, s.n, s.k, a, b, c, 0);
        return { fn, per: calibrate(fn), samples: [] as number[] };
      };
      jobs.push({ label: s.label, form, build, calls: { base: pick('base'), new: pick('new') }, flop: 2 * s.m * s.n * s.k });
    }
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const j of jobs) {
      for (const which of r % 2 ? (['new', 'base'] as const) : (['base', 'new'] as const)) {
        const x = j.calls[which];
        const c = cpuMs();
        for (let i = 0; i < x.per; i++) x.fn();
        x.samples.push((j.flop * x.per) / ((cpuMs() - c) * 1e6));
      }
    }
  }
  for (const j of jobs) {
    const fmt = (v: number[]) => `${median(v).toFixed(1)} [${Math.min(...v).toFixed(1)}–${Math.max(...v).toFixed(1)}]`;
    const ratios = j.calls.new.samples.map((v, i) => v / j.calls.base.samples[i]);
    rows.push([
      j.label,
      j.form,
      j.build,
      fmt(j.calls.base.samples),
      fmt(j.calls.new.samples),
      `${median(ratios).toFixed(3)} [${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}]`,
    ]);
  }
  console.error(`done ${s.label}`);
}

const head = ['shape', 'form', 'build', 'base GFLOP/s', 'new GFLOP/s', 'new ÷ base'];
const width = head.map((_, c) => Math.max(...[head, ...rows].map((r) => r[c].length)));
const line = (r: string[]) => r.map((x, c) => (c < 3 ? x.padEnd(width[c]) : x.padStart(width[c]))).join('  ');
console.log(`GFLOP/s by CPU time, median [min–max] of ${ROUNDS} interleaved rounds (${cpus()[0]?.model ?? '?'}, Node ${process.version})`);
console.log(`load average before/after: ${load0.toFixed(2)} / ${loadavg()[0].toFixed(2)} on ${cpus().length} CPUs; BASE=${base}`);
console.log([line(head), width.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n'));
