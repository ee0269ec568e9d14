export { Network, type LayerWeights, type CreateOptions } from './network.js';
export { BackpropError, type ErrorCode } from './errors.js';
export type { NetworkSpec, LayerSpec, OptimizerSpec, SgdSpec, BackendChoice } from './spec.js';
export type { FitData, FitOptions, EpochLogs, History } from './fit-options.js';
export type { ModelJSON } from './serialize.js';
export type { Activation, Loss } from './kinds.js';
export type { WasmSource } from './backends/wasm/loader.js';
export { simdSupported } from './backends/wasm/loader.js';
