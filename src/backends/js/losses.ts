// Plain twins of assembly/losses.ts: each loss beside its gradient.
import { LossKind } from '../../kinds.js';
import { unknownKind } from './unknown-kind.js';

/** Mean batch loss from the output layer's Z, A = f(Z) and targets Y (rows×cols). */
export function loss(h: Float64Array, kind: number, rows: number, cols: number, z: number, a: number, y: number): number {
  const n = rows * cols;
  let s = 0;
  if (kind === LossKind.crossEntropy) {
    // From logits, so a zero probability never reaches log; with k the first largest logit,
    // Σ_c y_c (z_k − z_c) + (Σ_c y_c)·log1p(Σ_{j≠k} e^(z_j − z_k)): exact for confident rows
    // (see assembly/losses.ts), where z_k + log Σ e^(z − z_k) − z_c rounds the tiny term away.
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let k = 0;
      let m = h[z + o];
      for (let c = 1; c < cols; c++) {
        const v = h[z + o + c];
        if (v > m || v !== v) [m, k] = [v, c]; // NaN wins, so that it reaches the loss
      }
      let e = 0;
      for (let c = 0; c < cols; c++) if (c !== k) e += Math.exp(h[z + o + c] - m);
      let margins = 0, weight = 0;
      for (let c = 0; c < cols; c++) {
        const t = h[y + o + c];
        weight += t;
        if (t !== 0) margins += t * (m - h[z + o + c]);
      }
      s += margins + weight * Math.log1p(e);
    }
    return s / rows;
  }
  if (kind === LossKind.binaryCrossEntropy) {
    // −y log σ(z) − (1−y) log(1−σ(z)) = max(z,0) − z·y + log(1+e^−|z|)
    for (let i = 0; i < n; i++) {
      const v = h[z + i];
      s += Math.max(v, 0) - v * h[y + i] + Math.log1p(Math.exp(-Math.abs(v)));
    }
    return s / n;
  }
  if (kind !== LossKind.mse && kind !== LossKind.halfSquaredError) unknownKind('loss', kind);
  for (let i = 0; i < n; i++) s += (h[y + i] - h[a + i]) ** 2;
  return kind === LossKind.mse ? s / n : (0.5 * s) / rows;
}

/** G = dL/dA (squared errors) or dL/dZ (crossEntropy with softmax, binaryCrossEntropy with sigmoid). */
export function lossBackward(h: Float64Array, kind: number, rows: number, cols: number, a: number, y: number, g: number): void {
  const n = rows * cols;
  if (kind === LossKind.crossEntropy) {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let t = 0;
      for (let c = 0; c < cols; c++) t += h[y + o + c];
      for (let c = 0; c < cols; c++) h[g + o + c] = (h[a + o + c] * t - h[y + o + c]) * (1 / rows);
    }
    return;
  }
  if (kind !== LossKind.halfSquaredError && kind !== LossKind.mse && kind !== LossKind.binaryCrossEntropy) unknownKind('loss', kind);
  const scale = kind === LossKind.halfSquaredError ? 1 / rows : kind === LossKind.mse ? 2 / n : 1 / n;
  for (let i = 0; i < n; i++) h[g + i] = (h[a + i] - h[y + i]) * scale;
}
