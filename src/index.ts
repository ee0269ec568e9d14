export { Network, type LayerWeights, type CreateOptions } from './network.js';
export { BackpropError, type ErrorCode } from './errors.js';
export type { NetworkSpec, LayerSpec, OptimizerSpec, SgdSpec, AdamSpec, RmspropSpec, AdagradSpec, BackendChoice } from './spec.js';
export type { FitData, FitOptions, Logs, History, Callback, Control, Schedule } from './fit-options.js';
export { earlyStopping, type EarlyStoppingOptions } from './callbacks.js';
export type { Metrics } from './evaluate.js';
export type { ModelJSON } from './serialize.js';
export type { Activation, Loss, OptimizerName } from './kinds.js';
/** Every activation, loss and optimizer name the library accepts (for menus and validation). */
export { ACTIVATIONS, LOSSES, OPTIMIZERS } from './kinds.js';
export type { Trace, LayerTrace } from './trace.js';
export type { WasmSource } from './backends/wasm/loader.js';
export { simdSupported } from './backends/wasm/loader.js';
export { toONNX, fromONNX, type ImportOptions } from './exchange/onnx.js';
export { toTFJS, toTFJSFiles, fromTFJS, type TFJSArtifacts, type TFJSFiles } from './exchange/tfjs.js';
