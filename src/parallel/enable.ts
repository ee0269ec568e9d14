// The opt-in entry `backprop-wasm/threads`: carries the threads build of the Wasm module (shared memory,
// atomics), which fit({ threads }) needs. Kept out of the main entry so that programs that never
// train on several threads do not download it.
import { THREADS_WASM_BASE64 } from '../backends/wasm/threads-bytes.generated.js';
import { provideThreadsModule } from '../backends/wasm/threads.js';

/** Lets fit({ threads: n | 'auto' }) run on several threads. Idempotent. */
export function enableThreads(): void {
  provideThreadsModule(THREADS_WASM_BASE64);
}
