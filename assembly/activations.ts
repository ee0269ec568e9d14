import { ld, st, ldv, stv, LANES } from './mem';
import { vsplat, vadd, vmul, vgt, promoteHalf, demotePair } from './lanes';
// The codes, written from src/kinds/activations.ts by scripts/kinds.ts before asc runs.
import { LINEAR, SIGMOID, TANH, RELU, LEAKY_RELU, SOFTMAX, ELU, SELU, SOFTPLUS, SWISH, GELU, LEAKY_SLOPE, SELU_SCALE, SELU_SCALE_ALPHA } from './kinds.generated';
import { erf } from './detmath';

/** σ(z) = 1/(1+e^−z), evaluated so that e^x never overflows. */
@inline export function sigmoid(z: f64): f64 {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** σ(z) of one value: the element function that modules generated per network shape call. */
export function sigmoidOne(z: f64): f64 {
  return sigmoid(z);
}

/** e^x of one value, for the same modules (which inline sigmoid's formula around it). */
export function expOne(x: f64): f64 {
  return Math.exp(x);
}

/** tanh(z) of one value, for the same modules. */
export function tanhOne(z: f64): f64 {
  return Math.tanh(z);
}

// The newer kinds' element functions: f(z), and f′ from z and a = f(z). The batch kernels and the
// per-shape modules' calls (activationOne, derivativeOne) use these, so both give the same bits;
// src/backends/js/activations.ts has the same formulas. Element functions compute in f64; in the
// f32 build they take the f32 value and their result is rounded once to f32 (<real>).
// (In the f64 builds every <real> and <f64> below is the identity: the same bits as before.)
const INV_SQRT_2PI: f64 = 0.3989422804014327;
/** elu: z > 0 ? z : e^z − 1; f′ = 1 or a + 1. */
@inline function elu(z: f64): f64 { return z > 0 ? z : Math.expm1(z); }
@inline function eluPrime(z: f64, a: f64): f64 { return z > 0 ? 1 : a + 1; }
/** selu: z > 0 ? λz : λα(e^z − 1); f′ = λ or a + λα. */
@inline function selu(z: f64): f64 { return z > 0 ? SELU_SCALE * z : SELU_SCALE_ALPHA * Math.expm1(z); }
@inline function seluPrime(z: f64, a: f64): f64 { return z > 0 ? SELU_SCALE : a + SELU_SCALE_ALPHA; }
/** softplus: ln(1 + e^z) = log1p(e^z) (z ≤ 0), z + log1p(e^−z) (z > 0); f′ = σ(z). */
@inline function softplus(z: f64): f64 { return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)); }
/** swish: z·σ(z); f′ = σ(z)(1 + z(1 − σ(z))). */
@inline function swish(z: f64): f64 { return z * sigmoid(z); }
@inline function swishPrime(z: f64): f64 { const s = sigmoid(z); return s * (1 + z * (1 - s)); }
/** gelu: ½z(1 + erf(z/√2)); f′ = Φ(z) + z·φ(z) = ½(1 + erf(z/√2)) + z·e^{−z²/2}/√(2π). */
@inline function gelu(z: f64): f64 { return 0.5 * z * (1 + erf(z * Math.SQRT1_2)); }
@inline function geluPrime(z: f64): f64 { return 0.5 * (1 + erf(z * Math.SQRT1_2)) + z * (INV_SQRT_2PI * Math.exp(-0.5 * z * z)); }

// The cheap elementwise kernels and the bias-gradient sums run LANES values per instruction: every
// lane does the scalar formula's operation (a select is the same choice as the scalar ?:), and each
// column's sum adds its rows in the same order, so the bits are the scalar loops'. (V8 does not
// vectorize Wasm loops itself; at MNIST's shapes these were ~3% of an f32 step, scalar in both builds.)

/** Z[rows×cols] += 1·b[cols]ᵀ (bias broadcast over rows). */
export function addBias(rows: i32, cols: i32, b: i32, z: i32): void {
  for (let r = 0; r < rows; r++) {
    const zr = z + r * cols;
    let c = 0;
    for (; c + LANES <= cols; c += LANES) stv(zr + c, vadd(ldv(zr + c), ldv(b + c)));
    for (; c < cols; c++) st(zr + c, ld(zr + c) + ld(b + c));
  }
}

/** db[cols] = Σ_r dZ[r, cols] (bias gradient; f32 build: each column summed in f64, rounded once). */
export function sumRows(rows: i32, cols: i32, dz: i32, db: i32): void {
  let c = 0;
  if (sizeof<real>() == 4) {
    // Eight columns at a time in four f64x2 sums (one lane per column), rows in order; f64
    // accumulation costs < 1% of an MNIST step here (ARCHITECTURE.md, Precision).
    for (; c + 8 <= cols; c += 8) {
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
      for (let r = 0; r < rows; r++) {
        const lo = ldv(dz + r * cols + c), hi = ldv(dz + r * cols + c + 4);
        s0 = f64x2.add(s0, promoteHalf(lo, 0));
        s1 = f64x2.add(s1, promoteHalf(lo, 1));
        s2 = f64x2.add(s2, promoteHalf(hi, 0));
        s3 = f64x2.add(s3, promoteHalf(hi, 1));
      }
      stv(db + c, demotePair(s0, s1));
      stv(db + c + 4, demotePair(s2, s3));
    }
    for (; c < cols; c++) {
      let s: f64 = 0;
      for (let r = 0; r < rows; r++) s += ld(dz + r * cols + c);
      st(db + c, <real>s);
    }
    return;
  }
  // f64: db = 0, then each row added, LANES columns at a time (in db itself: the order of the sums is the rows').
  for (; c + LANES <= cols; c += LANES) stv(db + c, vsplat(0));
  for (; c < cols; c++) st(db + c, 0);
  for (let r = 0; r < rows; r++) {
    const dr = dz + r * cols;
    c = 0;
    for (; c + LANES <= cols; c += LANES) stv(db + c, vadd(ldv(db + c), ldv(dr + c)));
    for (; c < cols; c++) st(db + c, ld(db + c) + ld(dr + c));
  }
}

/**
 * Out[n] = Z > 0 ? X : 0 (relu with X = Z; relu′'s dZ with X = dA). Out may alias X or Z. One loop
 * for both passes keeps the module small (its bytes are in every bundle).
 */
function positivePart(n: i32, z: i32, x: i32, out: i32): void {
  let i = 0;
  for (; i + LANES <= n; i += LANES) stv(out + i, v128.and(ldv(x + i), vgt(ldv(z + i), vsplat(0))));
  for (; i < n; i++) st(out + i, ld(z + i) > 0 ? ld(x + i) : 0);
}

/** Out[n] = Z > 0 ? X : slope·X (leaky relu with X = Z; its dZ with X = dA). Out may alias X or Z. */
function leakyPart(n: i32, z: i32, x: i32, out: i32): void {
  const slope = vsplat(<real>LEAKY_SLOPE);
  let i = 0;
  for (; i + LANES <= n; i += LANES) { const v = ldv(x + i); stv(out + i, v128.bitselect(v, vmul(slope, v), vgt(ldv(z + i), vsplat(0)))); }
  for (; i < n; i++) { const v = ld(x + i); st(out + i, ld(z + i) > 0 ? v : <real>LEAKY_SLOPE * v); }
}

/** A = f(Z) elementwise over rows×cols; softmax per row (max-shifted). A may alias Z. */
export function activate(kind: i32, rows: i32, cols: i32, z: i32, a: i32): void {
  const n = rows * cols;
  if (kind == SOFTMAX) {
    for (let r = 0; r < rows; r++) {
      const zr = z + r * cols, ar = a + r * cols;
      let m: real = -Infinity;
      for (let c = 0; c < cols; c++) m = max<real>(m, ld(zr + c));
      let s: f64 = 0; // f64 in both builds (ARCHITECTURE.md, Precision)
      for (let c = 0; c < cols; c++) {
        const e = <real>Math.exp(ld(zr + c) - m);
        st(ar + c, e);
        s += e;
      }
      const inv = <real>(1 / s);
      for (let c = 0; c < cols; c++) st(ar + c, ld(ar + c) * inv);
    }
  } else if (kind == SIGMOID) {
    for (let i = 0; i < n; i++) st(a + i, <real>sigmoid(ld(z + i)));
  } else if (kind == TANH) {
    for (let i = 0; i < n; i++) st(a + i, <real>Math.tanh(ld(z + i)));
  } else if (kind == RELU) {
    positivePart(n, z, z, a);
  } else if (kind == LEAKY_RELU) {
    leakyPart(n, z, z, a);
  } else if (kind == ELU || kind == SELU || kind == SOFTPLUS || kind == SWISH || kind == GELU) {
    // The newer kinds share one loop through activationOne (one copy of each formula in the module).
    for (let i = 0; i < n; i++) st(a + i, <real>activationOne(kind, ld(z + i)));
  } else if (kind == LINEAR) {
    for (let i = 0; i < n; i++) st(a + i, ld(z + i));
  } else unreachable(); // an unknown code traps: it never trains silently as another function
}

/**
 * dZ = dA ⊙ f′(Z) over rows×cols, using A = f(Z) where cheaper (σ′ = a(1−a), tanh′ = 1−a²);
 * softmax per row: dZ_i = a_i (dA_i − Σ_j a_j dA_j). dZ may alias dA.
 */
export function activateBackward(kind: i32, rows: i32, cols: i32, z: i32, a: i32, da: i32, dz: i32): void {
  const n = rows * cols;
  if (kind == SOFTMAX) {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let s: f64 = 0;
      for (let c = 0; c < cols; c++) s += ld(a + o + c) * ld(da + o + c); // products in real, the sum in f64
      const sr = <real>s;
      for (let c = 0; c < cols; c++) st(dz + o + c, ld(a + o + c) * (ld(da + o + c) - sr));
    }
  } else if (kind == SIGMOID) {
    // f32: dA·(a(1−a)), the twins' order (src/backends/js/f32/activations.ts), so that the f32
    // build equals its twin bit for bit; f64 keeps its (dA·a)(1−a) (within 1e-12 of its twin).
    if (sizeof<real>() == 4) for (let i = 0; i < n; i++) { const y = ld(a + i); st(dz + i, ld(da + i) * (y * (1 - y))); }
    else for (let i = 0; i < n; i++) { const y = ld(a + i); st(dz + i, ld(da + i) * y * (1 - y)); }
  } else if (kind == TANH) {
    for (let i = 0; i < n; i++) { const y = ld(a + i); st(dz + i, ld(da + i) * (1 - y * y)); }
  } else if (kind == RELU) {
    positivePart(n, z, da, dz);
  } else if (kind == LEAKY_RELU) {
    leakyPart(n, z, da, dz);
  } else if (kind == ELU || kind == SELU || kind == SOFTPLUS || kind == SWISH || kind == GELU) {
    for (let i = 0; i < n; i++) st(dz + i, ld(da + i) * <real>derivativeOne(kind, ld(z + i), ld(a + i)));
  } else if (kind == LINEAR) {
    for (let i = 0; i < n; i++) st(dz + i, ld(da + i));
  } else unreachable();
}

/**
 * f(z) of one value, for the kinds whose formula lives only here: activate's loop for them, and the
 * per-shape modules' calls (src/backends/wasm/activation-emit.ts byCall). The older kinds are
 * inlined in both places instead; any other code traps.
 */
export function activationOne(kind: i32, z: f64): f64 {
  if (kind == ELU) return elu(z);
  if (kind == SELU) return selu(z);
  if (kind == SOFTPLUS) return softplus(z);
  if (kind == SWISH) return swish(z);
  if (kind == GELU) return gelu(z);
  unreachable();
  return 0;
}

/** f′(z) of one value from z and a = f(z), for the same kinds: activateBackward's factor (dZ = dA·f′). */
export function derivativeOne(kind: i32, z: f64, a: f64): f64 {
  if (kind == ELU) return eluPrime(z, a);
  if (kind == SELU) return seluPrime(z, a);
  if (kind == SOFTPLUS) return sigmoid(z);
  if (kind == SWISH) return swishPrime(z);
  if (kind == GELU) return geluPrime(z);
  unreachable();
  return 0;
}
