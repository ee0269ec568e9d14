// XOR with a tiny tanh network. Run: npx tsx examples/xor.ts
import { Network } from 'backprop-wasm';

const inputs = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const targets = [[0], [1], [1], [0]];

const net = await Network.create({
  inputs: 2,
  layers: [
    { units: 8, activation: 'tanh' },
    { units: 1, activation: 'sigmoid' },
  ],
  loss: 'binaryCrossEntropy',
  optimizer: { type: 'sgd', learningRate: 0.5, momentum: 0.9 },
  seed: 3,
});
const { loss } = await net.fit({ inputs, targets }, { epochs: 500, batchSize: 4 });
console.log(`backend ${net.backend}; loss ${loss[0].toFixed(4)} → ${loss[loss.length - 1].toFixed(6)}`);
for (const x of inputs) console.log(`${x} → ${net.predict(x)[0].toFixed(4)}`);
