// Every optimizer, described once: the code the plan holds (assembly/kinds.generated.ts is written
// from this table before asc runs), the hyper-parameters a spec may give it with their defaults,
// how each is checked and which plan field carries it to the kernels, its state blocks and its
// update formula. Validation (src/spec.ts), the plan (src/core.ts), saved models, README's table
// and the tests read this table; adding an optimizer starts here (CONTRIBUTING.md).
import type { ResolvedOptimizer } from '../spec.js';
import type { PLAN_FIELD } from '../plan.js';

/** A field of the plan header (src/plan.ts). @internal */
export type PlanField = keyof typeof PLAN_FIELD;

/**
 * How a hyper-parameter is checked: `positive` a finite number > 0, `fraction` one in [0, 1),
 * `nonNegative` one ≥ 0, `flag` true or false. @internal
 */
export type HyperCheck = 'positive' | 'fraction' | 'nonNegative' | 'flag';

/**
 * Every hyper-parameter an optimizer may take, in the order of the resolved optimizer's fields:
 * how it is checked, and the plan field that carries it to the kernels (momentum, β1 and ρ are
 * the one decay rate each optimizer has: they share a field). @internal
 */
export const HYPER_PARAMETERS = {
  learningRate: { check: 'positive', plan: 'lr' },
  momentum: { check: 'fraction', plan: 'decay1' },
  nesterov: { check: 'flag', plan: 'nesterov' },
  beta1: { check: 'fraction', plan: 'decay1' },
  beta2: { check: 'fraction', plan: 'decay2' },
  rho: { check: 'fraction', plan: 'decay1' },
  epsilon: { check: 'positive', plan: 'eps' },
  weightDecay: { check: 'nonNegative', plan: 'weightDecay' },
} as const satisfies Record<string, { check: HyperCheck; plan: PlanField }>;
/** @internal */
export type HyperParameter = keyof typeof HYPER_PARAMETERS;

/** @internal */
export interface OptimizerKind {
  /** The number the plan holds (assembly/network.ts optimize(), src/passes.ts step()). */
  code: number;
  /** Blocks of optimizer state, each the size of the parameter block. */
  stateBlocks: number;
  /** The hyper-parameters a spec may give it, in the order a saved spec lists them, with their defaults. */
  defaults: Partial<Record<HyperParameter, number | boolean>>;
  /** Its update, as README's optimizer table shows it (g the gradient, η the learning rate). */
  doc: string;
}

/** Every optimizer's name (the table below must have exactly these keys: `satisfies` checks it). */
export type OptimizerName = 'sgd' | 'adam' | 'adamw' | 'rmsprop' | 'adagrad';

/** @internal */
export const OPTIMIZER_KINDS = {
  sgd: {
    code: 0,
    stateBlocks: 1, // velocity (unused at momentum 0)
    defaults: { learningRate: 0.01, momentum: 0, nesterov: false },
    doc: 'w ← w − ηg; with momentum μ: v ← μv + g, w ← w − ηv (Nesterov: w ← w − η(g + μv))',
  },
  adam: {
    code: 1,
    stateBlocks: 2, // first and second moments
    defaults: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    doc: 'm ← β1m + (1−β1)g, v ← β2v + (1−β2)g², w ← w − η·m̂/(√v̂ + ε)',
  },
  adamw: {
    code: 2,
    stateBlocks: 2,
    defaults: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 },
    doc: 'Adam with decoupled weight decay λ: w ← w − η(m̂/(√v̂ + ε) + λw)',
  },
  rmsprop: {
    code: 3,
    stateBlocks: 1, // the running mean of g²
    defaults: { learningRate: 0.001, rho: 0.9, epsilon: 1e-8 },
    doc: 's ← ρs + (1−ρ)g², w ← w − ηg/(√s + ε)',
  },
  adagrad: {
    code: 4,
    stateBlocks: 1, // the sum of g²
    defaults: { learningRate: 0.01, epsilon: 1e-10 },
    doc: 's ← s + g², w ← w − ηg/(√s + ε)',
  },
} as const satisfies Record<OptimizerName, OptimizerKind>;
export const OPTIMIZERS = Object.keys(OPTIMIZER_KINDS) as OptimizerName[];
/** The optimizer with each code: OPTIMIZER_BY_CODE[kind.code] = its name. @internal */
export const OPTIMIZER_BY_CODE: readonly OptimizerName[] = OPTIMIZERS.reduce<OptimizerName[]>((list, name) => {
  list[OPTIMIZER_KINDS[name].code] = name;
  return list;
}, []);
/** name → code, for plans. */
export const Opt = Object.fromEntries(OPTIMIZERS.map((name) => [name, OPTIMIZER_KINDS[name].code])) as Readonly<
  Record<OptimizerName, number>
>;

/** The hyper-parameters an optimizer takes, in its table order. @internal */
export const hyperParametersOf = (name: OptimizerName): HyperParameter[] => Object.keys(OPTIMIZER_KINDS[name].defaults) as HyperParameter[];

/** Optimizer state blocks (each the size of the parameter block). */
export const stateBlocks = (name: OptimizerName): number => OPTIMIZER_KINDS[name].stateBlocks;

/**
 * The plan fields an optimizer's hyper-parameters are written to, with their values (a flag as
 * 1 or 0). Fields it does not take stay 0 (the plan header is cleared before it is written). @internal
 */
export function planFieldsOf(o: ResolvedOptimizer): [PlanField, number][] {
  return hyperParametersOf(o.type).map((key) => [HYPER_PARAMETERS[key].plan, Number(o[key])]);
}
