// The threads build (assembly/threads.ts: shared memory, atomics): compiled once, its main-thread
// instance over a shared WebAssembly.Memory that is the heap of threaded fits, and the module and
// memory that worker threads instantiate again over that same heap.
import { WasmBackend } from './index.js';
import { fromBase64, type WasmExports } from './loader.js';
import { checkExports } from './exports.js';

export interface ThreadsExports extends WasmExports {
  /** Points this instance's GEMM packing scratch at a heap block of its own. */
  setScratch(at: number): void;
  /** One thread's part of a chunk of batches (assembly/parallel.ts). */
  trainShards(ctl: number, tid: number, canWait: number): number;
}

/** The threads build's exports beside the Kernels interface's, with their arities (checkExports). */
const THREADS_EXPORTS = { setScratch: 1, trainShards: 3 } as const satisfies {
  [K in Exclude<keyof ThreadsExports, keyof WasmExports>]: number;
};

export interface ThreadsRuntime {
  readonly backend: WasmBackend;
  readonly exports: ThreadsExports;
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
}

/** Scratch a worker instance needs: assembly/gemm-kernel.ts's SCRATCH_ELEMS + one 4×4 tile. */
export const SCRATCH_ELEMS = 131072 + 16;
const INITIAL_PAGES = 32; // as asconfig.json's threads target (holds the 1 MiB static GEMM scratch)
const MAX_PAGES = 65536;

export const wasmImports = (memory: WebAssembly.Memory) => ({
  env: {
    memory,
    abort(_msg: number, _file: number, line: number, col: number): never {
      throw new Error(`backprop wasm: assertion failed at ${line}:${col}`);
    },
  },
});

let shared: Promise<ThreadsRuntime> | undefined;
let embedded: string | undefined;

/**
 * Hands over the threads build (base64). It lives in the opt-in entry `backprop-wasm/threads`
 * (src/parallel/enable.ts), not here: bundlers without code splitting (esbuild, Vite's workers)
 * would otherwise put its ≈ 20 KiB (gzipped) into every bundle that imports Network.
 */
export function provideThreadsModule(base64: string): void {
  embedded = base64;
}

export const threadsEnabled = () => embedded !== undefined;

/** The one threads runtime of this realm; rejects where shared memory or Wasm threads are missing. */
export function threadsRuntime(): Promise<ThreadsRuntime> {
  return (shared ??= load());
}

async function load(): Promise<ThreadsRuntime> {
  const module = await WebAssembly.compile(fromBase64(embedded!) as BufferSource);
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared: true });
  const instance = await WebAssembly.instantiate(module, wasmImports(memory));
  checkExports(instance.exports, THREADS_EXPORTS); // as the main module's loader: a mismatch fails here, in one line
  const exports = instance.exports as unknown as ThreadsExports;
  return { backend: new WasmBackend(exports), exports, module, memory };
}
