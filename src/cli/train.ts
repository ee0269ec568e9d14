/// <reference types="node" />
// `backprop train`: MNIST by default, or a CSV file through Dataset; prints one line per epoch,
// the test confusion matrix (or RMSE and R²) at the end, and saves the model — network and
// preprocessing in one file that Network.fromJSON reads.
import { Network } from '../network.js';
import type { LayerWeights } from '../layer-weights.js';
import { BackpropError, words } from '../errors.js';
import type { NetworkSpec, BackendChoice } from '../spec.js';
import type { Dataset } from '../dataset/dataset.js';
import { Rng } from '../rng.js';
import { enableThreads } from '../parallel/enable.js';
import type { FlagSpec, Flags } from './args.js';
import { loadTrainData } from './train-data.js';
import { rowWeights, type ClassWeights } from '../weights.js';
import { trainEpoch } from './epoch.js';
import { checkOutput, writeAtomic } from './files.js';
import { finalReport, testScore } from './train-report.js';
import { ProgressBar, count, type Out } from './progress.js';
import { OPTIMIZERS } from '../names.js';

export const TRAIN_FLAGS: Record<string, FlagSpec> = {
  data: { kind: 'string' },
  target: { kind: 'names' },
  task: { kind: 'string', oneOf: ['classification', 'regression'] },
  layers: { kind: 'layers' },
  epochs: { kind: 'int', min: 1 },
  'batch-size': { kind: 'int', min: 1 },
  optimizer: { kind: 'string', oneOf: OPTIMIZERS },
  lr: { kind: 'number', positive: true },
  momentum: { kind: 'number', min: 0, max: 0.999999 },
  l2: { kind: 'number', min: 0 },
  dropout: { kind: 'number', min: 0, max: 0.95 },
  seed: { kind: 'int', min: 0, max: 0xffffffff },
  backend: { kind: 'string', oneOf: ['auto', 'wasm', 'js'] },
  threads: { kind: 'int', min: 1, max: 64 },
  holdout: { kind: 'number', min: 0, max: 0.9 },
  validation: { kind: 'number', positive: true, max: 0.9 },
  patience: { kind: 'int', min: 1 },
  missing: { kind: 'string', oneOf: ['error', 'mean', 'mode', 'drop'] },
  delimiter: { kind: 'string', oneOf: [',', ';', 'tab'] },
  categorical: { kind: 'names' },
  ignore: { kind: 'names' },
  strict: { kind: 'bool' },
  'class-weights': { kind: 'string' },
  quiet: { kind: 'bool' },
  force: { kind: 'bool' },
  out: { kind: 'string' },
};

/** What training produced, for callers and tests. */
export interface TrainResult {
  backend: 'wasm' | 'js';
  losses: number[];
  metric: number; // last epoch's test accuracy (classification) or RMSE (regression)
  out: string;
}

const flagError = (flag: string, expected: string, got: unknown): never => {
  throw new BackpropError('INVALID_OPTION', flag, expected, got);
};

/** Checks between flags, and the output path: all before any data is read. */
function checkFlags(f: Flags): string {
  const type = (f.optimizer as string | undefined) ?? 'sgd';
  if (f.momentum !== undefined && type !== 'sgd') flagError('--momentum', 'to be given only with --optimizer sgd', f.momentum);
  if (f.patience !== undefined && f.validation === undefined)
    flagError('--patience', 'to be given with --validation F (early stopping watches the validation loss)', f.patience);
  if (f['class-weights'] !== undefined) classWeightsFlag(f['class-weights'] as string);
  const out = (f.out as string | undefined) ?? 'model.json';
  checkOutput(out, '--out', [f.data as string | undefined], f.force === true);
  return out;
}

/** `balanced` or `name=weight,…` → fit's classWeights. */
function classWeightsFlag(raw: string): ClassWeights {
  if (raw === 'balanced') return 'balanced';
  const out: Record<string, number> = {};
  for (const part of raw.split(',')) {
    const eq = part.lastIndexOf('=');
    const v = eq > 0 ? Number(part.slice(eq + 1)) : NaN;
    if (!(v >= 0) || !Number.isFinite(v) || part.slice(eq + 1).trim() === '')
      flagError('--class-weights', 'balanced, or class=weight pairs such as setosa=2,virginica=1 (weights ≥ 0)', raw);
    out[part.slice(0, eq).trim()] = v;
  }
  return out;
}

/** Network.create's complaints about the optimizer or regularization, renamed to the flags that set them. */
function asFlagError(e: unknown): unknown {
  if (!(e instanceof BackpropError)) return e;
  const flag = e.field.startsWith('optimizer.learningRate')
    ? '--lr'
    : e.field.startsWith('optimizer.momentum')
      ? '--momentum'
      : e.field.startsWith('optimizer')
        ? '--optimizer'
        : e.field.endsWith('dropout')
          ? '--dropout'
          : e.field.endsWith('l2')
            ? '--l2'
            : null;
  return flag ? new BackpropError('INVALID_OPTION', flag, e.expected, e.got ? words(e.got) : undefined) : e;
}

export async function train(f: Flags, out: Out, bar = new ProgressBar()): Promise<TrainResult> {
  const path = checkFlags(f);
  const quiet = f.quiet === true;
  const say = (line: string) => (quiet ? undefined : out.line(line));
  if (f.threads !== undefined && (f.threads as number) > 1) enableThreads();
  const d = loadTrainData(f, out);
  const hidden = (f.layers as number[] | undefined) ?? (d.mnist ? [128] : [32]);
  const epochs = (f.epochs as number | undefined) ?? 5;
  const batchSize = (f['batch-size'] as number | undefined) ?? 32;
  const type = (f.optimizer as string | undefined) ?? 'sgd';
  const optimizer: Record<string, unknown> = { type };
  // SGD gets the CLI's own defaults (as before); other optimizers take Network.create's.
  if (f.lr !== undefined || type === 'sgd')
    optimizer.learningRate = (f.lr as number | undefined) ?? (d.task === 'classification' ? 0.1 : 0.01);
  if (f.momentum !== undefined || type === 'sgd') optimizer.momentum = (f.momentum as number | undefined) ?? 0.9;
  const seed = (f.seed as number | undefined) ?? 1;
  const layers = hidden.map((units) => ({
    units,
    activation: 'relu' as const,
    ...(f.dropout !== undefined ? { dropout: f.dropout as number } : {}),
  }));
  const common = {
    optimizer: optimizer as unknown as NetworkSpec['optimizer'],
    seed,
    ...(f.l2 !== undefined ? { l2: f.l2 as number } : {}),
  };
  let net: Network;
  try {
    const options = { backend: ((f.backend as string | undefined) ?? 'auto') as BackendChoice };
    net = d.dataset
      ? await Network.create({ inputs: d.dataset, layers, ...common }, options)
      : await Network.create(
          { inputs: 784, layers: [...layers, { units: 10, activation: 'softmax' }], loss: 'crossEntropy', ...common },
          options,
        );
  } catch (e) {
    throw asFlagError(e);
  }
  const encode = (ds: Dataset) => ds.toArrays(net.preprocessing);
  const trainSet = d.dataset
    ? encode(d.dataset)
    : { inputs: d.mnist!.trainX, targets: d.mnist!.trainY, rows: d.mnist!.trainX.length / 784 };
  const testSet = d.test ? encode(d.test) : { inputs: d.mnist!.testX, targets: d.mnist!.testY, rows: d.mnist!.testLabels.length };
  const valSet = d.validation ? encode(d.validation) : null;
  const testLabels = d.test
    ? d.task === 'classification'
      ? net.preprocessing!.classIndices(d.test.source, d.test.index)
      : null
    : d.mnist!.testLabels;

  const shape = [net.inputs, ...net.spec.layers.map((l) => l.units)].join('-');
  const opt = Object.entries(optimizer)
    .filter(([k]) => k !== 'type')
    .map(([k, v]) => `${k === 'learningRate' ? 'lr' : k} ${v}`)
    .join(' ');
  say(
    `${d.describe}; network ${shape} (${count(net.parameterCount)} parameters), ${type}${opt ? ' ' + opt : ''}, batch ${batchSize}, backend ${net.backend}`,
  );

  const rng = new Rng(seed ^ 0x5eed);
  const losses: number[] = [];
  let metric = NaN;
  let best: { loss: number; epoch: number; weights: LayerWeights[] } | null = null;
  const patience = (f.patience as number | undefined) ?? Infinity;
  let sampleWeights: Float64Array | undefined;
  if (f['class-weights'] !== undefined) {
    const names = d.task === 'classification' ? d.classes : null;
    try {
      sampleWeights = rowWeights(
        { classWeights: classWeightsFlag(f['class-weights'] as string) },
        trainSet.targets,
        trainSet.rows,
        net.outputs,
        names,
        d.task === 'classification',
      )!;
    } catch (e) {
      throw e instanceof BackpropError
        ? new BackpropError(
            'INVALID_OPTION',
            '--class-weights',
            e.expected.replace('a classification network (a loss of crossEntropy or binaryCrossEntropy)', 'classification data'),
            e.got ? words(e.got) : undefined,
          )
        : e;
    }
  }
  const plan = {
    inputs: trainSet.inputs,
    targets: trainSet.targets,
    rows: trainSet.rows,
    batchSize,
    threads: f.threads as number | undefined,
    sampleWeights,
  };
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const label = `epoch ${epoch}/${epochs}`;
    let trainMs = 0,
      t = performance.now();
    const loss = await trainEpoch(net, plan, rng, ({ done, rows, loss }) => {
      const now = performance.now();
      trainMs += now - t;
      if (!quiet) bar.update(label, done / rows, `loss ${loss.toFixed(4)}  ${count(done / (trainMs / 1000))} samples/s`);
      t = performance.now(); // the bar's drawing is not training time
    });
    losses.push(loss);
    if (!Number.isFinite(loss))
      throw new BackpropError(
        'INVALID_OPTION',
        '--lr',
        'a learning rate small enough to keep the loss finite',
        words(`loss ${loss} in epoch ${epoch}`),
      );
    const score = testScore(net, testSet, testLabels, d.evalName);
    metric = score.metric;
    let val = '';
    if (valSet) {
      const v = net.evaluate({ inputs: valSet.inputs, targets: valSet.targets }).loss;
      val = `  val loss ${v.toFixed(4)}`;
      if (!best || v < best.loss) best = { loss: v, epoch, weights: net.getWeights() };
    }
    bar.clear();
    say(`${label}  loss ${loss.toFixed(4)}${val}  ${score.text}  ${count(trainSet.rows / (trainMs / 1000))} samples/s  ${net.backend}`);
    if (best && epoch - best.epoch >= patience) {
      out.note(`early stopping: no better validation loss for ${patience} epochs`);
      break;
    }
  }
  if (best && best.epoch !== losses.length) {
    net.setWeights(best.weights);
    metric = testScore(net, testSet, testLabels, d.evalName).metric;
    out.note(`restored the weights of epoch ${best.epoch} (the best validation loss, ${best.loss.toFixed(4)})`);
  }
  for (const line of finalReport(net, testSet, testLabels, d.classes, d.task, d.evalName)) out.line(line);

  await writeAtomic(path, JSON.stringify(net.toJSON()) + '\n', '--out');
  out.line(`saved ${path}; predict with: backprop predict --model ${path}${d.dataset ? ' --data file.csv' : ''}`);
  const backend = net.backend;
  net.dispose();
  return { backend, losses, metric, out: path };
}
