// f32 twins of assembly/activations.ts: each activation's forward and derivative side by side.
// An element function with a transcendental in it (sigmoid, tanh, elu, selu, softplus, swish, gelu)
// is the f64 twin's formula evaluated in f64 from the f32 input and rounded once to f32, as the Wasm
// f32 build does (it calls the same f64 element functions); the rest is f32 arithmetic, every
// operation rounded (f32(…)), constants rounded to f32 where they enter. A store into h rounds too.
import { Act, LEAKY_SLOPE, type ElementwiseActivation } from '../../../kinds/activations.js';
import { ELEMENTWISE as F64, elementwiseByCode, sigmoid as sigmoid64, type Elementwise } from '../activations.js';
import { accumulate, f32 } from './round.js';

/** σ(z) = 1/(1+e^−z): the f64 value rounded once to f32. */
export const sigmoid = (z: number): number => f32(sigmoid64(z));

/** Z[rows×cols] += 1·b[cols]ᵀ, in f32 */
export function addBias(h: Float32Array, rows: number, cols: number, b: number, z: number): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) h[z + r * cols + c] += h[b + c];
}

/** db[cols] = Σ_r dZ[r, cols], each column accumulated as `accumulate` says (r ascending), rounded once where stored */
export function sumRows(h: Float32Array, rows: number, cols: number, dz: number, db: number): void {
  for (let c = 0; c < cols; c++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s = accumulate(s + h[dz + r * cols + c]);
    h[db + c] = s;
  }
}

const LEAKY = f32(LEAKY_SLOPE);

/** f and f′ of an f64 formula, each rounded once to f32. */
const roundedOnce = (kind: Elementwise): Elementwise => ({ f: (z) => f32(kind.f(z)), fPrime: (z, a) => f32(kind.fPrime(z, a)) });

const ELEMENTWISE: Record<ElementwiseActivation, Elementwise> = {
  linear: F64.linear,
  sigmoid: { f: sigmoid, fPrime: (_z, a) => f32(a * f32(1 - a)) },
  tanh: { f: (z) => f32(Math.tanh(z)), fPrime: (_z, a) => f32(1 - f32(a * a)) },
  relu: F64.relu,
  leakyRelu: { f: (z) => (z > 0 ? z : f32(LEAKY * z)), fPrime: (z) => (z > 0 ? 1 : LEAKY) },
  elu: roundedOnce(F64.elu),
  selu: roundedOnce(F64.selu),
  softplus: roundedOnce(F64.softplus),
  swish: roundedOnce(F64.swish),
  gelu: roundedOnce(F64.gelu),
};

const elementwise = elementwiseByCode(ELEMENTWISE);

/** A = f(Z) over rows×cols in f32; softmax per row, max-shifted, its row sum as `accumulate` says. A may alias Z. */
export function activate(h: Float32Array, kind: number, rows: number, cols: number, z: number, a: number): void {
  if (kind !== Act.softmax) {
    const { f } = elementwise(kind);
    for (let i = 0; i < rows * cols; i++) h[a + i] = f(h[z + i]);
    return;
  }
  for (let r = 0; r < rows; r++) {
    const zr = z + r * cols,
      ar = a + r * cols;
    let m = -Infinity;
    for (let c = 0; c < cols; c++) m = Math.max(m, h[zr + c]);
    let s = 0;
    for (let c = 0; c < cols; c++) s = accumulate(s + (h[ar + c] = f32(Math.exp(f32(h[zr + c] - m)))));
    const inverse = f32(1 / s);
    for (let c = 0; c < cols; c++) h[ar + c] *= inverse;
  }
}

/** dZ = dA ⊙ f′(Z) in f32; softmax per row: dZ_i = a_i (dA_i − Σ_j a_j dA_j). dZ may alias dA. */
export function activateBackward(
  h: Float32Array,
  kind: number,
  rows: number,
  cols: number,
  z: number,
  a: number,
  da: number,
  dz: number,
): void {
  if (kind !== Act.softmax) {
    const { fPrime } = elementwise(kind);
    for (let i = 0; i < rows * cols; i++) h[dz + i] = h[da + i] * fPrime(h[z + i], h[a + i]);
    return;
  }
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let s = 0;
    for (let c = 0; c < cols; c++) s = accumulate(s + f32(h[a + o + c] * h[da + o + c]));
    const dot = f32(s);
    for (let c = 0; c < cols; c++) h[dz + o + c] = h[a + o + c] * f32(h[da + o + c] - dot);
  }
}
