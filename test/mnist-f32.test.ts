// f32 training reaches the f64 network's MNIST accuracy: the 784-128-10 network from the same seed
// (the f32 network starts from the f64 draws rounded to f32), trained on the same 8,000 digits in
// the same order, evaluated on the same 2,000 held-out digits, after 1 and after 5 epochs: within
// 0.5 percentage points (10 digits). Adam (the MNIST test's optimizer) and SGD 0.1 (the bench's).
import { describe, it, expect } from 'vitest';
import { Network } from '../src/index.js';
import { loadMnist, PIXELS, CLASSES } from '../bench/mnist.js';
import { enableF32 } from '../src/f32.js';

enableF32();

/** Accuracy from predict and the raw labels (independent of the metric kernel). */
function accuracy(net: Network, x: Float64Array, labels: Uint8Array, rows: number): number {
  const p = net.predict(x, rows);
  let right = 0;
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < CLASSES; c++) if (p[r * CLASSES + c] > p[r * CLASSES + best]) best = c;
    if (best === labels[r]) right++;
  }
  return right / rows;
}

describe('MNIST in f32', () => {
  const d = loadMnist(8000, 2000);
  it.each([
    ['adam', { type: 'adam', learningRate: 0.001 }],
    ['sgd', { type: 'sgd', learningRate: 0.1 }],
  ] as const)('784-128-10, %s: f32 within 0.5 points of f64 after 1 and after 5 epochs', async (_name, optimizer) => {
    const make = (precision: 'f32' | 'f64') =>
      Network.create({
        inputs: PIXELS,
        layers: [
          { units: 128, activation: 'relu' },
          { units: CLASSES, activation: 'softmax' },
        ],
        loss: 'crossEntropy',
        optimizer,
        seed: 1,
        precision,
      });
    const [f64, f32] = [await make('f64'), await make('f32')];
    const train = { inputs: d.trainX, targets: d.trainY };
    const seen: string[] = [];
    for (const epochs of [1, 4]) {
      const [h64, h32] = [await f64.fit(train, { epochs, batchSize: 32 }), await f32.fit(train, { epochs, batchSize: 32 })];
      const [a64, a32] = [accuracy(f64, d.testX, d.testLabels, d.testCount), accuracy(f32, d.testX, d.testLabels, d.testCount)];
      seen.push(`after ${epochs === 1 ? 1 : 5}: f64 ${a64}, f32 ${a32}, last epoch's loss ${h64.loss.at(-1)} / ${h32.loss.at(-1)}`);
      expect(Math.abs(a32 - a64), seen.join('; ')).toBeLessThanOrEqual(0.005);
      expect(a32).toBeGreaterThan(0.85); // both learn: not two equally broken networks
      expect(f32.evaluate({ inputs: d.testX, targets: d.testY }).accuracy).toBe(a32);
    }
    console.log(`MNIST ${_name}: ${seen.join('; ')}`);
  });
});
