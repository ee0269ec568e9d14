// What the page and the training worker say to each other.
export type BackendName = 'wasm' | 'js';

export type ToWorker =
  | { type: 'init'; url: string; backend: BackendName }
  /** Trains `epochs` more epochs (Infinity: until stopped); `fresh` starts from new weights. */
  | { type: 'start'; epochs: number; fresh: boolean; threads: boolean }
  | { type: 'stop' }
  | { type: 'backend'; backend: BackendName }
  | { type: 'predict'; id: number; pixels: Float64Array }
  | { type: 'save' }
  | { type: 'load'; model: string }
  /** Keep the network in this browser's IndexedDB (net.save('indexeddb://…')), or bring it back. */
  | { type: 'keep' }
  | { type: 'restore' };

/** A full pass over the test digits. */
export interface Evaluation {
  accuracy: number;
  /** confusion[true * 10 + predicted] = count */
  confusion: number[];
  /** Misclassified test digits (up to 32): pixels 0–255, the true and the predicted label. */
  mistakes: { pixels: Uint8Array; label: number; predicted: number }[];
  mistakeCount: number;
}

export type FromWorker =
  | { type: 'ready'; trainCount: number; testCount: number; backend: BackendName; params: number; threadsAvailable: boolean }
  | {
      type: 'progress';
      seen: number;
      epoch: number;
      fraction: number;
      sliceLoss: number;
      rate: number;
      backend: BackendName;
      threads: number;
    }
  | { type: 'accuracy'; seen: number; accuracy: number }
  | { type: 'evaluation'; seen: number; evaluation: Evaluation }
  | { type: 'backend'; backend: BackendName }
  | { type: 'done'; stopped: boolean }
  | { type: 'prediction'; id: number; probabilities: Float64Array }
  | { type: 'saved'; model: string }
  | { type: 'loaded'; seen: number | null }
  | { type: 'kept' }
  | { type: 'error'; message: string };
