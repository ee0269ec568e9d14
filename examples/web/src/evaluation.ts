// Scoring on the test digits (page code over net.predict): accuracy, the confusion matrix and
// the misclassified digits.
import type { Network } from '../../../src/index.js';
import type { Evaluation } from './messages.js';

const PIXELS = 784,
  CLASSES = 10,
  MAX_MISTAKES = 32;

function argmax(scores: Float64Array, row: number): number {
  let best = 0;
  for (let c = 1; c < CLASSES; c++) if (scores[row * CLASSES + c] > scores[row * CLASSES + best]) best = c;
  return best;
}

export function accuracyOn(net: Network, x: Float64Array, labels: Uint8Array): number {
  const scores = net.predict(x, labels.length);
  let right = 0;
  for (let r = 0; r < labels.length; r++) if (argmax(scores, r) === labels[r]) right++;
  return right / labels.length;
}

export function evaluate(net: Network, x: Float64Array, labels: Uint8Array): Evaluation {
  const scores = net.predict(x, labels.length);
  const confusion = new Array<number>(CLASSES * CLASSES).fill(0);
  const mistakes: Evaluation['mistakes'] = [];
  let right = 0,
    wrong = 0;
  for (let r = 0; r < labels.length; r++) {
    const p = argmax(scores, r);
    confusion[labels[r] * CLASSES + p]++;
    if (p === labels[r]) right++;
    else {
      wrong++;
      if (mistakes.length < MAX_MISTAKES)
        mistakes.push({
          pixels: Uint8Array.from(x.subarray(r * PIXELS, (r + 1) * PIXELS), (v) => Math.round(v * 255)),
          label: labels[r],
          predicted: p,
        });
    }
  }
  return { accuracy: right / labels.length, confusion, mistakes, mistakeCount: wrong };
}
