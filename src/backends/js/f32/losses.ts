// f32 twins of the losses: each element term in f32 (every operation rounded, exp/log1p rounded once),
// the sums as `accumulate` says; the mean is returned as an f64 figure. A record keyed by the loss
// table's names (src/kinds/losses.ts), so a loss without its twin does not compile.
import { LOSS_BY_CODE, type Loss } from '../../../kinds/losses.js';
import { unknownKind } from '../unknown-kind.js';
import { accumulate, f32 } from './round.js';

/** A loss's f32 twin: its mean batch value, and the gradient lossBackward writes. */
interface LossTwin {
  /** Mean batch loss from the output layer's Z, A = f(Z) and targets Y (rows×cols), all f32. */
  value(h: Float32Array, rows: number, cols: number, z: number, a: number, y: number): number;
  /** G = dL/dA, or dL/dZ for the losses fused with their output activation, in f32. */
  gradient(h: Float32Array, rows: number, cols: number, a: number, y: number, g: number): void;
}

/** Σ (y − a)² over rows×cols values, each term in f32. */
function squaredErrors(h: Float32Array, n: number, a: number, y: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = f32(h[y + i] - h[a + i]);
    s = accumulate(s + f32(d * d));
  }
  return s;
}

/** G = (A − Y)·scale, scale an f32. */
function scaledDifference(h: Float32Array, n: number, a: number, y: number, g: number, scale: number): void {
  for (let i = 0; i < n; i++) h[g + i] = f32(h[a + i] - h[y + i]) * scale;
}

const LOSS_TWINS = {
  halfSquaredError: {
    value: (h, rows, cols, _z, a, y) => (0.5 * squaredErrors(h, rows * cols, a, y)) / rows,
    gradient: (h, rows, cols, a, y, g) => scaledDifference(h, rows * cols, a, y, g, f32(1 / rows)),
  },
  mse: {
    value: (h, rows, cols, _z, a, y) => squaredErrors(h, rows * cols, a, y) / (rows * cols),
    gradient: (h, rows, cols, a, y, g) => scaledDifference(h, rows * cols, a, y, g, f32(2 / (rows * cols))),
  },
  crossEntropy: {
    value(h, rows, cols, z, _a, y) {
      // From logits, as the f64 twin: Σ_c y_c (z_k − z_c) + (Σ_c y_c)·log1p(Σ_{j≠k} e^(z_j − z_k)), k the first largest logit.
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
        for (let c = 0; c < cols; c++) if (c !== k) e = accumulate(e + f32(Math.exp(f32(h[z + o + c] - m))));
        let margins = 0,
          weight = 0;
        for (let c = 0; c < cols; c++) {
          const t = h[y + o + c];
          weight = accumulate(weight + t);
          if (t !== 0) margins = accumulate(margins + f32(t * f32(m - h[z + o + c])));
        }
        s = accumulate(s + accumulate(margins + accumulate(weight * f32(Math.log1p(e)))));
      }
      return s / rows;
    },
    gradient(h, rows, cols, a, y, g) {
      // dL/dZ of softmax: (A·Σ_c y_c − Y)/rows
      const perRow = f32(1 / rows);
      for (let r = 0; r < rows; r++) {
        const o = r * cols;
        let t = 0;
        for (let c = 0; c < cols; c++) t = f32(t + h[y + o + c]);
        for (let c = 0; c < cols; c++) h[g + o + c] = f32(f32(h[a + o + c] * t) - h[y + o + c]) * perRow;
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
        s = accumulate(s + f32(f32(Math.max(v, 0) - f32(v * h[y + i])) + f32(Math.log1p(f32(Math.exp(-Math.abs(v)))))));
      }
      return s / n;
    },
    // dL/dZ of sigmoid: (A − Y)/n
    gradient: (h, rows, cols, a, y, g) => scaledDifference(h, rows * cols, a, y, g, f32(1 / (rows * cols))),
  },
} satisfies Record<Loss, LossTwin>;

/** The f32 twin of the loss with this code; an unknown code throws. */
function twinOf(kind: number): LossTwin {
  const name = LOSS_BY_CODE[kind];
  return name === undefined ? unknownKind('loss', kind) : LOSS_TWINS[name];
}

/** Mean batch loss from the output layer's Z, A = f(Z) and targets Y (rows×cols), all f32. */
export function loss(h: Float32Array, kind: number, rows: number, cols: number, z: number, a: number, y: number): number {
  return twinOf(kind).value(h, rows, cols, z, a, y);
}

/** G = dL/dA (squared errors) or dL/dZ (crossEntropy with softmax, binaryCrossEntropy with sigmoid), in f32. */
export function lossBackward(h: Float32Array, kind: number, rows: number, cols: number, a: number, y: number, g: number): void {
  twinOf(kind).gradient(h, rows, cols, a, y, g);
}
