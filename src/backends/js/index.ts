// The reference backend: plain TypeScript kernels over a private heap, in f64 (the twins here) or
// f32 (the twins in ./f32/, over a Float32Array view of the same buffer).
import type { Backend, Kernels } from '../backend.js';
import { Allocator, MAX_ELEMENTS } from '../allocator.js';
import { Homes } from '../homes.js';
import * as gemm from './gemm.js';
import * as act from './activations.js';
import * as losses from './losses.js';
import * as opt from './optimizers.js';
import { gather } from './gather.js';
import * as reg from './regularize.js';
import { metric } from './metrics.js';
import * as passes from '../../passes.js';
import type { Precision } from '../../spec.js';

export type Primitives = Omit<Kernels, 'forward' | 'batchLoss' | 'backward' | 'step' | 'trainStep' | 'trainBatches'>;

/**
 * Kernels whose fused passes are src/passes.ts run over the given primitives; heap() is the f64-cell
 * view, `per` the value elements in one cell (1 for f64 primitives, 2 for f32 ones).
 */
export function composeKernels(p: Primitives, heap: () => Float64Array, per = 1): Kernels {
  const k: Kernels = {
    ...p,
    forward: (plan, rows, training) => passes.forward(k, heap(), plan, rows, training, per),
    batchLoss: (plan, rows) => passes.batchLoss(k, heap(), plan, rows, per),
    backward: (plan, rows, training) => passes.backward(k, heap(), plan, rows, training, per),
    step: (plan) => passes.step(k, heap(), plan, per),
    trainStep: (plan, rows) => passes.trainStepOrUndo(k, heap(), plan, rows, per),
    trainBatches: (plan, x, y, perm, start, count, batch, out, lrs) =>
      passes.trainBatches(k, heap(), plan, x, y, perm, start, count, batch, out, lrs, per),
  };
  return k;
}

export class JsBackend implements Backend {
  readonly name = 'js' as const;
  readonly kernels: Kernels;
  private h = new Float64Array(1024);
  /** The f32 view of the same buffer (renewed with it); the f32 kernels' heap. */
  private h32 = new Float32Array(this.h.buffer);
  private allocator = new Allocator(
    this.h.length,
    0,
    (minEnd) => {
      let next: Float64Array<ArrayBuffer>;
      try {
        next = new Float64Array(Math.max(minEnd, Math.min(MAX_ELEMENTS, this.h.length * 2)));
      } catch {
        next = new Float64Array(minEnd); // the engine may grant the minimum where it refused double
      }
      next.set(this.h);
      this.h = next;
      this.h32 = new Float32Array(next.buffer);
      return next.length;
    },
    "a js network's heap holds at most 4 GiB",
  );

  /** f64: offsets count f64 elements; f32: they count f32 elements (2 × the allocator's f64 offsets). */
  /**
   * `f32`: the f32 twins' primitives (src/backends/js/f32/index.ts f32Primitives), given by the
   * caller (./f32/backend.ts jsF32Backend) so that bundles without f32 networks do not carry them.
   */
  constructor(
    readonly precision: Precision = 'f64',
    f32?: (values: () => Float32Array, cells: () => Float64Array) => Primitives,
  ) {
    const h = () => this.h;
    if (precision === 'f32') {
      if (!f32) throw new Error('backprop internal error: an f32 js backend needs the f32 primitives (jsF32Backend)');
      this.kernels = composeKernels(
        f32(() => this.h32, h),
        h,
        2,
      );
      return;
    }
    this.kernels = composeKernels(
      {
        gemmABt: (...a) => gemm.gemmABt(h(), ...a),
        gemmAtB: (...a) => gemm.gemmAtB(h(), ...a),
        gemmAB: (...a) => gemm.gemmAB(h(), ...a),
        addBias: (...a) => act.addBias(h(), ...a),
        sumRows: (...a) => act.sumRows(h(), ...a),
        activate: (...a) => act.activate(h(), ...a),
        activateBackward: (...a) => act.activateBackward(h(), ...a),
        loss: (...a) => losses.loss(h(), ...a),
        lossBackward: (...a) => losses.lossBackward(h(), ...a),
        sgd: (...a) => opt.sgd(h(), ...a),
        adam: (...a) => opt.adam(h(), ...a),
        rmsprop: (...a) => opt.rmsprop(h(), ...a),
        adagrad: (...a) => opt.adagrad(h(), ...a),
        axpy: (...a) => reg.axpy(h(), ...a),
        sumSquares: (...a) => reg.sumSquares(h(), ...a),
        scale: (...a) => reg.scale(h(), ...a),
        clipValue: (...a) => reg.clipValue(h(), ...a),
        multiply: (...a) => reg.multiply(h(), ...a),
        dropoutMask: (...a) => reg.dropoutMask(h(), ...a),
        metric: (...a) => metric(h(), ...a),
        gather: (...a) => gather(h(), ...a),
      },
      h,
    );
  }

  heap(): Float64Array {
    return this.h;
  }
  /** The heap as the kernels' values: the f64 heap itself, or its f32 view. */
  values(): Float64Array | Float32Array {
    return this.precision === 'f32' ? this.h32 : this.h;
  }
  alloc(n: number, zeroed = true): number {
    const at = this.allocator.alloc(n);
    if (zeroed) this.h.fill(0, at, at + n);
    return at;
  }
  free(offset: number): void {
    this.allocator.free(offset);
  }
  get inUse(): number {
    return this.allocator.inUse;
  }
  // Each JS network has a heap of its own, so nothing is ever evicted.
  readonly homes = new Homes(this, Infinity);
}
