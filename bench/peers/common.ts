/**
 * Shared helpers for the peer-library benchmark scripts: env settings, the common seeded
 * initial weights and epoch orders, timing, and the single JSON line each script prints.
 */
import { Rng } from '../../src/rng.js';

export const LR_MNIST = 0.1;
export const BATCH = 32;
/**
 * Libraries without mini-batches take one step per sample: they use 0.1/32 per sample, which gives the same
 * expected update per sample as batch-32 SGD at 0.1 on the batch-mean gradient (0.1 per sample diverges for relu nets).
 */
export const LR_PER_SAMPLE = LR_MNIST / BATCH;
export const HIDDEN = 128;
export const TRAIN_COUNT = 8000;
export const TEST_COUNT = 2000;

/** The "seed" problem: 2-2-1 sigmoid, no biases, squared error ½(t−o)², learning rate 1. */
export const SEED = {
  input: [0.35, 0.9],
  target: 0.5,
  lr: 1,
  /** w1[j][i]: input i → hidden j. */
  w1: [
    [0.1, 0.8],
    [0.4, 0.6],
  ],
  /** w2[j]: hidden j → output. */
  w2: [0.3, 0.9],
};

/** Console output of libraries (e.g. TF.js banners) must not reach stdout: only our JSON line does. */
export function quietStdout(): void {
  console.log = (...a: unknown[]) => console.error(...a);
  console.info = console.log;
}

export function workloads(): Set<string> {
  return new Set(
    (process.env.WORKLOADS ?? 'mnist,seed,matmul')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

export function envInt(name: string, dflt: number): number {
  const v = process.env[name];
  return v === undefined || v === '' ? dflt : Math.max(1, parseInt(v, 10));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Order of training samples for one epoch: a fixed seeded shuffle per epoch. */
export function epochOrder(n: number, epoch: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  new Rng(1000 + epoch).shuffle(order);
  return order;
}

/**
 * Common initial weights for 784-128-10: Glorot-uniform from a seeded Rng, biases 0.
 * w1 is 784×128 and w2 is 128×10, both row-major [input][output] (the TF.js kernel layout).
 */
export function initMnistWeights(seed = 7): { w1: Float64Array; w2: Float64Array; b1: Float64Array; b2: Float64Array } {
  const rng = new Rng(seed);
  const glorot = (fanIn: number, fanOut: number) => {
    const lim = Math.sqrt(6 / (fanIn + fanOut));
    const w = new Float64Array(fanIn * fanOut);
    for (let i = 0; i < w.length; i++) w[i] = (2 * rng.next() - 1) * lim;
    return w;
  };
  return { w1: glorot(784, HIDDEN), w2: glorot(HIDDEN, 10), b1: new Float64Array(HIDDEN), b2: new Float64Array(10) };
}

/**
 * Median steps/s over `runs` timed runs of ≥ `minMs` each; `fn(n)` performs n gradient steps
 * (and may be async: it is awaited once per call, not per step).
 */
export async function stepsPerSec(fn: (steps: number) => void | Promise<void>, runs = 5, minMs = 300): Promise<number> {
  let batch = 1;
  // Calibrate (also warms up the JIT): grow the batch until one call takes ≥ minMs / 10.
  for (;;) {
    const t = performance.now();
    await fn(batch);
    if (performance.now() - t >= minMs / 10) break;
    batch *= 2;
  }
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    let steps = 0;
    const t0 = performance.now();
    let dt = 0;
    while (dt < minMs) {
      await fn(batch);
      steps += batch;
      dt = performance.now() - t0;
    }
    rates.push((steps / dt) * 1000);
  }
  return median(rates);
}

export function argmax(a: ArrayLike<number>, off = 0, n = a.length - off): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (a[off + i] > a[off + best]) best = i;
  return best;
}

export function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export interface MnistResult {
  samplesPerSec: number;
  testAccuracy: number;
  epochs: number;
  samples: number;
  batchSize: number;
  learningRate: number;
  notes: string;
}
export interface SeedResult {
  stepsPerSec: number;
  /** Output o after one step from the fixed weights (correct no-bias backprop gives the handwritten value). */
  outputAfter1Step: number;
  notes: string;
  [k: string]: unknown;
}
export interface PeerResult {
  library: string;
  backend: string;
  workloads: {
    mnist?: MnistResult;
    seed?: SeedResult;
    matmul?: { gflops: Record<string, number>; notes?: string };
    startupMs?: number;
    [k: string]: unknown;
  };
  error?: string;
}

/** Prints the one JSON line (bypassing console.log, which quietStdout() sends to stderr). */
export function emit(r: PeerResult): void {
  process.stdout.write(JSON.stringify(r) + '\n');
}

/** Train-phase timing helper: returns samples/s for the median epoch. */
export function epochRate(secondsPerEpoch: number[], samplesPerEpoch: number): number {
  return samplesPerEpoch / median(secondsPerEpoch);
}
