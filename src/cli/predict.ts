/// <reference types="node" />
// `backprop predict`: loads a model saved by `backprop train` (or any Network#toJSON) and predicts
// a CSV's rows through the model's own preprocessing — or, for an MNIST model given no data, the
// MNIST test digits — writing CSV to stdout or, atomically, to --out.
import { Network } from '../network.js';
import { BackpropError, words } from '../errors.js';
import type { BackendChoice } from '../spec.js';
import { readCsv } from '../dataset/csv.js';
import type { ColumnKind, Source } from '../dataset/columns.js';
import { classificationReport, regressionReport } from '../dataset/report.js';
import type { FlagSpec, Flags } from './args.js';
import { loadMnist } from './mnist.js';
import { readText, checkOutput, writeAtomic, inFile } from './files.js';
import { percent, type Out } from './progress.js';
import { fromLegacy, type Legacy } from './legacy.js';

export const PREDICT_FLAGS: Record<string, FlagSpec> = {
  model: { kind: 'string' },
  data: { kind: 'string' },
  out: { kind: 'string' },
  backend: { kind: 'string', oneOf: ['auto', 'wasm', 'js'] },
  delimiter: { kind: 'string', oneOf: [',', ';', 'tab'] },
  force: { kind: 'bool' },
};

export interface PredictResult {
  csv: string;
  metric: number | null; // accuracy or RMSE when the data holds the target column
}

/** The network of a model file; files of the first CLI format come with their target scaling. */
export async function readModel(path: string, backend: BackendChoice): Promise<{ net: Network; targetScaling: Legacy['targetScaling'] }> {
  const text = readText(path, '--model', 'a model file written by backprop train');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new BackpropError('INVALID_MODEL', path, 'JSON written by backprop train', words(`invalid JSON (${(e as Error).message})`));
  }
  let targetScaling: Legacy['targetScaling'] = null;
  if ((json as { format?: unknown })?.format === 'backprop-cli')
    ({ model: json, targetScaling } = fromLegacy(json as Record<string, unknown>, path));
  try {
    return { net: await Network.fromJSON(json, { backend }), targetScaling };
  } catch (e) {
    throw e instanceof BackpropError && e.code === 'INVALID_MODEL'
      ? new BackpropError('INVALID_MODEL', `${path}: ${e.field}`, e.expected, e.got ? words(e.got) : undefined)
      : e;
  }
}

const quote = (s: string) => (/[",\n\r;\t]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** The rows to predict, encoded as the model was trained, plus its targets when the file has them. */
function inputsFor(net: Network, f: Flags): { x: Float64Array; rows: number; labels: Uint32Array | null; targets: Float64Array | null } {
  const pre = net.preprocessing;
  if (f.data === undefined) {
    if (pre || net.inputs !== 784)
      throw new BackpropError(
        'INVALID_OPTION',
        '--data',
        `a CSV file with the columns ${
          pre
            ? pre.json.features
                .slice(0, 8)
                .map((c) => c.name)
                .join(', ') + (pre.json.features.length > 8 ? ', …' : '')
            : `of the model's ${net.inputs} inputs`
        }`,
        words('nothing'),
      );
    const d = loadMnist(8000, 2000);
    return { x: d.testX, rows: d.testCount, labels: Uint32Array.from(d.testLabels), targets: d.testY };
  }
  const file = f.data as string;
  const text = readText(file, '--data', 'a readable CSV file');
  const delimiter = f.delimiter === undefined ? undefined : f.delimiter === 'tab' ? '\t' : (f.delimiter as string);
  try {
    if (!pre) {
      const s = readCsv(text, { delimiter, kinds: {}, otherKind: 'numeric' });
      if (s.columns.length !== net.inputs)
        throw new BackpropError('INVALID_DATA', 'data', `${net.inputs} numeric columns, the model's inputs`, words(`${s.columns.length}`));
      const x = new Float64Array(s.rows * net.inputs);
      s.columns.forEach((c, j) => c.numbers!.forEach((v, r) => (x[r * net.inputs + j] = v === v ? v : failMissing(s, r, c.name))));
      return { x, rows: s.rows, labels: null, targets: null };
    }
    const t = pre.json.target;
    const kinds: Record<string, ColumnKind> = {};
    for (const c of pre.json.features) kinds[c.name] = c.kind;
    for (const name of t.names) kinds[name] = t.task === 'classification' ? 'categorical' : 'numeric';
    const source = readCsv(text, { delimiter, kinds, otherKind: 'ignore' });
    const rows = Uint32Array.from({ length: source.rows }, (_, i) => i);
    const x = pre.encode(source, rows);
    const hasTarget = t.names.every((n) => source.columns.some((c) => c.name === n && c.kind !== 'ignore'));
    if (!hasTarget) return { x, rows: source.rows, labels: null, targets: null };
    return t.task === 'classification'
      ? { x, rows: source.rows, labels: pre.classIndices(source, rows), targets: null }
      : { x, rows: source.rows, labels: null, targets: pre.encodeTargets(source, rows) };
  } catch (e) {
    throw inFile(e, file);
  }
}

function failMissing(s: Source, row: number, column: string): never {
  throw new BackpropError('INVALID_DATA', `line ${s.lines[row]}, column ${JSON.stringify(column)}`, 'a number', words('a missing value'));
}

export async function predict(f: Flags, out: Out): Promise<PredictResult> {
  if (f.model === undefined)
    throw new BackpropError('INVALID_OPTION', '--model', 'the model file to load (written by backprop train --out)', words('nothing'));
  if (f.out !== undefined) checkOutput(f.out as string, '--out', [f.data as string | undefined, f.model as string], f.force === true);
  const { net, targetScaling } = await readModel(f.model as string, ((f.backend as string | undefined) ?? 'auto') as BackendChoice);
  const { x, rows, labels, targets } = inputsFor(net, f);
  const p = net.predict(x, rows);
  if (targetScaling) for (let i = 0; i < p.length; i++) p[i] = p[i] * targetScaling.std + targetScaling.mean;
  const k = net.outputs;
  const pre = net.preprocessing;
  const classes = pre
    ? pre.json.target.classes
    : net.metric === 'accuracy' && k > 1
      ? Array.from({ length: k }, (_, i) => String(i))
      : null;
  const lines: string[] = [];
  let metric: number | null = null;
  const on =
    f.data === undefined
      ? `the ${rows} MNIST test digits`
      : `${rows} rows (their ${pre?.json.target.names.map((n) => JSON.stringify(n)).join(', ')} column)`;
  if (classes && classes.length === k) {
    const r = classificationReport(0, p, labels ?? new Uint32Array(rows), classes);
    lines.push(['prediction', ...classes.map((c) => quote(`p_${c}`))].join(','));
    for (let i = 0; i < rows; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (p[i * k + c] > p[i * k + best]) best = c;
      lines.push([quote(classes[best]), ...Array.from(p.subarray(i * k, (i + 1) * k), (v) => v.toPrecision(6))].join(','));
    }
    if (labels) {
      metric = r.accuracy;
      out.note(`accuracy ${percent(metric)} on ${on}, backend ${net.backend}`);
    }
  } else {
    const names = pre?.json.target.names ?? Array.from({ length: k }, (_, i) => String(i));
    lines.push(k === 1 ? 'prediction' : names.map((n) => quote(`prediction_${n}`)).join(','));
    for (let i = 0; i < rows; i++) lines.push(Array.from(p.subarray(i * k, (i + 1) * k), String).join(','));
    if (targets) {
      const r = regressionReport(0, p, targets, k);
      metric = r.rmse;
      out.note(`rmse ${r.rmse.toPrecision(4)} on ${on}, r2 ${r.r2.toFixed(4)}`);
    }
  }
  net.dispose();
  const csv = lines.join('\n') + '\n';
  if (f.out !== undefined) {
    await writeAtomic(f.out as string, csv, '--out');
    out.note(`wrote ${rows} predictions to ${f.out}`);
  } else if (f.data !== undefined) out.line(csv.slice(0, -1));
  else out.note('(pass --out file.csv to keep the predictions)');
  return { csv, metric };
}
