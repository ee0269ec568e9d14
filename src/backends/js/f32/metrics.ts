// f32 twin of assembly/metrics.ts: the accuracies are only comparisons (the f64 twin's functions
// serve); the MAE's |a − y| is an f32 difference.
// A record keyed by the metric table's names (src/kinds/metrics.ts), so a metric without its twin does not compile.
import { METRIC_BY_CODE, type MetricName } from '../../../kinds/metrics.js';
import { unknownKind } from '../unknown-kind.js';
import { categoricalAccuracy, binaryAccuracy } from '../metrics.js';
import { accumulate, f32 } from './round.js';

/** Sum of a batch metric from the f32 outputs A and targets Y (rows×cols). */
type MetricSum = (h: Float32Array, rows: number, cols: number, a: number, y: number) => number;

const METRIC_TWINS = {
  none: () => 0,
  categoricalAccuracy,
  binaryAccuracy,
  mae(h, rows, cols, a, y) {
    let s = 0;
    for (let i = 0; i < rows * cols; i++) s = accumulate(s + Math.abs(f32(h[a + i] - h[y + i])));
    return s;
  },
} satisfies Record<MetricName, MetricSum>;

/** Sum of a batch metric over f32 outputs: rows with matching argmax, outputs on the right side of 0.5, or Σ|a−y|; an unknown code throws. */
export function metric(h: Float32Array, kind: number, rows: number, cols: number, a: number, y: number): number {
  const name = METRIC_BY_CODE[kind];
  return name === undefined ? unknownKind('metric', kind) : METRIC_TWINS[name](h, rows, cols, a, y);
}
