// The training loop: the data set goes into the heap once; each chunk of batches is one kernel
// call (trainBatches), sized to keep the event loop responsive; callbacks run between chunks.
import type { Network } from './network.js';
import { BackpropError, words } from './errors.js';
import { OutOfMemory, bytes, count } from './backends/out-of-memory.js';
import { toPairs, type Destination } from './data.js';
import { pad } from './layout.js';
import { PLAN_FIELD } from './plan.js';
import { metricFor, Metric } from './kinds.js';
import { evaluateRows, metricMean } from './evaluate.js';
import { checkFit, scheduledRate, type FitData, type FitOptions, type History, type Logs, type Control } from './fit-options.js';
import { yieldToEventLoop } from './yield.js';
import { Threaded } from './parallel/trainer.js';

const EVAL_BATCH = 256;

export async function runFit(net: Network, data: FitData, options: FitOptions): Promise<History> {
  const core = net.core;
  const { inputs, outputs } = net;
  const o = checkFit(options);
  // One thread: the training rows are copied (and checked) straight into a data block in the
  // heap, in one pass. Threads: into JS arrays, then into the shared heap once it is opened.
  // (f64 networks: the rows are read as f64 into the block; an f32 network's go through an array.)
  const direct = o.threads === 1 && core.cell === 1 ? new DirectBlock(net, o.batchSize, o.signal) : undefined;
  let rows: FitRows;
  try {
    rows = fitRows(net, data, options, o.validationSplit, !direct, direct);
    if (o.signal?.aborted) throw o.signal.reason ?? new Error('aborted'); // before any callback or worker
  } catch (e) {
    direct?.free();
    throw e;
  }
  const { x, y, rows: n, val } = rows;
  const batchSize = Math.min(o.batchSize, n);
  const batches = Math.ceil(n / batchSize);
  const kind = metricFor(core.spec.loss);

  // threads > 1: training runs on a mirror of the network in the threads build's shared heap,
  // copied back into the network as soon as anything uses the network (src/parallel/trainer.ts).
  const par = o.threads === 1 ? undefined : await Threaded.open(net, o.threads, batchSize);
  const tc = par ? par.core : core;

  let stopped = false;
  const control: Control = { stop: () => void (stopped = true), network: net };
  const history = newHistory(net, val !== undefined, o.threads !== 1 ? par?.threads ?? 1 : undefined);

  const be = tc.be;
  // In elements (`cell` per f64 unit of the allocator; perm, out and lrs are f64 cells:
  // ARCHITECTURE.md, Precision). The direct block exists only in f64 (cell 1).
  const cell = tc.cell;
  let block: number, at: DataLayout;
  if (direct) ({ block, at } = direct.placed!);
  else {
    at = dataLayout(n, inputs, outputs, batches, cell, tc.padE);
    const units = Math.ceil(at.size / cell);
    try {
      if (!par) core.enter(batchSize, 'options.batchSize'); // threads asked for, one running
      block = cell * be.alloc(units, false); // every part is written before it is read
    } catch (e) {
      await par?.close();
      throw e instanceof OutOfMemory ? dataOutOfMemory(e, n, inputs + outputs, units) : e; // Core's are in user terms already
    }
  }
  const kernels = batchSize === 1 && !par ? core.perSample() : be.k;
  try {
    let h = be.heap();
    const cellOf = (element: number) => element / cell; // an f64 cell's index in h
    if (!direct) {
      be.values().set(x, block + at.x);
      be.values().set(y, block + at.y);
    }
    for (const c of o.callbacks) c.onTrainBegin?.(control);
    const perBatchCallbacks = o.callbacks.some((c) => c.onBatchEnd);
    const before = tc.keep(); // the chunk's start, replayed from should an update diverge
    const lrs = new Float64Array(batches);
    const lr0 = core.spec.optimizer.learningRate;
    const fixedRate = o.schedule === undefined || (typeof o.schedule === 'object' && o.schedule.type === 'constant');
    if (fixedRate) lrs.fill(lr0);
    let chunk = 1;
    let sinceYield = performance.now();
    for (let epoch = 0; epoch < o.epochs && !stopped; epoch++) {
      // Learning rates first: a schedule that throws does so before this epoch changes anything.
      // A constant rate stays in the plan (lrs = −1 for the kernel); others go per batch.
      if (!fixedRate) {
        for (let b = 0; b < batches; b++) lrs[b] = scheduledRate(o.schedule, lr0, epoch, epoch * batches + b, batches, o.epochs * batches);
        be.heap().set(lrs, cellOf(block + at.lrs));
      }
      // Each epoch's order depends only on the stream's state, so a resumed fit shuffles alike.
      const perm = be.heap().subarray(cellOf(block + at.perm), cellOf(block + at.perm) + n);
      if (o.shuffle || epoch === 0) for (let i = 0; i < n; i++) perm[i] = i;
      const stream = net.rng.state; // put back if this epoch is aborted before its first batch
      if (o.shuffle) net.rng.shuffle(perm);
      const sums = new Float64Array(3); // Σ loss·rows, Σ metric, rows seen
      let lr = 0;
      for (let b0 = 0; b0 < batches && !stopped; ) {
        if (o.signal?.aborted) {
          if (b0 === 0) net.rng.state = stream; // an aborted fit changes nothing but completed batches
          throw o.signal.reason ?? new Error('aborted');
        }
        const count = perBatchCallbacks ? 1 : Math.min(chunk, batches - b0);
        const t0 = performance.now();
        if (par) par.enter();
        else core.enter(batchSize, 'options.batchSize'); // another network may have evicted this one while we awaited
        before.set(tc.view(tc.params, before.length));
        if (fixedRate) tc.setField(PLAN_FIELD.lr, lr0); // a scheduled fit before may have left another
        const chunkArgs: [number, number, number, number, number, number, number, number] = [block + at.x, block + at.y, block + at.perm, b0 * batchSize,
          Math.min(count * batchSize, n - b0 * batchSize), batchSize, block + at.out + cell * 2 * b0, fixedRate ? -1 : block + at.lrs + cell * b0];
        const done = par ? par.train(...chunkArgs) : kernels.trainBatches(core.plan, ...chunkArgs);
        const elapsed = performance.now() - t0;
        h = be.heap();
        const out = cellOf(block + at.out);
        if (tc.field(PLAN_FIELD.diverged) !== 0) {
          // The kernels stopped after batch b0 + done − 1, whose update overflowed and was written:
          // back to the chunk's start, then the chunk's finite batches again (the same bits: every
          // step is deterministic), so the network holds the last finite step, not the chunk's start.
          tc.setField(PLAN_FIELD.diverged, 0);
          tc.restore(before);
          let last = done; // 1 + the batch whose update overflowed
          if (!par && kernels !== be.k) {
            // Per-shape kernels check a chunk of fused steps at its end only: the generic kernels,
            // which check every step and give the same bits, find the batch.
            last = be.k.trainBatches(core.plan, ...chunkArgs);
            tc.setField(PLAN_FIELD.diverged, 0);
            tc.restore(before);
          }
          chunkArgs[4] = (last - 1) * batchSize; // the batches before the last one of a chunk are whole
          if (last > 1 && par) par.train(...chunkArgs);
          else if (last > 1) kernels.trainBatches(core.plan, ...chunkArgs);
          h = be.heap();
          tc.setField(PLAN_FIELD.diverged, 0);
          const loss = h[out + 2 * (b0 + last - 1)];
          throw new BackpropError('DIVERGED', 'parameters', `finite parameters and optimizer state after each update; training stopped at epoch ${epoch + 1} of ${o.epochs}, batch ${b0 + last} of ${batches}, and kept the last finite weights`, words(`NaN or ±Infinity from that batch's update (loss before it: ${loss})`));
        }
        const bad = tally(h, out, b0, b0 + done, batchSize, n, sums);
        if (bad >= 0) {
          // A non-finite loss stops its batch before backward: the steps before it were finite.
          throw new BackpropError('DIVERGED', 'loss', `a finite loss; training stopped at epoch ${epoch + 1} of ${o.epochs}, batch ${bad + 1} of ${batches}, and kept the last finite weights`, h[out + 2 * bad]);
        }
        if (done > 0) lr = lrs[b0 + done - 1];
        if (perBatchCallbacks) {
          for (let b = b0; b < b0 + done; b++) {
            const rows = Math.min(batchSize, n - b * batchSize);
            const logs: Logs = { loss: h[out + 2 * b], ...metricMean(kind, h[out + 2 * b + 1], rows, outputs), lr: lrs[b] };
            for (const c of o.callbacks) if (c.onBatchEnd?.(b, logs, control) === false) stopped = true;
          }
        }
        b0 += done;
        // Size chunks so that one kernel call takes about yieldEveryMs.
        const perBatch = elapsed / Math.max(1, done);
        chunk = Math.max(1, Math.min(batches, Math.floor(o.yieldEveryMs / Math.max(perBatch, 1e-3))));
        if (performance.now() - sinceYield >= o.yieldEveryMs) {
          await yieldToEventLoop();
          sinceYield = performance.now();
        }
      }
      const logs: Logs = { loss: sums[0] / sums[2], ...metricMean(kind, sums[1], sums[2], outputs), lr };
      endEpoch(net, history, logs, val);
      for (const c of o.callbacks) if ((await c.onEpochEnd?.(epoch, logs, control)) === false) stopped = true;
      await yieldToEventLoop();
      sinceYield = performance.now();
    }
    for (const c of o.callbacks) c.onTrainEnd?.(history, control);
  } finally {
    if (!par) core.resetRate(); // or the next trainStep would run at the schedule's last rate
    be.free(block / cell);
    await par?.close(); // pushes the progress made, also when training threw
  }
  return history;
}

/** Where a fit's data block lies: X | Y | perm | per-batch (loss, metric) | per-batch learning rates; `size` in all. */
interface DataLayout {
  x: number;
  y: number;
  perm: number;
  out: number;
  lrs: number;
  size: number;
}

/** In elements: `cell` of them per f64 cell (2 in an f32 heap), values padded by `padE`. */
function dataLayout(rows: number, inputs: number, outputs: number, batches: number, cell = 1, padE = pad): DataLayout {
  const y = padE(rows * inputs), perm = y + padE(rows * outputs), out = perm + cell * pad(rows), lrs = out + cell * pad(2 * batches);
  return { x: 0, y, perm, out, lrs, size: lrs + cell * batches };
}

/**
 * The destinations of a one-thread fit's training rows: when the inputs' row count is known, the
 * network is made resident and a data block allocated for all of them (rows held back by
 * validationSplit too; they are copied out of it), and the inputs and targets are copied straight
 * into its X and Y parts: one pass over the numbers instead of a copy into a new array (whose
 * first touch costs as much as the copy) and a second into the heap.
 */
class DirectBlock {
  placed?: { block: number; at: DataLayout };
  constructor(private net: Network, private batchSize: number, private signal?: AbortSignal) {}
  readonly x = (rows: number): Float64Array | undefined => {
    if (this.signal?.aborted) return undefined; // the rows are checked, then the abort thrown: no block, no resizing
    const { core } = this.net, be = core.be;
    // Sized for all the rows: validationSplit's training rows are fewer, and need no more.
    const batch = Math.min(this.batchSize, rows);
    core.enter(batch, 'options.batchSize');
    const at = dataLayout(rows, this.net.inputs, this.net.outputs, Math.ceil(rows / batch));
    try {
      this.placed = { block: be.alloc(at.size, false), at }; // every part is written before it is read
    } catch (e) {
      throw e instanceof OutOfMemory ? dataOutOfMemory(e, rows, this.net.inputs + this.net.outputs, at.size) : e;
    }
    return this.view(at.x, rows * this.net.inputs);
  };
  readonly y = (rows: number): Float64Array | undefined => this.placed && this.view(this.placed.at.y, rows * this.net.outputs);
  private view(part: number, n: number): Float64Array {
    const at = this.placed!.block + part;
    return this.net.core.be.heap().subarray(at, at + n);
  }
  free(): void {
    if (this.placed) this.net.core.be.free(this.placed.block);
    this.placed = undefined;
  }
}

/** The data block's allocation failure, in the user's terms. */
function dataOutOfMemory(e: OutOfMemory, rows: number, width: number, elements: number): BackpropError {
  const what = `a data set of ${count(rows)} rows × ${count(width)} values (inputs and targets), which needs ${bytes(elements * 8)} in the heap`;
  return new BackpropError('OUT_OF_MEMORY', 'data.inputs', `a size that fits in memory (${e.limit})`, words(what));
}

/**
 * Adds a chunk's per-batch results (out[2b] = loss, out[2b+1] = metric sum) into sums; returns the
 * first batch with a non-finite loss, or −1. A plain function, so that with one-sample batches
 * this loop costs little beside the step itself.
 */
function tally(h: Float64Array, out: number, from: number, to: number, batchSize: number, n: number, sums: Float64Array): number {
  let loss = sums[0], metric = sums[1], seen = sums[2];
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

/** Training rows and validation rows of a fit, as its data and options give them. */
export interface FitRows {
  x: Float64Array;
  y: Float64Array;
  rows: number;
  /** Validation rows, and the option they came from (named in errors). */
  val?: { x: Float64Array; y: Float64Array; rows: number; field: string };
}

/**
 * Reads a fit's data once: the training rows and the validation rows (validationData, or the last
 * validationSplit of the rows, before shuffling). What is read after an await is copied first
 * (toPairs' copy): user code runs during awaits and could change the caller's arrays. The
 * training rows go into the heap before any await, unless `copyTraining` (threads are opened first).
 */
export function fitRows(net: Network, data: FitData, options: FitOptions, validationSplit: number, copyTraining: boolean, into?: { x: Destination; y: Destination }): FitRows {
  const { inputs, outputs } = net;
  const loss = net.core.spec.loss;
  const all = toPairs(data?.inputs, data?.targets, inputs, outputs, 'data.inputs', 'data.targets', loss, copyTraining, into);
  let x = all.x.data, y = all.y.data, n = all.x.rows;
  const given = options.validationData; // read once
  if (given !== undefined) {
    const v = toPairs(given?.inputs, given?.targets, inputs, outputs, 'options.validationData.inputs', 'options.validationData.targets', loss, true);
    return { x, y, rows: n, val: { x: v.x.data, y: v.y.data, rows: v.x.rows, field: 'options.validationData' } };
  }
  if (!(validationSplit > 0)) return { x, y, rows: n };
  const held = Math.floor(n * validationSplit);
  if (held < 1 || held >= n) throw new BackpropError('INVALID_OPTION', 'options.validationSplit', `a fraction leaving ≥ 1 row on each side of ${n} rows`, validationSplit);
  const val = { x: x.slice((n - held) * inputs), y: y.slice((n - held) * outputs), rows: held, field: 'options.validationSplit' };
  n -= held;
  x = x.subarray(0, n * inputs);
  y = y.subarray(0, n * outputs);
  return { x, y, rows: n, val };
}

/** What a fit returns, empty: the loss and the metric beside it, their validation twins when validation rows exist. */
export function newHistory(net: Network, validating: boolean, threads?: number): History {
  const { name, valName } = metricNames(net);
  return { loss: [], [name]: [], lr: [], epochs: 0, ...(validating ? { valLoss: [], [valName]: [] } : {}), ...(threads !== undefined ? { threads } : {}) };
}

/** The end of an epoch, for every kind of fit: the validation figures into `logs`, then `logs` into the history. */
export function endEpoch(net: Network, history: History, logs: Logs, val: FitRows['val']): void {
  const { name, valName } = metricNames(net);
  if (val) {
    const v = evaluateRows(net.core, val.x, val.y, val.rows, EVAL_BATCH, val.field);
    logs.valLoss = v.loss;
    logs[valName] = v[name];
  }
  history.loss.push(logs.loss);
  history[name]!.push(logs[name]!);
  history.lr.push(logs.lr!);
  if (val) {
    history.valLoss!.push(logs.valLoss!);
    history[valName]!.push(logs[valName]!);
  }
  history.epochs++;
}

function metricNames(net: Network): { name: 'accuracy' | 'mae'; valName: 'valAccuracy' | 'valMae' } {
  return metricFor(net.core.spec.loss) === Metric.mae ? { name: 'mae', valName: 'valMae' } : { name: 'accuracy', valName: 'valAccuracy' };
}
