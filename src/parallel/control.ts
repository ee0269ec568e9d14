// The control block of a threaded fit. These tables are the only place the numbers are written:
// scripts/kinds.ts generates assembly/plan.generated.ts from them (SYNC_WORD.gen → SYNC_GEN,
// CONTROL_FIELD.dataX → CONTROL_DATA_X). The first 8 i32 words (4 f64 cells) are synchronisation
// words; f64 fields follow.
export const SYNC_WORD = {
  count: 0, // threads arrived at the current barrier
  gen: 1, // barrier generation
  go: 2, // bumped by the host to start a command
  cmd: 3, // the command (QUIT or run)
  abort: 4, // set when a worker failed
  vote: 5, // and 6, by the barrier generation's parity: a thread's update was not finite
} as const;
export const QUIT = 1;
export const CONTROL_FIELD = {
  threads: 4,
  spin: 5,
  dataX: 6,
  dataY: 7,
  perm: 8,
  start: 9,
  count: 10,
  batch: 11,
  out: 12,
  lrs: 13,
  splits: 14, // the split table's offset (balanceTables): where each thread's units of each layer and rows of a batch start
  arrivals: 15, // the arrivals table's offset: per thread, how often it was the last to reach a barrier (ARRIVAL_CELL)
  plan: 16,
  slots: 17, // per thread the offset of its slice buffer; per layer that of its dZ buffer; per thread and layer an L2 term
} as const;
const slotsSize = (threads: number, layers: number) => threads + layers + threads * layers;
/**
 * The arrivals table's cells per thread: the barriers after a pass split by units, and after one split
 * by rows, at which this thread arrived last during a chunk; a test hook, spins before each barrier;
 * and a bench hook: with `timed` = 1, the ms this thread spent in each PHASE of the chunk, from cell
 * `phases` on (assembly/parallel.ts reads the host's clock only then).
 */
export const ARRIVAL_CELL = { units: 0, rows: 1, delay: 2, timed: 3, phases: 4 } as const;
/**
 * The phases of a threaded batch (assembly/parallel.ts), as the bench hook times them: compute
 * (gathering rows; hidden layers' forward by units; the output layer's forward and every dL/dZ by
 * rows; the loss's L2 terms, the batch's loss and metric; weight gradients; the optimizer's update;
 * a clipNorm's serial step), waits at each kind of barrier, and the whole chunk.
 */
export const PHASE = {
  gather: 0,
  hidden: 1,
  outputDeltas: 2,
  loss: 3,
  grads: 4,
  update: 5,
  serialStep: 6,
  waitGather: 7,
  waitHidden: 8,
  waitDeltas: 9,
  waitSerial: 10,
  waitEnd: 11,
  chunk: 12,
} as const;
export const PHASES = Object.keys(PHASE) as (keyof typeof PHASE)[];
export const ARRIVAL_CELLS = ARRIVAL_CELL.phases + PHASES.length;

/**
 * Where the balancing tables sit in the control block, after the slots (offsets from its start).
 * Split table: per layer l, T + 1 cells (thread t's units are [cell l·(T+1) + t, cell l·(T+1) + t + 1));
 * then T + 1 cells of row starts for a whole batch, and T + 1 for the chunk's short last batch.
 * Arrivals table: ARRIVAL_CELLS cells per thread.
 */
export function balanceTables(threads: number, layers: number) {
  const splits = CONTROL_FIELD.slots + slotsSize(threads, layers);
  const wholeRows = splits + layers * (threads + 1),
    shortRows = wholeRows + threads + 1;
  const arrivals = shortRows + threads + 1;
  return { splits, wholeRows, shortRows, arrivals, end: arrivals + ARRIVAL_CELLS * threads };
}
export const controlSize = (threads: number, layers: number) => balanceTables(threads, layers).end;
