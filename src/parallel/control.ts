// The control block of a threaded fit: assembly/parallel.ts holds the same numbers. The first
// 8 i32 words (4 f64 slots) are synchronisation words; f64 fields follow.
export const W = { count: 0, gen: 1, go: 2, cmd: 3, abort: 4, vote: 5 /* and 6: by barrier generation's parity */ } as const;
export const QUIT = 1;
export const C = {
  threads: 4, spin: 5, dataX: 6, dataY: 7, perm: 8, start: 9, count: 10, batch: 11, out: 12, lrs: 13,
  plan: 16,
  slots: 17, // per thread the offset of its slice buffer; per layer that of its dZ buffer; per thread and layer an L2 term
} as const;
export const controlSize = (threads: number, layers: number) => C.slots + threads + layers + threads * layers;
