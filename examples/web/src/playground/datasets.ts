// The 2-D data sets: points in [−6, 6]², a label for each (0/1 for classes, a value in [−1, 1]
// for the regression surface), made from a seed so that a link reproduces them exactly.
import { seededRandom } from '../random.js';
export const DATASETS = ['circle', 'xor', 'gauss', 'spiral', 'surface'] as const;
export type DatasetName = (typeof DATASETS)[number];
export const DATASET_LABELS: Record<DatasetName, string> = {
  circle: 'Circle',
  xor: 'XOR',
  gauss: 'Two Gaussians',
  spiral: 'Spiral',
  surface: 'Regression surface',
};
export const DOMAIN = 6;

export const isRegression = (d: DatasetName) => d === 'surface';

export interface Points {
  xy: Float64Array; // n × 2
  label: Float64Array; // n
  n: number;
}

/** The surface the regression set samples (also drawn as the truth it should learn). */
export const surface = (x: number, y: number) =>
  Math.exp(-((x - 2) ** 2 + (y - 2) ** 2) / 8) - Math.exp(-((x + 2) ** 2 + (y + 2) ** 2) / 8);

/** `n` points of `name`; `noise` in [0, 0.5] jitters positions (or values, for the surface). */
export function makePoints(name: DatasetName, n: number, noise: number, seed: number): Points {
  const rnd = seededRandom(seed);
  const uniform = (a: number, b: number) => a + (b - a) * rnd();
  const normal = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const xy = new Float64Array(2 * n),
    label = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x: number, y: number, l: number;
    const half = i % 2; // alternate classes so any prefix is balanced
    if (name === 'circle') {
      const r = half ? uniform(0, 2.5) : uniform(3.5, 5),
        a = uniform(0, 2 * Math.PI);
      x = r * Math.sin(a) + uniform(-1, 1) * noise * 5;
      y = r * Math.cos(a) + uniform(-1, 1) * noise * 5;
      l = half;
    } else if (name === 'xor') {
      const pad = 0.3;
      x = uniform(-5, 5);
      y = uniform(-5, 5);
      x += x > 0 ? pad : -pad;
      y += y > 0 ? pad : -pad;
      l = x * y >= 0 ? 1 : 0;
      x += uniform(-1, 1) * noise * 5;
      y += uniform(-1, 1) * noise * 5;
    } else if (name === 'gauss') {
      const spread = 0.5 + noise * 7;
      const c = half ? 2 : -2;
      x = c + normal() * spread;
      y = c + normal() * spread;
      l = half;
    } else if (name === 'spiral') {
      const k = Math.floor(i / 2),
        m = Math.ceil(n / 2);
      const r = (k / m) * 5,
        t = 1.75 * (k / m) * 2 * Math.PI + (half ? 0 : Math.PI);
      x = r * Math.sin(t) + uniform(-1, 1) * noise * 5;
      y = r * Math.cos(t) + uniform(-1, 1) * noise * 5;
      l = half;
    } else {
      x = uniform(-DOMAIN, DOMAIN);
      y = uniform(-DOMAIN, DOMAIN);
      l = surface(x, y) + uniform(-1, 1) * noise;
    }
    xy[2 * i] = Math.max(-DOMAIN, Math.min(DOMAIN, x));
    xy[2 * i + 1] = Math.max(-DOMAIN, Math.min(DOMAIN, y));
    label[i] = l;
  }
  return { xy, label, n };
}

/** Shuffles (seeded) and splits into train and test sets by `trainFraction`. */
export function split(p: Points, trainFraction: number, seed: number): { train: Points; test: Points } {
  const order = Array.from({ length: p.n }, (_, i) => i);
  const rnd = seededRandom(seed ^ 0x5bd1e995);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const take = (idx: number[]): Points => {
    const xy = new Float64Array(2 * idx.length),
      label = new Float64Array(idx.length);
    idx.forEach((k, i) => {
      xy[2 * i] = p.xy[2 * k];
      xy[2 * i + 1] = p.xy[2 * k + 1];
      label[i] = p.label[k];
    });
    return { xy, label, n: idx.length };
  };
  const cut = Math.max(1, Math.min(p.n - 1, Math.round(p.n * trainFraction)));
  return { train: take(order.slice(0, cut)), test: take(order.slice(cut)) };
}
