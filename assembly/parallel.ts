import { ld, st, ldi, ld2, st2 } from './mem';
import * as P from './plan';
import { hdr, lyr } from './plan';
import { gemmABt } from './gemm';
import { addBias, activate } from './activations';
import { clipValue, multiply } from './regularize';
import { sgd, adam, rmsprop, adagrad, ADAM, ADAMW, RMSPROP, ADAGRAD } from './optimizers';
import { metric } from './metrics';
import { gather } from './gather';
import { batchLoss, backward, step, dropoutSeed } from './network';

// Data-parallel training (threads build only): T instances of this module, one per thread, over one
// shared memory. Each batch is cut into T contiguous row shards; thread t runs forward + backward of
// its shard with its own plan (private work buffers and gradient block, shared parameters); after a
// barrier the shard gradients are combined, Σ_t (rows_t/rows)·g_t, and the optimizer runs, each
// thread over its own slice of the parameters; a second barrier, next batch. Thread 0's plan is the
// network's own, so its gradient block is where the combined gradient lands.
//
// The control block `ctl` (f64 element offset; src/parallel/control.ts holds the same numbers):
// i32 words at byte ctl·8: [0] barrier count, [1] barrier generation, [2] go (workers' wake-up
// generation), [3] command, [4] abort; then f64 fields from element ctl + C_THREADS on.

const W_COUNT = 0;
const W_GEN = 1;
const W_ABORT = 4;
const C_THREADS = 4;
const C_SPIN = 5;
const C_DATA_X = 6;
const C_DATA_Y = 7;
const C_PERM = 8;
const C_START = 9;
const C_COUNT = 10;
const C_BATCH = 11;
const C_OUT = 12;
const C_LRS = 13;
const C_PLANS = 16; // T plan offsets (plans[0] = the network's plan), then 2 f64 per thread: shard loss, metric

@inline function word(ctl: i32, w: i32): usize {
  return ((<usize>ctl) << 3) + ((<usize>w) << 2);
}

/** Waits until all T threads arrive (spins `spin` times, then sleeps if allowed); false on abort. */
function barrier(ctl: i32, threads: i32, canWait: i32, spin: i32): bool {
  const gen = word(ctl, W_GEN), abort = word(ctl, W_ABORT);
  const g = atomic.load<i32>(gen);
  if (atomic.add<i32>(word(ctl, W_COUNT), 1) == threads - 1) {
    atomic.store<i32>(word(ctl, W_COUNT), 0);
    atomic.store<i32>(gen, g + 1);
    atomic.notify(gen, threads);
    return atomic.load<i32>(abort) == 0;
  }
  let spins = 0;
  while (atomic.load<i32>(gen) == g) {
    if (atomic.load<i32>(abort) != 0) return false;
    if (canWait && ++spins > spin) atomic.wait<i32>(gen, g, 1000000); // 1 ms slices: re-check abort
  }
  return atomic.load<i32>(abort) == 0;
}

/** Rows of the batch that thread t gets, and where they start (the first rows % T shards get one more). */
@inline function shardRows(rows: i32, threads: i32, t: i32): i32 {
  return rows / threads + (t < rows % threads ? 1 : 0);
}
@inline function shardStart(rows: i32, threads: i32, t: i32): i32 {
  return t * (rows / threads) + min(t, rows % threads);
}

/** Dropout mask for rows starting at element `from` of the whole batch: the same hash of (seed, i) as regularize.ts. */
function dropoutMaskFrom(n: i32, m: i32, rate: f64, seed: u32, from: i32): void {
  const keep = 1 / (1 - rate);
  for (let i = 0; i < n; i++) {
    let h: u32 = seed ^ (<u32>(from + i) * 0x9e3779b9);
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    st(m + i, <f64>h * 2.3283064365386963e-10 < rate ? 0 : keep);
  }
}

/** Training forward pass of a shard whose first row is row r0 of the batch (network.ts's, with masks at batch positions). */
function forwardShard(plan: i32, rows: i32, r0: i32, counter: f64): void {
  const layers = hdr(plan, P.N_LAYERS);
  let input = hdr(plan, P.X);
  for (let l = 0; l < layers; l++) {
    const inputs = lyr(plan, l, P.L_INPUTS), units = lyr(plan, l, P.L_UNITS);
    const z = lyr(plan, l, P.L_Z), a = lyr(plan, l, P.L_A), b = lyr(plan, l, P.L_B);
    gemmABt(rows, units, inputs, input, lyr(plan, l, P.L_W), z, 0);
    if (b >= 0) addBias(rows, units, b, z);
    activate(lyr(plan, l, P.L_ACT), rows, units, z, a);
    const rate = ld(plan + P.HEADER + l * P.LAYER + P.L_DROPOUT);
    if (rate > 0) {
      const mask = lyr(plan, l, P.L_MASK);
      dropoutMaskFrom(rows * units, mask, rate, dropoutSeed(counter, l), r0 * units);
      multiply(rows * units, a, mask);
    }
    input = a;
  }
}

/** g0[from..to) = Σ_t w_t·g_t over the threads with rows (g0 = thread 0's block, the network's). */
function combine(ctl: i32, threads: i32, rows: i32, from: i32, to: i32): void {
  const main = ldi(ctl + C_PLANS);
  const g0 = hdr(main, P.GRADS);
  const w0 = f64x2.splat(<f64>shardRows(rows, threads, 0) / <f64>rows);
  let i = from;
  for (; i + 2 <= to; i += 2) {
    let s = f64x2.mul(w0, ld2(g0 + i));
    for (let t = 1; t < threads; t++) {
      const n = shardRows(rows, threads, t);
      if (n > 0) s = f64x2.add(s, f64x2.mul(f64x2.splat(<f64>n / <f64>rows), ld2(hdr(ldi(ctl + C_PLANS + t), P.GRADS) + i)));
    }
    st2(g0 + i, s);
  }
  for (; i < to; i++) {
    let s = (<f64>shardRows(rows, threads, 0) / <f64>rows) * ld(g0 + i);
    for (let t = 1; t < threads; t++) {
      const n = shardRows(rows, threads, t);
      if (n > 0) s += (<f64>n / <f64>rows) * ld(hdr(ldi(ctl + C_PLANS + t), P.GRADS) + i);
    }
    st(g0 + i, s);
  }
}

/** network.ts's optimizer step over parameters [from, to) at step t (no norm clipping: that needs all of them). */
function stepSlice(plan: i32, from: i32, to: i32, t: f64): void {
  const all = hdr(plan, P.N_PARAMS), n = to - from;
  if (n <= 0) return;
  const p = hdr(plan, P.PARAMS) + from, g = hdr(plan, P.GRADS) + from, s = hdr(plan, P.STATE) + from;
  const clip = ld(plan + P.CLIP_VALUE);
  if (clip > 0) clipValue(n, g, clip);
  const kind = hdr(plan, P.OPTIMIZER), lr = ld(plan + P.LR), beta1 = ld(plan + P.BETA1), eps = ld(plan + P.EPS);
  if (kind == ADAM || kind == ADAMW) adam(n, p, g, s, s + ((all + 1) & ~1), lr, beta1, ld(plan + P.BETA2), eps, t, ld(plan + P.WEIGHT_DECAY));
  else if (kind == RMSPROP) rmsprop(n, p, g, s, lr, beta1, eps);
  else if (kind == ADAGRAD) adagrad(n, p, g, s, lr, eps);
  else sgd(n, p, g, s, lr, beta1, hdr(plan, P.NESTEROV));
}

/**
 * Thread `tid`'s part of trainBatches (network.ts) over the chunk described in `ctl`; every thread
 * calls it with the same chunk. Thread 0 writes out[2b] (loss) and out[2b+1] (metric sum) and the
 * step counters. Returns the batches run (stopping after a non-finite loss), or −1 when another
 * thread aborted.
 */
export function trainShards(ctl: i32, tid: i32, canWait: i32): i32 {
  const threads = ldi(ctl + C_THREADS), spin = ldi(ctl + C_SPIN);
  const dataX = ldi(ctl + C_DATA_X), dataY = ldi(ctl + C_DATA_Y), perm = ldi(ctl + C_PERM);
  const start = ldi(ctl + C_START), count = ldi(ctl + C_COUNT), batchSize = ldi(ctl + C_BATCH);
  const out = ldi(ctl + C_OUT), lrs = ldi(ctl + C_LRS);
  const main = ldi(ctl + C_PLANS), plan = ldi(ctl + C_PLANS + tid), slots = ctl + C_PLANS + threads;
  const inputs = hdr(main, P.INPUTS), last = hdr(main, P.N_LAYERS) - 1;
  const outputs = lyr(main, last, P.L_UNITS), kind = hdr(main, P.METRIC), counters = hdr(main, P.COUNTERS);
  const x = hdr(plan, P.X), y = hdr(plan, P.Y), a = lyr(plan, last, P.L_A);
  const nParams = hdr(main, P.N_PARAMS);
  const serialStep = ld(main + P.CLIP_NORM) > 0;
  // Each thread's slice of the parameters for combine + step: even bounds keep f64x2 pairs whole.
  const per = ((nParams + 2 * threads - 1) / (2 * threads)) * 2;
  const from = min(nParams, tid * per), to = min(nParams, from + per);
  let b = 0;
  for (let done = 0; done < count; done += batchSize) {
    const rows = min(batchSize, count - done);
    const n = shardRows(rows, threads, tid), r0 = shardStart(rows, threads, tid);
    if (tid == 0 && lrs >= 0) st(main + P.LR, ld(lrs + b));
    // Read before the first barrier: thread 0 advances both counters between the barriers.
    const t = ld(counters) + 1, stream = ld(counters + 1);
    let l: f64 = 0, m: f64 = 0;
    if (n > 0) {
      gather(n, inputs, dataX, perm, start + done + r0, x);
      gather(n, outputs, dataY, perm, start + done + r0, y);
      forwardShard(plan, n, r0, stream);
      l = batchLoss(plan, n);
      if (isFinite(l)) backward(plan, n);
      m = metric(kind, n, outputs, a, y);
    }
    st(slots + 2 * tid, l);
    st(slots + 2 * tid + 1, m);
    if (!barrier(ctl, threads, canWait, spin)) return -1;
    // Every thread sums the shard losses in the same order, so all agree on stopping.
    let loss: f64 = 0, met: f64 = 0;
    for (let s = 0; s < threads; s++) {
      const ns = shardRows(rows, threads, s);
      if (ns > 0) {
        loss += (<f64>ns / <f64>rows) * ld(slots + 2 * s);
        met += ld(slots + 2 * s + 1);
      }
    }
    b++;
    if (tid == 0) {
      st(out + 2 * (b - 1), loss);
      st(out + 2 * (b - 1) + 1, met);
    }
    if (!isFinite(loss)) break;
    if (serialStep) {
      if (tid == 0) {
        combine(ctl, threads, rows, 0, nParams);
        step(main);
      }
    } else {
      combine(ctl, threads, rows, from, to);
      stepSlice(main, from, to, t);
      if (tid == 0) st(counters, t);
    }
    if (tid == 0) st(counters + 1, (stream + 1) % 4294967296);
    if (!barrier(ctl, threads, canWait, spin)) return -1;
  }
  return b;
}
