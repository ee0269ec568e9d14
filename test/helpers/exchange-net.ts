// The network both exchange tests export: every hidden activation, the given output, some layers
// without bias, and nonzero random biases (so that a dropped bias or a transposed weight shows).
import { Network, type LayerWeights } from '../../src/index.js';
import { ACTIVATIONS, type Activation } from '../../src/kinds/activations.js';
import { Rng } from '../../src/rng.js';
import { randomRows } from './random.js';

/** Every activation of the table (src/kinds/activations.ts), each tested as the output. */
export const ACTS: Activation[] = ACTIVATIONS;

export async function randomNet(out: Activation, seed: number, backend: 'js' | 'wasm' | 'auto' = 'js'): Promise<Network> {
  const net = await Network.create(
    {
      inputs: 5,
      layers: [
        { units: 7, activation: 'sigmoid' },
        { units: 6, activation: 'tanh', bias: false },
        { units: 8, activation: 'relu' },
        { units: 6, activation: 'leakyRelu' },
        { units: 5, activation: 'linear', bias: false },
        { units: 4, activation: out, bias: seed % 2 === 0 },
      ],
      loss: out === 'softmax' ? 'crossEntropy' : 'mse',
      optimizer: { type: 'sgd', learningRate: 0.05, momentum: 0.9 },
      seed,
    },
    { backend },
  );
  const rng = new Rng(seed * 7919);
  net.setWeights(
    net.spec.layers.map((l): LayerWeights => ({
      weights: randomRows(rng, l.units, l.inputs, 1.5),
      ...(l.bias ? { bias: randomRows(rng, 1, l.units, 0.5)[0] } : {}),
    })),
  );
  return net;
}
