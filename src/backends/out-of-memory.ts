// Allocation failure. An allocator throws OutOfMemory (a BackpropError, so nothing that escapes
// unconverted is a bare RangeError); Core turns it into one that names what the user asked for
// (a batch of R rows × U units, a network of P parameters, a data set), since only it knows.
import { BackpropError, words } from '../errors.js';

export class OutOfMemory extends BackpropError {
  /** Which of a network's blocks failed (set by Homes): its model block or its batch buffers. */
  block: 'model' | 'work' | undefined;
  constructor(
    /** f64 elements asked for. */
    readonly elements: number,
    /** What bounded it, in words: "Wasm memory holds at most 4 GiB; 1.2 GiB are in use". */
    readonly limit: string,
  ) {
    super('OUT_OF_MEMORY', 'memory', `a size that fits in memory (${limit})`, words(`a block of ${bytes(elements * 8)}`));
  }
}

/** Thrown by a heap's grow function when it cannot grow by its own rule (message: the rule). */
export class HeapLimit extends Error {}

/**
 * Test hook (fault-injection tests; not part of the public API): when `countdown` is set to k > 0,
 * the k-th allocation from then on fails as if memory were exhausted. One compare per allocation,
 * and allocations are never on the per-step path.
 */
export const faults = { countdown: 0 };

/** Throws an injected OutOfMemory when the countdown reaches this allocation. */
export function injectedFault(elements: number): void {
  if (faults.countdown > 0 && --faults.countdown === 0) throw new OutOfMemory(elements, 'an injected allocation failure');
}

/** 4.1 GiB, 512.0 MiB, 3.0 KiB. */
export function bytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  return `${(n / 2 ** 10).toFixed(1)} KiB`;
}

/** 1,048,576. */
export const count = (n: number) => n.toLocaleString('en-US');
