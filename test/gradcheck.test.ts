// Central finite differences for every activation × loss pair, both backends, with and without
// bias, batch 1 and batch > 1 — and a negative control that must fail.
import { describe, it, expect } from 'vitest';
import { Network, type Activation, type Loss } from '../src/index.js';
import { Rng } from '../src/rng.js';
import { ACTIVATIONS, ELEMENTWISE_ACTIVATIONS } from '../src/kinds/activations.js';
import { LOSSES, LOSS_KINDS } from '../src/kinds/losses.js';
import { gradCheckError } from './helpers/gradcheck.js';
import { randomRows, randomTargets } from './helpers/random.js';

// Every kind of the activation table (src/kinds/activations.ts): a new activation is checked here unlisted.
const HIDDEN: Activation[] = ELEMENTWISE_ACTIVATIONS;
// Every loss of its table (src/kinds/losses.ts): a fused one with its own output, the others with every activation.
const OUTPUTS = Object.fromEntries(
  LOSSES.map((loss) => [loss, LOSS_KINDS[loss].fused ? [LOSS_KINDS[loss].output] : ACTIVATIONS]),
) as Record<Loss, Activation[]>;
const TOLERANCE = 1e-6; // relative; central differences with h = 1e-5 are good to ~1e-9 here

const cases: [string, Activation, Activation, Loss][] = [];
for (const loss of Object.keys(OUTPUTS) as Loss[]) {
  for (const out of OUTPUTS[loss]) for (const hidden of HIDDEN) cases.push([`${hidden}→${out} ${loss}`, hidden, out, loss]);
}

/** A 3-4-3-3 net with random weights and biases (nonzero biases keep ReLU inputs off the exact kink at 0). */
async function randomNet(backend: 'wasm' | 'js', hidden: Activation, out: Activation, loss: Loss, bias: boolean, seed: number) {
  const net = await Network.create({
    inputs: 3,
    layers: [
      { units: 4, activation: hidden, bias },
      { units: 3, activation: hidden, bias },
      { units: 3, activation: out, bias },
    ],
    loss,
    seed,
    backend,
  });
  const rng = new Rng(seed + 1000);
  net.setWeights(
    net
      .getWeights()
      .map((l) => ({ weights: randomRows(rng, l.weights.length, l.weights[0].length), bias: l.bias?.map(() => 2 * rng.next() - 1) })),
  );
  return net;
}

describe.each(['wasm', 'js'] as const)('gradients on %s', (backend) => {
  it.each(cases)('%s', async (_name, hidden, out, loss) => {
    let seed = 7;
    for (const bias of [true, false]) {
      for (const rows of [1, 5]) {
        const rng = new Rng(++seed);
        const net = await randomNet(backend, hidden, out, loss, bias, seed);
        const x = randomRows(rng, rows, 3, 2);
        const y = randomTargets(rng, loss, rows, 3);
        expect(gradCheckError(net, x, y), `bias=${bias} rows=${rows}`).toBeLessThan(TOLERANCE);
      }
    }
  });

  it('dropout layers: gradients are those of the deterministic network (dropout off), before and after training drew masks', async () => {
    const rng = new Rng(31);
    const net = await Network.create({
      inputs: 3,
      l2: 0.01,
      seed: 5,
      backend,
      loss: 'mse',
      layers: [
        { units: 4, activation: 'tanh' },
        { units: 3, activation: 'leakyRelu', dropout: 0.5 },
        { units: 2, activation: 'linear' },
      ],
    });
    const x = randomRows(rng, 3, 3),
      y = randomTargets(rng, 'mse', 3, 2);
    expect(gradCheckError(net, x, y), 'masks never drawn').toBeLessThan(TOLERANCE);
    await net.fit({ inputs: x, targets: y }, { epochs: 2, batchSize: 3 }); // leaves masks of a training pass behind
    expect(gradCheckError(net, x, y), 'after training').toBeLessThan(TOLERANCE);
    expect(gradCheckError(net, [x[0]], [y[0]]), 'one row').toBeLessThan(TOLERANCE);
  });

  it('negative control: a perturbed gradient fails the check', async () => {
    const rng = new Rng(99);
    const net = await randomNet(backend, 'tanh', 'softmax', 'crossEntropy', true, 3);
    const x = randomRows(rng, 4, 3);
    const y = randomTargets(rng, 'crossEntropy', 4, 3);
    const g = net.gradients(x, y);
    expect(gradCheckError(net, x, y, g)).toBeLessThan(TOLERANCE);
    g[0].weights[1][2] *= 1.001;
    expect(gradCheckError(net, x, y, g)).toBeGreaterThan(TOLERANCE);
    g[0].weights[1][2] /= 1.001;
    g[1].bias![0] += 1e-4;
    expect(gradCheckError(net, x, y, g)).toBeGreaterThan(TOLERANCE);
  });
});
