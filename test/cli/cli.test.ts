// `backprop` end to end on small CSV files: train → save → predict round trips, checked against
// the saved network run in-process and against data whose answer is known by construction.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Network } from '../../src/index.js';
import { Rng } from '../../src/rng.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'backprop-cli-'));
const file = (name: string) => join(dir, name);

/** Runs the CLI from source, as a separate process (stdout and stderr are pipes, not a TTY). */
function cli(...args: string[]) {
  // File arguments are names in `dir`; the process runs in the repository so `--import tsx` resolves.
  const abs = args.map((a) => (/\.(csv|json)$/.test(a) && !isAbsolute(a) ? file(a) : a));
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...abs], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// Three well-separated clusters in 3 features; the label is the cluster (so ~100% is reachable).
function blobs(n: number, seed: number): { csv: string; labels: number[] } {
  const rng = new Rng(seed);
  const lines = ['f1,label,f2,f3'];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    const c = [
      [0, 0, 0],
      [4, 4, 0],
      [0, 4, 4],
    ][k];
    lines.push([c[0] + rng.normal() * 0.5, k, c[1] + rng.normal() * 0.5, c[2] + rng.normal() * 0.5].map((v) => +v.toFixed(4)).join(','));
    labels.push(k);
  }
  return { csv: lines.join('\n') + '\n', labels };
}

const epochLines = (out: string) => out.split('\n').filter((l) => l.startsWith('epoch '));
const field = (line: string, name: string) => Number(new RegExp(`${name} ([-0-9.e]+)`).exec(line)![1]);

describe('backprop train / predict on a classification CSV', () => {
  const data = blobs(150, 5);
  let trained: ReturnType<typeof cli>;
  beforeAll(() => {
    writeFileSync(file('blobs.csv'), data.csv);
    trained = cli(
      'train',
      '--data',
      'blobs.csv',
      '--target',
      'label',
      '--layers',
      '16,8',
      '--epochs',
      '12',
      '--batch-size',
      '16',
      '--lr',
      '0.05',
      '--seed',
      '3',
      '--out',
      'blobs.json',
    );
  });

  it('trains, printing one plain line per epoch with loss, accuracy, samples/s and backend', () => {
    expect(trained.err).not.toMatch(/backprop train:/);
    expect(trained.code).toBe(0);
    expect([...'\r\u001b'].filter((c) => (trained.out + trained.err).includes(c))).toEqual([]); // no progress bar (CR, ESC) when piped
    expect(trained.err).toContain(
      'target "label": classification of 3 classes (0, 1, 2) (inferred: integer target with 3 values; --task regression to override)',
    );
    expect(trained.out).toContain(
      `${file('blobs.csv')}: 120 train / 30 test rows, 3 features; network 3-16-8-3 (227 parameters), sgd lr 0.05 momentum 0.9, batch 16, backend wasm`,
    );
    const lines = epochLines(trained.out);
    expect(lines).toHaveLength(12);
    lines.forEach((l, i) =>
      expect(l).toMatch(new RegExp(`^epoch ${i + 1}/12  loss [0-9.]+  test accuracy [0-9.]+%  [0-9,]+ samples/s  wasm$`)),
    );
    expect(field(lines[11], 'loss')).toBeLessThan(field(lines[0], 'loss') / 4);
    expect(field(lines[11], 'accuracy')).toBeGreaterThanOrEqual(96.66); // ≤ 1 of 30 wrong
  });

  it('saves a model that Network.fromJSON loads with its preprocessing (the training rows’ scaling)', async () => {
    const m = JSON.parse(readFileSync(file('blobs.json'), 'utf8'));
    expect(m).toMatchObject({ format: 'backprop', version: 2 });
    expect(m.preprocessing.target).toEqual({ names: ['label'], task: 'classification', classes: ['0', '1', '2'], numericClasses: true });
    expect(m.preprocessing.features.map((f: { name: string }) => f.name)).toEqual(['f1', 'f2', 'f3']);
    // The standardization is the training rows' mean/std: the cluster centres average to ~(1.3, 2.7, 1.3).
    m.preprocessing.features.forEach((f: { mean: number }, i: number) => expect(f.mean).toBeCloseTo([4 / 3, 8 / 3, 4 / 3][i], 0));
    const net = await Network.fromJSON(m);
    expect(net.parameterCount).toBe(3 * 16 + 16 + 16 * 8 + 8 + 8 * 3 + 3);
    expect(net.predictClass({ f1: 4, f2: 4, f3: 0 })).toBe(1);
  });

  it('predict writes one CSV row per input whose probabilities equal the saved network’s', async () => {
    const p = cli('predict', '--model', 'blobs.json', '--data', 'blobs.csv');
    expect(p.code).toBe(0);
    const rows = p.out.trim().split('\n');
    expect(rows[0]).toBe('prediction,p_0,p_1,p_2');
    expect(rows).toHaveLength(151);
    // Independent recomputation: scale the CSV ourselves, run the saved network in-process.
    const m = JSON.parse(readFileSync(file('blobs.json'), 'utf8'));
    const net = await Network.fromJSON(m);
    const scaling = {
      mean: m.preprocessing.features.map((f: { mean: number }) => f.mean),
      std: m.preprocessing.features.map((f: { std: number }) => f.std),
    };
    const csv = data.csv
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').map(Number));
    let right = 0;
    csv.forEach((r, i) => {
      const x = [r[0], r[2], r[3]].map((v, j) => (v - scaling.mean[j]) / scaling.std[j]);
      const q = net.predict(x);
      const cells = rows[i + 1].split(',').map(Number);
      for (let k = 0; k < 3; k++) expect(cells[1 + k]).toBeCloseTo(q[k], 5); // printed to 6 significant digits
      const best = q.indexOf(Math.max(...q));
      expect(cells[0]).toBe(best);
      if (best === data.labels[i]) right++;
    });
    expect(p.err).toContain(`accuracy ${((100 * right) / 150).toFixed(2)}% on 150 rows (their "label" column)`);
    expect(right / 150).toBeGreaterThan(0.95);
  });

  it('is reproducible: the same seed writes the same model, bit for bit; another seed does not', () => {
    const args = [
      'train',
      '--data',
      'blobs.csv',
      '--target',
      'label',
      '--layers',
      '16,8',
      '--epochs',
      '12',
      '--batch-size',
      '16',
      '--lr',
      '0.05',
    ];
    expect(cli(...args, '--seed', '3', '--out', 'again.json').code).toBe(0);
    expect(readFileSync(file('again.json'), 'utf8')).toBe(readFileSync(file('blobs.json'), 'utf8'));
    expect(cli(...args, '--seed', '4', '--out', 'other.json').code).toBe(0);
    expect(readFileSync(file('other.json'), 'utf8')).not.toBe(readFileSync(file('blobs.json'), 'utf8'));
  });

  it('trains the same on the js backend (to ~1e-12 per the backends guarantee)', () => {
    const r = cli(
      'train',
      '--data',
      'blobs.csv',
      '--target',
      'label',
      '--layers',
      '16,8',
      '--epochs',
      '12',
      '--batch-size',
      '16',
      '--lr',
      '0.05',
      '--seed',
      '3',
      '--backend',
      'js',
      '--out',
      'js.json',
    );
    expect(r.code).toBe(0);
    const a = epochLines(trained.out).map((l) => field(l, 'loss'));
    const b = epochLines(r.out).map((l) => field(l, 'loss'));
    expect(b).toEqual(a); // printed to 4 decimals
    expect(r.out).toMatch(/backend js\n/);
  });
});

describe('backprop train / predict on a regression CSV', () => {
  it('fits y = 2·a − 3·b + 1 with a linear model to within 1e-3 RMSE, and predict reproduces it', () => {
    const rng = new Rng(11);
    const lines = ['a,b,y'];
    for (let i = 0; i < 200; i++) {
      const a = rng.next() * 4 - 2,
        b = rng.next() * 4 - 2;
      lines.push(`${a},${b},${2 * a - 3 * b + 1}`);
    }
    writeFileSync(file('line.csv'), lines.join('\n'));
    const r = cli('train', '--data', 'line.csv', '--layers', 'none', '--epochs', '60', '--lr', '0.05', '--out', 'line.json');
    expect(r.code).toBe(0);
    expect(r.err).toContain('target "y" (the last column; choose with --target): regression (inferred: target is not a few integers');
    const last = epochLines(r.out).at(-1)!;
    expect(field(last, 'rmse')).toBeLessThan(1e-3);
    const p = cli('predict', '--model', 'line.json', '--data', 'line.csv', '--out', 'pred.csv');
    expect(p.code).toBe(0);
    const pred = readFileSync(file('pred.csv'), 'utf8').trim().split('\n');
    expect(pred[0]).toBe('prediction');
    pred.slice(1).forEach((v, i) => {
      const [a, b, y] = lines[i + 1].split(',').map(Number);
      expect(Math.abs(Number(v) - y)).toBeLessThan(5e-3);
      expect(y).toBe(2 * a - 3 * b + 1);
    });
    expect(p.err).toMatch(/rmse [0-9.e-]+ on 200 rows/);
  });

  it('--task classification overrides the inference; a single class is refused', () => {
    writeFileSync(file('one.csv'), 'x,y\n1,5\n2,5\n3,5\n');
    const r = cli('train', '--data', 'one.csv', '--task', 'classification');
    expect(r.code).toBe(1);
    expect(r.err).toContain(`backprop train: ${file('one.csv')} column "y": expected at least two distinct classes, got only "5"`);
  });
});

describe('backprop on the fixtures (Iris, birds with categories and missing cells, a known linear law)', () => {
  const fixture = (name: string) => join(ROOT, 'test/fixtures', name);

  it('README’s Iris example: ≥ 93% held-out accuracy, a confusion matrix, and predict writes class names with p_<class>', () => {
    const r = cli(
      'train',
      '--data',
      fixture('iris.csv'),
      '--target',
      'species',
      '--layers',
      '64,32',
      '--epochs',
      '50',
      '--out',
      'iris.json',
    );
    expect(r.code).toBe(0);
    expect(r.err).toContain('target "species": classification of 3 classes (setosa, versicolor, virginica) (inferred: text labels)');
    const acc = /^test \(30 rows\): accuracy ([0-9.]+)% \((\d+)\/30\)$/m.exec(r.out)!;
    expect(Number(acc[1])).toBeGreaterThanOrEqual(93);
    const lines = r.out.split('\n');
    const at = lines.findIndex((l) => l.startsWith('actual \\ predicted'));
    expect(lines[at]).toMatch(/^actual \\ predicted +setosa +versicolor +virginica +precision +recall$/);
    const matrix = lines.slice(at + 1, at + 4).map((l) => l.trim().split(/ +/));
    expect(matrix.map((m) => m[0])).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(matrix.reduce((s, m, i) => s + Number(m[1 + i]), 0)).toBe(Number(acc[2])); // the diagonal is the right answers
    matrix.forEach((m) => expect(m.slice(1, 4).reduce((s, v) => s + Number(v), 0)).toBe(10)); // stratified: 10 of each
    // Columns line up: every row as long as the header.
    lines.slice(at, at + 4).forEach((l) => expect(l.length).toBe(lines[at].length));
    writeFileSync(file('new.csv'), 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n6.9,3.1,5.4,2.1\n');
    const p = cli('predict', '--model', 'iris.json', '--data', 'new.csv');
    expect(p.code).toBe(0);
    const out = p.out.trim().split('\n');
    expect(out[0]).toBe('prediction,p_setosa,p_versicolor,p_virginica');
    expect(out.slice(1).map((l) => l.split(',')[0])).toEqual(['setosa', 'virginica']);
    out.slice(1).forEach((l) =>
      expect(
        l
          .split(',')
          .slice(1)
          .reduce((s, v) => s + Number(v), 0),
      ).toBeCloseTo(1, 4),
    );
  });

  it('birds: categorical columns and missing cells, refused without --missing, ≥ 90% with --missing mean; semicolons detected', () => {
    const refused = cli('train', '--data', fixture('birds.csv'), '--target', 'species', '--out', 'birds.json');
    expect(refused.code).toBe(1);
    expect(refused.err.trim()).toMatch(
      /^backprop train: .*birds\.csv line \d+, column "\w+": expected a value \(or the option missing: 'mean', 'mode' or 'drop'\), got a missing value$/,
    );
    writeFileSync(file('birds-semicolon.csv'), readFileSync(fixture('birds.csv'), 'utf8').replace(/,/g, ';'));
    const r = cli(
      'train',
      '--data',
      'birds-semicolon.csv',
      '--target',
      'species',
      '--missing',
      'mean',
      '--optimizer',
      'adam',
      '--lr',
      '0.01',
      '--epochs',
      '30',
      '--validation',
      '0.2',
      '--patience',
      '5',
      '--out',
      'birds.json',
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain('birds-semicolon.csv: 192 train / 60 test / 48 validation rows, 6 features (2 categorical); network 9-32-3'); // island: 3, sex: 2
    expect(Number(/^test \(60 rows\): accuracy ([0-9.]+)%/m.exec(r.out)![1])).toBeGreaterThanOrEqual(90);
    // Early stopping: training stops `patience` epochs after the best validation loss and keeps that epoch's weights.
    const val = epochLines(r.out).map((l) => field(l, 'val loss'));
    const best = val.indexOf(Math.min(...val));
    expect(val.length === 30 || val.length === best + 1 + 5).toBe(true);
    if (best + 1 < val.length)
      expect(r.err).toContain(`restored the weights of epoch ${best + 1} (the best validation loss, ${val[best].toFixed(4)})`);
  });

  it('--l2, --dropout and --optimizer reach the saved spec; --threads 2 trains', () => {
    const r = cli(
      'train',
      '--data',
      fixture('iris.csv'),
      '--optimizer',
      'adam',
      '--lr',
      '0.02',
      '--l2',
      '0.001',
      '--dropout',
      '0.1',
      '--threads',
      '2',
      '--epochs',
      '30',
      '--quiet',
      '--out',
      'reg.json',
    );
    expect(r.code).toBe(0);
    const m = JSON.parse(readFileSync(file('reg.json'), 'utf8'));
    expect(m.spec.layers.map((l: { l2: number }) => l.l2)).toEqual([0.001, 0.001]);
    expect(m.spec.optimizer).toMatchObject({ type: 'adam', learningRate: 0.02, beta1: 0.9 }); // adam's own defaults beside --lr
    expect(m.spec.layers.map((l: { dropout: number }) => l.dropout)).toEqual([0.1, 0]); // hidden layers only
    expect(Number(/accuracy ([0-9.]+)%/.exec(r.out)![1])).toBeGreaterThanOrEqual(90);
  });

  it('--patience stops early and restores the best epoch’s weights', () => {
    const r = cli(
      'train',
      '--data',
      fixture('iris.csv'),
      '--validation',
      '0.3',
      '--patience',
      '2',
      '--optimizer',
      'adam',
      '--lr',
      '0.3',
      '--epochs',
      '60',
      '--out',
      'stop.json',
    );
    expect(r.code).toBe(0);
    const val = epochLines(r.out).map((l) => field(l, 'val loss'));
    const best = val.indexOf(Math.min(...val));
    expect(val.length).toBe(best + 1 + 2); // stopped two epochs after the best
    expect(r.err).toContain('early stopping: no better validation loss for 2 epochs');
    expect(r.err).toContain(`restored the weights of epoch ${best + 1}`);
  });

  it('linear.csv: a linear model recovers y within the noise; predict reports RMSE and R²', () => {
    const r = cli(
      'train',
      '--data',
      fixture('linear.csv'),
      '--layers',
      'none',
      '--optimizer',
      'adam',
      '--lr',
      '0.05',
      '--epochs',
      '100',
      '--quiet',
      '--out',
      'linear.json',
    );
    expect(r.code).toBe(0);
    expect(epochLines(r.out)).toEqual([]); // --quiet
    const m = /^test \(80 rows\): rmse ([0-9.e-]+) {2}r2 ([0-9.]+)/m.exec(r.out)!;
    expect(Number(m[1])).toBeLessThan(0.2); // the noise is 0.1
    expect(Number(m[2])).toBeGreaterThan(0.999);
    const p = cli('predict', '--model', 'linear.json', '--data', fixture('linear.csv'));
    expect(p.err).toMatch(/rmse [0-9.e-]+ on 400 rows \(their "y" column\), r2 0\.99\d+/);
  });
});

describe('the built command', () => {
  const bin = join(ROOT, 'dist/cli/main.js');
  it.skipIf(!existsSync(bin))('dist/cli/main.js is package.json’s bin, starts with a shebang and prints help', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.bin).toEqual({ backprop: 'dist/cli/main.js' });
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const r = spawnSync(process.execPath, [bin, 'help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('backprop train');
  });
});
