// The playground's page-side model (examples/web/src/playground): the URL state round-trips and
// refuses nonsense, the data sets are reproducible from their seed, the features are what they say.
import { describe, it, expect } from 'vitest';
import { parseState, stateHash, DEFAULTS, HIDDEN_ACTIVATIONS, type PlaygroundState } from '../examples/web/src/playground/state.js';
import { makePoints, split, DATASETS } from '../examples/web/src/playground/datasets.js';
import { featurize, gridPoints } from '../examples/web/src/playground/features.js';
import { ACTIVATIONS } from '../src/index.js';

describe('playground URL state', () => {
  it('round-trips every field through the hash', () => {
    const s: PlaygroundState = {
      dataset: 'spiral',
      points: 300,
      noise: 0.15,
      trainPercent: 70,
      seed: 12345,
      features: ['x1', 'x2', 'sinx2'],
      hidden: [8, 3, 1],
      activation: 'leakyRelu',
      optimizer: 'adamw',
      learningRate: 0.003,
      batchSize: 20,
      l2: 0.001,
      dropout: 0.2,
      speed: 10,
    };
    expect(parseState(stateHash(s))).toEqual(s);
    expect(parseState(stateHash({ ...s, hidden: [] })).hidden).toEqual([]); // no hidden layer is a network too
    expect(parseState('')).toEqual(DEFAULTS);
  });

  it('falls back to the defaults for values out of range or unknown', () => {
    const s = parseState('#data=moons&points=-5&noise=2&train=95&layers=9,2&act=softmax&opt=sgdx&lr=0&batch=1.5&features=x9&speed=0');
    expect(s).toEqual(DEFAULTS);
    expect(parseState('#layers=1,2,3,4,5,6,7').hidden).toEqual(DEFAULTS.hidden); // at most 6 hidden layers
  });

  it('offers every activation of the library for hidden layers but softmax', () => {
    expect([...HIDDEN_ACTIVATIONS, 'softmax'].sort()).toEqual([...ACTIVATIONS].sort());
  });
});

describe('playground data', () => {
  it('makes the same points from the same seed, other points from another, the class sets alternating (balanced)', () => {
    for (const d of DATASETS) {
      const a = makePoints(d, 200, 0.1, 7),
        b = makePoints(d, 200, 0.1, 7),
        c = makePoints(d, 200, 0.1, 8);
      expect(Array.from(a.xy)).toEqual(Array.from(b.xy));
      expect(Array.from(a.xy)).not.toEqual(Array.from(c.xy));
      expect(a.xy.every((v) => Math.abs(v) <= 6)).toBe(true);
      if (d !== 'surface' && d !== 'xor') expect(a.label.reduce((s, l) => s + l, 0)).toBe(100);
    }
    const xor = makePoints('xor', 400, 0, 1);
    for (let i = 0; i < 400; i++) expect(xor.label[i]).toBe(xor.xy[2 * i] * xor.xy[2 * i + 1] >= 0 ? 1 : 0);
  });

  it('splits by the train fraction without losing or repeating points', () => {
    const p = makePoints('circle', 100, 0, 3);
    const { train, test } = split(p, 0.7, 3);
    expect([train.n, test.n]).toEqual([70, 30]);
    const key = (xy: Float64Array, i: number) => `${xy[2 * i]},${xy[2 * i + 1]}`;
    const all = [
      ...Array.from({ length: 70 }, (_, i) => key(train.xy, i)),
      ...Array.from({ length: 30 }, (_, i) => key(test.xy, i)),
    ].sort();
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => key(p.xy, i)).sort());
  });

  it('computes the features and a grid from the top-left corner', () => {
    expect(Array.from(featurize(new Float64Array([2, -3]), ['x1', 'x2', 'x1sq', 'x2sq', 'x1x2', 'sinx1', 'sinx2']))).toEqual([
      2,
      -3,
      4,
      9,
      -6,
      Math.sin(2),
      Math.sin(-3),
    ]);
    const g = gridPoints(4, 6);
    expect([g[0], g[1]]).toEqual([-4.5, 4.5]);
    expect([g[30], g[31]]).toEqual([4.5, -4.5]);
  });
});
