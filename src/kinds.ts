// Names users write ↔ the numbers kernels take, one table per kind: activations in
// kinds/activations.ts, losses, optimizers and metrics in kinds/losses.ts
// (assembly/kinds.generated.ts is written from both before asc runs).
export { ACTIVATIONS, Act, LEAKY_SLOPE, type Activation } from './kinds/activations.js';
export { LOSSES, LOSS_KINDS, LossKind, OPTIMIZERS, OPTIMIZER_KINDS, Opt, METRIC_KINDS, Metric, fusedWithOutput, metricFor, stateBlocks, type Loss, type OptimizerName, type MetricName } from './kinds/losses.js';
