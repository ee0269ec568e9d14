// An aborted or refused fit changes nothing but the batches it completed: a fit whose signal was
// aborted before the call, an abort landing at an epoch boundary, and fits refused for bad data or
// options, interleaved with training, end bit-identical (toJSON) to one straight run.
import { describe, it, expect } from 'vitest';
import { Network, BackpropError, type NetworkSpec } from '../src/index.js';
import { enableThreads } from '../src/parallel/enable.js';

enableThreads();

const SPEC: NetworkSpec = {
  inputs: 2,
  layers: [
    { units: 5, activation: 'tanh', dropout: 0.2 },
    { units: 1, activation: 'linear' },
  ],
  loss: 'mse',
  optimizer: { type: 'adam', learningRate: 0.05 },
  seed: 2,
};
const DATA = {
  inputs: Array.from({ length: 20 }, (_, i) => [Math.sin(i), Math.cos(i)]),
  targets: Array.from({ length: 20 }, (_, i) => [Math.sin(2 * i)]),
};
const OPTS = { batchSize: 4, shuffle: true };

describe.each([
  ['wasm', 1],
  ['js', 1],
  ['wasm', 2],
] as const)('aborted and refused fits (%s, threads: %i)', (backend, threads) => {
  const opts = { ...OPTS, threads };
  it('resume after them equals a straight run, bit for bit', async () => {
    const straight = await Network.create(SPEC, { backend });
    await straight.fit(DATA, { ...opts, epochs: 5 });

    const net = await Network.create(SPEC, { backend });
    const refuse = async (p: Promise<unknown>, code: string) => {
      const before = JSON.stringify(net);
      const err = (await p.catch((e: unknown) => e)) as BackpropError;
      expect(err).toBeInstanceOf(BackpropError);
      expect(err.code).toBe(code);
      expect(JSON.stringify(net)).toBe(before);
    };
    const abortedBefore = async () => {
      const before = JSON.stringify(net);
      let began = false;
      await expect(
        net.fit(DATA, {
          ...opts,
          epochs: 3,
          signal: AbortSignal.abort(new Error('gone')),
          callbacks: [{ onTrainBegin: () => void (began = true) }],
        }),
      ).rejects.toThrow('gone');
      expect(began).toBe(false);
      expect(JSON.stringify(net)).toBe(before);
    };
    await abortedBefore();
    await refuse(net.fit({ inputs: DATA.inputs, targets: DATA.targets.slice(1) }, { ...opts, epochs: 2 }), 'INVALID_DATA');
    await refuse(net.fit(DATA, { ...opts, epochs: 2, batchSize: 0 }), 'INVALID_OPTION');
    await refuse(net.fit(DATA, { ...opts, epochs: 2, validationSplit: 0.01 }), 'INVALID_OPTION');
    // Two epochs, then an abort from the second epoch's end: the third epoch must not have shuffled.
    const ctl = new AbortController();
    const stop = (epoch: number) => void (epoch === 1 && ctl.abort(new Error('stop')));
    await expect(net.fit(DATA, { ...opts, epochs: 5, signal: ctl.signal, onEpochEnd: stop })).rejects.toThrow('stop');
    await abortedBefore();
    await net.fit(DATA, { ...opts, epochs: 1 });
    // An abort from inside the schedule, after the epoch began but before its first batch.
    const ctl2 = new AbortController();
    const schedule = (epoch: number) => (epoch === 1 && ctl2.abort(new Error('mid')), 0.05);
    await expect(net.fit(DATA, { ...opts, epochs: 3, signal: ctl2.signal, schedule })).rejects.toThrow('mid');
    await net.fit(DATA, { ...opts, epochs: 1 });
    expect(JSON.stringify(net)).toBe(JSON.stringify(straight));
  });
});

describe.each(['wasm', 'js'] as const)('a fit leaves nothing of itself behind (%s)', (backend) => {
  it("after a scheduled fit, trainStep runs at the optimizer's rate (as a reloaded copy does), not the schedule's last", async () => {
    const spec: NetworkSpec = {
      ...SPEC,
      layers: [
        { units: 5, activation: 'tanh' },
        { units: 1, activation: 'linear' },
      ],
      optimizer: { type: 'sgd', learningRate: 0.1 },
    };
    const net = await Network.create(spec, { backend });
    await net.fit(DATA, { epochs: 2, batchSize: 4, schedule: () => 1e-9 });
    const copy = await Network.fromJSON(net.toJSON(), { backend });
    for (const n of [net, copy]) n.trainStep(DATA.inputs.slice(0, 4), DATA.targets.slice(0, 4));
    for (const n of [net, copy]) n.trainStep(DATA.inputs[5], DATA.targets[5]); // the one-sample path too
    expect(JSON.stringify(net)).toBe(JSON.stringify(copy));
  });
});
