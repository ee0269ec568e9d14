// Plain twin of assembly/metrics.ts: each metric's batch sum in a record keyed by the metric
// table's names (src/kinds/metrics.ts), so a metric without its twin does not compile.
import { METRIC_BY_CODE, type MetricName } from '../../kinds/metrics.js';
import { unknownKind } from './unknown-kind.js';

/** Sum of a batch metric from the outputs A and targets Y (rows×cols). */
type MetricSum = (h: Float64Array, rows: number, cols: number, a: number, y: number) => number;

/** Rows whose outputs and targets have the same argmax (first index on ties); on either precision's heap: only comparisons. */
export function categoricalAccuracy(h: Float64Array | Float32Array, rows: number, cols: number, a: number, y: number): number {
  let s = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let pa = 0,
      py = 0;
    for (let c = 1; c < cols; c++) {
      if (h[a + o + c] > h[a + o + pa]) pa = c;
      if (h[y + o + c] > h[y + o + py]) py = c;
    }
    if (pa === py) s += 1;
  }
  return s;
}

/** Outputs on the same side of 0.5 as their targets; on either precision's heap: only comparisons. */
export function binaryAccuracy(h: Float64Array | Float32Array, rows: number, cols: number, a: number, y: number): number {
  let s = 0;
  for (let i = 0; i < rows * cols; i++) if (h[a + i] >= 0.5 === h[y + i] >= 0.5) s += 1;
  return s;
}

const METRIC_TWINS = {
  none: () => 0,
  categoricalAccuracy,
  binaryAccuracy,
  mae(h, rows, cols, a, y) {
    let s = 0;
    for (let i = 0; i < rows * cols; i++) s += Math.abs(h[a + i] - h[y + i]);
    return s;
  },
} satisfies Record<MetricName, MetricSum>;

/** Sum of a batch metric: rows with matching argmax, outputs on the right side of 0.5, or Σ|a−y|; an unknown code throws. */
export function metric(h: Float64Array, kind: number, rows: number, cols: number, a: number, y: number): number {
  const name = METRIC_BY_CODE[kind];
  return name === undefined ? unknownKind('metric', kind) : METRIC_TWINS[name](h, rows, cols, a, y);
}
