// What the page and the training worker say to each other.
export type BackendName = 'wasm' | 'js';

export type ToWorker =
  | { type: 'init'; url: string; backend: BackendName }
  | { type: 'start'; epochs: number }
  | { type: 'stop' }
  | { type: 'backend'; backend: BackendName }
  | { type: 'predict'; id: number; pixels: Float64Array };

export type FromWorker =
  | { type: 'ready'; trainCount: number; testCount: number; backend: BackendName; params: number }
  | { type: 'progress'; seen: number; epoch: number; epochs: number; fraction: number; loss: number; sliceLoss: number; rate: number; backend: BackendName }
  | { type: 'accuracy'; seen: number; accuracy: number }
  | { type: 'backend'; backend: BackendName }
  | { type: 'done'; stopped: boolean }
  | { type: 'prediction'; id: number; probabilities: Float64Array }
  | { type: 'error'; message: string };
