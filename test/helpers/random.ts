import { Rng } from '../../src/rng.js';

export function randomRows(rng: Rng, rows: number, cols: number, scale = 1): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => scale * (2 * rng.next() - 1)));
}

/** Targets that suit a loss: one-hot rows for crossEntropy, 0/1 for binary, reals otherwise. */
export function randomTargets(rng: Rng, loss: string, rows: number, cols: number): number[][] {
  if (loss === 'crossEntropy') {
    return Array.from({ length: rows }, () => {
      const hot = rng.int(cols);
      return Array.from({ length: cols }, (_, c) => (c === hot ? 1 : 0));
    });
  }
  if (loss === 'binaryCrossEntropy') return Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.int(2)));
  return randomRows(rng, rows, cols);
}

/** max |a−b| / max(1, |b|) over two equal-length arrays. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
}
