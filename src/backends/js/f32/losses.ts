// f32 twins of the losses: each element term in f32 (every operation rounded, exp/log1p rounded once),
// the sums as `accumulate` says; the mean is returned as an f64 figure.
import { LossKind } from '../../../kinds.js';
import { unknownKind } from '../unknown-kind.js';
import { accumulate, f32 } from './round.js';

/** Mean batch loss from the output layer's Z, A = f(Z) and targets Y (rows×cols), all f32. */
export function loss(h: Float32Array, kind: number, rows: number, cols: number, z: number, a: number, y: number): number {
  const n = rows * cols;
  let s = 0;
  if (kind === LossKind.crossEntropy) {
    // From logits, as the f64 twin: Σ_c y_c (z_k − z_c) + (Σ_c y_c)·log1p(Σ_{j≠k} e^(z_j − z_k)), k the first largest logit.
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let k = 0;
      let m = h[z + o];
      for (let c = 1; c < cols; c++) {
        const v = h[z + o + c];
        if (v > m || v !== v) [m, k] = [v, c]; // NaN wins, so that it reaches the loss
      }
      let e = 0;
      for (let c = 0; c < cols; c++) if (c !== k) e = accumulate(e + f32(Math.exp(f32(h[z + o + c] - m))));
      let margins = 0, weight = 0;
      for (let c = 0; c < cols; c++) {
        const t = h[y + o + c];
        weight = accumulate(weight + t);
        if (t !== 0) margins = accumulate(margins + f32(t * f32(m - h[z + o + c])));
      }
      s = accumulate(s + accumulate(margins + accumulate(weight * f32(Math.log1p(e)))));
    }
    return s / rows;
  }
  if (kind === LossKind.binaryCrossEntropy) {
    // −y log σ(z) − (1−y) log(1−σ(z)) = max(z,0) − z·y + log(1+e^−|z|)
    for (let i = 0; i < n; i++) {
      const v = h[z + i];
      s = accumulate(s + f32(f32(Math.max(v, 0) - f32(v * h[y + i])) + f32(Math.log1p(f32(Math.exp(-Math.abs(v)))))));
    }
    return s / n;
  }
  if (kind !== LossKind.mse && kind !== LossKind.halfSquaredError) unknownKind('loss', kind);
  for (let i = 0; i < n; i++) {
    const d = f32(h[y + i] - h[a + i]);
    s = accumulate(s + f32(d * d));
  }
  return kind === LossKind.mse ? s / n : (0.5 * s) / rows;
}

/** G = dL/dA (squared errors) or dL/dZ (crossEntropy with softmax, binaryCrossEntropy with sigmoid), in f32. */
export function lossBackward(h: Float32Array, kind: number, rows: number, cols: number, a: number, y: number, g: number): void {
  const n = rows * cols;
  if (kind === LossKind.crossEntropy) {
    const perRow = f32(1 / rows);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let t = 0;
      for (let c = 0; c < cols; c++) t = f32(t + h[y + o + c]);
      for (let c = 0; c < cols; c++) h[g + o + c] = f32(f32(h[a + o + c] * t) - h[y + o + c]) * perRow;
    }
    return;
  }
  if (kind !== LossKind.halfSquaredError && kind !== LossKind.mse && kind !== LossKind.binaryCrossEntropy) unknownKind('loss', kind);
  const scale = f32(kind === LossKind.halfSquaredError ? 1 / rows : kind === LossKind.mse ? 2 / n : 1 / n);
  for (let i = 0; i < n; i++) h[g + i] = f32(h[a + i] - h[y + i]) * scale;
}
