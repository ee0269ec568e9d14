// benchmark.js, typed for our use: run one function, get the median time per call.
import { createRequire } from 'node:module';

interface BenchInstance {
  hz: number;
  stats: { sample: number[]; rme: number };
  error?: unknown;
  run(opts?: { async?: boolean }): BenchInstance;
}
type BenchCtor = new (name: string, fn: () => void, opts?: { minSamples?: number; maxTime?: number; initCount?: number }) => BenchInstance;
const Benchmark = createRequire(import.meta.url)('benchmark') as BenchCtor;

export interface Timing {
  /** Median seconds per call over the samples, and the fastest sample's. */
  median: number;
  best: number;
  hz: number;
  rmePct: number;
  samples: number;
}

/** Times `fn` (after 3 warm-up calls: Liftoff → TurboFan tier-up, JIT) for about maxTime seconds. */
export function time(name: string, fn: () => void, maxTime: number): Timing {
  for (let i = 0; i < 3; i++) fn();
  const b = new Benchmark(name, fn, { minSamples: 5, maxTime }).run({ async: false });
  if (b.error) throw b.error;
  const s = [...b.stats.sample].sort((x, y) => x - y);
  const median = s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { median, best: s[0], hz: b.hz, rmePct: b.stats.rme, samples: s.length };
}
