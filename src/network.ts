// The user-facing network: validates everything, then drives its Core's kernels.
import { selectBackend } from './backends/select.js';
import type { WasmSource } from './backends/wasm/loader.js';
import { BackpropError, words } from './errors.js';
import {
  normalizeSpec,
  optimizerSpec,
  checkKeys,
  frozenCopy,
  type NetworkSpec,
  type Spec,
  type BackendChoice,
  type DeepReadonly,
} from './spec.js';
import { initParams } from './init.js';
import { LOSS_KINDS, reportedMetric } from './kinds/losses.js';
import { toRows, shapeLike, copySample, type Sample, type Batch } from './data.js';
import { toPairs, checkDistributions } from './pairs.js';
import { PLAN_FIELD } from './plan.js';
import { packLayers, unpackLayers, type LayerWeights } from './layer-weights.js';
import { Rng } from './rng.js';
import { encodeF64, encodeF32, parseModel, FORMAT, VERSION, VERSION_F32, type ModelJSON } from './serialize.js';
import { Core } from './core.js';
import { runFit } from './fit.js';
import { evaluateRows, type Metrics } from './evaluate.js';
import type { FitData, FitOptions, History } from './fit-options.js';
import { summarize } from './summary.js';
import { writeONNX } from './exchange/onnx.js';
import type { ExportedModel, ImportedModel, ImportOptions } from './exchange/build.js';
import { traceNetwork, type Trace } from './trace.js';
import { writeTFJS, type TFJSArtifacts } from './exchange/tfjs.js';
import { saveText, loadText, type ModelLocation, type SaveResult } from './io/save-load.js';
import type { Dataset } from './dataset/dataset.js';
import type { Preprocessing } from './dataset/preprocessing.js';
import type { WeightOptions } from './weights.js';
// Only the small glue is imported here: Dataset code comes with Dataset, and the preprocessing
// reader and weighted fits load when a model or a fit needs them (bundles without them stay small).
import { isDataset, recordShape, classesOf, fitArrays, type DatasetSpec, type DatasetFitOptions, type Report } from './dataset/use.js';

export interface CreateOptions {
  backend?: BackendChoice;
  /** A compiled module, or its bytes, to use instead of the embedded one. */
  wasm?: WasmSource;
  /**
   * Matrix products with fused multiply-add (Wasm relaxed SIMD; ≈ 1.2× faster GEMM where the CPU
   * has FMA; f32 networks get an f32 fma build), after `enableFma()` from 'backprop-wasm/fma'. Results then differ from the default in
   * the last bits and may differ between machines; where relaxed SIMD is missing, one warning
   * and the default module. Default false.
   */
  fma?: boolean;
}

const CREATE_OPTIONS = ['backend', 'wasm', 'fma'] as const;

/** The backend that `options` (already checked) ask for. */
function backendFor(options: CreateOptions, spec: Spec, specBackend?: unknown) {
  return selectBackend(options.backend ?? specBackend ?? 'auto', options.wasm, options.fma === true, spec.precision);
}

function checkCreateOptions(options: unknown): CreateOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new BackpropError('INVALID_OPTION', 'options', 'an object', options);
  checkKeys(options, CREATE_OPTIONS, 'options', 'INVALID_OPTION');
  const o = options as CreateOptions;
  if (o.fma !== undefined && typeof o.fma !== 'boolean') throw new BackpropError('INVALID_OPTION', 'options.fma', 'true or false', o.fma);
  if (o.fma && o.wasm !== undefined)
    throw new BackpropError(
      'INVALID_OPTION',
      'options.fma',
      "false when options.wasm is given (fma selects backprop's own fma module)",
      o.fma,
    );
  return o;
}

const PREDICT_CHUNK = 256;

export class Network {
  /** @internal */
  readonly core: Core;
  /** @internal the shuffling stream; saved with the model so a resumed fit shuffles the same way. */
  readonly rng: Rng;
  /** How raw records become inputs, for a network created from a Dataset (else undefined). @internal */
  preprocessing: Preprocessing | undefined;

  private constructor(core: Core) {
    this.core = core;
    this.rng = new Rng(core.spec.seed ^ 0x9e3779b9);
  }

  /** Creates a network from a spec; the backend is chosen (and compiled) here, once. */
  static async create(spec: NetworkSpec | DatasetSpec, options?: CreateOptions): Promise<Network> {
    const o = checkCreateOptions(options);
    const fromData = isDataset((spec as { inputs?: unknown })?.inputs)
      ? (spec as DatasetSpec).inputs.networkSpec(spec as DatasetSpec)
      : undefined;
    const s = normalizeSpec(fromData ? fromData.spec : spec);
    const be = await backendFor(o, s, spec.backend);
    const net = new Network(new Core(be, s));
    net.preprocessing = fromData?.pre;
    initParams(s.layers, net.core.layout, s.seed, net.core.view(net.core.params, net.core.layout.size));
    return net;
  }

  /** Restores a network saved by toJSON(), bit for bit, including optimizer state. */
  static async fromJSON(model: ModelJSON | string | unknown, options?: CreateOptions): Promise<Network> {
    const o = checkCreateOptions(options);
    const m = parseModel(model);
    const pre =
      m.preprocessing === undefined
        ? undefined
        : (await import('./dataset/json.js')).parsePreprocessing(
            m.preprocessing,
            m.spec.inputs,
            m.spec.layers[m.spec.layers.length - 1].units,
          );
    const net = new Network(new Core(await backendFor(o, m.spec), m.spec, 'model.spec.layers'));
    net.preprocessing = pre;
    const c = net.core;
    c.view(c.params, c.layout.size).set(m.params);
    c.setState(m.state);
    c.countersView().set(m.counters);
    net.rng.state = m.rng;
    return net;
  }

  /**
   * Loads a model that save() wrote (or toJSON()'s text): a file path or file:// URL in Node;
   * localstorage://name or indexeddb://name in browsers; an http(s):// URL; or a File/Blob.
   */
  static async load(from: ModelLocation | Blob, options?: CreateOptions): Promise<Network> {
    const { text, field } = await loadText(from);
    try {
      return await Network.fromJSON(text, options);
    } catch (e) {
      // A bad file names the place it came from and the field inside it.
      if (e instanceof BackpropError && e.code === 'INVALID_MODEL') throw e.within('INVALID_MODEL', field, ': ');
      throw e;
    }
  }

  /**
   * Saves toJSON()'s text, as TF.js users name places: a file path or file:// URL in Node (written
   * atomically); localstorage://name, indexeddb://name (large models) or downloads://name in
   * browsers. A failed save leaves what was there before.
   */
  save(to: ModelLocation): Promise<SaveResult> {
    this.alive();
    return saveText(JSON.stringify(this.toJSON()), to);
  }

  /** Reads an ONNX model of dense layers (as toONNX writes, or MatMul/Add graphs from elsewhere). */
  static async fromONNX(bytes: Uint8Array | ArrayBuffer, options?: ImportOptions): Promise<Network> {
    // The readers load when first used: bundlers that split (Vite, webpack, Rollup) keep them out of the main chunk.
    return Network.fromImported((await import('./exchange/onnx-read.js')).readONNX(bytes, options));
  }

  /** Reads a TF.js Layers Sequential model of Dense layers (model.json topology + weights). */
  static async fromTFJS(artifacts: unknown, options?: ImportOptions): Promise<Network> {
    return Network.fromImported((await import('./exchange/tfjs-read.js')).readTFJS(artifacts, options));
  }

  /** Creates the network an import read, and loads its weights. */
  private static async fromImported({ spec, weights, create }: ImportedModel): Promise<Network> {
    let net: Network;
    try {
      net = await Network.create(spec, create);
    } catch (e) {
      // The layers (and any saved settings) came from the file: a mismatch is the model's.
      throw e instanceof BackpropError && e.code === 'INVALID_SPEC' ? e.within('INVALID_MODEL', 'model') : e;
    }
    // Straight into the parameter block (as fromJSON does): the readers checked shapes and
    // finiteness, and a copy through setWeights' nested arrays would cost 3× the network.
    const c = net.core;
    c.enter(1);
    const params = c.view(c.params, c.layout.size);
    weights.forEach((w, i) => {
      const at = c.layout.layers[i];
      params.set(w.weights, at.w);
      if (w.bias) params.set(w.bias, at.b);
    });
    return net;
  }

  /** What an export reads: the normalized spec, the weights and the spec toJSON() saves. */
  private exported(): ExportedModel {
    return { spec: this.spec, weights: this.getWeights(), saved: this.toJSON().spec };
  }

  /** An ONNX model (opset 17, f64) that ONNX Runtime runs with the same outputs as predict(). */
  toONNX(): Uint8Array {
    return writeONNX(this.exported());
  }

  /** TF.js Layers artifacts (float32 weights) for tf.io.fromMemory / tf.loadLayersModel. */
  toTFJS(): TFJSArtifacts {
    return writeTFJS(this.exported());
  }

  /** The normalized spec, every default filled in: a deeply frozen copy (changing it cannot change the network). */
  get spec(): DeepReadonly<Spec> {
    return (this.frozenSpec ??= frozenCopy(this.core.spec));
  }
  private frozenSpec?: DeepReadonly<Spec>;
  /** Which backend really runs: 'wasm' or 'js'. */
  get backend(): 'wasm' | 'js' {
    return this.core.backend.name;
  }
  /** True when the fma module runs this network (see CreateOptions.fma). */
  get fma(): boolean {
    return this.core.backend.fma === true;
  }
  get inputs(): number {
    return this.core.spec.inputs;
  }
  get outputs(): number {
    return this.core.outputs;
  }
  get parameterCount(): number {
    return this.core.layout.size;
  }

  /**
   * Outputs for one sample (Float64Array), a list of samples (one row each), or flat rows. An f32
   * network (spec.precision 'f32') returns Float32Array in place of each Float64Array.
   */
  predict(x: Sample): Float64Array;
  predict(x: ArrayLike<number>[]): Float64Array[];
  predict(x: Float64Array | Float32Array, rows: number): Float64Array;
  /** Outputs for a raw record ({ column: value }) or records (networks created from a Dataset). */
  predict(x: Record<string, unknown>): Float64Array;
  predict(x: Record<string, unknown>[]): Float64Array[];
  predict(x: Sample | Batch | Record<string, unknown> | Record<string, unknown>[], rows?: number): Float64Array | Float64Array[] {
    this.alive();
    // Records only mean something to a network with preprocessing; others keep their number-only errors.
    const records = this.preprocessing ? recordShape(x) : null;
    if (records) {
      const list = records === 'one' ? [x] : (x as unknown[]);
      const encoded = this.preprocessing!.encodeRecords(list, 'inputs');
      const out = this.predict(encoded, list.length);
      return records === 'one' ? out : shapeLike('nested', out, this.outputs);
    }
    // One sample (the common call in a loop): straight into the X buffer, one allocation out.
    if (rows === undefined && this.loadInput(x)) {
      const c = this.core;
      c.backend.kernels.forward(c.plan, 1, 0);
      const at = c.outputAt;
      return c.backend.values().slice(at, at + this.outputs) as Float64Array;
    }
    const r = toRows(x, this.inputs, 'inputs', rows, { precision: this.core.spec.precision });
    const out = this.core.cell === 2 ? new Float32Array(r.rows * this.outputs) : new Float64Array(r.rows * this.outputs);
    const chunk = Math.min(r.rows, PREDICT_CHUNK);
    for (let from = 0; from < r.rows; from += chunk) {
      const n = Math.min(chunk, r.rows - from);
      this.core.load(r.data.subarray(from * this.inputs, (from + n) * this.inputs), undefined, chunk);
      this.core.backend.kernels.forward(this.core.plan, n, 0);
      out.set(this.core.view(this.core.outputAt, n * this.outputs), from * this.outputs);
    }
    return shapeLike(r.shape, out as Float64Array, this.outputs);
  }

  /**
   * The predicted class: its name for a network created from a Dataset of classes (a number when
   * the classes are numbers), else the index of the largest output (0/1 at 0.5 for one output).
   * One sample or record gives one class; a batch gives an array.
   */
  predictClass(x: Sample | Record<string, unknown>): string | number;
  predictClass(x: ArrayLike<number>[] | Record<string, unknown>[]): (string | number)[];
  predictClass(x: Float64Array | Float32Array, rows: number): (string | number)[];
  predictClass(
    x: Sample | Batch | Record<string, unknown> | Record<string, unknown>[],
    rows?: number,
  ): string | number | (string | number)[] {
    const out = (this.predict as (x: unknown, rows?: number) => Float64Array | Float64Array[]).call(this, x, rows);
    const classes = classesOf(
      Array.isArray(out) ? Float64Array.from(out.flatMap((o) => Array.from(o))) : out,
      this.outputs,
      this.preprocessing,
    );
    return rows === undefined && !Array.isArray(out) ? classes[0] : classes;
  }

  /** Mean loss over a batch (or one sample), L2 penalty included, without changing anything. */
  loss(x: Sample | Batch, y: Sample | Batch): number {
    const rows = this.loadPair(x, y);
    this.core.backend.kernels.forward(this.core.plan, rows, 0);
    return this.core.backend.kernels.batchLoss(this.core.plan, rows);
  }

  /** dLoss/dparameter for a batch (no dropout), in getWeights()'s shape. Parameters are unchanged. */
  gradients(x: Sample | Batch, y: Sample | Batch): LayerWeights[] {
    const rows = this.loadPair(x, y);
    this.core.backend.kernels.forward(this.core.plan, rows, 0);
    this.core.backend.kernels.backward(this.core.plan, rows, 0);
    return unpackLayers(this.core.backend.values(), this.core.grads, this.core.spec, this.core.layout);
  }

  /**
   * Every intermediate value, for showing backpropagation: each layer's z and a for `x`; with
   * targets `y`, also the loss, each layer's δ = ∂L/∂z and ∂L/∂W (equal to gradients()). No
   * dropout; parameters are unchanged. An f32 network's trace is computed in f32 by its own
   * kernels, its arrays Float32Array (as predict() returns). See src/trace.ts.
   */
  trace(x: Sample | Batch, y?: Sample | Batch): Trace {
    this.alive();
    return traceNetwork(this, x, y);
  }

  /** One forward + backward + update on one batch; returns the loss before the update. */
  trainStep(x: Sample | Batch, y: Sample | Batch): number {
    this.core.withUndoRoom(); // before loading: making room may move the batch buffers
    const rows = this.loadSample(x, y) ? 1 : this.loadPair(x, y);
    const loss = (rows === 1 ? this.core.perSample() : this.core.backend.kernels).trainStep(this.core.plan, rows);
    if (!Number.isFinite(loss)) {
      // NaN with the plan's flag set: the kernel undid an update that overflowed (parameters,
      // state and counters as before the call).
      if (this.core.field(PLAN_FIELD.diverged) !== 0) {
        this.core.setField(PLAN_FIELD.diverged, 0);
        throw new BackpropError(
          'DIVERGED',
          'parameters',
          'finite parameters and optimizer state after the update (parameters left unchanged)',
          words('NaN or ±Infinity from the update'),
        );
      }
      throw new BackpropError('DIVERGED', 'loss', 'a finite loss (parameters left unchanged)', loss);
    }
    return loss;
  }

  /**
   * Trains in minibatches with seeded shuffling. The data set is copied into the backend's heap
   * once; batches run many per kernel call, yielding to the event loop between chunks.
   */
  fit(data: FitData | Dataset, options: (FitOptions | DatasetFitOptions) & WeightOptions = {}): Promise<History> {
    this.alive();
    let arrays: ReturnType<typeof fitArrays>;
    try {
      arrays = fitArrays(this, data, options);
    } catch (e) {
      return Promise.reject(e); // as every other refusal of fit: a rejected promise
    }
    const o = arrays.options as FitOptions & WeightOptions;
    if (o !== null && typeof o === 'object' && (o.classWeights !== undefined || o.sampleWeights !== undefined))
      return import('./weighted-fit.js').then((m) => m.fitWeighted(this, arrays.data, o));
    return runFit(this, arrays.data, arrays.options);
  }

  /** Loss and metric (accuracy for classification, mae for regression) over a data set. */
  evaluate(data: FitData, options?: { batchSize?: number }): Metrics;
  /** For a Dataset: loss, accuracy, confusion matrix and per-class scores, or loss, MAE, RMSE and R². */
  evaluate(data: Dataset, options?: { batchSize?: number }): Report;
  evaluate(data: FitData | Dataset, options: { batchSize?: number } = {}): Metrics | Report {
    this.alive();
    if (isDataset(data)) return data.evaluateWith(this, options);
    const d = data as FitData;
    const { loss, precision } = this.core.spec;
    const { x, y } = toPairs(d?.inputs, d?.targets, this.inputs, this.outputs, 'data.inputs', 'data.targets', loss, { precision });
    const batchSize = options?.batchSize ?? 256;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1)
      throw new BackpropError('INVALID_OPTION', 'options.batchSize', 'a positive integer', batchSize);
    return evaluateRows(this.core, x.data, y.data, x.rows, batchSize, 'options.batchSize');
  }

  /** The name of the metric reported beside the loss. */
  get metric(): 'accuracy' | 'mae' {
    return reportedMetric(this.spec.loss);
  }

  /** A readable table of layers, shapes and parameter counts. */
  summary(): string {
    return summarize(this.core.spec, this.backend);
  }

  getWeights(): LayerWeights[] {
    this.alive();
    this.core.enter(1);
    return unpackLayers(this.core.backend.values(), this.core.params, this.core.spec, this.core.layout);
  }

  /** Sets every layer's weights [out][in] (and bias [out]; omitted means zeros). All-or-nothing. */
  setWeights(layers: LayerWeights[]): void {
    this.alive();
    const { spec, layout } = this.core;
    const next = packLayers(layers, spec, layout);
    this.core.enter(1);
    this.core.view(this.core.params, layout.size).set(next);
  }

  toJSON(): ModelJSON {
    this.alive();
    const c = this.core;
    const { inputs, loss, optimizer, seed, layers, precision } = c.spec;
    c.enter(1);
    const params = c.view(c.params, c.layout.size);
    const f32 = precision === 'f32'; // f32 values in the file (see serialize.ts VERSION_F32)
    return {
      format: FORMAT,
      version: f32 ? VERSION_F32 : VERSION,
      spec: {
        inputs,
        loss,
        optimizer: optimizerSpec(optimizer),
        seed,
        layers: layers.map(({ inputs: _, ...l }) => l),
        ...(f32 ? { precision } : {}),
      },
      params: params instanceof Float64Array ? encodeF64(params) : encodeF32(params),
      state: f32 ? encodeF32(Float32Array.from(c.getState())) : encodeF64(c.getState()),
      counters: Array.from(c.countersView()),
      rng: this.rng.state,
      ...(this.preprocessing ? { preprocessing: this.preprocessing.json } : {}),
    };
  }

  /**
   * Frees the network's Wasm memory now. Optional: a dropped network's memory is reclaimed when
   * other networks need the room (see src/backends/homes.ts). Idempotent.
   */
  dispose(): void {
    if (!this.core.disposed) this.core.dispose();
  }

  private alive(): void {
    if (this.core.disposed) throw new BackpropError('DISPOSED', 'network', 'a network that has not been disposed');
  }

  /** Copies one sample into the X buffer when x is one (else false, for the general path). */
  private loadInput(x: unknown): boolean {
    this.alive();
    const c = this.core;
    c.enter(1, 'inputs');
    return copySample(x, this.inputs, 'inputs', c.backend.values(), c.backend.heap()[c.cellOf(c.plan) + PLAN_FIELD.x]);
  }

  private loadSample(x: unknown, y: unknown): boolean {
    this.alive();
    const c = this.core;
    c.enter(1, 'inputs');
    // The plan's X and Y offsets read once (the per-sample path: every call counts).
    const values = c.backend.values(),
      heap = c.backend.heap(),
      plan = c.cellOf(c.plan),
      y0 = heap[plan + PLAN_FIELD.y];
    if (!copySample(x, this.inputs, 'inputs', values, heap[plan + PLAN_FIELD.x]) || !copySample(y, this.outputs, 'targets', values, y0))
      return false;
    // As the network holds them: rounded to f32 in an f32 network, or given so (checkDistributions allows for it).
    if (LOSS_KINDS[c.spec.loss].distributionTargets)
      checkDistributions(values, y0, 1, this.outputs, () => 'targets', c.spec.precision === 'f32' || y instanceof Float32Array);
    return true;
  }

  private loadPair(x: Sample | Batch, y: Sample | Batch): number {
    this.alive();
    const { loss, precision } = this.core.spec;
    const { x: xr, y: yr } = toPairs(x, y, this.inputs, this.outputs, 'inputs', 'targets', loss, { precision });
    this.core.load(xr.data, yr.data, xr.rows);
    return xr.rows;
  }
}
