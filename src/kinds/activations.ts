// Every activation, described once. Validation (src/spec.ts), initialization (src/init.ts), the
// kernels' codes (assembly/kinds.generated.ts is written from this table before asc runs), the
// per-shape modules (src/backends/wasm/activation-emit.ts), ONNX and TF.js (src/exchange/), the
// summary, the names list and the tests all read this table; adding an activation starts here.

/** How a layer's initial weights are drawn (src/init.ts): U(±√(6/in)), U(±√(3/in)) or U(±√(6/(in+out))). @internal */
export type InitScheme = 'he' | 'lecun' | 'glorot';

/**
 * An activation's ONNX form, as nodes after the layer's Gemm: each input is 'x' (the layer's
 * pre-activation Z), '#k' (the output of node k of this list) or a number (a double scalar
 * initializer); the last node's output is the layer's output. Empty: no node (linear). @internal
 */
export interface OnnxNode {
  op: string;
  inputs: (string | number)[];
  ints?: Record<string, number>;
}

/** @internal */
export interface ActivationKind {
  /** The number kernels take (assembly/activations.ts, src/backends/js/activations.ts). */
  code: number;
  init: InitScheme;
  /** False for softmax (per row); elementwise kinds may sit on any layer. */
  elementwise: boolean;
  onnx: OnnxNode[];
  /** TF.js Layers: a Dense `activation` string, a layer after a linear Dense, or null (export refused). */
  tfjs: { activation: string } | { layer: string; config: Record<string, number> } | null;
  /** f(z), as README's activation table shows it. */
  doc: string;
}

/** leakyRelu's slope for z ≤ 0. */
export const LEAKY_SLOPE = 0.01;
/** selu's α and λ (Klambauer et al. 2017): the fixed point mean 0, variance 1. @internal */
export const SELU_ALPHA = 1.6732632423543772;
/** @internal */
export const SELU_SCALE = 1.0507009873554805;
/** λα, selu's value as z → −∞. @internal */
export const SELU_SCALE_ALPHA = SELU_SCALE * SELU_ALPHA;

/** Every activation's name (the table below must have exactly these keys: `satisfies` checks it). */
export type Activation = 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'elu' | 'selu' | 'softplus' | 'swish' | 'gelu' | 'softmax';

/** @internal */
export const ACTIVATION_KINDS = {
  linear: { code: 0, init: 'glorot', elementwise: true, onnx: [], tfjs: { activation: 'linear' }, doc: 'z' },
  sigmoid: {
    code: 1,
    init: 'glorot',
    elementwise: true,
    onnx: [{ op: 'Sigmoid', inputs: ['x'] }],
    tfjs: { activation: 'sigmoid' },
    doc: '1/(1+e^−z)',
  },
  tanh: { code: 2, init: 'glorot', elementwise: true, onnx: [{ op: 'Tanh', inputs: ['x'] }], tfjs: { activation: 'tanh' }, doc: 'tanh z' },
  relu: { code: 3, init: 'he', elementwise: true, onnx: [{ op: 'Relu', inputs: ['x'] }], tfjs: { activation: 'relu' }, doc: 'max(z, 0)' },
  leakyRelu: {
    code: 4,
    init: 'he',
    elementwise: true,
    // PRelu takes its slope as a double tensor; LeakyRelu's float32 alpha would not give predict()'s bits.
    onnx: [{ op: 'PRelu', inputs: ['x', LEAKY_SLOPE] }],
    tfjs: { layer: 'LeakyReLU', config: { alpha: LEAKY_SLOPE } },
    doc: `z for z > 0, ${LEAKY_SLOPE}·z otherwise`,
  },
  // He init for elu, softplus, swish and gelu: near 0 and above they follow relu (slope ½–1), so
  // relu's variance 2/in keeps the activations' scale; selu takes LeCun's 1/in, which its
  // self-normalizing fixed point (mean 0, variance 1) assumes. f′ for each: assembly/activations.ts.
  elu: {
    code: 6,
    init: 'he',
    elementwise: true,
    onnx: [{ op: 'Elu', inputs: ['x'] }], // alpha defaults to 1.0
    tfjs: { activation: 'elu' },
    doc: 'z for z > 0, e^z − 1 otherwise (α = 1)',
  },
  selu: {
    code: 7,
    init: 'lecun',
    elementwise: true,
    // λ·relu(x) + λα·(elu(x) − relu(x)): selu's bits with double constants (Selu's α, λ are float32 attributes).
    onnx: [
      { op: 'Relu', inputs: ['x'] },
      { op: 'Elu', inputs: ['x'] },
      { op: 'Sub', inputs: ['#1', '#0'] },
      { op: 'Mul', inputs: ['#0', SELU_SCALE] },
      { op: 'Mul', inputs: ['#2', SELU_SCALE_ALPHA] },
      { op: 'Add', inputs: ['#3', '#4'] },
    ],
    tfjs: { activation: 'selu' },
    doc: 'λz for z > 0, λα(e^z − 1) otherwise (α ≈ 1.6733, λ ≈ 1.0507)',
  },
  softplus: {
    code: 8,
    init: 'he',
    elementwise: true,
    onnx: [{ op: 'Softplus', inputs: ['x'] }],
    tfjs: { activation: 'softplus' },
    doc: 'ln(1 + e^z), exact for every z (no switch to linear)',
  },
  swish: {
    code: 9,
    init: 'he',
    elementwise: true,
    onnx: [
      { op: 'Sigmoid', inputs: ['x'] },
      { op: 'Mul', inputs: ['x', '#0'] },
    ],
    tfjs: { activation: 'swish' },
    doc: 'z·σ(z) (SiLU)',
  },
  gelu: {
    code: 10,
    init: 'he',
    elementwise: true,
    onnx: [
      { op: 'Mul', inputs: ['x', Math.SQRT1_2] },
      { op: 'Erf', inputs: ['#0'] },
      { op: 'Add', inputs: ['#1', 1] },
      { op: 'Mul', inputs: ['x', 0.5] },
      { op: 'Mul', inputs: ['#3', '#2'] },
    ],
    tfjs: { activation: 'gelu' },
    doc: '½z(1 + erf(z/√2)), the exact form',
  },
  softmax: {
    code: 5,
    init: 'glorot',
    elementwise: false,
    onnx: [{ op: 'Softmax', inputs: ['x'], ints: { axis: -1 } }],
    tfjs: { activation: 'softmax' },
    doc: 'e^z_i / Σ_j e^z_j per row (output layer only)',
  },
} as const satisfies Record<Activation, ActivationKind>;

/** Every activation, in table order (the hidden kinds, then softmax). */
export const ACTIVATIONS = Object.keys(ACTIVATION_KINDS) as Activation[];
/** The activation with each code: ACTIVATION_BY_CODE[kind.code] = its name. @internal */
export const ACTIVATION_BY_CODE: readonly Activation[] = ACTIVATIONS.reduce<Activation[]>((list, name) => {
  list[ACTIVATION_KINDS[name].code] = name;
  return list;
}, []);
/** name → code, for plans and per-shape modules. */
export const Act = Object.fromEntries(ACTIVATIONS.map((name) => [name, ACTIVATION_KINDS[name].code])) as Readonly<
  Record<Activation, number>
>;
/** The kinds applied element by element (all but softmax). @internal */
export type ElementwiseActivation = { [K in Activation]: (typeof ACTIVATION_KINDS)[K]['elementwise'] extends true ? K : never }[Activation];
/** The elementwise kinds, in table order (the hidden-layer choices). @internal */
export const ELEMENTWISE_ACTIVATIONS = ACTIVATIONS.filter((name): name is ElementwiseActivation => ACTIVATION_KINDS[name].elementwise);
