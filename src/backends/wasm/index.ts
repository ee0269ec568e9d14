// The Wasm backend: kernels are the module's exports; the heap is its linear memory, shared by
// every network of the instance through one allocator.
import type { Backend, Kernels } from '../backend.js';
import { Allocator } from '../allocator.js';
import { HeapLimit } from '../out-of-memory.js';
import { Homes } from '../homes.js';
import { instantiate, f32Module, f32FmaModule, type WasmExports, type WasmSource } from './loader.js';
import { specialized, shapeOf } from './specialize.js';
import type { ResolvedSpec, Precision } from '../../spec.js';

const PAGE = 65536 / 8; // f64 elements per Wasm page
const MAX_PAGES = 65536;
/** Heap size past which idle networks are evicted (their state copied out to JS). */
export const RESIDENT_BUDGET = (128 * 2 ** 20) / 8;

export class WasmBackend implements Backend {
  readonly name = 'wasm' as const;
  readonly kernels: Kernels;
  private view: Float64Array;
  private valueView: Float64Array | Float32Array;
  private allocator: Allocator;
  /** 'f32' for the f32 build (its exports' elementBytes() is 4). */
  readonly precision: Precision;

  constructor(
    readonly exports: WasmExports,
    readonly fma = false,
  ) {
    this.kernels = exports;
    const memory = exports.memory;
    this.precision = exports.elementBytes?.() === 4 ? 'f32' : 'f64';
    this.view = new Float64Array(memory.buffer);
    this.valueView = this.precision === 'f32' ? new Float32Array(memory.buffer) : this.view;
    this.allocator = new Allocator(
      this.view.length,
      exports.heapStart(),
      (minEnd) => {
        const pages = Math.ceil(minEnd / PAGE);
        const have = memory.buffer.byteLength / 65536;
        // Grow geometrically (at most 32 MiB at a time) so small allocations do not grow page by page.
        let want = Math.min(MAX_PAGES, Math.max(pages, have + Math.min(have, 512)));
        if (pages > MAX_PAGES) throw new HeapLimit('Wasm memory holds at most 4 GiB, for all the networks of an instance');
        try {
          memory.grow(want - have);
        } catch {
          memory.grow(pages - have); // the engine may grant the minimum where it refused the margin
          want = pages;
        }
        // A shared memory's old buffer is not detached by growth, so take the new view here too.
        this.view = new Float64Array(memory.buffer);
        this.valueView = this.precision === 'f32' ? new Float32Array(memory.buffer) : this.view;
        return want * PAGE;
      },
      'Wasm memory holds at most 4 GiB',
    );
  }

  heap(): Float64Array {
    // Our allocator re-takes the view when it grows the memory; growth by anything else detaches
    // the old buffer, and a detached view has length 0. (Both cheaper than comparing with
    // memory.buffer, an API accessor, on every call of the hot path.)
    if (this.view.length === 0) this.view = new Float64Array(this.exports.memory.buffer);
    return this.view;
  }
  values(): Float64Array | Float32Array {
    if (this.valueView.length === 0) this.valueView = this.precision === 'f32' ? new Float32Array(this.exports.memory.buffer) : this.heap();
    return this.valueView;
  }
  alloc(n: number, zeroed = true): number {
    const at = this.allocator.alloc(n);
    if (zeroed) this.heap().fill(0, at, at + n);
    return at;
  }
  free(offset: number): void {
    this.allocator.free(offset);
  }
  get inUse(): number {
    return this.allocator.inUse;
  }
  readonly homes = new Homes(this, RESIDENT_BUDGET);
  specialize(spec: ResolvedSpec, params: number): Kernels | undefined {
    // A module's element type is the spec's; it runs beside the build of that precision only.
    if (spec.precision !== this.precision) return undefined;
    return specialized(this.exports, shapeOf(spec, params));
  }
}

let shared: Promise<WasmBackend> | undefined;
let sharedF32: Promise<WasmBackend> | undefined;

/** The f32 build's instance, shared by every f32 network (a memory, allocator and homes of its own). */
export function wasmF32Backend(): Promise<WasmBackend> {
  return (sharedF32 ??= f32Module()
    .then((m) => instantiate(m))
    .then((e) => new WasmBackend(e)));
}
let sharedF32Fma: Promise<WasmBackend> | undefined;

/** The f32 fma build's instance (after enableFma()), shared by every f32 network created with { fma: true }. */
export function wasmF32FmaBackend(): Promise<WasmBackend> {
  return (sharedF32Fma ??= f32FmaModule()
    .then((m) => instantiate(m))
    .then((e) => new WasmBackend(e, true)));
}
const perModule = new WeakMap<WebAssembly.Module, Promise<WasmBackend>>();

/**
 * The instance every network shares: the embedded module's, or one per user-given Module
 * (bytes are compiled anew each call, so pass a Module to share).
 */
export function wasmBackend(source?: WasmSource): Promise<WasmBackend> {
  if (!source) return (shared ??= instantiate().then((e) => new WasmBackend(e)));
  if (!(source instanceof WebAssembly.Module)) return instantiate(source).then((e) => new WasmBackend(e));
  let be = perModule.get(source);
  if (!be) perModule.set(source, (be = instantiate(source).then((e) => new WasmBackend(e, isFma(e)))));
  return be;
}

/** The fma build says so by its exports: it is the one whose module validates only with relaxed SIMD. */
function isFma(e: WasmExports): boolean {
  return (e as unknown as { fma?: () => number }).fma?.() === 1;
}
