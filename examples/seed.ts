// The seed write-up's worked example: a 2-2-1 sigmoid network, x = [0.35, 0.9], y = 0.5,
// no biases, loss ½(y−ŷ)², learning rate 1 — trained with correct gradients.
// Run: npx tsx examples/seed.ts
import { Network } from 'backprop-wasm';

const x = [0.35, 0.9];
const y = [0.5];

const net = await Network.create({
  inputs: 2,
  layers: [
    { units: 2, activation: 'sigmoid', bias: false },
    { units: 1, activation: 'sigmoid', bias: false },
  ],
  loss: 'halfSquaredError',
  optimizer: { type: 'sgd', learningRate: 1 },
});
net.setWeights([
  {
    weights: [
      [0.1, 0.8],
      [0.4, 0.6],
    ],
  },
  { weights: [[0.3, 0.9]] },
]);

console.log(`backend: ${net.backend}`);
console.log(`output before training: ${net.predict(x)[0]}`);
console.log(`loss before training:   ${net.loss(x, y)}`);
net.trainStep(x, y);
console.log(`loss after 1 step:      ${net.loss(x, y)}`);
for (let i = 1; i < 100; i++) net.trainStep(x, y);
console.log(`loss after 100 steps:   ${net.loss(x, y)}`);
console.log(`output after 100 steps: ${net.predict(x)[0]}`);
console.log('weights:', JSON.stringify(net.getWeights()));
