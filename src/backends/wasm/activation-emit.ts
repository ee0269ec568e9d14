// Each elementwise activation as Wasm code for the per-shape modules (unrolled-step.ts): the same
// operations, in the same order, as assembly/activations.ts in the f64 or the f32 build, so a
// generated step's bits equal the generic kernels' (test/specialize.test.ts and
// test/specialize-f32.test.ts check every kind of src/kinds/activations.ts).
// Keyed by name: a kind missing here does not compile.
import { Act, ACTIVATION_BY_CODE, LEAKY_SLOPE, type ElementwiseActivation } from '../../kinds/activations.js';
import { Body, op, F64, I32, type FuncImport } from './encode.js';

/** What a generated module imports from the main module, in this order (function indices 0…). */
export const IMPORTS: FuncImport[] = [
  { name: 'exp', params: [F64], results: [F64] },
  { name: 'tanh', params: [F64], results: [F64] },
  { name: 'activate', params: [I32, I32, I32, I32, I32], results: [] },
  { name: 'loss', params: [I32, I32, I32, I32, I32, I32], results: [F64] },
  { name: 'trainStep', params: [I32, I32], results: [F64] },
  { name: 'trainBatches', params: Array(9).fill(I32), results: [I32] },
  { name: 'step', params: [I32], results: [I32] },
  { name: 'keepStep', params: [I32], results: [] },
  { name: 'undoStep', params: [I32], results: [] },
  { name: 'paramsNonFinite', params: [I32], results: [I32] },
  { name: 'activationOne', params: [I32, F64], results: [F64] },
  { name: 'derivativeOne', params: [I32, F64, F64], results: [F64] },
];
export const [
  EXP,
  TANH,
  ACTIVATE,
  LOSS,
  TRAIN_STEP,
  TRAIN_BATCHES,
  STEP,
  KEEP_STEP,
  UNDO_STEP,
  PARAMS_NON_FINITE,
  ACTIVATION_ONE,
  DERIVATIVE_ONE,
] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

export interface ActivationEmitter {
  /** f(±0) has the same bits for +0 and −0, so Z may skip the generic sum's leading 0 (unrolled-step.ts). */
  signBlind: boolean;
  /** Pushes f(z) of local z (values of the element type f.real). */
  forward(f: Body, z: number): void;
  /** Pushes dA·f′(z) from locals da, z and a = f(z), as activateBackward computes it in the build of f.real. */
  derivative(f: Body, da: number, z: number, a: number): void;
}

/**
 * f(z) and dA·f′ by calls into the main module (activationOne, derivativeOne): the kernels' own
 * code, so the same bits. They take and return f64 in both builds; the f32 build rounds the result
 * once (`<real>`), and so does the f32 code here.
 */
const byCall = (code: number): ActivationEmitter => ({
  signBlind: false,
  forward: (f, z) => f.i32(code).get(z).toF64().call(ACTIVATION_ONE).fromF64(),
  derivative: (f, da, z, a) => f.get(da).i32(code).get(z).toF64().get(a).toF64().call(DERIVATIVE_ONE).fromF64().emit(f.real.mul),
});

export const EMITTERS: Record<ElementwiseActivation, ActivationEmitter> = {
  linear: { signBlind: false, forward: (f, z) => f.get(z), derivative: (f, da) => f.get(da) },
  sigmoid: {
    signBlind: true,
    // assembly/activations.ts sigmoid, inlined around the main module's exp (one call, not two):
    // z ≥ 0 ? 1/(1 + e^−z) : e^z/(1 + e^z), in f64 in both builds (the f32 build rounds σ once).
    forward(f, z) {
      const e = f.local(F64);
      if (f.real.type !== F64) {
        const wide = f.local(F64);
        f.get(z).toF64().set(wide);
        z = wide;
      }
      f.get(z).f64(0).emit(op.f64Ge, op.if, F64);
      f.f64(1).f64(1).get(z).emit(op.f64Neg).call(EXP).emit(op.f64Add, op.f64Div);
      f.emit(op.else).get(z).call(EXP).tee(e).f64(1).get(e).emit(op.f64Add, op.f64Div);
      f.emit(op.end).fromF64();
    },
    // f64: (dA·a)(1 − a); f32: dA·(a(1 − a)), the f32 build's order (assembly/activations.ts activateBackward).
    derivative(f, da, _z, a) {
      const real = f.real;
      if (real.type === F64) f.get(da).get(a).emit(real.mul).value(1).get(a).emit(real.sub, real.mul);
      else f.get(da).get(a).value(1).get(a).emit(real.sub, real.mul, real.mul);
    },
  },
  tanh: {
    signBlind: false,
    forward: (f, z) => f.get(z).toF64().call(TANH).fromF64(),
    derivative: (f, da, _z, a) => f.get(da).value(1).get(a).get(a).emit(f.real.mul, f.real.sub, f.real.mul),
  },
  relu: {
    signBlind: true,
    forward: (f, z) => f.get(z).value(0).get(z).value(0).emit(f.real.gt, op.select),
    derivative: (f, da, z) => f.get(da).value(0).get(z).value(0).emit(f.real.gt, op.select),
  },
  leakyRelu: {
    signBlind: false,
    forward: (f, z) => f.get(z).value(LEAKY_SLOPE).get(z).emit(f.real.mul).get(z).value(0).emit(f.real.gt, op.select),
    derivative: (f, da, z) => f.get(da).value(LEAKY_SLOPE).get(da).emit(f.real.mul).get(z).value(0).emit(f.real.gt, op.select),
  },
  elu: byCall(Act.elu),
  selu: byCall(Act.selu),
  softplus: byCall(Act.softplus),
  swish: byCall(Act.swish),
  gelu: byCall(Act.gelu),
};

/** The emitter of an elementwise code; an unknown code (or softmax) throws while generating, never emits another function. */
export function emitterOf(code: number): ActivationEmitter {
  const name = ACTIVATION_BY_CODE[code];
  if (name === undefined || name === 'softmax') throw new RangeError(`activation code ${code}: no elementwise emitter`);
  return EMITTERS[name];
}
