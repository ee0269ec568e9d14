// The reference backend: plain TypeScript kernels over a private Float64Array.
import type { Backend, Kernels } from '../backend.js';
import { Allocator } from '../allocator.js';
import { Homes } from '../homes.js';
import * as gemm from './gemm.js';
import * as act from './activations.js';
import * as losses from './losses.js';
import * as opt from './optimizers.js';
import { gather } from './gather.js';
import * as passes from '../../passes.js';

export type Primitives = Omit<Kernels, 'forward' | 'batchLoss' | 'backward' | 'step' | 'trainStep' | 'trainBatches'>;

/** Kernels whose fused passes are src/passes.ts run over the given primitives. */
export function composeKernels(p: Primitives, heap: () => Float64Array): Kernels {
  const k: Kernels = {
    ...p,
    forward: (plan, rows) => passes.forward(k, heap(), plan, rows),
    batchLoss: (plan, rows) => passes.batchLoss(k, heap(), plan, rows),
    backward: (plan, rows) => passes.backward(k, heap(), plan, rows),
    step: (plan) => passes.step(k, heap(), plan),
    trainStep: (plan, rows) => passes.trainStep(k, heap(), plan, rows),
    trainBatches: (plan, x, y, perm, start, count, batch, out) =>
      passes.trainBatches(k, heap(), plan, x, y, perm, start, count, batch, out),
  };
  return k;
}

export class JsBackend implements Backend {
  readonly name = 'js' as const;
  readonly k: Kernels;
  private h = new Float64Array(1024);
  private allocator = new Allocator(this.h.length, 0, (minEnd) => {
    const next = new Float64Array(Math.max(minEnd, this.h.length * 2));
    next.set(this.h);
    this.h = next;
    return next.length;
  });

  constructor() {
    const h = () => this.h;
    this.k = composeKernels(
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
        gather: (...a) => gather(h(), ...a),
      },
      h,
    );
  }

  heap(): Float64Array {
    return this.h;
  }
  alloc(n: number): number {
    const at = this.allocator.alloc(n);
    this.h.fill(0, at, at + n);
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
