// fit() with row weights. The loss is Keras's: a batch's loss is (1/B)·Σ_r w_r·ℓ_r plus the L2
// penalty, and its gradient (1/B)·Σ_r w_r·∇ℓ_r plus the penalty's. The fused kernels average
// rows with equal weights, so a weighted fit runs each row's forward and backward pass (the
// same kernels, one row at a time), adds w_r/B times its gradient into an accumulator (axpy), puts
// the penalty's gradient in once, and takes the optimizer step on the sum — on either backend and
// in either precision (an f32 network accumulates in f32, each w_r/B rounded once to f32 by axpy).
// Per-shape modules and threads are not used: every weighted fit takes this one path.
import type { Network } from './network.js';
import type { Core } from './core.js';
import { BackpropError } from './errors.js';
import { PLAN_FIELD } from './plan.js';
import { metricFor, reportedMetric } from './kinds.js';
import { metricMean } from './evaluate.js';
import { checkFit, type History, type Logs, type Control, type Callback, type FitOptions, type FitData } from './fit-options.js';
import { yieldToEventLoop } from './yield.js';
import { fallBack } from './parallel/open.js';
import { fitRows, type FitRows } from './fit-data.js';
import type { Values } from './data.js';
import { newHistory, endEpoch } from './fit-report.js';
import { rowWeights, type WeightOptions } from './weights.js';

export interface WeightedRun {
  /** The network's element type (Float32Array for an f32 network). */
  x: Values;
  y: Values;
  w: Float64Array;
  rows: number;
  val?: FitRows['val'];
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  callbacks: Callback[];
  signal?: AbortSignal;
  /** Yield to the event loop when a run of batches has taken this long (as fit does). */
  yieldEveryMs?: number;
  /** threads was asked for: history.threads says that 1 ran. */
  threadsAsked?: boolean;
}

/** ½λ‖W‖² over the layers, and the penalty's gradient scaled by `alpha` added into `into`. */
function penalty(core: Core, alpha: number, into: number): number {
  let s = 0;
  core.spec.layers.forEach((l, i) => {
    if (l.l2 <= 0) return;
    const at = core.layout.layers[i].w,
      n = l.units * l.inputs;
    s += 0.5 * l.l2 * core.backend.kernels.sumSquares(n, core.params + at);
    if (alpha !== 0) core.backend.kernels.axpy(n, alpha * l.l2, core.params + at, into + at);
  });
  return s;
}

/**
 * One batch: returns its weighted loss and unweighted metric sum; the step is taken unless the loss
 * is not finite. `acc` is an element offset (of the network's values) of parameter-count room.
 */
function batch(
  core: Core,
  run: WeightedRun,
  order: Uint32Array,
  from: number,
  rows: number,
  acc: number,
): { loss: number; metric: number } {
  const { x, y, w } = run;
  const nin = core.spec.inputs,
    nout = core.outputs,
    n = core.layout.size;
  const k = core.backend.kernels;
  const kind = metricFor(core.spec.loss);
  core.backend.values().fill(0, acc, acc + n);
  const pen = penalty(core, 0, 0);
  let loss = 0,
    metric = 0,
    share = 0;
  for (let i = 0; i < rows; i++) {
    const r = order[from + i];
    core.load(x.subarray(r * nin, (r + 1) * nin), y.subarray(r * nout, (r + 1) * nout), 1);
    k.forward(core.plan, 1, 1);
    const c = w[r] / rows;
    loss += c * (k.batchLoss(core.plan, 1) - pen);
    metric += k.metric(kind, 1, nout, core.outputAt, core.field(PLAN_FIELD.y));
    if (c !== 0) {
      k.backward(core.plan, 1, 1); // ∇ℓ_r + the penalty's gradient
      k.axpy(n, c, core.grads, acc);
      share += c;
    }
    // Each row draws its own dropout mask, as rows of a batch do (the stream is an f64 cell).
    const h = core.backend.heap(),
      dropout = core.cellOf(core.counters) + 1;
    h[dropout] = h[dropout] + 1 < 4294967296 ? h[dropout] + 1 : 0;
  }
  loss += pen;
  if (!Number.isFinite(loss)) return { loss, metric };
  penalty(core, 1 - share, acc); // the penalty's gradient exactly once
  core.backend.values().copyWithin(core.grads, acc, acc + n);
  k.step(core.plan);
  return { loss, metric };
}

/** fit() with classWeights and/or sampleWeights: options checked, rows weighted, then the loop below. */
export async function fitWeighted(net: Network, data: FitData, options: FitOptions & WeightOptions): Promise<History> {
  const { classWeights, sampleWeights, ...rest } = options;
  const o = checkFit(rest);
  const refuse = (field: string, v: unknown) => {
    throw new BackpropError(
      'INVALID_OPTION',
      `options.${field}`,
      'not given with classWeights or sampleWeights (a weighted fit runs row by row, at a constant learning rate)',
      v,
    );
  };
  if (rest.schedule !== undefined) refuse('schedule', rest.schedule);
  if (rest.onBatchEnd !== undefined || o.callbacks.some((c) => c.onBatchEnd)) refuse('onBatchEnd', 'a batch callback');
  const { x, y, rows: n, val } = fitRows(net, data, rest, o.validationSplit, true);
  const pre = net.preprocessing;
  const names = pre && pre.json.target.task === 'classification' ? pre.json.target.classes : null;
  // sampleWeights has one weight per row of the data as given; a validation split takes the last
  // rows, and 'balanced' class weights count the training rows.
  const given = n + (val?.field === 'options.validationSplit' ? val.rows : 0);
  const ws = rowWeights({ classWeights, sampleWeights }, y, n, net.outputs, names, reportedMetric(net.spec.loss) === 'accuracy', given)!;
  // As every fit that cannot use the threads it was given: one thread, one warning, history says so.
  if (o.threads !== 1) fallBack('weighted fits (classWeights, sampleWeights) run on one thread');
  return runWeightedFit(net, {
    x,
    y,
    w: ws,
    rows: n,
    val,
    epochs: o.epochs,
    batchSize: o.batchSize,
    shuffle: o.shuffle,
    callbacks: o.callbacks,
    signal: o.signal,
    yieldEveryMs: o.yieldEveryMs,
    threadsAsked: o.threads !== 1,
  });
}

export async function runWeightedFit(net: Network, run: WeightedRun): Promise<History> {
  const core = net.core;
  const kind = metricFor(core.spec.loss);
  const { rows, val } = run;
  const batchSize = Math.min(run.batchSize, rows);
  const batches = Math.ceil(rows / batchSize);
  let stopped = false;
  const control: Control = { stop: () => void (stopped = true), network: net };
  const history = newHistory(net, val !== undefined, run.threadsAsked ? 1 : undefined);
  core.enter(1);
  const cell = core.cell; // elements per f64 unit of the allocator (2 for f32)
  const acc = cell * core.backend.alloc(Math.ceil(core.layout.size / cell), false);
  const before = core.keep();
  const order = new Uint32Array(rows);
  try {
    for (const c of run.callbacks) c.onTrainBegin?.(control);
    for (let epoch = 0; epoch < run.epochs && !stopped; epoch++) {
      for (let i = 0; i < rows; i++) order[i] = i;
      if (run.shuffle) net.rng.shuffle(order);
      let loss = 0,
        metric = 0;
      let ranSince = performance.now();
      for (let b = 0; b < batches; b++) {
        if (performance.now() - ranSince > (run.yieldEveryMs ?? 25)) {
          await yieldToEventLoop(); // a page stays responsive and timers fire, as in fit's chunks
          ranSince = performance.now();
        }
        if (run.signal?.aborted) throw run.signal.reason ?? new Error('aborted');
        core.enter(1);
        before.set(core.view(core.params, before.length));
        const n = Math.min(batchSize, rows - b * batchSize);
        const r = batch(core, run, order, b * batchSize, n, acc);
        if (!Number.isFinite(r.loss)) {
          core.restore(before);
          throw new BackpropError(
            'DIVERGED',
            'loss',
            `a finite loss; training stopped at epoch ${epoch + 1} of ${run.epochs}, batch ${b + 1} of ${batches}, and kept the last finite weights`,
            r.loss,
          );
        }
        loss += r.loss * n;
        metric += r.metric;
      }
      const logs: Logs = { loss: loss / rows, ...metricMean(kind, metric, rows, core.outputs), lr: core.spec.optimizer.learningRate };
      endEpoch(net, history, logs, val);
      for (const c of run.callbacks) if ((await c.onEpochEnd?.(epoch, logs, control)) === false) stopped = true;
      await yieldToEventLoop();
    }
    for (const c of run.callbacks) c.onTrainEnd?.(history, control);
  } finally {
    core.backend.free(acc / cell);
  }
  return history;
}
