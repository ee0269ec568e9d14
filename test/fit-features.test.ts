// fit()'s features: L2, dropout, schedules, validation and metrics, callbacks, responsiveness,
// abort, divergence, evaluate/summary, and bit-identical resumption from a saved model.
import { describe, it, expect } from 'vitest';
import { Network, earlyStopping, BackpropError, type NetworkSpec } from '../src/index.js';
import { Rng } from '../src/rng.js';
import { layerAt, LAYER_FIELD } from '../src/plan.js';
import { gradCheckError } from './helpers/gradcheck.js';
import { randomRows, maxRelDiff } from './helpers/random.js';

/** Two Gaussian blobs in 4-D, one-hot labels: learnable, not trivially. */
function blobs(n: number, seed = 1) {
  const rng = new Rng(seed);
  const inputs: number[][] = [],
    targets: number[][] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    inputs.push([0, 1, 2, 3].map((j) => rng.normal() + (c ? 1 : -1) * (j % 2 ? 0.8 : -0.4)));
    targets.push(c ? [0, 1] : [1, 0]);
  }
  return { inputs, targets };
}

const classifier = (backend: 'wasm' | 'js', extra: Partial<NetworkSpec> = {}) =>
  Network.create({
    inputs: 4,
    layers: [{ units: 16, activation: 'relu' }, { units: 2 }],
    loss: 'crossEntropy',
    optimizer: { type: 'adam', learningRate: 0.01 },
    seed: 7,
    backend,
    ...extra,
  });

const flat = (n: Network) => n.getWeights().flatMap((l) => [...l.weights.flat(), ...(l.bias ?? [])]);

describe.each(['wasm', 'js'] as const)('fit features on %s', (backend) => {
  it('L2 per network and per layer: loss includes ½λ‖W‖², gradients pass finite differences', async () => {
    const net = await Network.create({
      inputs: 3,
      layers: [{ units: 4, activation: 'tanh', l2: 0.3 }, { units: 2 }],
      l2: 0.05,
      loss: 'mse',
      seed: 2,
      backend,
    });
    expect(net.spec.layers.map((l) => l.l2)).toEqual([0.3, 0.05]);
    const rng = new Rng(3);
    const x = randomRows(rng, 5, 3),
      y = randomRows(rng, 5, 2);
    expect(gradCheckError(net, x, y)).toBeLessThan(1e-6);
    const plain = await Network.create({
      inputs: 3,
      layers: [{ units: 4, activation: 'tanh' }, { units: 2 }],
      loss: 'mse',
      seed: 2,
      backend,
    });
    const w = net.getWeights();
    const penalty =
      0.5 * 0.3 * w[0].weights.flat().reduce((s, v) => s + v * v, 0) + 0.5 * 0.05 * w[1].weights.flat().reduce((s, v) => s + v * v, 0);
    expect(net.loss(x, y)).toBeCloseTo(plain.loss(x, y) + penalty, 14);
  });

  it('dropout: seeded, inverted, only while training', async () => {
    const data = blobs(64);
    const net = await classifier(backend, { layers: [{ units: 64, activation: 'relu', dropout: 0.5 }, { units: 2 }] });
    const p1 = net.predict(data.inputs[0]);
    expect(Array.from(net.predict(data.inputs[0]))).toEqual(Array.from(p1)); // predict: no dropout
    const eval1 = net.evaluate(data);
    expect(net.evaluate(data)).toEqual(eval1);
    const trainLoss = net.trainStep(data.inputs, data.targets); // the loss with dropout applied
    const net2 = await classifier(backend, { layers: [{ units: 64, activation: 'relu', dropout: 0.5 }, { units: 2 }] });
    expect(net2.loss(data.inputs, data.targets)).not.toBe(trainLoss);
    expect(net2.trainStep(data.inputs, data.targets)).toBe(trainLoss); // same seed, same mask
    // About half the hidden units are dropped: the mask lives in the plan's work buffer.
    const c = net2.core,
      h = c.backend.heap();
    const maskAt = h[layerAt(c.plan, 0) + LAYER_FIELD.mask];
    const mask = h.subarray(maskAt, maskAt + 64 * 64);
    const kept = mask.filter((m) => m !== 0);
    expect(kept.every((m) => m === 2)).toBe(true);
    expect(kept.length / mask.length).toBeGreaterThan(0.45);
    expect(kept.length / mask.length).toBeLessThan(0.55);
  });

  it('schedules: step, exponential, cosine and a function give the learning rates of their formulas', async () => {
    const data = blobs(40);
    const run = async (schedule: object) =>
      (await (await classifier(backend)).fit(data, { epochs: 4, batchSize: 10, schedule: schedule as never })).lr;
    // history.lr holds the rate of each epoch's last step (step = 4·epoch + 3; 4 batches per epoch, 16 steps).
    expect(await run({ type: 'constant' })).toEqual([0.01, 0.01, 0.01, 0.01]);
    expect(await run({ type: 'step', every: 2, factor: 0.5 })).toEqual([0.01, 0.01, 0.005, 0.005]);
    (await run({ type: 'exponential', rate: 0.5 })).forEach((lr, e) => expect(lr).toBeCloseTo(0.01 * 0.5 ** ((4 * e + 3) / 4), 15));
    (await run({ type: 'cosine', minFactor: 0.1 })).forEach((lr, e) =>
      expect(lr).toBeCloseTo(0.01 * (0.1 + 0.9 * 0.5 * (1 + Math.cos((Math.PI * (4 * e + 3)) / 16))), 15),
    );
    const seen: [number, number][] = [];
    const lrs = await run((epoch: number, step: number) => (seen.push([epoch, step]), 0.001 * (step + 1)));
    expect(lrs).toEqual([0.004, 0.008, 0.012, 0.016]);
    expect(seen.slice(0, 5)).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [0, 3],
      [1, 4],
    ]);
    // A schedule really changes training: a zero-ish rate leaves the weights nearly where they were.
    const still = await classifier(backend);
    const w0 = flat(still);
    await still.fit(data, { epochs: 2, batchSize: 10, schedule: () => 1e-12 });
    expect(maxRelDiff(flat(still), w0)).toBeLessThan(1e-9);
  });

  it('validation and metrics: per-epoch history; validationSplit holds out the last rows', async () => {
    const data = blobs(200);
    const net = await classifier(backend);
    const h = await net.fit(data, { epochs: 5, batchSize: 16, validationSplit: 0.25 });
    expect(Object.keys(h).sort()).toEqual(['accuracy', 'epochs', 'loss', 'lr', 'valAccuracy', 'valLoss']);
    expect(h.epochs).toBe(5);
    expect(h.accuracy![4]).toBeGreaterThan(0.8);
    const held = { inputs: data.inputs.slice(150), targets: data.targets.slice(150) };
    const v = net.evaluate(held);
    expect(h.valLoss![4]).toBeCloseTo(v.loss, 14);
    expect(h.valAccuracy![4]).toBe(v.accuracy);
    // Accuracy by hand from predict.
    const right = net.predict(held.inputs).filter((p, i) => (p[1] > p[0] ? 1 : 0) === held.targets[i][1]).length;
    expect(v.accuracy).toBe(right / 50);
    // Regression reports MAE.
    const reg = await Network.create({
      inputs: 4,
      layers: [{ units: 8, activation: 'tanh' }, { units: 1 }],
      loss: 'mse',
      seed: 1,
      backend,
    });
    const rh = await reg.fit(
      { inputs: data.inputs, targets: data.targets.map((t) => [t[1]]) },
      { epochs: 2, validationData: held && { inputs: held.inputs, targets: held.targets.map((t) => [t[1]]) } },
    );
    expect(Object.keys(rh).sort()).toEqual(['epochs', 'loss', 'lr', 'mae', 'valLoss', 'valMae']);
    const p = reg.predict(held.inputs);
    const mae = p.reduce((s, r, i) => s + Math.abs(r[0] - held.targets[i][1]), 0) / 50;
    expect(rh.valMae![1]).toBeCloseTo(mae, 14);
  });

  it('callbacks: onBatchEnd per batch; false or stop() ends cleanly; earlyStopping restores the best', async () => {
    const data = blobs(40);
    const net = await classifier(backend);
    const batches: number[] = [];
    await net.fit(data, { epochs: 2, batchSize: 10, onBatchEnd: (b, logs) => void batches.push(b, logs.loss) });
    expect(batches.filter((_, i) => i % 2 === 0)).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    const stopAt = await net.fit(data, { epochs: 10, onEpochEnd: (e) => e !== 2 });
    expect(stopAt.epochs).toBe(3);
    const viaStop = await net.fit(data, { epochs: 10, batchSize: 10, onBatchEnd: (b, _l, c) => void (b === 1 && c.stop()) });
    expect(viaStop.epochs).toBe(1);
    // earlyStopping on a loss that cannot improve (learning rate ~0) stops after patience + 1 epochs.
    const es = await net.fit(data, {
      epochs: 20,
      schedule: () => 1e-300,
      callbacks: [earlyStopping({ monitor: 'loss', patience: 2, minDelta: 1e-9 })],
    });
    expect(es.epochs).toBe(3);
    // restoreBest: training with a huge rate makes things worse; the best epoch's weights come back.
    const best = await classifier(backend, { optimizer: { type: 'sgd', learningRate: 0.5 } });
    let bestWeights: number[] = [],
      bestLoss = Infinity;
    const h = await best.fit(data, {
      epochs: 6,
      batchSize: 40,
      shuffle: false,
      validationData: data,
      callbacks: [
        earlyStopping({ patience: 1, restoreBest: true }),
        { onEpochEnd: (_e, logs, c) => void (logs.valLoss! < bestLoss && ((bestLoss = logs.valLoss!), (bestWeights = flat(c.network)))) },
      ],
    });
    expect(h.epochs).toBeLessThanOrEqual(6);
    expect(flat(best)).toEqual(bestWeights);
  });

  it('stays responsive: timers fire during a long fit; an AbortSignal stops it', async () => {
    const data = blobs(4000);
    const net = await classifier(backend, { layers: [{ units: 64, activation: 'relu' }, { units: 2 }] });
    // The event loop must get a turn at least every few chunks: record the longest gap between turns.
    let last = performance.now(),
      maxGap = 0,
      turns = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      turns++;
    }, 1);
    const t0 = performance.now();
    await net.fit(data, { epochs: backend === 'wasm' ? 40 : 5, batchSize: 8, yieldEveryMs: 10 });
    const ms = performance.now() - t0;
    clearInterval(timer);
    expect(ms).toBeGreaterThan(100); // long enough that a blocking fit would starve the timer
    // Relative to the fit's own duration, so that a loaded machine (time slices of 100s of ms)
    // cannot fail it, while a fit that yields rarely or never still does: it yields about every
    // 10 ms of wall time, so a turn per 50 ms on average and no gap of a quarter of the fit.
    expect(turns).toBeGreaterThan(Math.max(5, ms / 50));
    expect(maxGap).toBeLessThan(ms / 4);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(new Error('user abort')), 20);
    let epochs = 0;
    await expect(net.fit(data, { epochs: 1000, batchSize: 8, signal: ctl.signal, onEpochEnd: () => void epochs++ })).rejects.toThrow(
      'user abort',
    );
    expect(epochs).toBeLessThan(1000);
    expect(flat(net).every(Number.isFinite)).toBe(true);
  });

  it('divergence stops with an error naming epoch and batch, keeping finite weights', async () => {
    const data = { inputs: blobs(64).inputs.map((r) => r.map((v) => v * 1e3)), targets: blobs(64).inputs.map((r) => [r[0] * 1e3]) };
    const net = await Network.create({
      inputs: 4,
      layers: [{ units: 8, activation: 'relu' }, { units: 1 }],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 10 },
      seed: 1,
      backend,
    });
    const err = await net.fit(data, { epochs: 50, batchSize: 8 }).then(
      () => undefined,
      (e) => e,
    );
    expect(err).toBeInstanceOf(BackpropError);
    expect(err.code).toBe('DIVERGED');
    expect(err.message).toMatch(
      /^loss: expected a finite loss; training stopped at epoch \d+ of 50, batch \d+ of 8, and kept the last finite weights, got (NaN|Infinity)$/,
    );
    expect(flat(net).every(Number.isFinite)).toBe(true);
    expect(() =>
      net.trainStep(
        data.inputs,
        data.targets.map((t) => [t[0] * 1e300]),
      ),
    ).toThrow(/DIVERGED|finite loss/);
  });

  it('a saved model resumes training bit-identically (adam moments, step count, dropout stream, shuffle)', async () => {
    const data = blobs(60);
    const spec: Partial<NetworkSpec> = {
      layers: [{ units: 12, activation: 'relu', dropout: 0.3 }, { units: 2 }],
      optimizer: { type: 'adam', learningRate: 0.01 },
    };
    const straight = await classifier(backend, spec);
    await straight.fit(data, { epochs: 6, batchSize: 8 });
    const first = await classifier(backend, spec);
    await first.fit(data, { epochs: 3, batchSize: 8 });
    const resumed = await Network.fromJSON(JSON.parse(JSON.stringify(first)), { backend });
    await resumed.fit(data, { epochs: 3, batchSize: 8 });
    expect(JSON.stringify(resumed)).toBe(JSON.stringify(straight));
  });

  it('evaluate() and summary()', async () => {
    const net = await classifier(backend, {
      layers: [
        { units: 16, activation: 'relu', dropout: 0.1, l2: 0.01 },
        { units: 2, bias: false },
      ],
    });
    const data = blobs(10);
    expect(net.evaluate(data).loss).toBeCloseTo(net.loss(data.inputs, data.targets), 14);
    expect(net.evaluate(data, { batchSize: 3 }).loss).toBeCloseTo(net.loss(data.inputs, data.targets), 14);
    expect(net.summary()).toBe(
      [
        'inputs: 4',
        '#  layer               output shape  params  options',
        '-  ------------------  ------------  ------  --------------------',
        '0  dense 4→16 relu     [batch, 16]       80  l2 0.01, dropout 0.1',
        '1  dense 16→2 softmax  [batch, 2]        32  no bias',
        'total parameters: 112',
        `loss: crossEntropy; optimizer: adam (learningRate 0.01, beta1 0.9, beta2 0.999, epsilon 1e-8); seed 7; precision: f64; backend: ${backend}`,
      ].join('\n'),
    );
  });
});

describe('wasm and js agree with every feature on', () => {
  it('adam + L2 + dropout + clipping + schedule: same trajectory to 1e-12', async () => {
    const data = blobs(80);
    const make = (backend: 'wasm' | 'js') =>
      classifier(backend, {
        layers: [
          { units: 10, activation: 'tanh', dropout: 0.25, l2: 0.01 },
          { units: 6, activation: 'leakyRelu', dropout: 0.1 },
          { units: 2 },
        ],
        optimizer: { type: 'adamw', learningRate: 0.02, weightDecay: 0.05, clipNorm: 1 },
      });
    const [w, j] = [await make('wasm'), await make('js')];
    const opts = { epochs: 5, batchSize: 7, schedule: { type: 'cosine' as const }, validationSplit: 0.2 };
    const [hw, hj] = [await w.fit(data, opts), await j.fit(data, opts)];
    expect(maxRelDiff(hw.loss, hj.loss)).toBeLessThan(1e-12);
    expect(maxRelDiff(hw.valLoss!, hj.valLoss!)).toBeLessThan(1e-12);
    expect(maxRelDiff(flat(w), flat(j))).toBeLessThan(1e-12);
  });
});
