// Every loss, described once: the code the kernels take (assembly/kinds.generated.ts is written
// from this table before asc runs), and what the rest of src/ derives from it — the output
// activation it implies, whether its gradient is fused with that activation's, what its targets
// and output must be, the metric reported beside it, and its formula (README's loss table).
// Optimizers are described in optimizers.ts, metrics in metrics.ts.
import type { Activation } from './activations.js';
import { Metric, METRIC_KINDS, type MetricName, type ReportedMetric } from './metrics.js';

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
  /** The fewest output units it is defined for. */
  minOutputs: number;
  /** Every target row must be a probability distribution (≥ 0, summing to 1 within 1e-9). */
  distributionTargets: boolean;
  /** Its value for one batch, as README's loss table shows it (ŷ the output, y the target). */
  doc: string;
}

/** Every loss's name (the table below must have exactly these keys: `satisfies` checks it). */
export type Loss = 'halfSquaredError' | 'mse' | 'crossEntropy' | 'binaryCrossEntropy';

/** @internal */
export const LOSS_KINDS = {
  halfSquaredError: {
    code: 0,
    output: 'linear',
    fused: false,
    metric: 'mae',
    minOutputs: 1,
    distributionTargets: false,
    doc: '½Σ_outputs (y − ŷ)², averaged over the rows (the seed’s)',
  },
  mse: {
    code: 1,
    output: 'linear',
    fused: false,
    metric: 'mae',
    minOutputs: 1,
    distributionTargets: false,
    doc: '(y − ŷ)² averaged over rows and outputs (as Keras)',
  },
  crossEntropy: {
    code: 2,
    output: 'softmax',
    fused: true,
    metric: 'categoricalAccuracy',
    minOutputs: 2,
    distributionTargets: true,
    doc: '−Σ_outputs y·log softmax(z), averaged over the rows; from logits',
  },
  binaryCrossEntropy: {
    code: 3,
    output: 'sigmoid',
    fused: true,
    metric: 'binaryAccuracy',
    minOutputs: 1,
    distributionTargets: false,
    doc: 'max(z, 0) − z·y + log1p(e^−|z|) (= −y log σ(z) − (1−y) log(1−σ(z))), averaged over rows and outputs; from logits',
  },
} as const satisfies Record<Loss, LossKindInfo>;
export const LOSSES = Object.keys(LOSS_KINDS) as Loss[];
/** The loss with each code: LOSS_BY_CODE[kind.code] = its name. @internal */
export const LOSS_BY_CODE: readonly Loss[] = LOSSES.reduce<Loss[]>((list, name) => {
  list[LOSS_KINDS[name].code] = name;
  return list;
}, []);
/** name → code, for plans and per-shape modules. */
export const LossKind = Object.fromEntries(LOSSES.map((name) => [name, LOSS_KINDS[name].code])) as Readonly<Record<Loss, number>>;

/** True when lossBackward yields dL/dZ of the output layer directly (the fused pairs). */
export function fusedWithOutput(code: number): boolean {
  const name = LOSS_BY_CODE[code];
  return name !== undefined && LOSS_KINDS[name].fused;
}

/** The metric code reported beside a loss: accuracy for classification, MAE for regression. */
export const metricFor = (loss: Loss): number => Metric[LOSS_KINDS[loss].metric];

/** The name the metric beside a loss is reported under ('accuracy' or 'mae'). */
export const reportedMetric = (loss: Loss): ReportedMetric => METRIC_KINDS[LOSS_KINDS[loss].metric].reported;
