// The opt-in entry `backprop-wasm/threads`: carries the threads build of the Wasm module (shared memory,
// atomics), which fit({ threads }) needs, and the trainer that runs it (src/parallel/trainer.ts: the
// pool, the balancer, the control block). Kept out of the main entry so that programs that never
// train on several threads do not download them. The f32 threads build, which only f32 networks
// (after enableF32(), the `backprop-wasm/f32` entry) train on, is imported when the first of them
// asks for threads: bundlers that split code put it in a chunk of its own, fetched only then.
import { THREADS_WASM_BASE64 } from '../backends/wasm/threads-bytes.generated.js';
import { provideThreadsModule, loadedThreadsRuntime } from '../backends/wasm/threads.js';
import { provideTrainer } from './open.js';
import { Threaded } from './trainer.js';

const f32Bytes = async () => (await import('../backends/wasm/threads-f32-bytes.generated.js')).THREADS_F32_WASM_BASE64;

/** Lets fit({ threads: n | 'auto' }) run on several threads (f64 networks, and f32 ones where enableF32() was called). Idempotent. */
export function enableThreads(): void {
  provideThreadsModule(THREADS_WASM_BASE64, f32Bytes);
  provideTrainer(
    (net, threads, batchSize) => Threaded.open(net, threads, batchSize),
    (precision) => loadedThreadsRuntime(precision)?.backend,
  );
}
