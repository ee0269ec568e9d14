// Plain twins of assembly/losses.ts: each loss beside its gradient, in a record keyed by the loss
// table's names (src/kinds/losses.ts), so a loss without its twin does not compile.
import { LOSS_BY_CODE, type Loss } from '../../kinds/losses.js';
import { unknownKind } from './unknown-kind.js';

/** A loss's twin: its mean batch value, and the gradient lossBackward writes. */
interface LossTwin {
  /** Mean batch loss from the output layer's Z, A = f(Z) and targets Y (rows×cols). */
  value(h: Float64Array, rows: number, cols: number, z: number, a: number, y: number): number;
  /** G = dL/dA, or dL/dZ for the losses fused with their output activation. */
  gradient(h: Float64Array, rows: number, cols: number, a: number, y: number, g: number): void;
}

/** Σ (y − a)² over rows×cols values. */
function squaredErrors(h: Float64Array, n: number, a: number, y: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += (h[y + i] - h[a + i]) ** 2;
  return s;
}

/** G = (A − Y)·scale. */
function scaledDifference(h: Float64Array, n: number, a: number, y: number, g: number, scale: number): void {
  for (let i = 0; i < n; i++) h[g + i] = (h[a + i] - h[y + i]) * scale;
}

const LOSS_TWINS = {
  halfSquaredError: {
    value: (h, rows, cols, _z, a, y) => (0.5 * squaredErrors(h, rows * cols, a, y)) / rows,
    gradient: (h, rows, cols, a, y, g) => scaledDifference(h, rows * cols, a, y, g, 1 / rows),
  },
  mse: {
    value: (h, rows, cols, _z, a, y) => squaredErrors(h, rows * cols, a, y) / (rows * cols),
    gradient: (h, rows, cols, a, y, g) => scaledDifference(h, rows * cols, a, y, g, 2 / (rows * cols)),
  },
  crossEntropy: {
    value(h, rows, cols, z, _a, y) {
      // From logits, so a zero probability never reaches log; with k the first largest logit,
      // Σ_c y_c (z_k − z_c) + (Σ_c y_c)·log1p(Σ_{j≠k} e^(z_j − z_k)): exact for confident rows
      // (see assembly/losses.ts), where z_k + log Σ e^(z − z_k) − z_c rounds the tiny term away.
      let s = 0;
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
        let margins = 0,
          weight = 0;
        for (let c = 0; c < cols; c++) {
          const t = h[y + o + c];
          weight += t;
          if (t !== 0) margins += t * (m - h[z + o + c]);
        }
        s += margins + weight * Math.log1p(e);
      }
      return s / rows;
    },
    gradient(h, rows, cols, a, y, g) {
      // dL/dZ of softmax: (A·Σ_c y_c − Y)/rows
      for (let r = 0; r < rows; r++) {
        const o = r * cols;
        let t = 0;
        for (let c = 0; c < cols; c++) t += h[y + o + c];
        for (let c = 0; c < cols; c++) h[g + o + c] = (h[a + o + c] * t - h[y + o + c]) * (1 / rows);
      }
    },
  },
  binaryCrossEntropy: {
    value(h, rows, cols, z, _a, y) {
      // −y log σ(z) − (1−y) log(1−σ(z)) = max(z,0) − z·y + log(1+e^−|z|)
      const n = rows * cols;
      let s = 0;
      for (let i = 0; i < n; i++) {
        const v = h[z + i];
        s += Math.max(v, 0) - v * h[y + i] + Math.log1p(Math.exp(-Math.abs(v)));
      }
      return s / n;
    },
    // dL/dZ of sigmoid: (A − Y)/n
    gradient: (h, rows, cols, a, y, g) => scaledDifference(h, rows * cols, a, y, g, 1 / (rows * cols)),
  },
} satisfies Record<Loss, LossTwin>;

/** The twin of the loss with this code; an unknown code throws. */
function twinOf(kind: number): LossTwin {
  const name = LOSS_BY_CODE[kind];
  return name === undefined ? unknownKind('loss', kind) : LOSS_TWINS[name];
}

/** Mean batch loss from the output layer's Z, A = f(Z) and targets Y (rows×cols). */
export function loss(h: Float64Array, kind: number, rows: number, cols: number, z: number, a: number, y: number): number {
  return twinOf(kind).value(h, rows, cols, z, a, y);
}

/** G = dL/dA (squared errors) or dL/dZ (crossEntropy with softmax, binaryCrossEntropy with sigmoid). */
export function lossBackward(h: Float64Array, kind: number, rows: number, cols: number, a: number, y: number, g: number): void {
  twinOf(kind).gradient(h, rows, cols, a, y, g);
}
