// Names users write ↔ the numbers kernels take, one table per kind: activations in
// kinds/activations.ts, losses in kinds/losses.ts, optimizers in kinds/optimizers.ts, metrics in
// kinds/metrics.ts (assembly/kinds.generated.ts is written from them before asc runs).
export { ACTIVATIONS, Act, LEAKY_SLOPE, type Activation } from './kinds/activations.js';
export { LOSSES, LossKind, fusedWithOutput, metricFor, reportedMetric, type Loss } from './kinds/losses.js';
export { OPTIMIZERS, Opt, stateBlocks, type OptimizerName } from './kinds/optimizers.js';
export { METRIC_KINDS, Metric, type MetricName } from './kinds/metrics.js';
