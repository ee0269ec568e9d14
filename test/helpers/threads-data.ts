// Data for the threads tests: rows of uniform inputs in [−1, 1) from a seeded stream, and
// targets that depend on several inputs (a regression of sines and products, or one-hot classes).
import { Rng } from '../../src/rng.js';

export type ThreadsData = { inputs: number[][]; targets: number[][] };

export function threadsData(rows: number, inputs: number, outputs: number, kind: 'class' | 'reg', seed: number): ThreadsData {
  const rng = new Rng(seed);
  const x = Array.from({ length: rows }, () => Array.from({ length: inputs }, () => 2 * rng.next() - 1));
  const y = x.map((r) => {
    if (kind === 'reg') return Array.from({ length: outputs }, (_, o) => Math.sin(r[0] * (o + 1)) + r[1] * r[inputs - 1]);
    const t = new Array<number>(outputs).fill(0);
    t[Math.abs(Math.floor((r[0] + r[1] * r[2]) * outputs * 2)) % outputs] = 1;
    return t;
  });
  return { inputs: x, targets: y };
}
