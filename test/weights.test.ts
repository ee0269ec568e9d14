// fit's classWeights and sampleWeights: the loss is (1/B)·Σ w_r·ℓ_r + the L2 penalty, checked
// against a hand computation, and the step's gradient against central finite differences of that
// loss, on both backends; 'balanced' and named class weights equal the row weights they mean.
import { describe, it, expect, vi } from 'vitest';
import { Network, Dataset, BackpropError, type NetworkSpec } from '../src/index.js';

const X = [
  [0.5, -1],
  [1.5, 0.3],
  [-0.7, 0.9],
  [0.2, 0.2],
];
const Y = [
  [1, 0],
  [0, 1],
  [0, 1],
  [1, 0],
];
const W = [0.5, 2, 0, 1.5];
const spec = (backend: 'wasm' | 'js'): NetworkSpec => ({
  inputs: 2,
  l2: 0.01,
  loss: 'crossEntropy',
  seed: 4,
  backend,
  layers: [
    { units: 3, activation: 'tanh' },
    { units: 2, activation: 'softmax' },
  ],
  optimizer: { type: 'sgd', learningRate: 1 },
});
const flat = (net: Network) => net.getWeights().flatMap((l) => [...l.weights.flat(), ...(l.bias ?? [])]);
function setFlat(net: Network, v: number[]) {
  let i = 0;
  net.setWeights(
    net.getWeights().map((l) => ({ weights: l.weights.map((row) => row.map(() => v[i++])), bias: l.bias?.map(() => v[i++]) })),
  );
}
/** ½λ‖W‖² over the weights (not biases), from getWeights. */
const penalty = (net: Network) => net.getWeights().reduce((s, l) => s + 0.5 * 0.01 * l.weights.flat().reduce((a, v) => a + v * v, 0), 0);
/** The weighted batch loss by hand: net.loss of one row includes the penalty once. */
const weightedLoss = (net: Network) => X.reduce((s, x, r) => s + (W[r] / 4) * (net.loss(x, Y[r]) - penalty(net)), 0) + penalty(net);

describe('a weighted fit asked for threads', () => {
  it('runs on one thread and says so once: a console warning naming the reason, history.threads = 1', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const net = await Network.create(spec('wasm'));
    const h = await net.fit({ inputs: X, targets: Y }, { epochs: 2, batchSize: 2, sampleWeights: W, threads: 2 });
    await net.fit({ inputs: X, targets: Y }, { epochs: 1, batchSize: 2, sampleWeights: W, threads: 2 });
    const ours = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('weighted fits'));
    warn.mockRestore();
    expect(h.threads).toBe(1);
    // Once per process (this file's first test): two fits, one warning.
    expect(ours).toEqual(['backprop: fit runs on one thread: weighted fits (classWeights, sampleWeights) run on one thread.']);
  });
});

describe.each(['wasm', 'js'] as const)('sampleWeights on %s', (backend) => {
  it('the reported loss is the hand-computed weighted loss; the step follows its finite-difference gradient', async () => {
    const net = await Network.create(spec(backend));
    const twin = await Network.fromJSON(JSON.stringify(net), { backend });
    const before = flat(net);
    const expected = weightedLoss(twin);
    const h = await net.fit({ inputs: X, targets: Y }, { epochs: 1, batchSize: 4, shuffle: false, sampleWeights: W });
    expect(h.loss[0]).toBeCloseTo(expected, 14);
    const after = flat(net);
    const grad = before.map((b, i) => b - after[i]); // lr 1: Δθ = −g
    const eps = 1e-6;
    before.forEach((_, i) => {
      const plus = [...before],
        minus = [...before];
      plus[i] += eps;
      minus[i] -= eps;
      setFlat(twin, plus);
      const lp = weightedLoss(twin);
      setFlat(twin, minus);
      const lm = weightedLoss(twin);
      expect(Math.abs(grad[i] - (lp - lm) / (2 * eps))).toBeLessThan(1e-8);
    });
    // Weight 0 on a row: the same as leaving it out, with the other weights rescaled by 4/3 and B = 3.
    const zero = await Network.create(spec(backend));
    await zero.fit(
      { inputs: [X[0], X[1], X[3]], targets: [Y[0], Y[1], Y[3]] },
      { epochs: 1, batchSize: 3, shuffle: false, sampleWeights: [0.5 * 0.75, 2 * 0.75, 1.5 * 0.75] },
    );
    flat(zero).forEach((v, i) => expect(v).toBeCloseTo(after[i], 13));
  });

  it('all weights 1 trains as an unweighted fit (batches of 4 and of 1, the per-shape path) to 1e-12; threads change nothing', async () => {
    for (const batchSize of [4, 1]) {
      const s = { ...spec(backend), l2: 0, optimizer: { type: 'adam' as const, learningRate: 0.05 } };
      const plain = await Network.create(s),
        weighted = await Network.create(s);
      await plain.fit({ inputs: X, targets: Y }, { epochs: 5, batchSize });
      await weighted.fit({ inputs: X, targets: Y }, { epochs: 5, batchSize, sampleWeights: [1, 1, 1, 1] });
      const a = flat(plain),
        b = flat(weighted);
      a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(1e-12));
      const threaded = await Network.create(s);
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const h = await threaded.fit({ inputs: X, targets: Y }, { epochs: 5, batchSize, sampleWeights: [1, 1, 1, 1], threads: 2 });
      warn.mockRestore();
      expect(flat(threaded)).toEqual(b);
      expect(h.threads).toBe(1); // what ran; one warning says why (once per process)
    }
  });
});

describe('classWeights', () => {
  it("'balanced' equals the row weights n / (classes · rows of the class)", async () => {
    const y = [
      [1, 0],
      [0, 1],
      [0, 1],
      [0, 1],
    ];
    const a = await Network.create(spec('js')),
      b = await Network.create(spec('js'));
    await a.fit({ inputs: X, targets: y }, { epochs: 3, batchSize: 2, classWeights: 'balanced' });
    await b.fit({ inputs: X, targets: y }, { epochs: 3, batchSize: 2, sampleWeights: [4 / 2, 4 / 6, 4 / 6, 4 / 6] });
    expect(flat(a)).toEqual(flat(b));
  });

  it('by class name on a Dataset network, multiplied with sampleWeights', async () => {
    const csv = 'a,b,kind\n0.5,-1,cat\n1.5,0.3,dog\n-0.7,0.9,dog\n0.2,0.2,cat\n';
    const data = Dataset.fromCSV(csv);
    const make = () => Network.create({ inputs: data, layers: [{ units: 3 }], seed: 2, optimizer: { type: 'sgd', learningRate: 0.1 } });
    const a = await make(),
      b = await make();
    await a.fit(data, { epochs: 2, batchSize: 4, classWeights: { dog: 3 }, sampleWeights: [1, 2, 1, 1] });
    await b.fit(data, { epochs: 2, batchSize: 4, sampleWeights: [1, 6, 3, 1] });
    expect(flat(a)).toEqual(flat(b));
  });

  it('bad weights are refused before anything changes', async () => {
    const net = await Network.create(spec('js'));
    const saved = JSON.stringify(net);
    const cases: [object, string][] = [
      [{ sampleWeights: [1, 2, 3] }, 'options.sampleWeights'],
      [{ sampleWeights: [1, -1, 1, 1] }, 'options.sampleWeights[1]'],
      [{ sampleWeights: [1, NaN, 1, 1] }, 'options.sampleWeights[1]'],
      [{ classWeights: { 7: 1 } }, 'options.classWeights.7'],
      [{ classWeights: 'even' }, 'options.classWeights'],
      [{ classWeights: 'balanced', schedule: { type: 'cosine' } }, 'options.schedule'],
    ];
    for (const [o, field] of cases) {
      const e = await net.fit({ inputs: X, targets: Y }, { epochs: 1, ...o }).catch((x) => x);
      expect(e).toBeInstanceOf(BackpropError);
      expect([e.code, e.field]).toEqual(['INVALID_OPTION', field]);
    }
    const reg = await Network.create({ inputs: 2, layers: [{ units: 1 }], loss: 'mse' });
    expect((await reg.fit({ inputs: X, targets: [[1], [2], [3], [4]] }, { classWeights: 'balanced' }).catch((x) => x)).field).toBe(
      'options.classWeights',
    );
    expect(JSON.stringify(net)).toBe(saved);
  });
});

describe('a weighted fit stays responsive', () => {
  it('timers fire during an epoch (it yields every yieldEveryMs, as fit does)', async () => {
    const rows = 40_000;
    const inputs = Array.from({ length: rows }, (_, r) => [Math.sin(r), Math.cos(r * 0.7)]);
    const targets = inputs.map(([a, b]) => (a * b > 0 ? [1, 0] : [0, 1]));
    const net = await Network.create({
      inputs: 2,
      layers: [
        { units: 32, activation: 'tanh' },
        { units: 2, activation: 'softmax' },
      ],
      loss: 'crossEntropy',
      seed: 4,
    });
    const turns: number[] = [],
      epochEnds: number[] = [];
    const timer = setInterval(() => turns.push(performance.now()), 1);
    await net.fit(
      { inputs, targets },
      {
        epochs: 2,
        batchSize: 4,
        sampleWeights: inputs.map((_, r) => 1 + (r % 3)),
        yieldEveryMs: 10,
        onEpochEnd: () => void epochEnds.push(performance.now()),
      },
    );
    clearInterval(timer);
    // The second epoch runs between the two epoch ends: a loop that never yields inside an epoch
    // lets at most the one turn that follows the first epoch's callbacks in.
    const during = turns.filter((t) => t > epochEnds[0] && t < epochEnds[1]).length;
    console.log(`weighted epoch of ${rows} rows: ${(epochEnds[1] - epochEnds[0]).toFixed(0)} ms, ${during} timer turns during it`);
    expect(epochEnds[1] - epochEnds[0]).toBeGreaterThan(40);
    expect(during).toBeGreaterThan(2);
  });
});
