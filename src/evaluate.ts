// Loss and metric over a data set, in chunks through the plan's batch buffers (no dropout).
import type { Core } from './core.js';
import { metricFor } from './kinds.js';
import { METRIC_BY_CODE, METRIC_KINDS } from './kinds/metrics.js';
import { PLAN_FIELD } from './plan.js';
import type { Values } from './data.js';

export interface Metrics {
  loss: number;
  accuracy?: number;
  mae?: number;
}

/** Turns a metric sum over `rows` samples into its mean, under its name. @internal */
export function metricMean(kind: number, sum: number, rows: number, outputs: number): { accuracy?: number; mae?: number } {
  const metric = METRIC_KINDS[METRIC_BY_CODE[kind] ?? 'none'];
  return { [metric.reported ?? 'mae']: sum / (metric.meanOver === 'rows' ? rows : rows * outputs) };
}

/** @internal */
export function evaluateRows(core: Core, x: Values, y: Values, rows: number, batchSize: number, field: string): Metrics {
  const { inputs } = core.spec;
  const outputs = core.outputs;
  const kind = metricFor(core.spec.loss);
  const k = core.backend.kernels;
  let loss = 0,
    metric = 0;
  for (let from = 0; from < rows; from += batchSize) {
    const n = Math.min(batchSize, rows - from);
    core.load(
      x.subarray(from * inputs, (from + n) * inputs),
      y.subarray(from * outputs, (from + n) * outputs),
      Math.min(batchSize, rows),
      field,
    );
    k.forward(core.plan, n, 0);
    loss += k.batchLoss(core.plan, n) * n;
    metric += k.metric(kind, n, outputs, core.outputAt, core.field(PLAN_FIELD.y));
  }
  return { loss: loss / rows, ...metricMean(kind, metric, rows, outputs) };
}
