// Many short threaded fits on more threads than cores, each against one thread's bits: threads
// that the OS parks mid-pass (3 and 4 threads on 2 cores) and a chunk of one batch per kernel call
// (yieldEveryMs tiny: the workers are woken for every batch) exercise every hand-over of the
// barrier, vote and go protocol. With ≥ 4 rows a thread every fit must give the one-thread bits,
// so a race cannot hide within a tolerance.
import { Network, type NetworkSpec } from '../../src/index.js';
import type { FitData, FitOptions } from '../../src/fit-options.js';

/** `count` fits of 3 epochs, batches of 24, on 3 and 4 threads in turn: the ones that differ from one thread. */
export async function shortThreadedFits(spec: NetworkSpec, data: FitData, options: FitOptions, count: number) {
  const short = { ...options, epochs: 3, batchSize: 24, yieldEveryMs: 1e-6 };
  const one = await Network.create(spec);
  const oneThread = await one.fit(data, short);
  const bits = JSON.stringify(one) + JSON.stringify(oneThread.loss);
  const differ: string[] = [];
  for (let i = 0; i < count; i++) {
    const threads = 3 + (i % 2);
    const net = await Network.create(spec);
    const h = await net.fit(data, { ...short, threads });
    if (h.threads !== threads) differ.push(`fit ${i}: ran on ${h.threads} threads, not ${threads}`);
    else if (JSON.stringify(net) + JSON.stringify(h.loss) !== bits) differ.push(`fit ${i} (${threads} threads): ${JSON.stringify(h.loss)}`);
  }
  return { differ, oneThreadLoss: oneThread.loss };
}
