// The user-facing network: validates, then drives a backend's kernels through the plan table.
import type { Backend } from './backends/backend.js';
import { newHome, type Home } from './backends/homes.js';
import { selectBackend } from './backends/select.js';
import type { WasmSource } from './backends/wasm/loader.js';
import { BackpropError } from './errors.js';
import { normalizeSpec, type NetworkSpec, type Spec, type BackendChoice } from './spec.js';
import { layoutOf, workSize, pad, type Layout } from './layout.js';
import { initParams } from './init.js';
import { F, L, HEADER, LAYER, planSize, layerAt } from './plan.js';
import { Act, LossKind } from './kinds.js';
import { toRows, toPairs, shapeLike, type Sample, type Batch } from './data.js';
import { Rng } from './rng.js';
import { encodeF64, parseModel, FORMAT, VERSION, type ModelJSON } from './serialize.js';
import { checkFit, type FitData, type FitOptions, type History } from './fit-options.js';

export interface LayerWeights {
  weights: number[][]; // [out][in]
  bias?: number[]; // [out], present when the layer has a bias
}

export interface CreateOptions {
  backend?: BackendChoice;
  /** A compiled module, or its bytes, to use instead of the embedded one. */
  wasm?: WasmSource;
}

const PREDICT_CHUNK = 256;

export class Network {
  private readonly layout: Layout;
  private readonly home: Home;
  private readonly rng: Rng;
  private capacity = 0;
  private disposed = false;

  private constructor(
    private readonly be: Backend,
    readonly spec: Readonly<Spec>,
  ) {
    this.layout = layoutOf(spec.layers);
    // Model block: parameters | optimizer state | gradients | plan table; the first two persist.
    this.home = newHome(2 * pad(this.layout.size));
    this.rng = new Rng(spec.seed ^ 0x9e3779b9);
    this.enter(1);
  }

  /** Creates a network from a spec; the backend is chosen (and compiled) here, once. */
  static async create(spec: NetworkSpec, options: CreateOptions = {}): Promise<Network> {
    const s = normalizeSpec(spec);
    const be = await selectBackend(options.backend ?? spec.backend ?? 'auto', options.wasm);
    const net = new Network(be, s);
    initParams(s.layers, net.layout, s.seed, net.paramView());
    return net;
  }

  /** Restores a network saved by toJSON(), bit for bit, including optimizer state. */
  static async fromJSON(model: ModelJSON | string | unknown, options: CreateOptions = {}): Promise<Network> {
    const m = parseModel(model);
    const net = new Network(await selectBackend(options.backend ?? 'auto', options.wasm), m.spec);
    net.paramView().set(m.params);
    net.stateView().set(m.state);
    net.rng.state = m.rng;
    return net;
  }

  /** Which backend really runs: 'wasm' or 'js'. */
  get backend(): 'wasm' | 'js' {
    return this.be.name;
  }
  get inputs(): number {
    return this.spec.inputs;
  }
  get outputs(): number {
    return this.spec.layers[this.spec.layers.length - 1].units;
  }
  get parameterCount(): number {
    return this.layout.size;
  }

  /** Outputs for one sample (Float64Array), a list of samples (one row each), or flat rows. */
  predict(x: Sample): Float64Array;
  predict(x: ArrayLike<number>[]): Float64Array[];
  predict(x: Float64Array, rows: number): Float64Array;
  predict(x: Sample | Batch, rows?: number): Float64Array | Float64Array[] {
    const r = toRows(x, this.inputs, 'inputs', rows);
    const out = new Float64Array(r.rows * this.outputs);
    const chunk = Math.max(this.capacity, Math.min(r.rows, PREDICT_CHUNK));
    for (let from = 0; from < r.rows; from += chunk) {
      const n = Math.min(chunk, r.rows - from);
      this.load(r.data.subarray(from * this.inputs, (from + n) * this.inputs), undefined, chunk);
      this.be.k.forward(this.plan, n);
      const a = this.field(layerAt(this.plan, this.spec.layers.length - 1) + L.a);
      out.set(this.be.heap().subarray(a, a + n * this.outputs), from * this.outputs);
    }
    return shapeLike(r.shape, out, this.outputs);
  }

  /** Mean loss over a batch (or one sample) without changing anything. */
  loss(x: Sample | Batch, y: Sample | Batch): number {
    const { x: xr, y: yr } = toPairs(x, y, this.inputs, this.outputs, 'inputs', 'targets');
    this.load(xr.data, yr.data, xr.rows);
    this.be.k.forward(this.plan, xr.rows);
    return this.be.k.batchLoss(this.plan, xr.rows);
  }

  /** dLoss/dparameter for a batch, in getWeights()'s shape. Parameters are unchanged. */
  gradients(x: Sample | Batch, y: Sample | Batch): LayerWeights[] {
    const { x: xr, y: yr } = toPairs(x, y, this.inputs, this.outputs, 'inputs', 'targets');
    this.load(xr.data, yr.data, xr.rows);
    this.be.k.forward(this.plan, xr.rows);
    this.be.k.backward(this.plan, xr.rows);
    return this.unpack(this.field(this.plan + F.grads));
  }

  /** One forward + backward + update on one batch; returns the loss before the update. */
  trainStep(x: Sample | Batch, y: Sample | Batch): number {
    const { x: xr, y: yr } = toPairs(x, y, this.inputs, this.outputs, 'inputs', 'targets');
    this.load(xr.data, yr.data, xr.rows);
    return this.be.k.trainStep(this.plan, xr.rows);
  }

  /**
   * Trains for `epochs` over the data set in minibatches (seeded shuffle). The data set is copied
   * into the backend's heap once; each epoch is one kernel call.
   */
  async fit(data: FitData, options: FitOptions = {}): Promise<History> {
    const { x, y } = toPairs(data?.inputs, data?.targets, this.inputs, this.outputs, 'data.inputs', 'data.targets');
    const o = checkFit(options, x.rows);
    this.enter(o.batchSize);
    const n = x.rows;
    const batches = Math.ceil(n / o.batchSize);
    const at = { x: 0, y: pad(n * this.inputs), perm: 0, losses: 0 };
    at.perm = at.y + pad(n * this.outputs);
    at.losses = at.perm + pad(n);
    const block = this.be.alloc(at.losses + batches);
    const history: History = { loss: [] };
    try {
      const h = this.be.heap();
      h.set(x.data, block + at.x);
      h.set(y.data, block + at.y);
      for (let i = 0; i < n; i++) h[block + at.perm + i] = i;
      for (let epoch = 0; epoch < o.epochs; epoch++) {
        const perm = this.be.heap().subarray(block + at.perm, block + at.perm + n);
        if (o.shuffle) this.rng.shuffle(perm);
        this.enter(o.batchSize); // another network may have evicted this one while we awaited
        const total = this.be.k.trainBatches(this.plan, block + at.x, block + at.y, block + at.perm, 0, n, o.batchSize, block + at.losses);
        const loss = total / n;
        history.loss.push(loss);
        if ((await o.onEpochEnd?.(epoch, { loss })) === false) break;
        await new Promise<void>((resolve) => setTimeout(resolve, 0)); // let the page breathe
      }
    } finally {
      this.be.free(block);
    }
    return history;
  }

  getWeights(): LayerWeights[] {
    this.enter(1);
    return this.unpack(this.field(this.plan + F.params));
  }

  /** Sets every layer's weights [out][in] (and bias [out]; omitted means zeros). All-or-nothing. */
  setWeights(layers: LayerWeights[]): void {
    const bad = (field: string, expected: string, got: unknown): never => {
      throw new BackpropError('INVALID_DATA', field, expected, got);
    };
    if (!Array.isArray(layers) || layers.length !== this.spec.layers.length) bad('weights', `an array of ${this.spec.layers.length} layers`, layers);
    const next = new Float64Array(this.layout.size);
    this.spec.layers.forEach((l, i) => {
      const given = layers[i];
      if (typeof given !== 'object' || given === null) bad(`weights[${i}]`, '{ weights, bias? }', given);
      const w = toRows(given.weights, l.inputs, `weights[${i}].weights`);
      if (w.rows !== l.units || w.shape !== 'nested') bad(`weights[${i}].weights`, `${l.units} rows of ${l.inputs} numbers`, given.weights);
      next.set(w.data, this.layout.layers[i].w);
      if (given.bias !== undefined) {
        if (!l.bias) bad(`weights[${i}].bias`, 'no bias (the layer has bias: false)', given.bias);
        next.set(toRows(given.bias, l.units, `weights[${i}].bias`).data, this.layout.layers[i].b);
      }
    });
    this.enter(1);
    this.paramView().set(next);
  }

  toJSON(): ModelJSON {
    this.enter(1);
    const { inputs, loss, optimizer, seed, layers } = this.spec;
    return {
      format: FORMAT,
      version: VERSION,
      spec: { inputs, loss, optimizer: { ...optimizer }, seed, layers: layers.map((l) => ({ units: l.units, activation: l.activation, bias: l.bias })) },
      params: encodeF64(this.paramView().slice()),
      state: encodeF64(this.stateView().slice()),
      rng: this.rng.state,
    };
  }

  /**
   * Frees the network's Wasm memory now. Optional: a dropped network's memory is reclaimed when
   * other networks need the room (see src/backends/homes.ts). Idempotent.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.be.homes.release(this.home);
  }

  // ---- internals -------------------------------------------------------------------------

  private get plan(): number {
    return this.home.model + 3 * pad(this.layout.size);
  }
  private field(at: number): number {
    return this.be.heap()[at];
  }
  private paramView(): Float64Array {
    return this.be.heap().subarray(this.home.model, this.home.model + this.layout.size);
  }
  private stateView(): Float64Array {
    const at = this.home.model + pad(this.layout.size);
    return this.be.heap().subarray(at, at + this.layout.size);
  }

  private alive(): void {
    if (this.disposed) throw new BackpropError('DISPOSED', 'network', 'a network that has not been disposed');
  }

  /** Copies a batch into the X (and Y) buffers, growing them first if needed. */
  private load(x: Float64Array, y: Float64Array | undefined, rows: number): void {
    this.enter(rows);
    const h = this.be.heap();
    h.set(x, this.field(this.plan + F.x));
    if (y) h.set(y, this.field(this.plan + F.y));
  }

  /**
   * Makes the network resident in its backend's heap with room for `rows` samples per batch, and
   * rewrites the plan table whenever its blocks moved. Every kernel call goes through here.
   */
  private enter(rows: number): void {
    this.alive();
    const { spec, layout, be, home } = this;
    const cap = rows > this.capacity ? Math.max(rows, 2 * this.capacity) : this.capacity;
    const p = pad(layout.size);
    if (!be.homes.settle(home, 3 * p + planSize(spec.layers.length), workSize(spec.layers, spec.inputs, cap))) return;
    this.capacity = cap;
    const model = home.model;
    const widest = Math.max(...spec.layers.map((l) => l.units));
    const h = be.heap();
    let at = home.work;
    const take = (n: number) => ((at += pad(n)), at - pad(n));
    const header: [number, number][] = [
      [F.nLayers, spec.layers.length], [F.loss, LossKind[spec.loss]], [F.inputs, spec.inputs],
      [F.x, take(cap * spec.inputs)], [F.y, take(cap * this.outputs)],
      [F.d0, take(cap * widest)], [F.d1, take(cap * widest)],
      [F.params, model], [F.state, model + p], [F.grads, model + 2 * p], [F.nParams, layout.size],
      [F.optimizer, 0], [F.lr, spec.optimizer.learningRate], [F.momentum, spec.optimizer.momentum],
      [F.nesterov, spec.optimizer.nesterov ? 1 : 0],
    ];
    const plan = this.plan;
    h.fill(0, plan, plan + HEADER + LAYER * spec.layers.length);
    for (const [f, v] of header) h[plan + f] = v;
    spec.layers.forEach((l, i) => {
      const t = layerAt(plan, i), s = layout.layers[i];
      h[t + L.inputs] = l.inputs;
      h[t + L.units] = l.units;
      h[t + L.act] = Act[l.activation];
      h[t + L.w] = model + s.w;
      h[t + L.b] = s.b >= 0 ? model + s.b : -1;
      h[t + L.z] = take(cap * l.units);
      h[t + L.a] = take(cap * l.units);
    });
  }

  /** Splits a flat parameter-shaped block at `at` into per-layer weights. */
  private unpack(at: number): LayerWeights[] {
    const h = this.be.heap();
    return this.spec.layers.map((l, i) => {
      const s = this.layout.layers[i];
      const weights: number[][] = [];
      for (let o = 0; o < l.units; o++) weights.push(Array.from(h.subarray(at + s.w + o * l.inputs, at + s.w + (o + 1) * l.inputs)));
      return s.b >= 0 ? { weights, bias: Array.from(h.subarray(at + s.b, at + s.b + l.units)) } : { weights };
    });
  }
}
