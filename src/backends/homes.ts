/**
 * Where networks live in a backend heap. A network's blocks stay resident while it is used; when
 * the heap would pass its budget, the least recently used network is evicted: its parameters and
 * optimizer state are copied out to a JS array (which the garbage collector owns) and its blocks
 * are freed. So a program that drops networks without dispose() never grows the heap past the
 * budget — no reliance on finalizers, which never run inside a long chain of awaits.
 */
import { OutOfMemory } from './out-of-memory.js';

export interface Home {
  model: number; // block offset, or -1 when not resident
  work: number;
  modelSize: number;
  workSize: number;
  /** Leading elements of the model block that must survive eviction. */
  keep: number;
  saved: Float64Array | null;
}

interface Heap {
  alloc(n: number): number;
  free(at: number): void;
  heap(): Float64Array;
  readonly inUse: number;
}

export const newHome = (keep: number): Home => ({ model: -1, work: -1, modelSize: 0, workSize: 0, keep, saved: null });

export class Homes {
  // Insertion order is recency order: settle() moves a home to the end, so the first is the LRU.
  private live = new Set<Home>();
  private latest: Home | undefined; // already last in `live`: repeated use of one network is free

  constructor(
    private heap: Heap,
    readonly budget: number,
  ) {}

  /**
   * Makes `home` resident with blocks of at least these sizes; true when its offsets changed. All or
   * nothing: the new blocks are allocated before anything is freed or copied, so when an allocation
   * fails (OutOfMemory, tagged with the block) the home is exactly as it was — still pointing at
   * its old, still allocated work block, or still evicted with its saved copy.
   */
  settle(home: Home, modelSize: number, workSize: number): boolean {
    if (home !== this.latest && this.live.delete(home)) this.live.add(home);
    this.latest = home;
    const needModel = home.model < 0; // an evicted home has no work block either
    if (!needModel && home.work >= 0 && workSize <= home.workSize) return false;
    this.makeRoom((needModel ? modelSize : 0) + workSize, home);
    const model = needModel ? this.allocFor('model', modelSize) : home.model;
    let work: number;
    try {
      work = this.allocFor('work', workSize);
    } catch (e) {
      if (needModel) this.heap.free(model);
      throw e;
    }
    if (needModel) {
      home.model = model;
      home.modelSize = modelSize;
      if (home.saved) this.heap.heap().set(home.saved, model);
      home.saved = null;
      this.live.add(home);
    }
    if (home.work >= 0) this.heap.free(home.work);
    home.work = work;
    home.workSize = workSize;
    return true;
  }

  private allocFor(block: 'model' | 'work', size: number): number {
    try {
      return this.heap.alloc(size);
    } catch (e) {
      if (e instanceof OutOfMemory) e.block = block;
      throw e;
    }
  }

  evict(home: Home): void {
    if (home.model < 0) return;
    home.saved = this.heap.heap().slice(home.model, home.model + home.keep);
    this.freeBlocks(home);
  }

  /** Frees a home for good (dispose): blocks and any saved copy. */
  release(home: Home): void {
    this.freeBlocks(home);
    home.saved = null;
  }

  private freeBlocks(home: Home): void {
    if (home.model >= 0) this.heap.free(home.model);
    if (home.work >= 0) this.heap.free(home.work);
    home.model = home.work = -1;
    this.live.delete(home);
  }

  get resident(): number {
    return this.live.size;
  }

  private makeRoom(need: number, except: Home): void {
    while (this.heap.inUse + need > this.budget) {
      let lru: Home | undefined;
      for (const h of this.live) {
        if (h !== except) {
          lru = h;
          break;
        }
      }
      if (!lru) return; // nothing left to evict: grow past the budget
      this.evict(lru);
    }
  }
}
