// The chunk scheduler of a fit: an epoch's batches run as chunks, each one kernel call
// (trainBatches) sized to take about yieldEveryMs, with the per-batch callbacks, the loss checks
// and the rewind to the last finite step when an update diverges.
import type { Network } from './network.js';
import { BackpropError, words } from './errors.js';
import { PLAN_FIELD } from './plan.js';
import { metricFor } from './kinds.js';
import { metricMean } from './evaluate.js';
import { scheduledRate, type CheckedFit, type Logs, type Control } from './fit-options.js';
import { yieldToEventLoop } from './yield.js';
import type { FitRun } from './fit-data.js';
import { epochLogs } from './fit-report.js';

/** Set by Control.stop or a callback returning false: no batch starts after it. */
export interface FitStop {
  stopped: boolean;
}

/** Runs a fit's epochs' batches; made after onTrainBegin, one per fit. */
export class ChunkScheduler {
  private readonly before: Float64Array | Float32Array; // the chunk's start, replayed from should an update diverge
  private readonly lrs: Float64Array;
  private readonly lr0: number;
  private readonly fixedRate: boolean;
  private readonly perBatchCallbacks: boolean;
  private readonly kind: number;
  private chunk = 1;
  private sinceYield: number;

  constructor(
    private readonly net: Network,
    private readonly run: FitRun,
    private readonly o: CheckedFit,
    private readonly control: Control,
    private readonly stop: FitStop,
  ) {
    const core = net.core;
    this.kind = metricFor(core.spec.loss);
    this.perBatchCallbacks = o.callbacks.some((c) => c.onBatchEnd);
    this.before = run.trainingCore.keep();
    this.lrs = new Float64Array(run.batches);
    this.lr0 = core.spec.optimizer.learningRate;
    this.fixedRate = o.schedule === undefined || (typeof o.schedule === 'object' && o.schedule.type === 'constant');
    if (this.fixedRate) this.lrs.fill(this.lr0);
    this.sinceYield = performance.now();
  }

  /** Yields to the event loop, and counts the next time slice from now. */
  async yieldNow(): Promise<void> {
    await yieldToEventLoop();
    this.sinceYield = performance.now();
  }

  /** Trains one epoch's batches (fewer when stopped); returns the epoch's logs. */
  async trainEpoch(epoch: number): Promise<Logs> {
    const { net, o, lrs, lr0, fixedRate, kind, before, stop } = this;
    const { threaded, trainingCore, backend, cell, block, at, kernels, batchSize, batches } = this.run;
    const core = net.core;
    const n = this.run.rows.rows;
    const outputs = net.outputs;
    const cellOf = (element: number) => element / cell; // an f64 cell's index in h
    // Learning rates first: a schedule that throws does so before this epoch changes anything.
    // A constant rate stays in the plan (lrs = −1 for the kernel); others go per batch.
    if (!fixedRate) {
      for (let b = 0; b < batches; b++) lrs[b] = scheduledRate(o.schedule, lr0, epoch, epoch * batches + b, batches, o.epochs * batches);
      backend.heap().set(lrs, cellOf(block + at.lrs));
    }
    // Each epoch's order depends only on the stream's state, so a resumed fit shuffles alike.
    const perm = backend.heap().subarray(cellOf(block + at.perm), cellOf(block + at.perm) + n);
    if (o.shuffle || epoch === 0) for (let i = 0; i < n; i++) perm[i] = i;
    const stream = net.rng.state; // put back if this epoch is aborted before its first batch
    if (o.shuffle) net.rng.shuffle(perm);
    const sums = new Float64Array(3); // Σ loss·rows, Σ metric, rows seen
    let lr = 0;
    for (let b0 = 0; b0 < batches && !stop.stopped;) {
      if (o.signal?.aborted) {
        if (b0 === 0) net.rng.state = stream; // an aborted fit changes nothing but completed batches
        throw o.signal.reason ?? new Error('aborted');
      }
      const count = this.perBatchCallbacks ? 1 : Math.min(this.chunk, batches - b0);
      const t0 = performance.now();
      if (threaded) threaded.enter();
      else core.enter(batchSize, 'options.batchSize'); // another network may have evicted this one while we awaited
      before.set(trainingCore.view(trainingCore.params, before.length));
      if (fixedRate) trainingCore.setField(PLAN_FIELD.lr, lr0); // a scheduled fit before may have left another
      const chunkArgs: ChunkArgs = [
        block + at.x,
        block + at.y,
        block + at.perm,
        b0 * batchSize,
        Math.min(count * batchSize, n - b0 * batchSize),
        batchSize,
        block + at.out + cell * 2 * b0,
        fixedRate ? -1 : block + at.lrs + cell * b0,
      ];
      const done = threaded ? threaded.train(...chunkArgs) : kernels.trainBatches(core.plan, ...chunkArgs);
      const elapsed = performance.now() - t0;
      const h = backend.heap();
      const out = cellOf(block + at.out);
      if (trainingCore.field(PLAN_FIELD.diverged) !== 0) this.rewindDiverged(chunkArgs, done, epoch, b0, out);
      const bad = tally(h, out, b0, b0 + done, batchSize, n, sums);
      if (bad >= 0) {
        // A non-finite loss stops its batch before backward: the steps before it were finite.
        throw new BackpropError(
          'DIVERGED',
          'loss',
          `a finite loss; training stopped at epoch ${epoch + 1} of ${o.epochs}, batch ${bad + 1} of ${batches}, and kept the last finite weights`,
          h[out + 2 * bad],
        );
      }
      if (done > 0) lr = lrs[b0 + done - 1];
      if (this.perBatchCallbacks) {
        for (let b = b0; b < b0 + done; b++) {
          const rows = Math.min(batchSize, n - b * batchSize);
          const logs: Logs = { loss: h[out + 2 * b], ...metricMean(kind, h[out + 2 * b + 1], rows, outputs), lr: lrs[b] };
          for (const c of o.callbacks) if (c.onBatchEnd?.(b, logs, this.control) === false) stop.stopped = true;
        }
      }
      b0 += done;
      // Size chunks so that one kernel call takes about yieldEveryMs.
      const perBatch = elapsed / Math.max(1, done);
      this.chunk = Math.max(1, Math.min(batches, Math.floor(o.yieldEveryMs / Math.max(perBatch, 1e-3))));
      if (performance.now() - this.sinceYield >= o.yieldEveryMs) {
        await yieldToEventLoop();
        this.sinceYield = performance.now();
      }
    }
    return epochLogs(kind, sums, outputs, lr);
  }

  /**
   * The kernels stopped after batch b0 + done − 1, whose update overflowed and was written: back
   * to the chunk's start, then the chunk's finite batches again (the same bits: every step is
   * deterministic), so the network holds the last finite step, not the chunk's start. Throws.
   */
  private rewindDiverged(chunkArgs: ChunkArgs, done: number, epoch: number, b0: number, out: number): never {
    const { threaded, trainingCore, backend, kernels, batchSize, batches } = this.run;
    const core = this.net.core;
    trainingCore.setField(PLAN_FIELD.diverged, 0);
    trainingCore.restore(this.before);
    let last = done; // 1 + the batch whose update overflowed
    if (!threaded && kernels !== backend.kernels) {
      // Per-shape kernels check a chunk of fused steps at its end only: the generic kernels,
      // which check every step and give the same bits, find the batch.
      last = backend.kernels.trainBatches(core.plan, ...chunkArgs);
      trainingCore.setField(PLAN_FIELD.diverged, 0);
      trainingCore.restore(this.before);
    }
    chunkArgs[4] = (last - 1) * batchSize; // the batches before the last one of a chunk are whole
    if (last > 1 && threaded) threaded.train(...chunkArgs);
    else if (last > 1) kernels.trainBatches(core.plan, ...chunkArgs);
    const h = backend.heap();
    trainingCore.setField(PLAN_FIELD.diverged, 0);
    const loss = h[out + 2 * (b0 + last - 1)];
    throw new BackpropError(
      'DIVERGED',
      'parameters',
      `finite parameters and optimizer state after each update; training stopped at epoch ${epoch + 1} of ${this.o.epochs}, batch ${b0 + last} of ${batches}, and kept the last finite weights`,
      words(`NaN or ±Infinity from that batch's update (loss before it: ${loss})`),
    );
  }
}

/** trainBatches' arguments after the plan: dataX, dataY, perm, start, count, batchSize, out, lrs. */
type ChunkArgs = [number, number, number, number, number, number, number, number];

/**
 * Adds a chunk's per-batch results (out[2b] = loss, out[2b+1] = metric sum) into sums; returns the
 * first batch with a non-finite loss, or −1. A plain function, so that with one-sample batches
 * this loop costs little beside the step itself.
 */
function tally(h: Float64Array, out: number, from: number, to: number, batchSize: number, n: number, sums: Float64Array): number {
  let loss = sums[0],
    metric = sums[1],
    seen = sums[2];
  if (batchSize === 1) {
    // One-sample steps: 30 M per second for tiny networks, so even this loop shows (l·1 = l).
    for (let i = out + 2 * from, end = out + 2 * to; i < end; i += 2) {
      const l = h[i];
      if (l - l !== 0) return (i - out) / 2; // NaN or ±Infinity
      loss += l;
      metric += h[i + 1];
    }
    seen += to - from;
  } else {
    for (let b = from; b < to; b++) {
      const l = h[out + 2 * b];
      if (!Number.isFinite(l)) return b;
      const rows = Math.min(batchSize, n - b * batchSize);
      loss += l * rows;
      seen += rows;
      metric += h[out + 2 * b + 1];
    }
  }
  sums[0] = loss;
  sums[1] = metric;
  sums[2] = seen;
  return -1;
}
