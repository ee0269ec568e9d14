// Run by test/fma.test.ts in a Node with relaxed SIMD (Node 20: --experimental-wasm-relaxed-simd).
// Prints one JSON line of measurements; the test asserts on them.
import { wasmBackend } from '../../src/backends/wasm/index.js';
import { fmaModule, relaxedSimdSupported } from '../../src/backends/wasm/loader.js';
import * as twin from '../../src/backends/js/gemm.js';
import { Rng } from '../../src/rng.js';
import { fmaTraining, trainFmaNetwork } from './fma-training.js';
import { enableFma } from '../../src/fma.js';
import { enableThreads } from '../../src/parallel/enable.js';

enableFma();
enableThreads();

type Form = 'gemmABt' | 'gemmAtB' | 'gemmAB';
const rng = new Rng(99);
const fma = await wasmBackend(await fmaModule());
const plain = await wasmBackend();

/**
 * Worst |fma − twin| over the a-priori bound 2(k+1)u·(|C₀| + |op(A)|·|op(B)|)_ij (u = 2⁻⁵³): each
 * side's rounding error is at most (k+1)u times that, so a correct kernel stays ≤ 1. Also whether
 * any element differs from the default module's bits (that FMA really ran).
 */
function gemmCheck(form: Form, m: number, n: number, k: number, acc: number) {
  const sizes = { a: m * k, b: k * n, c: m * n };
  const A = Float64Array.from({ length: sizes.a }, () => rng.normal());
  const B = Float64Array.from({ length: sizes.b }, () => rng.normal());
  const C0 = Float64Array.from({ length: sizes.c }, () => rng.normal());
  const run = (be: typeof fma) => {
    const [a, b, c] = [be.alloc(sizes.a), be.alloc(sizes.b), be.alloc(sizes.c)];
    const h = be.heap();
    h.set(A, a);
    h.set(B, b);
    h.set(C0, c);
    be.kernels[form](m, n, k, a, b, c, acc);
    const out = be.heap().slice(c, c + sizes.c);
    [a, b, c].forEach((o) => be.free(o));
    return out;
  };
  const got = run(fma),
    def = run(plain);
  // The twin and |A|·|B| on a plain heap: [A | B | C].
  const h = new Float64Array(sizes.a + sizes.b + sizes.c);
  h.set(A, 0);
  h.set(B, sizes.a);
  h.set(C0, sizes.a + sizes.b);
  twin[form](h, m, n, k, 0, sizes.a, sizes.a + sizes.b, acc);
  const want = h.slice(sizes.a + sizes.b);
  h.set(A.map(Math.abs), 0);
  h.set(B.map(Math.abs), sizes.a);
  h.set(C0.map(Math.abs), sizes.a + sizes.b);
  twin[form](h, m, n, k, 0, sizes.a, sizes.a + sizes.b, acc);
  const bound = h.slice(sizes.a + sizes.b);
  let worst = 0,
    differs = false;
  for (let i = 0; i < sizes.c; i++) {
    worst = Math.max(worst, Math.abs(got[i] - want[i]) / (2 * (k + 1) * 2 ** -53 * bound[i]));
    differs ||= got[i] !== def[i];
  }
  return { form, m, n, k, acc, worst, differs };
}

const gemm = (['gemmABt', 'gemmAtB', 'gemmAB'] as const).flatMap((form) =>
  [
    [64, 64, 64, 0],
    [37, 29, 131, 1],
    [128, 96, 300, 0],
    [5, 260, 33, 1],
  ].map(([m, n, k, acc]) => gemmCheck(form, m, n, k, acc)),
);

// Training: the fma build against the default (test/helpers/fma-training.ts); and an fma network
// asked for 2 threads, which trains on one (the threads builds have no fma) to the one-thread fma bits.
const { oneThread, training } = await fmaTraining('f64');
const warnings: string[] = [];
console.warn = (message: unknown) => void warnings.push(String(message));
const [asked, plainThreaded] = [await trainFmaNetwork('f64', true, 2), await trainFmaNetwork('f64', false, 2)];

console.log(
  JSON.stringify({
    relaxed: relaxedSimdSupported(),
    gemm,
    training,
    threads: {
      fmaThreads: asked.threads,
      fmaSameBits: JSON.stringify({ ...asked, threads: undefined }) === JSON.stringify(oneThread),
      plainThreads: plainThreaded.threads,
      warnings,
    },
  }),
);
