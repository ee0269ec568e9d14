// A network's life in a backend heap: its blocks, the plan table, and moving batches in and out.
// Network (the public API) validates; Core assumes valid input.
import type { Backend, Kernels } from './backends/backend.js';
import { BackpropError, words } from './errors.js';
import { OutOfMemory, bytes, count } from './backends/out-of-memory.js';
import { newHome, type Home } from './backends/homes.js';
import { fusable, type ResolvedSpec } from './spec.js';
import { layoutOf, workSize, pad, pad4, type Layout } from './layout.js';
import { PLAN_FIELD, LAYER_FIELD, HEADER, LAYER, planSize, layerAt } from './plan.js';
import { Act, LossKind, Opt, metricFor, stateBlocks } from './kinds.js';
import { planFieldsOf } from './kinds/optimizers.js';

const COUNTERS = 2; // [optimizer step t, dropout stream]

// Offsets here are element offsets of the backend's values (f64, or f32 at precision 'f32'). The
// allocator and homes count f64 units; an f32 network's element offset is 2 × its f64 unit
// (`cell`), and its plan, counters and the like are f64 cells at element 2·i (ARCHITECTURE.md,
// Precision).
export class Core {
  readonly layout: Layout;
  readonly outputs: number;
  /** Elements per f64 unit of the allocator: 1 for f64, 2 for f32. */
  readonly cell: number;
  /** Rounds an element count up to a 16-byte multiple. */
  readonly padE: (n: number) => number;
  private readonly home: Home;
  private readonly stateLen: number;
  /** Offsets of the blocks inside the model block, relative to its start. */
  private readonly offsets: { state: number; counters: number; grads: number; plan: number };
  private capacity = 0;
  disposed = false;
  /** Kernels generated for this shape (undefined: not asked yet; null: none). See perSample(). */
  private fast: Kernels | null | undefined;

  constructor(
    readonly backend: Backend,
    readonly spec: ResolvedSpec,
    /** Where an allocation failure is reported (create: 'layers'; fromJSON: 'model.spec.layers'). */
    field = 'layers',
  ) {
    this.layout = layoutOf(spec.layers);
    this.outputs = spec.layers[spec.layers.length - 1].units;
    this.cell = backend.precision === 'f32' ? 2 : 1;
    const padE = (this.padE = this.cell === 2 ? pad4 : pad);
    this.stateLen = stateBlocks(spec.optimizer.type) * padE(this.layout.size);
    const state = padE(this.layout.size),
      counters = state + this.stateLen,
      grads = counters + padE(COUNTERS * this.cell);
    this.offsets = { state, counters, grads, plan: grads + padE(this.layout.size) };
    // Model block: params | optimizer state | counters | gradients | plan. The first three persist.
    this.home = newHome(this.units(padE(this.layout.size) + this.stateLen + COUNTERS * this.cell));
    this.enter(1, field);
  }

  /**
   * The kernels for one-sample training (trainStep of one row, fit with batch 1): trainStep and
   * trainBatches generated for this network's shape where the backend does that (small networks
   * without L2 or dropout, on wasm; made on first use, ≈ 1 ms), else the backend's. Both give the
   * same bits.
   */
  perSample(): Kernels {
    if (this.fast === undefined) this.fast = this.backend.specialize?.(this.spec, this.layout.size) ?? null;
    return this.fast ?? this.backend.kernels;
  }

  // Offsets inside the model block, valid after enter() until the next await (another network may
  // evict this one then). Reading one while evicted is a bug in the caller: fail loudly rather
  // than hand out an offset into someone else's memory.
  private get model(): number {
    if (this.home.model < 0) throw new Error("backprop internal error: a network's blocks were used while evicted (enter() first)");
    return this.home.model * this.cell;
  }
  /** f64 units that hold n elements. */
  private units(n: number): number {
    return Math.ceil(n / this.cell);
  }
  /** Index in the backend's heap() (f64 cells) of the cell at element offset `at`, e.g. a plan field: cellOf(plan) + PLAN_FIELD.lr. */
  cellOf(at: number): number {
    return at / this.cell;
  }
  /** A plan header field (f64). */
  field(f: number): number {
    return this.backend.heap()[this.plan / this.cell + f];
  }
  setField(f: number, v: number): void {
    this.backend.heap()[this.plan / this.cell + f] = v;
  }
  get params(): number {
    return this.model;
  }
  get state(): number {
    return this.model + this.offsets.state;
  }
  get counters(): number {
    return this.model + this.offsets.counters;
  }
  get grads(): number {
    return this.model + this.offsets.grads;
  }
  get plan(): number {
    return this.model + this.offsets.plan;
  }
  /** Offset of the output layer's activations. */
  get outputAt(): number {
    return this.backend.heap()[layerAt(this.plan / this.cell, this.spec.layers.length - 1) + LAYER_FIELD.a];
  }

  /**
   * Gives the work block room for the copy of params | state | counters that the kernels'
   * trainStep keeps to undo an update that overflows (assembly/network.ts keepStep). Asked for by
   * the first trainStep, so networks that only fit or predict do not carry it.
   */
  withUndoRoom(): void {
    if (this.undoRoom) return;
    this.undoRoom = this.relayout = true;
  }
  private undoRoom = false;
  /** The work block must be laid out again (it grows: settle() moves it, and the plan is rewritten). */
  private relayout = false;

  /**
   * Puts back a copy of the persistent part (params | state | counters), e.g. fit's last finite
   * weights: a copy of the same type as view(), so that the f64 cells (counters) among f32 values
   * keep their bits.
   */
  restore(saved: Float64Array | Float32Array): void {
    this.enter(1);
    this.backend.values().set(saved, this.params);
  }
  /** Optimizer state packed as blocks of exactly `size` values (no padding), for saving. */
  getState(): Float64Array {
    const n = this.layout.size,
      blocks = this.stateLen / this.padE(n);
    const out = new Float64Array(blocks * n);
    for (let b = 0; b < blocks; b++) out.set(this.view(this.state + b * this.padE(n), n), b * n);
    return out;
  }
  setState(packed: Float64Array | Float32Array): void {
    const n = this.layout.size;
    for (let b = 0; b * n < packed.length; b++) this.view(this.state + b * this.padE(n), n).set(packed.subarray(b * n, (b + 1) * n));
  }
  /** A copy of the persistent part (params | state | counters), for restore(). */
  keep(): Float64Array | Float32Array {
    return this.view(this.params, this.offsets.grads).slice();
  }
  /** n values from element offset `at` (a Float32Array at precision 'f32'). */
  view(at: number, n: number): Float64Array | Float32Array {
    return this.backend.values().subarray(at, at + n);
  }
  /** The two counters [optimizer steps, dropout stream] (f64 cells). */
  countersView(): Float64Array {
    const at = this.counters / this.cell;
    return this.backend.heap().subarray(at, at + COUNTERS);
  }

  /** Copies a batch into the X (and Y) buffers, making room for `capacity` rows first. */
  load(x: Float64Array | Float32Array, y: Float64Array | Float32Array | undefined, capacity: number, field = 'inputs'): void {
    this.enter(capacity, field);
    const v = this.backend.values();
    v.set(x, this.field(PLAN_FIELD.x));
    if (y) v.set(y, this.field(PLAN_FIELD.y));
  }

  /** Puts the optimizer's own learning rate back into the plan: a scheduled fit leaves its last rate there. */
  resetRate(): void {
    if (this.home.model >= 0 && !this.disposed) this.setField(PLAN_FIELD.lr, this.spec.optimizer.learningRate);
  }

  dispose(): void {
    this.disposed = true;
    this.backend.homes.release(this.home);
  }

  /**
   * Called after every enter() while set, by the one user that keeps a copy of this network in
   * step: a threaded fit (src/parallel/trainer.ts) pushes its mirror's progress here and notes
   * that the network may have changed. Unset: enter() only makes the network resident.
   */
  onEnter: (() => void) | undefined;

  /**
   * Makes the network resident (makeResident) and then runs the onEnter hook. Every use of the
   * network goes through here.
   */
  enter(rows: number, field = 'network'): void {
    this.makeResident(rows, field);
    this.onEnter?.();
  }

  /**
   * Makes the network resident in its backend's heap with room for `rows` samples per batch, and
   * rewrites the plan table whenever its blocks moved; enter() without the hook (for the hook's
   * owner). When memory runs out, throws OUT_OF_MEMORY at `field` and leaves the network as it was.
   */
  makeResident(rows: number, field = 'network'): void {
    if (this.disposed) throw new BackpropError('DISPOSED', 'network', 'a network that has not been disposed');
    if (rows <= this.capacity && this.home.model >= 0 && !this.relayout) {
      this.backend.homes.settle(this.home, 0, 0); // resident and big enough: only mark it recently used
      return;
    }
    const { spec, layout, backend, home } = this;
    const size = this.units(this.offsets.plan + planSize(spec.layers.length) * this.cell);
    // Doubling amortizes growth; when the double does not fit, exactly the rows asked for may.
    const exact = Math.max(rows, this.capacity);
    let cap = rows > this.capacity ? Math.max(rows, 2 * this.capacity) : this.capacity;
    let moved: boolean;
    try {
      moved = backend.homes.settle(home, size, this.units(this.workSize(cap)));
    } catch (e) {
      if (cap === exact || !(e instanceof OutOfMemory) || e.block !== 'work') throw this.outOfMemory(e, cap, field);
      cap = exact;
      try {
        moved = backend.homes.settle(home, size, this.units(this.workSize(cap)));
      } catch (again) {
        throw this.outOfMemory(again, cap, field);
      }
    }
    if (!moved) return;
    this.capacity = cap;
    const widest = Math.max(...spec.layers.map((l) => l.units));
    const h = backend.heap();
    const padE = this.padE;
    let at = home.work * this.cell;
    const take = (n: number) => ((at += padE(n)), at - padE(n));
    const o = spec.optimizer;
    const header: [number, number][] = [
      [PLAN_FIELD.nLayers, spec.layers.length],
      [PLAN_FIELD.loss, LossKind[spec.loss]],
      [PLAN_FIELD.inputs, spec.inputs],
      [PLAN_FIELD.x, take(cap * spec.inputs)],
      [PLAN_FIELD.y, take(cap * this.outputs)],
      [PLAN_FIELD.d0, take(cap * widest)],
      [PLAN_FIELD.d1, take(cap * widest)],
      [PLAN_FIELD.params, this.params],
      [PLAN_FIELD.grads, this.grads],
      [PLAN_FIELD.state, this.state],
      [PLAN_FIELD.nParams, layout.size],
      [PLAN_FIELD.optimizer, Opt[o.type]],
      ...planFieldsOf(o).map(([field, v]): [number, number] => [PLAN_FIELD[field], v]),
      [PLAN_FIELD.clipNorm, o.clipNorm],
      [PLAN_FIELD.clipValue, o.clipValue],
      [PLAN_FIELD.counters, this.counters],
      [PLAN_FIELD.metric, metricFor(spec.loss)],
      // The fused one-sample step (assembly/fused.ts) does plain or momentum SGD and nothing else.
      [PLAN_FIELD.fusable, fusable(spec) ? 1 : 0],
      [PLAN_FIELD.snapshot, this.undoRoom ? take(this.offsets.grads) : -1], // room for trainStep's copy of params | state | counters
    ];
    this.relayout = false;
    const plan = this.plan / this.cell; // the plan's first cell in h
    h.fill(0, plan, plan + HEADER + LAYER * spec.layers.length);
    for (const [f, v] of header) h[plan + f] = v;
    spec.layers.forEach((l, i) => {
      const t = layerAt(plan, i),
        s = layout.layers[i];
      h[t + LAYER_FIELD.inputs] = l.inputs;
      h[t + LAYER_FIELD.units] = l.units;
      h[t + LAYER_FIELD.act] = Act[l.activation];
      h[t + LAYER_FIELD.w] = this.params + s.w;
      h[t + LAYER_FIELD.b] = s.b >= 0 ? this.params + s.b : -1;
      h[t + LAYER_FIELD.z] = take(cap * l.units);
      h[t + LAYER_FIELD.a] = take(cap * l.units);
      h[t + LAYER_FIELD.l2] = l.l2;
      h[t + LAYER_FIELD.dropout] = l.dropout;
      h[t + LAYER_FIELD.mask] = l.dropout > 0 ? take(cap * l.units) : -1;
    });
  }

  /** An allocator's OutOfMemory in the user's terms: the network or the batch that did not fit. */
  private outOfMemory(e: unknown, rows: number, field: string): unknown {
    if (!(e instanceof OutOfMemory)) return e;
    const widest = Math.max(...this.spec.layers.map((l) => l.units));
    const what =
      e.block === 'work'
        ? `a batch of ${count(rows)} row${rows === 1 ? '' : 's'} × ${count(widest)} units (the widest layer), whose buffers need ${bytes(this.units(this.workSize(rows)) * 8)}`
        : `a network of ${count(this.layout.size)} parameters, whose parameters, gradients and optimizer state need ${bytes(this.units(this.offsets.plan + planSize(this.spec.layers.length) * this.cell) * 8)}`;
    return new BackpropError('OUT_OF_MEMORY', field, `a size that fits in memory (${e.limit})`, words(what));
  }

  /** The work block's size in elements. */
  private workSize(cap: number): number {
    const padE = this.padE;
    const masks = this.spec.layers.reduce((s, l) => s + (l.dropout > 0 ? padE(cap * l.units) : 0), 0);
    return workSize(this.spec.layers, this.spec.inputs, cap, padE) + masks + (this.undoRoom ? padE(this.offsets.grads) : 0);
  }
}
