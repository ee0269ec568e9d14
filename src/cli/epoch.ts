/**
 * One training epoch cut into slices, so a terminal can draw progress and a browser worker can
 * answer messages while it trains (`fit` runs a whole epoch in one kernel call). Each slice is
 * a `fit` of one epoch over a contiguous block of rows, shuffled inside the block by the
 * network; the order of the blocks is shuffled here. Blocks are whole batches, so batches look
 * as in one `fit` over everything. No Node or DOM APIs: the CLI and the web demo share this.
 */
import type { Network } from '../network.js';
import { Rng } from '../rng.js';
import { classIndex } from '../class-index.js';

export interface EpochPlan {
  inputs: Float64Array; // rows × net.inputs
  targets: Float64Array; // rows × net.outputs
  rows: number;
  batchSize: number;
  /** About how many slices per epoch (progress granularity). */
  slices?: number;
  /** Rows per slice, instead of `slices`; rounded up to whole batches. */
  sliceRows?: number;
  /** Threads per batch (fit's `threads`; needs enableThreads()). */
  threads?: number;
  /** One weight per row (fit's `sampleWeights`), e.g. from class weights over the whole set. */
  sampleWeights?: Float64Array;
}

export interface SliceReport {
  done: number; // rows trained so far this epoch
  rows: number;
  loss: number; // mean loss of the rows trained so far this epoch
}

/** Blocks of whole batches covering [0, rows). */
export function blocks(plan: EpochPlan): [number, number][] {
  const per = plan.sliceRows ?? Math.ceil(plan.rows / (plan.slices ?? 20));
  const size = Math.max(1, Math.ceil(per / plan.batchSize)) * plan.batchSize;
  const out: [number, number][] = [];
  for (let from = 0; from < plan.rows; from += size) out.push([from, Math.min(plan.rows, from + size)]);
  return out;
}

/**
 * Trains one epoch; returns its mean loss. `onSlice` runs after every block (return false to
 * stop early, e.g. when the user pressed stop).
 */
export async function trainEpoch(
  net: Network,
  plan: EpochPlan,
  rng: Rng,
  onSlice?: (r: SliceReport) => void | boolean | Promise<void | boolean>,
): Promise<number> {
  const order = blocks(plan);
  const idx = order.map((_, i) => i);
  rng.shuffle(idx);
  const nin = net.inputs,
    nout = net.outputs;
  let done = 0,
    sum = 0;
  for (const i of idx) {
    const [from, to] = order[i];
    const h = await net.fit(
      { inputs: plan.inputs.subarray(from * nin, to * nin), targets: plan.targets.subarray(from * nout, to * nout) },
      {
        epochs: 1,
        batchSize: plan.batchSize,
        shuffle: true,
        ...(plan.threads !== undefined ? { threads: plan.threads } : {}),
        ...(plan.sampleWeights ? { sampleWeights: plan.sampleWeights.subarray(from, to) } : {}),
      },
    );
    sum += h.loss[0] * (to - from);
    done += to - from;
    if ((await onSlice?.({ done, rows: plan.rows, loss: sum / done })) === false) break;
  }
  return sum / Math.max(1, done);
}

/** Index of the largest value in each row of `rows` × `width` scores. */
export function argmaxRows(scores: Float64Array, width: number): Uint32Array {
  const rows = scores.length / width;
  const out = new Uint32Array(rows);
  for (let r = 0; r < rows; r++) out[r] = classIndex(scores, width, r);
  return out;
}

/** Fraction of rows whose argmax equals the label. */
export function accuracy(net: Network, inputs: Float64Array, labels: ArrayLike<number>): number {
  const rows = labels.length;
  if (rows === 0) return NaN;
  const predicted = argmaxRows(net.predict(inputs, rows), net.outputs);
  let right = 0;
  for (let r = 0; r < rows; r++) if (predicted[r] === labels[r]) right++;
  return right / rows;
}
