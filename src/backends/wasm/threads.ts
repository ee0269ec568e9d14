// The threads builds (assembly/threads.ts: shared memory, atomics; one with real = f64, one with
// real = f32 for f32 networks): each compiled once, its main-thread instance over a shared
// WebAssembly.Memory that is the heap of that precision's threaded fits, and the module and memory
// that worker threads instantiate again over that same heap.
import { WasmBackend } from './index.js';
import type { Precision } from '../../spec.js';
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

/**
 * Scratch a worker instance needs, in elements of its module (`cell` per f64: 1, or 2 in the f32
 * build): assembly/gemm-kernel.ts's SCRATCH_ELEMS f64 elements (1 MiB) + one 128-byte tile.
 */
export const scratchElements = (cell: number) => (131072 + 16) * cell;
const INITIAL_PAGES = 32; // as asconfig.json's threads target (holds the 1 MiB static GEMM scratch)
const MAX_PAGES = 65536;

export const wasmImports = (memory: WebAssembly.Memory) => ({
  env: {
    memory,
    abort(_msg: number, _file: number, line: number, col: number): never {
      throw new Error(`backprop wasm: assertion failed at ${line}:${col}`);
    },
    now: () => performance.now(), // read only while a bench times a chunk's phases (assembly/parallel.ts)
  },
});

const shared: Partial<Record<Precision, Promise<ThreadsRuntime>>> = {};
let embedded: string | undefined;
let embeddedF32: (() => Promise<string>) | undefined;

/**
 * Hands over the threads build (base64), and a way to get the f32 threads build's when an f32
 * network first asks for threads. Both live in the opt-in entry `backprop-wasm/threads`
 * (src/parallel/enable.ts), not here: bundlers without code splitting (esbuild, Vite's workers)
 * would otherwise put them (≈ 20 KiB gzipped each) into every bundle that imports Network.
 */
export function provideThreadsModule(base64: string, f32: () => Promise<string>): void {
  embedded = base64;
  embeddedF32 = f32;
}

const loaded: Partial<Record<Precision, ThreadsRuntime>> = {};

/** The one threads runtime of this realm for a precision; rejects where shared memory or Wasm threads are missing. */
export function threadsRuntime(precision: Precision): Promise<ThreadsRuntime> {
  return (shared[precision] ??= load(precision).then((rt) => (loaded[precision] = rt)));
}

/** The threads runtime of a precision if it has loaded (no await: fit reads its rows into its heap synchronously). */
export const loadedThreadsRuntime = (precision: Precision): ThreadsRuntime | undefined => loaded[precision];

async function load(precision: Precision): Promise<ThreadsRuntime> {
  const base64 = precision === 'f32' ? await embeddedF32!() : embedded!;
  const module = await WebAssembly.compile(fromBase64(base64) as BufferSource);
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared: true });
  const instance = await WebAssembly.instantiate(module, wasmImports(memory));
  checkExports(instance.exports, THREADS_EXPORTS); // as the main module's loader: a mismatch fails here, in one line
  const exports = instance.exports as unknown as ThreadsExports;
  const backend = new WasmBackend(exports);
  // Offsets are element indices of the module's type: a build of the other precision would train on misread memory.
  if (backend.precision !== precision) throw new Error(`the ${precision} threads build holds ${backend.precision} values`);
  return { backend, exports, module, memory };
}
