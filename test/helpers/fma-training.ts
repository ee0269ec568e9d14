// The training half of the fma checks (test/helpers/fma-check.ts, f32-fma-check.ts), for either
// precision: a 64-32-4 softmax network on seeded data, batch 16, 3 epochs, on the fma build twice
// and on the default build once; what the tests assert on: fma really ran, the fits repeat bit for
// bit, their bits differ from the default's, and how far apart the weights land.
import { Network } from '../../src/index.js';
import type { Precision } from '../../src/spec.js';
import { Rng } from '../../src/rng.js';

/** One 3-epoch fit; `threads` asks fit for that many (an fma network trains on one). */
export async function trainFmaNetwork(precision: Precision, fma: boolean, threads?: number) {
  const r = new Rng(5);
  const inputs = Array.from({ length: 256 }, () => Array.from({ length: 64 }, () => r.normal()));
  const targets = inputs.map((x) => Array.from({ length: 4 }, (_, c) => Number(c === (x[0] > 0 ? 1 : 0) + (x[1] > 0 ? 2 : 0))));
  const net = await Network.create(
    {
      inputs: 64,
      layers: [
        { units: 32, activation: 'tanh' },
        { units: 4, activation: 'softmax' },
      ],
      loss: 'crossEntropy',
      optimizer: { type: 'adam', learningRate: 0.01 },
      seed: 3,
      precision,
    },
    { fma },
  );
  const h = await net.fit({ inputs, targets }, { epochs: 3, batchSize: 16, ...(threads ? { threads } : {}) });
  return {
    fma: net.fma,
    threads: h.threads,
    loss: h.loss,
    weights: net.getWeights().flatMap((l) => [...l.weights.flat(), ...(l.bias ?? [])]),
  };
}

/** The fma build against the default one in `precision`: the `training` record both checks print. */
export async function fmaTraining(precision: Precision) {
  const [t1, t2, t0] = [
    await trainFmaNetwork(precision, true),
    await trainFmaNetwork(precision, true),
    await trainFmaNetwork(precision, false),
  ];
  let maxRel = 0;
  for (let i = 0; i < t1.weights.length; i++)
    maxRel = Math.max(maxRel, Math.abs(t1.weights[i] - t0.weights[i]) / Math.max(1, Math.abs(t0.weights[i])));
  return {
    oneThread: t1,
    training: {
      fma: t1.fma,
      defaultFma: t0.fma,
      repeatable: JSON.stringify(t1) === JSON.stringify(t2),
      bitsDiffer: JSON.stringify(t1.weights) !== JSON.stringify(t0.weights),
      maxRelWeightDiff: maxRel,
      finalLoss: [t1.loss[2], t0.loss[2]],
    },
  };
}
