// Plain twins of assembly/activations.ts. Each activation's forward and derivative side by side.
import { Act, LEAKY_SLOPE } from '../../kinds.js';

/** σ(z) = 1/(1+e^−z), evaluated so that e^x never overflows. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Z[rows×cols] += 1·b[cols]ᵀ */
export function addBias(h: Float64Array, rows: number, cols: number, b: number, z: number): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) h[z + r * cols + c] += h[b + c];
}

/** db[cols] = Σ_r dZ[r, cols] */
export function sumRows(h: Float64Array, rows: number, cols: number, dz: number, db: number): void {
  for (let c = 0; c < cols; c++) h[db + c] = 0;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) h[db + c] += h[dz + r * cols + c];
}

/** f(z) for the elementwise kinds. */
function f(kind: number, z: number): number {
  switch (kind) {
    case Act.sigmoid: return sigmoid(z);
    case Act.tanh: return Math.tanh(z);
    case Act.relu: return z > 0 ? z : 0;
    case Act.leakyRelu: return z > 0 ? z : LEAKY_SLOPE * z;
    default: return z;
  }
}

/** f′ for the elementwise kinds, from z and a = f(z). */
function fPrime(kind: number, z: number, a: number): number {
  switch (kind) {
    case Act.sigmoid: return a * (1 - a);
    case Act.tanh: return 1 - a * a;
    case Act.relu: return z > 0 ? 1 : 0;
    case Act.leakyRelu: return z > 0 ? 1 : LEAKY_SLOPE;
    default: return 1;
  }
}

/** A = f(Z) over rows×cols; softmax per row, max-shifted. A may alias Z. */
export function activate(h: Float64Array, kind: number, rows: number, cols: number, z: number, a: number): void {
  if (kind !== Act.softmax) {
    for (let i = 0; i < rows * cols; i++) h[a + i] = f(kind, h[z + i]);
    return;
  }
  for (let r = 0; r < rows; r++) {
    const zr = z + r * cols, ar = a + r * cols;
    let m = -Infinity;
    for (let c = 0; c < cols; c++) m = Math.max(m, h[zr + c]);
    let s = 0;
    for (let c = 0; c < cols; c++) s += h[ar + c] = Math.exp(h[zr + c] - m);
    for (let c = 0; c < cols; c++) h[ar + c] *= 1 / s;
  }
}

/** dZ = dA ⊙ f′(Z); softmax per row: dZ_i = a_i (dA_i − Σ_j a_j dA_j). dZ may alias dA. */
export function activateBackward(h: Float64Array, kind: number, rows: number, cols: number, z: number, a: number, da: number, dz: number): void {
  if (kind !== Act.softmax) {
    for (let i = 0; i < rows * cols; i++) h[dz + i] = h[da + i] * fPrime(kind, h[z + i], h[a + i]);
    return;
  }
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let s = 0;
    for (let c = 0; c < cols; c++) s += h[a + o + c] * h[da + o + c];
    for (let c = 0; c < cols; c++) h[dz + o + c] = h[a + o + c] * (h[da + o + c] - s);
  }
}
