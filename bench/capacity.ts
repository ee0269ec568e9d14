// The machine's parallel capacity for this kind of work, measured rather than assumed: the same
// fixed amount of Wasm work (one MNIST 784-128 layer's forward and weight-gradient GEMMs on a
// batch, the release build) on one worker alone, then on two at once; capacity = the two workers'
// summed rates / the lone worker's rate. 2 on two equal idle cores; less when the cores run at
// unequal speeds or other processes take a share. A threaded fit can at best reach it.
// capacityProbe(rows, ms, adamParams) measures it for another kind of work instead: Adam's update
// (the release build's adam kernel) streaming over `adamParams` parameters (4 arrays: parameters,
// gradients, both moments), which, beyond the L2 cache, is bound by memory rather than arithmetic.
import { Worker } from 'node:worker_threads';
import { embeddedBytes } from '../src/backends/wasm/loader.js';

const WORKER = `
const { parentPort } = require('node:worker_threads');
parentPort.once('message', ({ module, rows, adamParams }) => {
  const k = new WebAssembly.Instance(module, {}).exports;
  const x = k.heapStart(), w = x + rows * 784, z = w + 128 * 784, g = z + rows * 128;
  // Adam: parameters, gradients, first and second moments, each adamParams long, after x.
  const n = adamParams, p = x, gr = p + n, m = gr + n, v = m + n;
  const end = (adamParams ? v + n : g + 128 * 784) * 8;
  if (end > k.memory.buffer.byteLength) k.memory.grow(Math.ceil((end - k.memory.buffer.byteLength) / 65536));
  const h = new Float64Array(k.memory.buffer);
  for (let i = x; i < end / 8; i++) h[i] = ((i * 2654435761) % 1000) / 1000 - 0.5;
  if (adamParams) h.fill(0, m, v + n);
  let step = 0;
  const run = (reps) => {
    const t = performance.now();
    for (let i = 0; i < reps; i++) {
      if (adamParams) k.adam(n, p, gr, m, v, 1e-6, 0.9, 0.999, 1e-8, ++step, 0);
      else {
        k.gemmABt(rows, 128, 784, x, w, z, 0);
        k.gemmAtB(128, 784, rows, z, x, g, 0);
      }
    }
    return performance.now() - t;
  };
  run(20); // warm-up: past the engine's tier-up
  parentPort.on('message', (reps) => parentPort.postMessage(run(reps)));
  parentPort.postMessage('ready');
});`;

export interface Capacity {
  /** Summed rates of two concurrent workers / one lone worker's rate. */
  capacity: number;
  /** Each worker's rate when both run, relative to the lone worker's. */
  shares: [number, number];
}

/** Two workers ready to run the fixed work (GEMMs, or Adam over `adamParams` parameters); `probe()` measures, `close()` ends them. */
export async function capacityProbe(rows = 32, ms = 150, adamParams = 0) {
  const module = new WebAssembly.Module(embeddedBytes() as BufferSource);
  const workers = [new Worker(WORKER, { eval: true }), new Worker(WORKER, { eval: true })];
  await Promise.all(
    workers.map(
      (w) =>
        new Promise((resolve) => {
          w.once('message', resolve);
          w.postMessage({ module, rows, adamParams });
        }),
    ),
  );
  const run = (w: Worker, reps: number) =>
    new Promise<number>((resolve) => {
      w.once('message', resolve);
      w.postMessage(reps);
    });
  // Repetitions for about `ms` of work on one worker.
  const calibrate = await run(workers[0], 10);
  const reps = Math.max(10, Math.round((10 * ms) / calibrate));
  return {
    async probe(): Promise<Capacity> {
      // The lone rate: each worker alone once (the OS may place them on different cores), the mean.
      const alone = [await run(workers[0], reps), await run(workers[1], reps)];
      const both = await Promise.all(workers.map((w) => run(w, reps)));
      const lone = 2 / (alone[0] + alone[1]);
      const shares = both.map((t) => 1 / t / lone) as [number, number];
      return { capacity: shares[0] + shares[1], shares };
    },
    close: () => Promise.all(workers.map((w) => w.terminate())),
  };
}
