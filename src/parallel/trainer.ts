// Data-parallel fit: the network's mirror in the shared heap of the threads build of its precision
// (its work buffers sized for a whole batch), one dZ buffer per layer, T − 1 workers, and chunks of
// batches run by all T threads at once (assembly/parallel.ts). The main thread is thread 0.
// Offsets handed to the kernels are element offsets (f32 elements in the f32 build: 2 per f64 unit
// of the allocator, `core.cell`); the control block is f64 cells there too (ARCHITECTURE.md, Precision).
import type { Network } from '../network.js';
import { Core } from '../core.js';
import { BackpropError, words } from '../errors.js';
import { OutOfMemory } from '../backends/out-of-memory.js';
import { threadsRuntime, scratchElements, type ThreadsRuntime } from '../backends/wasm/threads.js';
import { CONTROL_FIELD, SYNC_WORD, QUIT, controlSize, balanceTables } from './control.js';
import { Balancer } from './balance.js';
import { startWorkers, whyNoThreads, canBlock, type Pool } from './pool.js';
import { fallBack } from './open.js';

/** Busy-wait iterations at a barrier before sleeping: batches are short, and waking costs more. */
const SPIN = 1 << 15;
// Keeping the network and its mirror in step without copying at every yield: the network's
// Core.enter, which every use of the network goes through (predict, getWeights, toJSON, evaluate,
// callbacks, another fit…), runs this trainer's hook (Core.onEnter) for the fit's duration. Its
// first call after training copies the mirror's progress into the network; the next chunk then
// copies the network (which that user code may have changed) back into the mirror. Untouched,
// nothing is copied.
export class Threaded {
  /** The mirror has training progress the network lacks. */
  private mirrorAhead = false;
  /** The network may differ from the mirror (it was used since the last chunk). */
  private netTouched = true;
  private readonly canWait = canBlock() ? 1 : 0;
  private pool: Pool | undefined;
  /** Each thread's slices, sized by its measured speed. */
  private readonly balancer: Balancer;
  private readonly tables: ReturnType<typeof balanceTables>;

  private constructor(
    private readonly net: Network,
    private readonly rt: ThreadsRuntime,
    readonly threads: number,
    /** The network's mirror in the shared heap: what trains. */
    readonly core: Core,
    private readonly capacity: number,
    /** The control block, in f64 units of the allocator (its element offset is ctl · core.cell). */
    private readonly ctl: number,
    /** The dZ and slice buffers and the workers' GEMM scratch (sharedBlock), in f64 units. */
    private readonly block: number,
  ) {
    this.balancer = new Balancer(core.spec.layers, threads);
    this.tables = balanceTables(threads, core.spec.layers.length);
    const h = rt.backend.heap();
    // The kernels take element offsets (cells of ctl's units × core.cell); the host reads the tables as cells.
    h[ctl + CONTROL_FIELD.splits] = (ctl + this.tables.splits) * core.cell;
    h[ctl + CONTROL_FIELD.arrivals] = (ctl + this.tables.arrivals) * core.cell;
  }

  /**
   * A threaded trainer of `threads` (≥ 2) threads for `net` (a wasm network), or undefined (with one
   * console warning per reason) for one thread. What is checked before (the count, the backend,
   * whether threads are enabled) is src/parallel/open.ts's.
   */
  static async open(net: Network, threads: number, batchSize: number): Promise<Threaded | undefined> {
    const why = whyNoThreads();
    if (why) return fallBack(why);
    let rt: ThreadsRuntime;
    try {
      rt = await threadsRuntime(net.core.spec.precision);
    } catch (e) {
      return fallBack(`the threads build of the Wasm module could not be instantiated (${(e as Error).message})`);
    }
    const capacity = batchSize;
    // The mirror, control block and shared buffers, all or nothing.
    const core = new Core(rt.backend, net.core.spec, 'options.threads');
    let ctl = -1,
      shared: ReturnType<typeof sharedBlock>;
    try {
      core.enter(capacity, 'options.batchSize');
      ctl = rt.backend.alloc(controlSize(threads, net.core.spec.layers.length));
      shared = sharedBlock(rt, core, ctl, threads, capacity);
    } catch (e) {
      if (ctl >= 0) rt.backend.free(ctl);
      core.dispose();
      if (!(e instanceof OutOfMemory)) throw e;
      throw new BackpropError(
        'OUT_OF_MEMORY',
        'options.threads',
        `a size that fits in memory (${e.limit})`,
        words(`the buffers that ${threads} threads share for batches of ${batchSize} rows`),
      );
    }
    const { block, scratch } = shared;
    const tr = new Threaded(net, rt, threads, core, capacity, ctl, block);
    try {
      tr.pool = await startWorkers(rt.module, rt.memory, ctl * core.cell, scratch);
    } catch (e) {
      tr.release();
      return fallBack(`worker threads could not be started (${(e as Error).message})`);
    }
    tr.hook();
    return tr;
  }

  /** Like the kernel trainBatches (same arguments, in the shared heap), on all threads. */
  train(dataX: number, dataY: number, perm: number, start: number, count: number, batchSize: number, out: number, lrs: number): number {
    this.enter();
    const h = this.rt.backend.heap(),
      c = this.ctl;
    const fields: [number, number][] = [
      [CONTROL_FIELD.threads, this.threads],
      [CONTROL_FIELD.spin, SPIN],
      [CONTROL_FIELD.dataX, dataX],
      [CONTROL_FIELD.dataY, dataY],
      [CONTROL_FIELD.perm, perm],
      [CONTROL_FIELD.start, start],
      [CONTROL_FIELD.count, count],
      [CONTROL_FIELD.batch, batchSize],
      [CONTROL_FIELD.out, out],
      [CONTROL_FIELD.lrs, lrs],
      [CONTROL_FIELD.plan, this.core.plan],
    ];
    for (const [f, v] of fields) h[c + f] = v;
    this.balancer.write(h, c + this.tables.splits, c + this.tables.arrivals, batchSize, count % batchSize);
    const words = new Int32Array(this.rt.memory.buffer, c * 8, 8);
    Atomics.add(words, SYNC_WORD.go, 1);
    Atomics.notify(words, SYNC_WORD.go);
    this.mirrorAhead = true;
    let done: number;
    try {
      done = this.rt.exports.trainShards(c * this.core.cell, 0, this.canWait);
    } catch (e) {
      // The workers may sleep at a barrier this thread will not reach: wake them to abort.
      Atomics.store(words, SYNC_WORD.abort, 1);
      Atomics.notify(words, SYNC_WORD.gen);
      throw e;
    }
    if (done < 0) throw new Error(`backprop: a worker thread failed: ${this.pool?.error ?? 'unknown error'}`);
    // The arrivals are counted before each barrier releases; thread 0 has passed the chunk's last.
    this.balancer.observe(this.rt.backend.heap(), c + this.tables.arrivals);
    return done;
  }

  /** The mirror resident and up to date with the network. */
  enter(): void {
    const net = this.net.core;
    net.makeResident(1); // throws DISPOSED if the network was disposed meanwhile
    this.core.enter(this.capacity); // it may have moved, if other threaded fits evicted it
    if (this.netTouched) {
      this.core.view(this.core.params, net.grads - net.params).set(net.view(net.params, net.grads - net.params));
      this.netTouched = false;
    }
  }

  /** Copies the mirror's training progress into the network. */
  private push(): void {
    if (!this.mirrorAhead) return;
    const net = this.net.core;
    net.makeResident(1);
    this.core.enter(this.capacity);
    const len = net.grads - net.params;
    net.view(net.params, len).set(this.core.view(this.core.params, len));
    this.mirrorAhead = false;
  }

  private hook(): void {
    // Core.enter runs this after making the network resident (a disposed network throws first, as always).
    this.net.core.onEnter = () => {
      this.push();
      this.netTouched = true;
    };
  }

  /** Pushes the progress (unless the network is gone), stops the workers and frees the shared blocks. */
  async close(): Promise<void> {
    this.net.core.onEnter = undefined;
    try {
      if (!this.net.core.disposed) this.push();
    } finally {
      const words = new Int32Array(this.rt.memory.buffer, this.ctl * 8, 8);
      Atomics.store(words, SYNC_WORD.cmd, QUIT);
      Atomics.add(words, SYNC_WORD.go, 1);
      Atomics.notify(words, SYNC_WORD.go);
      await this.pool?.close();
      this.release();
    }
  }

  private release(): void {
    this.rt.backend.free(this.block);
    this.rt.backend.free(this.ctl);
    this.core.dispose();
  }
}

/**
 * One shared block: per layer a dZ buffer (all rows of a batch), per thread a slice buffer (a layer's
 * outputs or dZ for its units, contiguous for the GEMMs), per worker its GEMM scratch (thread 0
 * has its module's own). Writes their element offsets into the control block's tables (cells from
 * `ctl`, an f64 unit); returns the block (f64 units) and the scratch element offsets.
 */
function sharedBlock(rt: ThreadsRuntime, core: Core, ctl: number, threads: number, cap: number) {
  const { cell, padE } = core;
  const units = core.spec.layers.map((l) => l.units);
  const dzSizes = units.map((u) => padE(cap * u)),
    tmpSize = padE(cap * Math.max(...units)),
    scratchSize = scratchElements(cell);
  const block = rt.backend.alloc(Math.ceil((dzSizes.reduce((s, v) => s + v, 0) + threads * tmpSize + (threads - 1) * scratchSize) / cell));
  const h = rt.backend.heap();
  let at = block * cell;
  const take = (n: number) => ((at += n), at - n);
  for (let t = 0; t < threads; t++) h[ctl + CONTROL_FIELD.slots + t] = take(tmpSize);
  dzSizes.forEach((size, l) => (h[ctl + CONTROL_FIELD.slots + threads + l] = take(size)));
  const scratch: number[] = [];
  for (let t = 1; t < threads; t++) scratch.push(take(scratchSize));
  return { block, scratch };
}
