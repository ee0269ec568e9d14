export { Network, type CreateOptions } from './network.js';
export type { LayerWeights } from './layer-weights.js';
export { BackpropError, type ErrorCode } from './errors.js';
export type {
  NetworkSpec,
  LayerSpec,
  OptimizerSpec,
  SgdSpec,
  AdamSpec,
  AdamWSpec,
  RmspropSpec,
  AdagradSpec,
  BackendChoice,
  Spec,
  Layer,
  Optimizer,
  DeepReadonly,
} from './spec.js';
export type { FitData, FitOptions, Logs, History, Callback, Control, Schedule } from './fit-options.js';
export { earlyStopping, type EarlyStoppingOptions } from './callbacks.js';
export type { Metrics } from './evaluate.js';
export type { ModelJSON } from './serialize.js';
export type { ModelLocation, SaveResult } from './io/save-load.js';
export type { Activation, Loss, OptimizerName } from './kinds.js';
export { ACTIVATIONS, LOSSES, OPTIMIZERS } from './names.js';
export type { Trace, LayerTrace } from './trace.js';
export type { WasmSource } from './backends/wasm/loader.js';
export { simdSupported } from './backends/wasm/loader.js';
export { toONNX, fromONNX, toTFJS, toTFJSFiles, fromTFJS } from './exchange/public.js';
export type { ImportOptions } from './exchange/build.js';
export type { TFJSArtifacts, TFJSFiles } from './exchange/tfjs.js';
export { Dataset, type DatasetOptions, type CsvOptions, type SplitOptions } from './dataset/dataset.js';
export type { DatasetSpec, DatasetFitOptions, Report } from './dataset/use.js';
export type { ClassificationReport, RegressionReport } from './dataset/report.js';
export type { PreprocessingJSON, Feature, Missing, Task } from './dataset/preprocessing.js';
export type { ColumnKind } from './dataset/columns.js';
export type { WeightOptions, ClassWeights } from './weights.js';
