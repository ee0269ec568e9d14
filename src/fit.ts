// fit(): the training loop. The data set goes into the heap once (fit-data.ts); each chunk of
// batches is one kernel call (fit-chunks.ts), sized to keep the event loop responsive; callbacks
// run between chunks and at each epoch's end (fit-report.ts).
import type { Network } from './network.js';
import { checkFit, type FitData, type FitOptions, type History, type Control } from './fit-options.js';
import { readRows, placeRows, unplaceRows, type FitRun } from './fit-data.js';
import type { Threaded } from './parallel/trainer.js';
import { openThreads } from './parallel/open.js';
import { ChunkScheduler, type FitStop } from './fit-chunks.js';
import { newHistory, reportEpoch } from './fit-report.js';

export async function runFit(net: Network, data: FitData, options: FitOptions): Promise<History> {
  const core = net.core;
  const o = checkFit(options);
  let read = readRows(net, data, options, o);
  const batchSize = Math.min(o.batchSize, read.rows.rows);
  // threads > 1: training runs on a mirror of the network in the threads build's shared heap,
  // copied back into the network as soon as anything uses the network (src/parallel/trainer.ts).
  // One thread: no await from reading the rows to the first kernel call's set-up.
  let threaded: Threaded | undefined;
  try {
    threaded = o.threads === 1 ? undefined : await openThreads(net, o.threads, batchSize);
  } catch (e) {
    read.direct?.free(); // rows read into the threads' heap
    throw e;
  }
  let run: FitRun;
  try {
    if (!threaded) read = unplaceRows(read); // rows in the threads' heap, and one thread runs
    run = placeRows(net, read, batchSize, threaded);
  } catch (e) {
    await threaded?.close();
    throw e;
  }
  const { backend, block, at, cell } = run;
  const { x, y, val } = run.rows;

  const stop: FitStop = { stopped: false };
  const control: Control = { stop: () => void (stop.stopped = true), network: net };
  const history = newHistory(net, val !== undefined, o.threads !== 1 ? (threaded?.threads ?? 1) : undefined);
  try {
    if (!run.direct) {
      backend.values().set(x, block + at.x);
      backend.values().set(y, block + at.y);
    }
    for (const c of o.callbacks) c.onTrainBegin?.(control);
    const scheduler = new ChunkScheduler(net, run, o, control, stop);
    for (let epoch = 0; epoch < o.epochs && !stop.stopped; epoch++) {
      const logs = await scheduler.trainEpoch(epoch);
      if (!(await reportEpoch(net, history, logs, val, epoch, o.callbacks, control))) stop.stopped = true;
      await scheduler.yieldNow();
    }
    for (const c of o.callbacks) c.onTrainEnd?.(history, control);
  } finally {
    if (!threaded) core.resetRate(); // or the next trainStep would run at the schedule's last rate
    backend.free(block / cell);
    await threaded?.close(); // pushes the progress made, also when training threw
  }
  return history;
}
