// What evaluate(dataset) reports: for classes, accuracy, the confusion matrix and per-class
// precision, recall, F1 and support; for regression, MAE, RMSE and R² (over all outputs).
import { classIndex } from '../class-index.js';

export interface ClassificationReport {
  loss: number;
  accuracy: number;
  /** Class names, in the order of the matrix's rows and columns. */
  classes: string[];
  /** confusionMatrix[actual][predicted] = rows. */
  confusionMatrix: number[][];
  perClass: Record<string, { precision: number; recall: number; f1: number; support: number }>;
}
export interface RegressionReport {
  loss: number;
  mae: number;
  rmse: number;
  /** 1 − Σ(y−ŷ)² / Σ(y−ȳ)², per output, averaged over outputs (as scikit-learn's r2_score). */
  r2: number;
}

export function classificationReport(loss: number, probs: Float64Array, labels: Uint32Array, classes: string[]): ClassificationReport {
  const k = classes.length;
  const m = classes.map(() => new Array<number>(k).fill(0));
  let right = 0;
  for (let r = 0; r < labels.length; r++) {
    const p = classIndex(probs, k, r);
    m[labels[r]][p]++;
    if (p === labels[r]) right++;
  }
  const perClass: ClassificationReport['perClass'] = {};
  classes.forEach((name, c) => {
    let predicted = 0,
      support = 0;
    for (let i = 0; i < k; i++) {
      predicted += m[i][c];
      support += m[c][i];
    }
    const tp = m[c][c];
    // 0 where undefined (no row predicted or present), as scikit-learn's zero_division default.
    const precision = predicted ? tp / predicted : 0,
      recall = support ? tp / support : 0;
    perClass[name] = { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, support };
  });
  return { loss, accuracy: right / labels.length, classes: [...classes], confusionMatrix: m, perClass };
}

export function regressionReport(loss: number, pred: Float64Array, y: Float64Array, outputs: number): RegressionReport {
  const rows = y.length / outputs;
  let abs = 0,
    sq = 0,
    r2 = 0;
  for (let j = 0; j < outputs; j++) {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += y[r * outputs + j];
    mean /= rows;
    let res = 0,
      tot = 0;
    for (let r = 0; r < rows; r++) {
      const e = y[r * outputs + j] - pred[r * outputs + j];
      abs += Math.abs(e);
      res += e * e;
      tot += (y[r * outputs + j] - mean) ** 2;
    }
    sq += res;
    r2 += tot > 0 ? 1 - res / tot : res === 0 ? 1 : 0;
  }
  return { loss, mae: abs / y.length, rmse: Math.sqrt(sq / y.length), r2: r2 / outputs };
}
