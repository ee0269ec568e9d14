import { ld, st } from './mem';

// Loss kinds: generated from src/kinds/losses.ts (scripts/kinds.ts).
import { HALF_SQUARED_ERROR, MSE, CROSS_ENTROPY, BINARY_CROSS_ENTROPY } from './kinds.generated';
export { HALF_SQUARED_ERROR, MSE, CROSS_ENTROPY, BINARY_CROSS_ENTROPY };

/**
 * Mean loss of a batch, from the output layer's Z and A = f(Z) and targets Y (all rows×cols):
 * halfSquaredError ½Σ_c(y−a)² / rows; mse Σ(y−a)² / (rows·cols);
 * crossEntropy Σ_c y_c (z_k − z_c) + (Σ_c y_c)·log1p(Σ_{j≠k} e^(z_j−z_k)) / rows, k = argmax z (softmax output, from logits);
 * binaryCrossEntropy Σ max(z,0) − z·y + log(1+e^−|z|) / (rows·cols) (sigmoid output, from logits).
 */
export function loss(kind: i32, rows: i32, cols: i32, z: i32, a: i32, y: i32): f64 {
  const n = rows * cols;
  let s: f64 = 0;
  if (kind == CROSS_ENTROPY) {
    // Per row, with k the first largest logit: −Σ_c y_c log softmax(z)_c
    //   = Σ_c y_c (z_k − z_c) + (Σ_c y_c)·log1p(Σ_{j≠k} e^(z_j − z_k)).
    // Not lse − z_c with lse = z_k + log Σ e^(z − z_k): that sum is 1 + a tiny term, rounded, so a
    // confident row (margin 30: loss ≈ 9.36e-14) came out 1.3% off; log1p keeps the tiny term.
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let k = 0;
      let m = ld(z + o); // real; the sums below are f64 in both builds
      for (let c = 1; c < cols; c++) {
        const v = ld(z + o + c);
        if (v > m || v != v) { m = v; k = c; } // NaN wins, so that it reaches the loss
      }
      let e: f64 = 0;
      for (let c = 0; c < cols; c++) if (c != k) e += <real>Math.exp(ld(z + o + c) - m);
      let margins: f64 = 0, weight: f64 = 0;
      for (let c = 0; c < cols; c++) {
        const t = ld(y + o + c);
        weight += t;
        if (t != 0) margins += t * (m - ld(z + o + c));
      }
      s += margins + weight * <real>Math.log1p(e);
    }
    return s / rows;
  }
  if (kind == BINARY_CROSS_ENTROPY) {
    for (let i = 0; i < n; i++) {
      const v = ld(z + i);
      s += max<real>(v, 0) - v * ld(y + i) + <real>Math.log1p(<real>Math.exp(-abs<real>(v)));
    }
    return s / n;
  }
  if (kind != MSE && kind != HALF_SQUARED_ERROR) unreachable(); // an unknown loss code: trap, never a silent default
  for (let i = 0; i < n; i++) {
    const d = ld(y + i) - ld(a + i);
    s += d * d;
  }
  return kind == MSE ? s / n : (0.5 * s) / rows;
}

/** True when lossBackward yields dL/dZ directly (softmax+crossEntropy, sigmoid+binaryCrossEntropy). */
@inline export function fusedWithOutput(kind: i32): bool {
  return kind == CROSS_ENTROPY || kind == BINARY_CROSS_ENTROPY;
}

/**
 * G[rows×cols] = dL/dA for the squared errors (halfSquaredError (a−y)/rows, mse 2(a−y)/(rows·cols)),
 * or dL/dZ for the fused losses: crossEntropy (a·Σ_c y_c − y)/rows, binaryCrossEntropy (a−y)/(rows·cols).
 */
export function lossBackward(kind: i32, rows: i32, cols: i32, a: i32, y: i32, g: i32): void {
  const n = rows * cols;
  if (kind == CROSS_ENTROPY) {
    const inv = <real>(1 / <f64>rows);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let t: real = 0;
      for (let c = 0; c < cols; c++) t += ld(y + o + c);
      for (let c = 0; c < cols; c++) st(g + o + c, (ld(a + o + c) * t - ld(y + o + c)) * inv);
    }
    return;
  }
  if (kind != HALF_SQUARED_ERROR && kind != MSE && kind != BINARY_CROSS_ENTROPY) unreachable();
  const scale = <real>(kind == HALF_SQUARED_ERROR ? 1 / <f64>rows : kind == MSE ? 2 / <f64>n : 1 / <f64>n);
  for (let i = 0; i < n; i++) st(g + i, (ld(a + i) - ld(y + i)) * scale);
}
