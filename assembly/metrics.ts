import { ld } from './mem';

// Metric kinds: generated from src/kinds/losses.ts (scripts/kinds.ts).
import { NONE, CATEGORICAL_ACCURACY, BINARY_ACCURACY, MAE } from './kinds.generated';
export { NONE, CATEGORICAL_ACCURACY, BINARY_ACCURACY, MAE };

/**
 * Sum of a batch metric over output A and targets Y (rows×cols): rows whose argmax matches
 * (categorical accuracy), outputs on the right side of 0.5 (binary accuracy), or Σ|a−y| (MAE).
 */
export function metric(kind: i32, rows: i32, cols: i32, a: i32, y: i32): f64 {
  let s: f64 = 0;
  if (kind == CATEGORICAL_ACCURACY) {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let pa = 0, py = 0;
      for (let c = 1; c < cols; c++) {
        if (ld(a + o + c) > ld(a + o + pa)) pa = c;
        if (ld(y + o + c) > ld(y + o + py)) py = c;
      }
      if (pa == py) s += 1;
    }
  } else if (kind == BINARY_ACCURACY) {
    for (let i = 0; i < rows * cols; i++) if ((ld(a + i) >= 0.5) == (ld(y + i) >= 0.5)) s += 1;
  } else if (kind == MAE) {
    for (let i = 0; i < rows * cols; i++) s += abs<real>(ld(a + i) - ld(y + i)); // |a − y| in real, the sum in f64
  } else if (kind != NONE) unreachable();
  return s;
}
