// How a threaded fit splits its work (assembly/parallel.ts): thread t owns units [s(l, t), s(l, t+1))
// of every layer l and rows [r(t), r(t+1)) of every batch. Two cores of a VM rarely run alike, so
// the split follows what the threads do: at each barrier the thread that arrives last counts it (in
// the arrivals table, per kind of pass: split by units or by rows), and between chunks (no thread
// runs then) the host moves a step of work from the thread that most often came last to the one that
// least often did. The step doubles from the third move in a row one way and halves when they turn,
// so a large imbalance is crossed in a few chunks and the split then settles where neither thread
// is clearly the last. The split changes only between chunks: nothing races.
//
// The bits must not depend on the split (a fit is reproducible, and equal to one thread's where it
// was): each slice is computed by the one-thread kernels on a block of it (assembly/shard.ts), which
// gives the same bits when no block is thinner than a GEMM tile (4 rows or units) and the forward
// GEMM of a unit slice cuts its sums where the whole layer's does. That GEMM (n = the slice's units,
// k = the layer's inputs) sums in runs of 128 for n ≤ 128 and of 256 beyond (assembly/gemm.ts WIDE,
// KC_X, KC_WIDE), so a layer of more than 128 units over more than 128 inputs is "sensitive": its
// slices must stay on one side of 128 units, for every split of the fit.
import { ARRIVAL_CELL, ARRIVAL_CELLS, PHASE, PHASES } from './control.js';

/** A layer's shape, as the split needs it. */
export interface LayerShape {
  units: number;
  inputs: number;
  bias: boolean;
}

/** What a slice may be: empty, min..max wide (starts on multiples of `step`), or whole when n < min. */
export interface SliceRule {
  step: number;
  min: number;
  max: number;
}

const TILE = 4; // GEMM tile height (assembly/gemm.ts MR): no block thinner
const RUN = 128; // the forward GEMM sums runs of 128 inputs for ≤ 128 units, of 256 beyond

/** Today's static slice starts of a layer (equal shares, multiples of 4, ≤ units − 4). */
export function staticStarts(units: number, threads: number): number[] {
  return Array.from({ length: threads + 1 }, (_, t) =>
    t === threads ? units : Math.max(0, Math.min(Math.floor((t * units) / threads), units - TILE)) & ~3,
  );
}

/**
 * The rule a layer's unit slices follow, or undefined when its split must stay the static one: a
 * sensitive layer whose static slices straddle 128 units (no moved split keeps their bits).
 */
export function unitRule({ units, inputs }: LayerShape, threads: number): SliceRule | undefined {
  if (units <= RUN || inputs <= RUN) return { step: TILE, min: TILE, max: Infinity }; // the one-thread bits
  const widths = staticStarts(units, threads)
    .slice(1)
    .map((end, t, ends) => end - (t === 0 ? 0 : ends[t - 1]));
  if (widths.every((w) => w > RUN)) return { step: TILE, min: RUN + TILE, max: Infinity }; // the one-thread bits
  if (widths.every((w) => w <= RUN)) return { step: TILE, min: TILE, max: RUN }; // the static split's bits
  return undefined;
}

/** Rows: any block of ≥ 4 rows (a batch of < 4 rows goes to one thread whole). */
export const ROW_RULE: SliceRule = { step: 1, min: TILE, max: Infinity };

/**
 * Slice starts over n items for `threads` threads (T + 1 numbers, 0 first and n last): each as
 * close as the rule allows to `targets[t]`·n (targets: cumulative shares, 0 = targets[0] ≤ … ≤ 1).
 */
export function splitPoints(n: number, rule: SliceRule, targets: number[]): number[] {
  const threads = targets.length - 1;
  const slice = (w: number) => w === 0 || (w >= rule.min && w <= rule.max) || (w === n && n < rule.min);
  const rest = (w: number, k: number) => w === 0 || (w >= rule.min && w <= k * rule.max) || (w === n && n < rule.min);
  const starts = [0];
  for (let t = 1; t < threads; t++) {
    const from = starts[t - 1],
      goal = targets[t] * n;
    let best = -1;
    for (let p = from; p <= n; p = p + rule.step > n && p < n ? n : p + rule.step) {
      if (!slice(p - from) || !rest(n - p, threads - t)) continue;
      if (best < 0 || Math.abs(p - goal) < Math.abs(best - goal)) best = p;
    }
    starts.push(best);
  }
  starts.push(n);
  return starts;
}

/** Test and benchmark hooks: `shares` fixes the split (e.g. [1, 1]: equal); `delays` slows threads down (spins before each barrier); `onSplit` sees each chunk's split; `onPhases` times each thread's phases. */
export const balanceHooks: {
  shares?: () => number[];
  delays?: () => number[];
  onSplit?: (units: number[][], wholeRows: number[], shortRows: number[]) => void;
  /** Bench only: after each chunk, per thread the ms in each of PHASES (src/parallel/control.ts). */
  onPhases?: (ms: number[][]) => void;
} = {};

const FIRST_STEP = 1 / 32; // of all the work of a kind: 4 units of 128
const MIN_STEP = 1 / 256;
const MAX_STEP = 1 / 8;
const FLOOR = 0.25; // no thread's share below a quarter of an equal one
const CLEAR = 0.6; // a thread came last "clearly more often" in this share of a chunk's barriers…
const MIN_BARRIERS = 8; // …of at least this many (counted over as many chunks as it takes)

/** One kind of pass (split by units, or by rows): the threads' shares and the step that moves them. */
class Shares {
  readonly shares: number[];
  private step = FIRST_STEP;
  private lastMove = '';
  /** Moves in a row in lastMove's direction. */
  private streak = 0;
  /** Last arrivals counted since the last decision. */
  private readonly pending: number[];

  constructor(private readonly threads: number) {
    this.shares = new Array<number>(threads).fill(1 / threads);
    this.pending = new Array<number>(threads).fill(0);
  }

  /** Cumulative shares, 0 first and 1 last. */
  targets(): number[] {
    const s = balanceHooks.shares?.() ?? this.shares;
    const total = s.reduce((a, v) => a + v, 0);
    const out = [0];
    s.forEach((v) => out.push(out[out.length - 1] + v / total));
    out[this.threads] = 1;
    return out;
  }

  /** After a chunk in which thread t arrived last at `last[t]` barriers of this kind. */
  observe(arrivals: number[]): void {
    arrivals.forEach((v, t) => (this.pending[t] += v));
    const total = this.pending.reduce((a, v) => a + v, 0);
    if (total < MIN_BARRIERS) return;
    const last = [...this.pending];
    this.pending.fill(0);
    let slow = 0,
      fast = 0;
    last.forEach((v, t) => {
      if (v > last[slow]) slow = t;
      if (v < last[fast]) fast = t;
    });
    if (last[slow] - last[fast] < (2 * CLEAR - 1) * total) {
      this.step = Math.max(MIN_STEP, this.step / 2); // near the balance: finer steps
      return;
    }
    const move = `${slow}>${fast}`,
      back = `${fast}>${slow}`;
    // Double only on the third move in a row one way: doubling on the second undid the halving of
    // a turn, and the shares cycled around the balance for good (test/threads-balance-converge).
    if (this.lastMove === move) this.streak++;
    else {
      if (this.lastMove === back) this.step = Math.max(MIN_STEP, this.step / 2);
      this.streak = 1;
    }
    if (this.streak >= 3) this.step = Math.min(MAX_STEP, 2 * this.step);
    this.lastMove = move;
    const amount = Math.min(this.step, this.shares[slow] - FLOOR / this.threads);
    if (amount <= 0) return;
    this.shares[slow] -= amount;
    this.shares[fast] += amount;
  }
}

export class Balancer {
  /** Shares of the passes split by units [0] and by rows [1]. */
  readonly kinds: [Shares, Shares];
  private readonly rules: (SliceRule | undefined)[];

  constructor(
    private readonly layers: LayerShape[],
    private readonly threads: number,
  ) {
    this.kinds = [new Shares(threads), new Shares(threads)];
    this.rules = layers.map((l) => unitRule(l, threads));
  }

  /**
   * The next chunk's split (batches of `batchSize` rows, the last one `shortRows` if not 0) into the
   * split table at h[splitsAt], and the arrivals table at h[arrivalsAt] zeroed (with the hook's delays).
   */
  write(h: Float64Array, splitsAt: number, arrivalsAt: number, batchSize: number, shortRows: number): void {
    const unitTargets = this.kinds[0].targets(),
      rowTargets = this.kinds[1].targets();
    const units = this.layers.map((l, i) => {
      const rule = this.rules[i];
      return rule ? splitPoints(l.units, rule, unitTargets) : staticStarts(l.units, this.threads);
    });
    const wholeRows = splitPoints(batchSize, ROW_RULE, rowTargets),
      rows = splitPoints(shortRows || batchSize, ROW_RULE, rowTargets);
    h.set([...units.flat(), ...wholeRows, ...rows], splitsAt);
    const delays = balanceHooks.delays?.();
    for (let t = 0; t < this.threads; t++) {
      const at = arrivalsAt + ARRIVAL_CELLS * t;
      h[at + ARRIVAL_CELL.units] = h[at + ARRIVAL_CELL.rows] = 0;
      h[at + ARRIVAL_CELL.delay] = delays?.[t] ?? 0;
      h[at + ARRIVAL_CELL.timed] = balanceHooks.onPhases ? 1 : 0;
      h.fill(0, at + ARRIVAL_CELL.phases, at + ARRIVAL_CELLS);
    }
    balanceHooks.onSplit?.(units, wholeRows, rows);
  }

  /** Reads the arrivals table at h[at] after a chunk and moves the shares. */
  observe(h: Float64Array, at: number): void {
    const cells = [ARRIVAL_CELL.units, ARRIVAL_CELL.rows];
    cells.forEach((cell, kind) =>
      this.kinds[kind].observe(Array.from({ length: this.threads }, (_, t) => h[at + ARRIVAL_CELLS * t + cell])),
    );
    if (!balanceHooks.onPhases) return;
    const phases = (t: number) => at + ARRIVAL_CELLS * t + ARRIVAL_CELL.phases;
    // Workers store their chunk's time (atomically, last) after the last barrier, which may be after
    // this thread left it: wait for every one (a chunk takes > 0 ms; bounded, for a clock that says 0).
    const bits = new BigInt64Array(h.buffer, h.byteOffset, h.length);
    for (let t = 0, spins = 0; t < this.threads; t++) while (Atomics.load(bits, phases(t) + PHASE.chunk) === 0n && ++spins < 1e8);
    balanceHooks.onPhases(Array.from({ length: this.threads }, (_, t) => Array.from(h.subarray(phases(t), phases(t) + PHASES.length))));
  }
}
