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
  plan: 16,
  slots: 17, // per thread the offset of its slice buffer; per layer that of its dZ buffer; per thread and layer an L2 term
} as const;
export const controlSize = (threads: number, layers: number) => CONTROL_FIELD.slots + threads + layers + threads * layers;
