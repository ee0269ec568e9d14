// f32 twin of assembly/metrics.ts: comparisons need no rounding; the MAE's |a − y| is an f32 difference.
import { Metric } from '../../../kinds.js';
import { unknownKind } from '../unknown-kind.js';
import { accumulate, f32 } from './round.js';

/** Sum of a batch metric over f32 outputs: rows with matching argmax, outputs on the right side of 0.5, or Σ|a−y|. */
export function metric(h: Float32Array, kind: number, rows: number, cols: number, a: number, y: number): number {
  let s = 0;
  if (kind === Metric.categoricalAccuracy) {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let pa = 0, py = 0;
      for (let c = 1; c < cols; c++) {
        if (h[a + o + c] > h[a + o + pa]) pa = c;
        if (h[y + o + c] > h[y + o + py]) py = c;
      }
      if (pa === py) s += 1;
    }
  } else if (kind === Metric.binaryAccuracy) {
    for (let i = 0; i < rows * cols; i++) if (h[a + i] >= 0.5 === h[y + i] >= 0.5) s += 1;
  } else if (kind === Metric.mae) {
    for (let i = 0; i < rows * cols; i++) s = accumulate(s + Math.abs(f32(h[a + i] - h[y + i])));
  } else if (kind !== Metric.none) unknownKind('metric', kind);
  return s;
}
