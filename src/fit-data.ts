// A fit's data and validation set-up: the rows read once, the data block allocated in the heap
// and the kernels chosen; what the chunk scheduler (fit-chunks.ts) runs on.
import type { Network } from './network.js';
import type { Core } from './core.js';
import type { Backend, Kernels } from './backends/backend.js';
import { BackpropError, words } from './errors.js';
import { OutOfMemory, bytes, count } from './backends/out-of-memory.js';
import type { Destination, Values } from './data.js';
import { toPairs } from './pairs.js';
import { pad } from './layout.js';
import type { CheckedFit, FitData, FitOptions } from './fit-options.js';
import type { Threaded } from './parallel/trainer.js';
import { threadsHeap } from './parallel/open.js';

/** A fit, set up: its rows, the core it trains (the threads' mirror or the network's own) and its data block. */
export interface FitRun {
  rows: FitRows;
  batchSize: number;
  batches: number;
  /** threads > 1: the mirror of the network in the threads build's shared heap. */
  threaded?: Threaded;
  trainingCore: Core;
  backend: Backend;
  /** Elements per f64 cell of the allocator (2 in an f32 heap). */
  cell: number;
  block: number;
  at: DataLayout;
  kernels: Kernels;
  /** The training rows were read straight into the block (one thread). */
  direct: boolean;
}

/** A fit's rows, read and checked; with one thread (or a threads heap loaded already), already in their data block. */
export interface ReadRows {
  rows: FitRows;
  direct?: DirectBlock;
}

/**
 * Reads a fit's rows, synchronously (no other fit runs in between). One thread: the training
 * rows are copied (and checked) straight into a data block in the heap, in one pass, as the
 * network's element type (an f32 network's numbers rounded once to f32 as they are copied).
 * Threads: the same, into the shared heap of the threads build when an earlier threaded fit loaded
 * it; else (the first threaded fit) into JS arrays of that type, then into the shared heap once it
 * is opened.
 */
export function readRows(net: Network, data: FitData, options: FitOptions, o: CheckedFit): ReadRows {
  const heap = o.threads === 1 ? undefined : threadsHeap(net, o.threads);
  const direct = o.threads === 1 || heap ? new DirectBlock(net, o.batchSize, o.signal, heap) : undefined;
  try {
    // Copied only for threads whose heap is not loaded yet (read after an await).
    const rows = fitRows(net, data, options, o.validationSplit, !direct, direct);
    if (o.signal?.aborted) throw o.signal.reason ?? new Error('aborted'); // before any callback or worker
    return { rows, direct };
  } catch (e) {
    direct?.free();
    throw e;
  }
}

/**
 * Rows read into the threads' heap for a fit that then runs on one thread (the trainer fell back):
 * copied out, and the block freed, so that placeRows copies them into the network's heap.
 */
export function unplaceRows(read: ReadRows): ReadRows {
  if (!read.direct?.shared) return read;
  const { rows } = read;
  const copied = { ...rows, x: rows.x.slice(), y: rows.y.slice() };
  read.direct.free();
  return { rows: copied };
}

/**
 * The fit's data block and kernels, synchronously after readRows (one thread: no await in
 * between, another fit could evict the network) or after the threads opened. On failure the
 * caller closes the threads; a failed allocation is reported in the user's terms.
 */
export function placeRows(net: Network, { rows, direct }: ReadRows, batchSize: number, threaded: Threaded | undefined): FitRun {
  const core = net.core;
  const { inputs, outputs } = net;
  const n = rows.rows;
  const batches = Math.ceil(n / batchSize);
  const trainingCore = threaded ? threaded.core : core;
  const backend = trainingCore.backend;
  // In elements (`cell` per f64 unit of the allocator; perm, out and lrs are f64 cells:
  // ARCHITECTURE.md, Precision).
  const cell = trainingCore.cell;
  let block: number, at: DataLayout;
  if (direct) ({ block, at } = direct.placed!);
  else {
    at = dataLayout(n, inputs, outputs, batches, cell, trainingCore.padE);
    const units = Math.ceil(at.size / cell);
    try {
      if (!threaded) core.enter(batchSize, 'options.batchSize'); // threads asked for, one running
      block = cell * backend.alloc(units, false); // every part is written before it is read
    } catch (e) {
      throw e instanceof OutOfMemory ? dataOutOfMemory(e, n, inputs + outputs, units) : e; // Core's are in user terms already
    }
  }
  const kernels = batchSize === 1 && !threaded ? core.perSample() : backend.kernels;
  return { rows, batchSize, batches, threaded, trainingCore, backend, cell, block, at, kernels, direct: direct !== undefined };
}

/** Where a fit's data block lies: X | Y | perm | per-batch (loss, metric) | per-batch learning rates; `size` in all. */
export interface DataLayout {
  x: number;
  y: number;
  perm: number;
  out: number;
  lrs: number;
  size: number;
}

/** In elements: `cell` of them per f64 cell (2 in an f32 heap), values padded by `padE`. */
function dataLayout(rows: number, inputs: number, outputs: number, batches: number, cell = 1, padE = pad): DataLayout {
  const y = padE(rows * inputs),
    perm = y + padE(rows * outputs),
    out = perm + cell * pad(rows),
    lrs = out + cell * pad(2 * batches);
  return { x: 0, y, perm, out, lrs, size: lrs + cell * batches };
}

/**
 * The destinations of a fit's training rows: when the inputs' row count is known, a data block is
 * allocated for all of them (rows held back by validationSplit too; they are copied out of it) in
 * the network's heap (made resident first), or in `shared` (the threads' heap), and the inputs and
 * targets are copied straight into its X and Y parts: one pass over the numbers instead of a copy
 * into a new array (whose first touch costs as much as the copy) and a second into the heap.
 */
export class DirectBlock {
  placed?: { block: number; at: DataLayout };
  constructor(
    private net: Network,
    private batchSize: number,
    private signal?: AbortSignal,
    readonly shared?: Backend,
  ) {}
  private get backend(): Backend {
    return this.shared ?? this.net.core.backend;
  }
  /** `block` is an element offset (`cell` elements per f64 unit of the allocator). */
  readonly x = (rows: number): Values | undefined => {
    if (this.signal?.aborted) return undefined; // the rows are checked, then the abort thrown: no block, no resizing
    const { core } = this.net,
      { cell } = core; // the threads' heap holds the network's element type too
    // Sized for all the rows: validationSplit's training rows are fewer, and need no more.
    const batch = Math.min(this.batchSize, rows);
    if (!this.shared) core.enter(batch, 'options.batchSize');
    const at = dataLayout(rows, this.net.inputs, this.net.outputs, Math.ceil(rows / batch), cell, core.padE);
    const units = Math.ceil(at.size / cell);
    try {
      this.placed = { block: cell * this.backend.alloc(units, false), at }; // every part is written before it is read
    } catch (e) {
      throw e instanceof OutOfMemory ? dataOutOfMemory(e, rows, this.net.inputs + this.net.outputs, units) : e;
    }
    return this.view(at.x, rows * this.net.inputs);
  };
  readonly y = (rows: number): Values | undefined => this.placed && this.view(this.placed.at.y, rows * this.net.outputs);
  private view(part: number, n: number): Values {
    const at = this.placed!.block + part;
    return this.backend.values().subarray(at, at + n);
  }
  free(): void {
    if (this.placed) this.backend.free(this.placed.block / this.net.core.cell);
    this.placed = undefined;
  }
}

/** The data block's allocation failure, in the user's terms. */
function dataOutOfMemory(e: OutOfMemory, rows: number, width: number, units: number): BackpropError {
  const what = `a data set of ${count(rows)} rows × ${count(width)} values (inputs and targets), which needs ${bytes(units * 8)} in the heap`;
  return new BackpropError('OUT_OF_MEMORY', 'data.inputs', `a size that fits in memory (${e.limit})`, words(what));
}

/** Training rows and validation rows of a fit, as its data and options give them. */
export interface FitRows {
  /** The network's element type: Float32Array for an f32 network. */
  x: Values;
  y: Values;
  rows: number;
  /** Validation rows, and the option they came from (named in errors). */
  val?: { x: Values; y: Values; rows: number; field: string };
}

/**
 * Reads a fit's data once: the training rows and the validation rows (validationData, or the last
 * validationSplit of the rows, before shuffling). What is read after an await is copied first
 * (toPairs' copy): user code runs during awaits and could change the caller's arrays. The
 * training rows go into the heap before any await, unless `copyTraining` (threads are opened first).
 */
export function fitRows(
  net: Network,
  data: FitData,
  options: FitOptions,
  validationSplit: number,
  copyTraining: boolean,
  into?: { x: Destination; y: Destination },
): FitRows {
  const { inputs, outputs } = net;
  const { loss, precision } = net.core.spec;
  const all = toPairs(data?.inputs, data?.targets, inputs, outputs, 'data.inputs', 'data.targets', loss, {
    precision,
    copy: copyTraining,
    into,
  });
  let x = all.x.data,
    y = all.y.data,
    n = all.x.rows;
  const given = options.validationData; // read once
  if (given !== undefined) {
    const v = toPairs(
      given?.inputs,
      given?.targets,
      inputs,
      outputs,
      'options.validationData.inputs',
      'options.validationData.targets',
      loss,
      { precision, copy: true },
    );
    return { x, y, rows: n, val: { x: v.x.data, y: v.y.data, rows: v.x.rows, field: 'options.validationData' } };
  }
  if (!(validationSplit > 0)) return { x, y, rows: n };
  const held = Math.floor(n * validationSplit);
  if (held < 1 || held >= n)
    throw new BackpropError(
      'INVALID_OPTION',
      'options.validationSplit',
      `a fraction leaving ≥ 1 row on each side of ${n} rows`,
      validationSplit,
    );
  const val = { x: x.slice((n - held) * inputs), y: y.slice((n - held) * outputs), rows: held, field: 'options.validationSplit' };
  n -= held;
  x = x.subarray(0, n * inputs);
  y = y.subarray(0, n * outputs);
  return { x, y, rows: n, val };
}
