// A network laid out by hand in a JsBackend heap of either precision, with its own plan table, so
// that src/passes.ts runs over the f32 twins without Core (the f32 offsets are 2 × the allocator's
// f64 ones; the plan, counters, out and lrs are f64 cells).
import { JsBackend } from '../../src/backends/js/index.js';
import { jsF32Backend } from '../../src/backends/js/f32/backend.js';
import { PLAN_FIELD, LAYER_FIELD, planSize, layerAt } from '../../src/plan.js';
import { Act, LossKind, Opt, Metric, type Activation } from '../../src/kinds.js';
import { layoutOf, pad } from '../../src/layout.js';

export interface TwinLayer {
  units: number;
  activation: Activation;
  bias?: boolean;
}
export interface TwinSpec {
  inputs: number;
  layers: TwinLayer[];
  loss: keyof typeof LossKind;
  rows: number;
  optimizer?: { type: keyof typeof Opt; lr: number; beta1?: number; beta2?: number; eps?: number };
}

export class TwinNet {
  readonly backend: JsBackend;
  readonly per: number;
  readonly nParams: number;
  /** Offsets in the heap's value elements. */
  readonly x: number;
  readonly y: number;
  readonly params: number;
  readonly grads: number;
  readonly state: number;
  readonly plan: number;
  readonly outputs: number;
  private readonly outCells: number;

  constructor(
    readonly precision: 'f32' | 'f64',
    readonly spec: TwinSpec,
  ) {
    this.backend = precision === 'f32' ? jsF32Backend() : new JsBackend();
    this.per = precision === 'f32' ? 2 : 1;
    const per = this.per;
    const cells = (n: number) => Math.ceil(n / per); // f64 cells that hold n values
    const at = (n: number) => per * this.backend.alloc(cells(n));
    const { inputs, layers, rows } = spec;
    const layout = layoutOf(
      layers.map((l, i) => ({
        inputs: i === 0 ? inputs : layers[i - 1].units,
        units: l.units,
        activation: l.activation,
        bias: l.bias ?? true,
      })) as never,
    );
    this.nParams = layout.size;
    this.outputs = layers[layers.length - 1].units;
    this.params = at(layout.size);
    this.grads = at(layout.size);
    this.state = at(2 * pad(layout.size) + 4);
    const counters = at(2 * per);
    this.x = at(rows * inputs);
    this.y = at(rows * this.outputs);
    const widest = Math.max(inputs, ...layers.map((l) => l.units));
    const [d0, d1] = [at(rows * widest), at(rows * widest)];
    this.outCells = this.backend.alloc(2 * 64);
    const planCell = this.backend.alloc(planSize(layers.length));
    this.plan = per * planCell;
    const o = spec.optimizer ?? { type: 'sgd', lr: 0.1 };
    const hdr: [number, number][] = [
      [PLAN_FIELD.nLayers, layers.length],
      [PLAN_FIELD.loss, LossKind[spec.loss]],
      [PLAN_FIELD.inputs, inputs],
      [PLAN_FIELD.x, this.x],
      [PLAN_FIELD.y, this.y],
      [PLAN_FIELD.d0, d0],
      [PLAN_FIELD.d1, d1],
      [PLAN_FIELD.params, this.params],
      [PLAN_FIELD.grads, this.grads],
      [PLAN_FIELD.state, this.state],
      [PLAN_FIELD.nParams, layout.size],
      [PLAN_FIELD.optimizer, Opt[o.type]],
      [PLAN_FIELD.lr, o.lr],
      [PLAN_FIELD.decay1, o.beta1 ?? 0],
      [PLAN_FIELD.nesterov, 0],
      [PLAN_FIELD.decay2, o.beta2 ?? 0.999],
      [PLAN_FIELD.eps, o.eps ?? 1e-7],
      [PLAN_FIELD.weightDecay, 0],
      [PLAN_FIELD.clipNorm, 0],
      [PLAN_FIELD.clipValue, 0],
      [PLAN_FIELD.counters, counters],
      [PLAN_FIELD.metric, spec.loss === 'crossEntropy' ? Metric.categoricalAccuracy : Metric.none],
      [PLAN_FIELD.fusable, 0],
      [PLAN_FIELD.diverged, 0],
      [PLAN_FIELD.snapshot, -1],
    ];
    const h = this.backend.heap();
    for (const [f, v] of hdr) h[planCell + f] = v;
    layers.forEach((l, i) => {
      const t = layerAt(planCell, i);
      const { w, b } = layout.layers[i];
      const row: [number, number][] = [
        [LAYER_FIELD.inputs, i === 0 ? inputs : layers[i - 1].units],
        [LAYER_FIELD.units, l.units],
        [LAYER_FIELD.act, Act[l.activation]],
        [LAYER_FIELD.w, this.params + w],
        [LAYER_FIELD.b, b < 0 ? -1 : this.params + b],
        [LAYER_FIELD.z, at(rows * l.units)],
        [LAYER_FIELD.a, at(rows * l.units)],
        [LAYER_FIELD.l2, 0],
        [LAYER_FIELD.dropout, 0],
        [LAYER_FIELD.mask, -1],
      ];
      for (const [f, v] of row) this.backend.heap()[t + f] = v;
    });
  }

  private get values() {
    return this.backend.values();
  }
  /** n values of the heap from offset `at`. */
  read(at: number, n: number): number[] {
    return Array.from(this.values.subarray(at, at + n));
  }
  setParams(p: ArrayLike<number>): void {
    this.values.set(p, this.params);
  }
  getParams(): number[] {
    return Array.from(this.values.subarray(this.params, this.params + this.nParams));
  }
  gradients(): number[] {
    return Array.from(this.values.subarray(this.grads, this.grads + this.nParams));
  }
  setData(x: number[][], y: number[][]): void {
    this.values.set(x.flat(), this.x);
    this.values.set(y.flat(), this.y);
  }
  /** The mean loss of the batch in x/y (forward, not training). */
  loss(): number {
    this.backend.kernels.forward(this.plan, this.spec.rows, 0);
    return this.backend.kernels.batchLoss(this.plan, this.spec.rows);
  }
  /** Forward (training) and backward: gradients() holds dL/dθ after this. */
  backprop(): number {
    this.backend.kernels.forward(this.plan, this.spec.rows, 1);
    const l = this.backend.kernels.batchLoss(this.plan, this.spec.rows);
    this.backend.kernels.backward(this.plan, this.spec.rows, 1);
    return l;
  }
  /** The output layer's activations after a forward pass. */
  output(): number[] {
    const a = this.backend.heap()[layerAt(this.plan / this.per, this.spec.layers.length - 1) + LAYER_FIELD.a];
    return Array.from(this.values.subarray(a, a + this.spec.rows * this.outputs));
  }
  /** The Z of every layer whose activation passes `which`, after a forward pass, concatenated. */
  preActivations(which: (a: Activation) => boolean = () => true): number[] {
    return this.spec.layers.flatMap((layer, l) => {
      if (!which(layer.activation)) return [];
      const z = this.backend.heap()[layerAt(this.plan / this.per, l) + LAYER_FIELD.z];
      return Array.from(this.values.subarray(z, z + this.spec.rows * this.spec.layers[l].units));
    });
  }
  trainStep(): number {
    return this.backend.kernels.trainStep(this.plan, this.spec.rows);
  }
  /** The step counter (an f64 cell). */
  steps(): number {
    return this.backend.heap()[this.backend.heap()[this.plan / this.per + PLAN_FIELD.counters] / this.per];
  }
  /** `trainBatches` over the batch in x/y as a data set of `rows` samples (identity permutation), batch size `rows`; returns [loss, metric] of each batch. */
  trainBatches(batches: number): [number, number][] {
    const n = this.spec.rows;
    const permCell = this.backend.alloc(n);
    for (let i = 0; i < n; i++) this.backend.heap()[permCell + i] = i;
    const done: [number, number][] = [];
    // The data set is the batch buffer itself copied aside once: gather reads it from there.
    const [dx, dy] = [
      this.per * this.backend.alloc(Math.ceil((n * this.spec.inputs) / this.per)),
      this.per * this.backend.alloc(Math.ceil((n * this.outputs) / this.per)),
    ];
    this.values.copyWithin(dx, this.x, this.x + n * this.spec.inputs);
    this.values.copyWithin(dy, this.y, this.y + n * this.outputs);
    for (let b = 0; b < batches; b++) {
      const count = this.backend.kernels.trainBatches(this.plan, dx, dy, this.per * permCell, 0, n, n, this.per * this.outCells, -1);
      for (let i = 0; i < count; i++)
        done.push([this.backend.heap()[this.outCells + 2 * i], this.backend.heap()[this.outCells + 2 * i + 1]]);
    }
    return done;
  }
}
