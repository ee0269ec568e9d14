import { loadInt, ldCell, stCell, cellAt, SHIFT } from './mem';
import * as P from './plan';
import { planInt, layerInt, planValue, setPlanValue, layerValue, SYNC_COUNT, SYNC_GEN, SYNC_ABORT, SYNC_VOTE, CONTROL_THREADS, CONTROL_SPIN, CONTROL_DATA_X, CONTROL_DATA_Y, CONTROL_PERM, CONTROL_START, CONTROL_COUNT, CONTROL_BATCH, CONTROL_OUT, CONTROL_LRS, CONTROL_SPLITS, CONTROL_ARRIVALS, CONTROL_PLAN, CONTROL_SLOTS, ARRIVAL_UNITS, ARRIVAL_ROWS, ARRIVAL_DELAY, ARRIVAL_TIMED, ARRIVAL_PHASES, ARRIVAL_CELLS } from './plan';
import { PHASE_GATHER, PHASE_HIDDEN, PHASE_OUTPUT_DELTAS, PHASE_LOSS, PHASE_GRADS, PHASE_UPDATE, PHASE_SERIAL_STEP, PHASE_WAIT_GATHER, PHASE_WAIT_HIDDEN, PHASE_WAIT_DELTAS, PHASE_WAIT_SERIAL, PHASE_WAIT_END, PHASE_CHUNK } from './plan';
import { clipValue, sumSquares } from './regularize';
import { metric } from './metrics';
import { gather } from './gather';
import { step, optimize, padded } from './network';
import { loss as dataLoss } from './losses';
import { forwardUnits, forwardRows, deltasRows, gradSlice } from './shard';

// Data-parallel training (threads build only): T instances of this module, one per thread, over one
// shared memory and the network's own plan, whose buffers hold a whole batch. Thread t owns a slice
// of every layer's units (it alone reads its slice of a hidden layer's weights in forward, computes
// their gradients and updates them, so they stay in its core's cache) and a share of the rows. The
// slices are the host's (src/parallel/balance.ts), read from the control block's split table: it
// moves work from the thread that most often reaches the barriers last to the one that least often
// does, so that unequal cores arrive together, and only between chunks, while no thread runs. The
// thread that completes a barrier counts it in its cell of the arrivals table, which the host reads
// after the chunk (no clock needed: Wasm has none). Per batch:
// 1. each thread gathers its rows of X and Y; barrier (if there are hidden layers);
// 2. each hidden layer: its units over all rows (shard.ts's forwardUnits); barrier;
// 3. the output layer and every layer's dL/dZ for its rows, and the loss's L2 terms (before any
//    weight changes); barrier;
// 4. the batch's loss (every thread, so that all agree on stopping) and metric (thread 0), as
//    network.ts computes them; the gradients of its units over all rows, straight into the
//    network's gradient block, and the optimizer on exactly those parameters (a clipNorm needs the
//    global norm: then a barrier, and thread 0 steps everything); barrier.
// No gradient element is summed by more than one thread, so there is nothing to combine, and the
// results are one thread's, bit for bit, when every thread has ≥ 4 rows (shard.ts).
// Barriers per batch: hidden layers + 3, or 2 without hidden layers (+ 1 with clipNorm).
//
// The control block `ctl` (an element offset of `real`, 8-byte aligned; the numbers are generated
// from src/parallel/control.ts): i32 words at its byte address (ctl · sizeof<real>()): [0] barrier
// count, [1] barrier generation, [2] go (workers' wake-up generation), [3] command, [4] abort, [5]
// and [6] the votes of even and odd barrier generations (the OR of the threads' "my update was not
// finite"); then f64 cells from cell CONTROL_THREADS on (cellAt: element ctl + CELL·field), also in
// the f32 build, as the plan's: offsets, the split, arrivals and slot tables and the L2 terms
// (summed in f64 as network.ts's batchLoss does).

@inline function word(ctl: i32, w: i32): usize {
  return ((<usize>ctl) << SHIFT) + ((<usize>w) << 2);
}

/** This thread's arrivals cell for the barrier it is in (−1: not counted); a global of its own instance. */
let lastCell: i32 = -1;

// Bench only (src/parallel/control.ts PHASE): when the host asks for it (the arrivals table's
// `timed` cell, read once per chunk), the ms since the previous mark go into the phase that just
// ended; otherwise mark() is one branch, and the clock is never read.
/** The host's clock, ms (performance.now). */
@external("env", "now") declare function now(): f64;
/** This thread's phase cells (f64 cells) for the chunk, or −1 when not timed. */
let phaseCells: i32 = -1;
let phaseStart: f64 = 0;

/** Adds the time since the last mark to `phase`'s cell (when timed). */
@inline function mark(phase: i32): void {
  if (phaseCells < 0) return;
  const t = now(), c = cellAt(phaseCells, phase);
  stCell(c, ldCell(c) + (t - phaseStart));
  phaseStart = t;
}

/**
 * Waits until all T threads arrive (spins `spin` times, then sleeps if allowed); false on abort. The
 * thread that arrives last adds 1 to its arrivals cell `lastCell` (if ≥ 0) before it releases the others.
 */
function barrier(ctl: i32, threads: i32, canWait: i32, spin: i32): bool {
  const gen = word(ctl, SYNC_GEN), abort = word(ctl, SYNC_ABORT);
  const g = atomic.load<i32>(gen);
  if (atomic.add<i32>(word(ctl, SYNC_COUNT), 1) == threads - 1) {
    if (lastCell >= 0) stCell(lastCell, ldCell(lastCell) + 1);
    atomic.store<i32>(word(ctl, SYNC_COUNT), 0);
    // The next generation's vote starts at 0. Its slot last served generation g − 1, whose voters
    // all read it before arriving here.
    atomic.store<i32>(word(ctl, SYNC_VOTE + ((g + 1) & 1)), 0);
    atomic.store<i32>(gen, g + 1);
    atomic.notify(gen, threads);
    return atomic.load<i32>(abort) == 0;
  }
  let spins = 0;
  while (atomic.load<i32>(gen) == g) {
    if (atomic.load<i32>(abort) != 0) return false;
    // Sleep without a timeout: under Node 20 (V8 11.3) a timed memory.atomic.wait32 now and then
    // never returns (fresh processes running a 3-chunk fit: 4 of ≈ 100 hung with 0.2 ms timed waits,
    // 0 of 240 with untimed ones). Whatever a waiter waits for comes with a notify of gen: the last
    // arrival's, or an abort's (the worker's catch, Threaded.train's).
    if (canWait && ++spins > spin) atomic.wait<i32>(gen, g, -1);
  }
  return atomic.load<i32>(abort) == 0;
}

/**
 * barrier() after a pass, counted in `countIn` (−1: a pass that is not split, not counted); first
 * `delay` spins, the tests' way to slow one thread down (0 in fits).
 */
@inline function arrive(ctl: i32, threads: i32, canWait: i32, spin: i32, countIn: i32, delay: i32, wait: i32): bool {
  for (let i = 0; i < delay; i++) atomic.load<i32>(word(ctl, SYNC_GEN));
  lastCell = countIn;
  const ok = barrier(ctl, threads, canWait, spin);
  mark(wait);
  return ok;
}

/**
 * Where thread t's slice starts in a row of the split table at `at` (thread t's slice is
 * [start(t), start(t + 1))): layer l's units at splits + l·(T + 1), a batch's rows after the layers'.
 * The host keeps every slice empty, ≥ 4 wide (a GEMM tile) or whole, and unit starts multiples of 4.
 */
@inline function sliceStart(at: i32, t: i32): i32 {
  return loadInt(cellAt(at, t));
}

/**
 * network.ts's optimizer step over parameters [from, to) at step t (no norm clipping: that needs
 * all of them). Returns 1 when a new parameter or state value is not finite.
 */
function stepSlice(plan: i32, from: i32, to: i32, t: f64): i32 {
  const all = planInt(plan, P.N_PARAMS), n = to - from;
  if (n <= 0) return 0;
  const p = planInt(plan, P.PARAMS) + from, g = planInt(plan, P.GRADS) + from, s = planInt(plan, P.STATE) + from;
  const clip = planValue(plan, P.CLIP_VALUE);
  if (clip > 0) clipValue(n, g, clip);
  return optimize(plan, n, p, g, s, s + padded(all), t);
}

/** network.ts's penalty terms of the loss, ½λ_l‖W_l‖² (or 0), into the f64 cells terms[l]. */
function l2Terms(plan: i32, terms: i32): void {
  const layers = planInt(plan, P.N_LAYERS);
  for (let l = 0; l < layers; l++) {
    const l2 = layerValue(plan, l, P.L_L2);
    stCell(cellAt(terms, l), l2 > 0 ? 0.5 * l2 * sumSquares(layerInt(plan, l, P.L_UNITS) * layerInt(plan, l, P.L_INPUTS), layerInt(plan, l, P.L_W)) : 0);
  }
}

/**
 * Gradients of thread `tid`'s units of every layer over the batch; with `t` > 0, also their
 * optimizer step t. Returns 1 when a new parameter or state value is not finite.
 */
function gradsAndStep(plan: i32, dzs: i32, tmp: i32, rows: i32, splits: i32, threads: i32, tid: i32, t: f64): i32 {
  let bad = 0;
  const layers = planInt(plan, P.N_LAYERS), params = planInt(plan, P.PARAMS);
  for (let l = 0; l < layers; l++) {
    const units = layerInt(plan, l, P.L_UNITS), inputs = layerInt(plan, l, P.L_INPUTS);
    const at = cellAt(splits, l * (threads + 1));
    const u0 = sliceStart(at, tid), u1 = sliceStart(at, tid + 1);
    if (u1 <= u0) continue;
    gradSlice(plan, dzs, l, u0, u1, rows, tmp);
    mark(PHASE_GRADS);
    if (t > 0) {
      const w = layerInt(plan, l, P.L_W) - params, b = layerInt(plan, l, P.L_B);
      bad |= stepSlice(plan, w + u0 * inputs, w + u1 * inputs, t);
      if (b >= 0) bad |= stepSlice(plan, b - params + u0, b - params + u1, t);
      mark(PHASE_UPDATE);
    }
  }
  return bad;
}

/**
 * Thread `tid`'s part of trainBatches (network.ts) over the chunk described in `ctl`; every thread
 * calls it with the same chunk. Thread 0 writes out[2b] (loss) and out[2b+1] (metric sum) and the
 * step counters. Returns the batches run (stopping after a non-finite loss, or after a batch whose
 * update was not finite: the plan's DIVERGED flag is then set), or −1 when another thread aborted.
 */
export function trainShards(ctl: i32, tid: i32, canWait: i32): i32 {
  const threads = loadInt(cellAt(ctl, CONTROL_THREADS)), spin = loadInt(cellAt(ctl, CONTROL_SPIN));
  const dataX = loadInt(cellAt(ctl, CONTROL_DATA_X)), dataY = loadInt(cellAt(ctl, CONTROL_DATA_Y)), perm = loadInt(cellAt(ctl, CONTROL_PERM));
  const start = loadInt(cellAt(ctl, CONTROL_START)), count = loadInt(cellAt(ctl, CONTROL_COUNT)), batchSize = loadInt(cellAt(ctl, CONTROL_BATCH));
  const out = loadInt(cellAt(ctl, CONTROL_OUT)), lrs = loadInt(cellAt(ctl, CONTROL_LRS)), plan = loadInt(cellAt(ctl, CONTROL_PLAN));
  const tmp = loadInt(cellAt(ctl, CONTROL_SLOTS + tid)), dzs = cellAt(ctl, CONTROL_SLOTS + threads);
  const inputs = planInt(plan, P.INPUTS), last = planInt(plan, P.N_LAYERS) - 1;
  const outputs = layerInt(plan, last, P.L_UNITS), kind = planInt(plan, P.METRIC), counters = planInt(plan, P.COUNTERS);
  const x = planInt(plan, P.X), y = planInt(plan, P.Y), a = layerInt(plan, last, P.L_A);
  const l2s = cellAt(dzs, last + 1 + tid * (last + 1));
  const serialStep = planValue(plan, P.CLIP_NORM) > 0;
  const splits = loadInt(cellAt(ctl, CONTROL_SPLITS)), arrivals = cellAt(loadInt(cellAt(ctl, CONTROL_ARRIVALS)), ARRIVAL_CELLS * tid);
  const wholeRows = cellAt(splits, (last + 1) * (threads + 1)), shortRows = cellAt(wholeRows, threads + 1);
  const unitsLast = cellAt(arrivals, ARRIVAL_UNITS), rowsLast = cellAt(arrivals, ARRIVAL_ROWS), delay = loadInt(cellAt(arrivals, ARRIVAL_DELAY));
  phaseCells = loadInt(cellAt(arrivals, ARRIVAL_TIMED)) != 0 ? cellAt(arrivals, ARRIVAL_PHASES) : -1;
  const chunkStart = phaseCells >= 0 ? now() : 0;
  phaseStart = chunkStart;
  let b = 0;
  for (let done = 0; done < count; done += batchSize) {
    const rows = min(batchSize, count - done);
    const rowSplit = rows == batchSize ? wholeRows : shortRows;
    const r0 = sliceStart(rowSplit, tid), n = sliceStart(rowSplit, tid + 1) - r0;
    if (tid == 0 && lrs >= 0) setPlanValue(plan, P.LR, ldCell(cellAt(lrs, b)));
    // Read before the first barrier: thread 0 advances both counters after the one before the loss.
    const t = ldCell(counters) + 1, stream = ldCell(cellAt(counters, 1));
    gather(n, inputs, dataX, perm, start + done + r0, x + r0 * inputs);
    gather(n, outputs, dataY, perm, start + done + r0, y + r0 * outputs);
    mark(PHASE_GATHER);
    let input = x;
    for (let l = 0; l < last; l++) {
      // The previous layer's A (or X) is complete; before the first, this thread gathered rows.
      if (!arrive(ctl, threads, canWait, spin, l == 0 ? rowsLast : unitsLast, delay, l == 0 ? PHASE_WAIT_GATHER : PHASE_WAIT_HIDDEN)) return -1;
      const at = cellAt(splits, l * (threads + 1));
      forwardUnits(plan, l, sliceStart(at, tid), sliceStart(at, tid + 1), rows, input, tmp, stream);
      mark(PHASE_HIDDEN);
      input = layerInt(plan, l, P.L_A);
    }
    if (last > 0 && !arrive(ctl, threads, canWait, spin, unitsLast, delay, PHASE_WAIT_HIDDEN)) return -1;
    if (n > 0) {
      forwardRows(plan, n, r0, input, stream);
      deltasRows(plan, dzs, n, r0, rows);
    }
    mark(PHASE_OUTPUT_DELTAS);
    l2Terms(plan, l2s);
    mark(PHASE_LOSS);
    if (!arrive(ctl, threads, canWait, spin, rowsLast, delay, PHASE_WAIT_DELTAS)) return -1;
    let loss = dataLoss(planInt(plan, P.LOSS), rows, outputs, layerInt(plan, last, P.L_Z), a, y);
    for (let l = 0; l <= last; l++) loss += ldCell(cellAt(l2s, l));
    b++;
    if (tid == 0) {
      stCell(cellAt(out, 2 * (b - 1)), loss);
      stCell(cellAt(out, 2 * (b - 1) + 1), metric(kind, rows, outputs, a, y));
    }
    mark(PHASE_LOSS);
    if (!isFinite(loss)) break;
    let failed = 0;
    if (serialStep) {
      gradsAndStep(plan, dzs, tmp, rows, splits, threads, tid, 0);
      if (!arrive(ctl, threads, canWait, spin, unitsLast, delay, PHASE_WAIT_SERIAL)) return -1;
      if (tid == 0) failed = step(plan);
      mark(PHASE_SERIAL_STEP);
    } else {
      failed = gradsAndStep(plan, dzs, tmp, rows, splits, threads, tid, t);
      if (tid == 0) stCell(counters, t);
    }
    if (tid == 0) {
      const d = stream + 1; // modulo 2³² without f64 %
      stCell(cellAt(counters, 1), d < 4294967296 ? d : 0);
    }
    // All threads stop after a batch whose update was not finite anywhere: each votes before the
    // batch's last barrier and reads the OR after it (gen cannot move before this thread arrives).
    const vote = word(ctl, SYNC_VOTE + (atomic.load<i32>(word(ctl, SYNC_GEN)) & 1));
    if (failed) atomic.or<i32>(vote, 1);
    // Thread 0's serial step is not split: not counted.
    if (!arrive(ctl, threads, canWait, spin, serialStep ? -1 : unitsLast, delay, PHASE_WAIT_END)) return -1;
    if (atomic.load<i32>(vote) != 0) {
      if (tid == 0) setPlanValue(plan, P.DIVERGED, 1); // for the host (src/fit.ts), which clears it
      break;
    }
  }
  // Atomic, and last: a worker may still be here when the host reads the cells (once this one is
  // non-zero, the other cells it wrote before are visible).
  if (phaseCells >= 0) atomic.store<i64>((<usize>cellAt(phaseCells, PHASE_CHUNK)) << SHIFT, reinterpret<i64>(now() - chunkStart));
  return b;
}
