// The write-up's worked example (shared/seed/): a 2-2-1 sigmoid network without biases and its
// weights; loss ½(y − ŷ)², learning rate 1. (The tests keep the sample x = [0.35, 0.9], y = 0.5
// beside their own derivations.)
import { Network } from '../../src/index.js';

const SEED_W0 = [
  [0.1, 0.8],
  [0.4, 0.6],
];
const SEED_W1 = [[0.3, 0.9]];

export async function seedNet(backend: 'wasm' | 'js'): Promise<Network> {
  const net = await Network.create({
    inputs: 2,
    layers: [
      { units: 2, activation: 'sigmoid', bias: false },
      { units: 1, activation: 'sigmoid', bias: false },
    ],
    loss: 'halfSquaredError',
    optimizer: { type: 'sgd', learningRate: 1 },
    backend,
  });
  net.setWeights([{ weights: SEED_W0 }, { weights: SEED_W1 }]);
  return net;
}
