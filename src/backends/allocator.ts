import { OutOfMemory, HeapLimit, injectedFault, bytes } from './out-of-memory.js';

/** Elements one heap holds at most: 2²⁹ f64 = 4 GiB, Wasm's 32-bit address space. */
export const MAX_ELEMENTS = 2 ** 29;

/**
 * First-fit allocator over f64 element offsets [start, end) with coalescing free list.
 * Sizes round up to 2 elements so every block is 16-byte aligned (v128 loads).
 * `grow(minEnd)` must make the heap at least minEnd elements long and return the new end, or throw
 * (an OutOfMemory saying why, or anything, which becomes one) leaving the heap as it was.
 * alloc either returns a block or throws OutOfMemory with the allocator unchanged.
 */
export class Allocator {
  private free_: { at: number; size: number }[] = [];
  private used = new Map<number, number>();
  private total = 0;
  constructor(
    private end: number,
    start: number,
    private grow: (minEnd: number) => number,
    /** The ceiling in words, for errors. */
    private ceiling = 'a heap holds at most 4 GiB',
  ) {
    start = (start + 1) & ~1;
    if (end > start) this.free_.push({ at: start, size: end - start });
    else this.end = start;
  }

  alloc(n: number): number {
    if (!(n >= 0 && n < MAX_ELEMENTS)) throw new OutOfMemory(n, this.ceiling);
    injectedFault(n);
    const size = Math.max(2, n + (n % 2));
    let i = this.free_.findIndex((b) => b.size >= size);
    if (i < 0) {
      // Grow so that the tail block (or a new one at the end) fits.
      const tail = this.free_[this.free_.length - 1];
      const tailFree = tail && tail.at + tail.size === this.end ? tail.size : 0;
      let newEnd: number;
      try {
        newEnd = this.grow(this.end + size - tailFree);
      } catch (e) {
        const why =
          e instanceof HeapLimit
            ? e.message
            : `the engine could not grow the heap past ${bytes(this.end * 8)} (${(e as Error)?.message ?? e})`;
        throw new OutOfMemory(n, `${why}; ${bytes(this.total * 8)} in use`);
      }
      this.release(this.end, newEnd - this.end);
      this.end = newEnd;
      i = this.free_.findIndex((b) => b.size >= size);
    }
    const b = this.free_[i];
    const at = b.at;
    if (b.size === size) this.free_.splice(i, 1);
    else Object.assign(b, { at: at + size, size: b.size - size });
    this.used.set(at, size);
    this.total += size;
    return at;
  }

  /** Frees a block from alloc (alloc zeroes on reuse). */
  free(at: number): void {
    const size = this.used.get(at);
    if (size === undefined) throw new Error(`free: ${at} is not an allocated block`);
    this.used.delete(at);
    this.total -= size;
    this.release(at, size);
  }

  /** Elements currently allocated. */
  get inUse(): number {
    return this.total;
  }

  private release(at: number, size: number): void {
    if (size <= 0) return;
    let i = 0;
    while (i < this.free_.length && this.free_[i].at < at) i++;
    this.free_.splice(i, 0, { at, size });
    const next = this.free_[i + 1];
    if (next && at + size === next.at) {
      this.free_[i].size += next.size;
      this.free_.splice(i + 1, 1);
    }
    const prev = this.free_[i - 1];
    if (prev && prev.at + prev.size === at) {
      prev.size += this.free_[i].size;
      this.free_.splice(i, 1);
    }
  }
}
