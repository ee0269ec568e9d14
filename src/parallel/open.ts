// What the main entry holds of threads: the decision to try them, the fallback warning, and the
// trainer's opener, which `enableThreads()` (src/parallel/enable.ts) provides. The trainer itself —
// the pool, the balancer, the control block, the threads runtime — lives in the threads entry, so
// that bundles which never call enableThreads() do not carry it.
import type { Network } from '../network.js';
import type { Backend } from '../backends/backend.js';
import type { Precision } from '../spec.js';
import type { Threaded } from './trainer.js';

type NodeProcess = { getBuiltinModule?(id: string): unknown; versions?: { node?: string } };

export const nodeProcess = (globalThis as { process?: NodeProcess }).process;
export const isNode = typeof nodeProcess?.versions?.node === 'string';

/** threads: 'auto' uses this many cores at most (more rarely pays for MLP-sized batches). */
const AUTO_MAX = 4;

/** Logical cores, as the platform reports them (1 if it does not). */
export function cores(): number {
  if (isNode) {
    const os = nodeProcess?.getBuiltinModule?.('node:os') as { availableParallelism?(): number; cpus(): unknown[] } | undefined;
    if (os) return os.availableParallelism?.() ?? os.cpus().length;
  }
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency || 1;
}

const warned = new Set<string>();
/** One console warning per reason that a fit asked for threads runs on one. */
export function fallBack(why: string): undefined {
  if (!warned.has(why)) console.warn(`backprop: fit runs on one thread: ${why}.`);
  warned.add(why);
  return undefined;
}

/** Opens a threaded trainer for `threads` (≥ 2) threads, or falls back (undefined) saying why. */
export type OpenTrainer = (net: Network, threads: number, batchSize: number) => Promise<Threaded | undefined>;
/** The shared heap of a precision's threads build, if it is loaded already (else undefined: no await here). */
export type LoadedHeap = (precision: Precision) => Backend | undefined;
let opener: OpenTrainer | undefined;
let loadedHeap: LoadedHeap | undefined;

/** Called by enableThreads(): from then on fit({ threads }) can open a threaded trainer. */
export function provideTrainer(open: OpenTrainer, heap: LoadedHeap): void {
  opener = open;
  loadedHeap = heap;
}

/** The count of threads a fit asks for (1: no threads). */
const threadCount = (requested: number | 'auto' | undefined) => (requested === 'auto' ? Math.min(cores(), AUTO_MAX) : (requested ?? 1));

/**
 * The shared heap a fit's rows can be read straight into, synchronously: that of the threads build
 * of the network's precision when the fit asks for threads and an earlier threaded fit loaded it.
 * Saves the copy into a new array (whose first touch costs as much as the copy: 50 MB for 8,000
 * MNIST digits in f64) and the second copy into the heap. Undefined otherwise (the rows are copied).
 */
export function threadsHeap(net: Network, requested: number | 'auto' | undefined): Backend | undefined {
  if (threadCount(requested) <= 1 || net.backend !== 'wasm' || net.fma) return undefined; // what openThreads runs on one thread
  return loadedHeap?.(net.core.spec.precision);
}

/** A threaded trainer for `net`, or undefined (with one console warning per reason) for one thread. */
export async function openThreads(net: Network, requested: number | 'auto' | undefined, batchSize: number): Promise<Threaded | undefined> {
  const threads = threadCount(requested);
  if (threads <= 1) return undefined;
  if (net.backend !== 'wasm') return fallBack("threads need the wasm backend (this network runs on 'js')");
  // The threads builds multiply and add separately: on them an fma network would train to other bits than on one thread.
  if (net.fma)
    return fallBack(
      'the threads builds have no fused multiply-add: an fma network (Network.create(…, { fma: true })) trains on one thread',
    );
  if (!opener)
    return fallBack("threads need the threads build: import { enableThreads } from 'backprop-wasm/threads' and call enableThreads() once");
  return opener(net, threads, batchSize);
}
