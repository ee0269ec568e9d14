// Inputs and targets read as a pair (matching row counts), and the check that makes cross-entropy
// a loss: every target row a distribution.
import { words } from './errors.js';
import { LOSS_KINDS, type Loss } from './kinds/losses.js';
import type { Precision } from './spec.js';
import { bad, toRows, type Destination, type Rows } from './data.js';
import { isTyped, lengthOf } from './typed-arrays.js';

/** How a pair of inputs and targets is read: ReadOptions, with a destination for each. */
export interface PairOptions {
  precision?: Precision;
  copy?: boolean;
  /** Targets are asked for as many rows as the inputs had. */
  into?: { x: Destination; y: Destination };
}

/**
 * Inputs and targets of one batch or data set, with matching row counts. With `loss`
 * 'crossEntropy' every target row must be a probability distribution (see checkDistributions).
 */
export function toPairs(
  x: unknown,
  y: unknown,
  inputs: number,
  outputs: number,
  fx: string,
  fy: string,
  loss?: Loss,
  o: PairOptions = {},
): { x: Rows; y: Rows } {
  const { precision, copy, into } = o;
  const flat = isTyped(x) && isTyped(y) && lengthOf.call(x) !== inputs;
  const xr = toRows(x, inputs, fx, flat ? lengthOf.call(x) / inputs : undefined, { precision, copy, into: into?.x });
  // Targets of another row count go to a copy of their own, refused below as before.
  const yr = toRows(y, outputs, fy, xr.shape === 'flat' ? xr.rows : undefined, {
    precision,
    copy,
    into: into && ((rows) => (rows === xr.rows ? into.y(rows) : undefined)),
  });
  if (yr.rows !== xr.rows) bad(fy, `${xr.rows} rows like ${fx}`, words(yr.rows === 1 ? 'one sample' : `${yr.rows} rows`));
  if (loss && LOSS_KINDS[loss].distributionTargets)
    checkDistributions(
      yr.data,
      0,
      yr.rows,
      outputs,
      yr.shape === 'single' ? () => fy : (r) => `${fy}[${r}]`,
      precision === 'f32' || yr.fromF32 === true,
    );
  return { x: xr, y: yr };
}

/**
 * How far from 1 a target row may sum: 1e-9; for numbers rounded to f32 (an f32 network's rows, or
 * targets given as a Float32Array to any network) 2⁻²⁴ more: rounding each value of a distribution
 * to f32 moves it by at most 2⁻²⁴ of itself, so the sum by at most 2⁻²⁴ ([0.1, 0.2, 0.7] as f32
 * sums to 1 − 7.5e-9).
 */
const distributionTolerance = (roundedToF32: boolean) => (roundedToF32 ? 1e-9 + 2 ** -24 : 1e-9);

/**
 * Cross-entropy −Σ y·log ŷ is a loss only when each target row y is a distribution: a row like
 * [2, 0, 0] or [-1, 2, 0] would train silently towards nonsense, so it is refused, naming the row.
 */
export function checkDistributions(
  data: ArrayLike<number>,
  at: number,
  rows: number,
  width: number,
  rowField: (row: number) => string,
  roundedToF32: boolean,
): void {
  const tolerance = distributionTolerance(roundedToF32);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = 0; j < width; j++) {
      const v = data[at + r * width + j];
      if (v < 0) bad(`${rowField(r)}[${j}]`, "a probability ≥ 0 (loss 'crossEntropy' takes distributions as targets)", v);
      sum += v;
    }
    if (Math.abs(sum - 1) > tolerance)
      bad(
        rowField(r),
        `a row summing to 1 within ${roundedToF32 ? '1e-9 + 2⁻²⁴ (targets rounded to f32)' : '1e-9'} (loss 'crossEntropy' takes distributions as targets)`,
        words(`a row summing to ${sum}`),
      );
  }
}
