// Seeded row selections: a shuffled (optionally stratified) train/test split and k folds.
import { BackpropError } from '../errors.js';
import { Rng } from '../rng.js';

const sorted = (a: number[]): Uint32Array => Uint32Array.from(a).sort();

/** Rows grouped by label (one group for everything when labels is null), each group shuffled. */
function groups(rows: Uint32Array, labels: Uint32Array | null, seed: number): number[][] {
  const rng = new Rng(seed);
  const by = new Map<number, number[]>();
  for (let i = 0; i < rows.length; i++) {
    const k = labels ? labels[i] : 0;
    let g = by.get(k);
    if (!g) by.set(k, (g = []));
    g.push(rows[i]);
  }
  const out = [...by.keys()].sort((a, b) => a - b).map((k) => by.get(k)!);
  for (const g of out) rng.shuffle(g);
  return out;
}

/** Train and test rows: round(test · n) of each group go to test. */
export function splitRows(
  rows: Uint32Array,
  labels: Uint32Array | null,
  test: number,
  seed: number,
): { train: Uint32Array; test: Uint32Array } {
  const tr: number[] = [],
    te: number[] = [];
  for (const g of groups(rows, labels, seed)) {
    const k = Math.round(g.length * test);
    for (let i = 0; i < g.length; i++) (i < k ? te : tr).push(g[i]);
  }
  if (tr.length === 0 || te.length === 0)
    throw new BackpropError(
      'INVALID_OPTION',
      'options.test',
      `a fraction leaving at least one row on each side of ${rows.length} rows`,
      test,
    );
  return { train: sorted(tr), test: sorted(te) };
}

/** k folds: each group dealt round-robin into folds, so fold sizes differ by at most one per group. */
export function foldRows(
  rows: Uint32Array,
  labels: Uint32Array | null,
  k: number,
  seed: number,
): { train: Uint32Array; test: Uint32Array }[] {
  if (!Number.isSafeInteger(k) || k < 2 || k > rows.length)
    throw new BackpropError('INVALID_OPTION', 'k', `an integer from 2 to the ${rows.length} rows`, k);
  const fold = new Map<number, number>();
  let next = 0;
  for (const g of groups(rows, labels, seed)) for (const r of g) fold.set(r, next++ % k);
  return Array.from({ length: k }, (_, f) => {
    const tr: number[] = [],
      te: number[] = [];
    for (const r of rows) (fold.get(r) === f ? te : tr).push(r);
    return { train: sorted(tr), test: sorted(te) };
  });
}
