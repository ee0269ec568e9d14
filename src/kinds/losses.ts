// Every loss, optimizer and metric, described once: the codes the kernels take
// (assembly/kinds.generated.ts is written from these tables before asc runs), and what the rest of
// src/ derives from them — a loss's default output activation, whether its gradient is fused with
// that activation's, the metric reported beside it; an optimizer's state blocks.
import type { Activation } from './activations.js';

/** @internal */
export interface LossKindInfo {
  /** The number kernels take (assembly/losses.ts, src/backends/js/losses.ts). */
  code: number;
  /** The output activation it implies when a spec names none. */
  output: Activation;
  /** lossBackward yields dL/dZ of that output directly (from logits): the output must be that activation. */
  fused: boolean;
  /** Reported beside the loss. */
  metric: MetricName;
}

export const LOSS_KINDS = {
  halfSquaredError: { code: 0, output: 'linear', fused: false, metric: 'mae' },
  mse: { code: 1, output: 'linear', fused: false, metric: 'mae' },
  crossEntropy: { code: 2, output: 'softmax', fused: true, metric: 'categoricalAccuracy' },
  binaryCrossEntropy: { code: 3, output: 'sigmoid', fused: true, metric: 'binaryAccuracy' },
} as const satisfies Record<string, LossKindInfo>;
export type Loss = keyof typeof LOSS_KINDS;
export const LOSSES = Object.keys(LOSS_KINDS) as Loss[];

/** @internal */
export interface OptimizerKindInfo {
  /** The number the plan holds (assembly/network.ts optimize(), src/passes.ts step()). */
  code: number;
  /** Blocks of optimizer state, each the size of the parameter block. */
  stateBlocks: number;
}

export const OPTIMIZER_KINDS = {
  sgd: { code: 0, stateBlocks: 1 }, // velocity (unused at momentum 0)
  adam: { code: 1, stateBlocks: 2 }, // first and second moments
  adamw: { code: 2, stateBlocks: 2 },
  rmsprop: { code: 3, stateBlocks: 1 }, // the running mean of g²
  adagrad: { code: 4, stateBlocks: 1 }, // the sum of g²
} as const satisfies Record<string, OptimizerKindInfo>;
export type OptimizerName = keyof typeof OPTIMIZER_KINDS;
export const OPTIMIZERS = Object.keys(OPTIMIZER_KINDS) as OptimizerName[];

/** Batch metrics (assembly/metrics.ts): a sum over the batch, averaged by the caller. */
export const METRIC_KINDS = {
  none: { code: 0 },
  categoricalAccuracy: { code: 1 }, // rows whose argmax matches
  binaryAccuracy: { code: 2 }, // outputs on the right side of 0.5
  mae: { code: 3 }, // Σ|a − y|
} as const satisfies Record<string, { code: number }>;
export type MetricName = keyof typeof METRIC_KINDS;

type Codes<T extends Record<string, { code: number }>> = { readonly [K in keyof T]: T[K]['code'] };
const codesOf = <T extends Record<string, { code: number }>>(table: T): Codes<T> =>
  Object.freeze(Object.fromEntries(Object.entries(table).map(([name, kind]) => [name, kind.code]))) as Codes<T>;

export const LossKind = codesOf(LOSS_KINDS);
export const Opt = codesOf(OPTIMIZER_KINDS);
export const Metric = codesOf(METRIC_KINDS);

const LOSS_BY_CODE = LOSSES.slice().sort((a, b) => LOSS_KINDS[a].code - LOSS_KINDS[b].code);

/** True when lossBackward yields dL/dZ of the output layer directly (the fused pairs). */
export function fusedWithOutput(code: number): boolean {
  const name = LOSS_BY_CODE[code];
  return name !== undefined && LOSS_KINDS[name].fused;
}

/** The metric code reported beside a loss: accuracy for classification, MAE for regression. */
export const metricFor = (loss: Loss): number => Metric[LOSS_KINDS[loss].metric];

/** Optimizer state blocks (each the size of the parameter block). */
export const stateBlocks = (o: OptimizerName): number => OPTIMIZER_KINDS[o].stateBlocks;
