// Plain twins of assembly/activations.ts. Each activation's forward and derivative side by side.
import { Act, ACTIVATION_BY_CODE, LEAKY_SLOPE, SELU_SCALE, SELU_SCALE_ALPHA, type ElementwiseActivation } from '../../kinds/activations.js';
import { erf } from '../../detmath.js';

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

/** An elementwise kind: f(z), and f′ from z and a = f(z) (the kernels use a where it is exact). */
export interface Elementwise {
  f(z: number): number;
  fPrime(z: number, a: number): number;
}

const INV_SQRT_2PI = 0.3989422804014327;

/** z·σ(z) and σ(z)(1 + z(1 − σ(z))). */
const swishPrime = (z: number) => {
  const s = sigmoid(z);
  return s * (1 + z * (1 - s));
};

export const ELEMENTWISE: Record<ElementwiseActivation, Elementwise> = {
  linear: { f: (z) => z, fPrime: () => 1 },
  sigmoid: { f: sigmoid, fPrime: (_z, a) => a * (1 - a) },
  tanh: { f: Math.tanh, fPrime: (_z, a) => 1 - a * a },
  relu: { f: (z) => (z > 0 ? z : 0), fPrime: (z) => (z > 0 ? 1 : 0) },
  leakyRelu: { f: (z) => (z > 0 ? z : LEAKY_SLOPE * z), fPrime: (z) => (z > 0 ? 1 : LEAKY_SLOPE) },
  elu: { f: (z) => (z > 0 ? z : Math.expm1(z)), fPrime: (z, a) => (z > 0 ? 1 : a + 1) },
  selu: {
    f: (z) => (z > 0 ? SELU_SCALE * z : SELU_SCALE_ALPHA * Math.expm1(z)),
    fPrime: (z, a) => (z > 0 ? SELU_SCALE : a + SELU_SCALE_ALPHA),
  },
  // ln(1 + e^z) in the form that neither overflows nor loses digits, on both sides of 0.
  softplus: { f: (z) => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))), fPrime: (z) => sigmoid(z) },
  swish: { f: (z) => z * sigmoid(z), fPrime: swishPrime },
  gelu: {
    f: (z) => 0.5 * z * (1 + erf(z * Math.SQRT1_2)),
    fPrime: (z) => 0.5 * (1 + erf(z * Math.SQRT1_2)) + z * (INV_SQRT_2PI * Math.exp(-0.5 * z * z)),
  },
};

/**
 * A lookup of a table's elementwise kind by code (this file's and the f32 twins'): an unknown code
 * throws (as the Wasm kernel traps), never runs as another function.
 */
export function elementwiseByCode(table: Record<ElementwiseActivation, Elementwise>): (kind: number) => Elementwise {
  const byCode = ACTIVATION_BY_CODE.map((name) => (name === 'softmax' ? undefined : table[name]));
  return (kind) => {
    const e = byCode[kind];
    if (e === undefined) throw new RangeError(`activation code ${kind}: not an elementwise activation`);
    return e;
  };
}

const elementwise = elementwiseByCode(ELEMENTWISE);

/** A = f(Z) over rows×cols; softmax per row, max-shifted. A may alias Z. */
export function activate(h: Float64Array, kind: number, rows: number, cols: number, z: number, a: number): void {
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
    for (let c = 0; c < cols; c++) s += h[ar + c] = Math.exp(h[zr + c] - m);
    for (let c = 0; c < cols; c++) h[ar + c] *= 1 / s;
  }
}

/** dZ = dA ⊙ f′(Z); softmax per row: dZ_i = a_i (dA_i − Σ_j a_j dA_j). dZ may alias dA. */
export function activateBackward(
  h: Float64Array,
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
    for (let c = 0; c < cols; c++) s += h[a + o + c] * h[da + o + c];
    for (let c = 0; c < cols; c++) h[dz + o + c] = h[a + o + c] * (h[da + o + c] - s);
  }
}
