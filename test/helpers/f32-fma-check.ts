// Run by test/f32-fma.test.ts in a Node with relaxed SIMD (Node 20: --experimental-wasm-relaxed-simd).
// Prints one JSON line of measurements of the f32 fma build (enableF32() + enableFma(), then
// Network.create(f32 spec, { fma: true })); the test asserts on them.
//
// GEMM bound: the f32 twin (src/backends/js/f32/gemm.ts) rounds every product and every sum, the
// fma build rounds each fused step s ← a·b + s once; both sum each element's k products (then C₀)
// in one pass, so each is within γ(k+1)·(|C₀| + Σ_p |A(i,p)·B(p,j)|) of the exact value (γ(n) =
// n·u/(1 − n·u), u = 2⁻²⁴: a term's relative error is a product of at most k + 1 factors (1 + δ),
// |δ| ≤ u, with or without fusing), and |fma − twin| ≤ 2·γ(k+1)·(|C₀| + Σ|a||b|). At k ≤ 64 the
// blocked path (m ≥ 4) sums in the twin's order, so it must equal the ordered fused reference bit for
// bit (fmaF32: one rounding per step).
import { wasmF32Backend, wasmF32FmaBackend } from '../../src/backends/wasm/index.js';
import { relaxedSimdSupported } from '../../src/backends/wasm/loader.js';
import * as twin from '../../src/backends/js/f32/gemm.js';
import { Rng } from '../../src/rng.js';
import { fmaTraining } from './fma-training.js';
import { enableFma } from '../../src/fma.js';
import { enableF32 } from '../../src/f32.js';
import { fmaF32 } from './gemm-f32-check.js';

enableF32();
enableFma();

type Form = 'gemmABt' | 'gemmAtB' | 'gemmAB';
const U = 2 ** -24;
const gamma = (n: number) => (n * U) / (1 - n * U);
const rng = new Rng(32);
const fma = await wasmF32FmaBackend();
const plain = await wasmF32Backend();

function gemmCheck(form: Form, m: number, n: number, k: number, acc: number) {
  const sizes = { a: m * k, b: k * n, c: m * n };
  const A = Float32Array.from({ length: sizes.a }, () => rng.normal());
  const B = Float32Array.from({ length: sizes.b }, () => rng.normal());
  const C0 = Float32Array.from({ length: sizes.c }, () => rng.normal());
  const run = (be: typeof fma) => {
    const [a, b, c] = [be.alloc(sizes.a / 2 + 2), be.alloc(sizes.b / 2 + 2), be.alloc(sizes.c / 2 + 2)].map((o) => 2 * o);
    const h = be.values();
    h.set(A, a);
    h.set(B, b);
    h.set(C0, c);
    be.kernels[form](m, n, k, a, b, c, acc);
    const out = be.values().slice(c, c + sizes.c);
    [a, b, c].forEach((o) => be.free(o / 2));
    return out;
  };
  const got = run(fma),
    def = run(plain);
  const h = new Float32Array(sizes.a + sizes.b + sizes.c);
  h.set(A, 0);
  h.set(B, sizes.a);
  h.set(C0, sizes.a + sizes.b);
  twin[form](h, m, n, k, 0, sizes.a, sizes.a + sizes.b, acc);
  const want = h.slice(sizes.a + sizes.b);
  const opA = form === 'gemmAtB' ? (i: number, p: number) => A[p * m + i] : (i: number, p: number) => A[i * k + p];
  const opB = form === 'gemmABt' ? (p: number, j: number) => B[j * k + p] : (p: number, j: number) => B[p * n + j];
  let worst = 0,
    differs = false,
    notFused = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let mag = acc ? Math.abs(C0[i * n + j]) : 0,
        fused = 0;
      for (let p = 0; p < k; p++) {
        mag += Math.abs(opA(i, p) * opB(p, j));
        fused = fmaF32(opA(i, p), opB(p, j), fused);
      }
      const at = i * n + j;
      const err = Math.abs(got[at] - want[at]);
      worst = Math.max(worst, err === 0 ? 0 : err / (2 * gamma(k + 1) * mag));
      differs ||= got[at] !== def[at];
      if (!Object.is(got[at], acc ? Math.fround(C0[at] + fused) : fused)) notFused++;
    }
  }
  return { form, m, n, k, acc, worst, differs, notFused, blockedSameOrder: m >= 4 && k <= 64 };
}

const gemm = (['gemmABt', 'gemmAtB', 'gemmAB'] as const).flatMap((form) =>
  [
    [64, 64, 64, 0],
    [37, 29, 131, 1],
    [128, 96, 300, 0],
    [32, 10, 64, 1],
    [10, 128, 32, 0],
  ].map(([m, n, k, acc]) => gemmCheck(form, m, n, k, acc)),
);

// Training: the fma build against the default f32 build (test/helpers/fma-training.ts).
const { training } = await fmaTraining('f32');

console.log(
  JSON.stringify({
    relaxed: relaxedSimdSupported(),
    backendFma: fma.fma,
    precision: fma.precision,
    gemm,
    training,
  }),
);
