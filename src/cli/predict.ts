/// <reference types="node" />
// `backprop predict`: loads a model file from `backprop train` and predicts a CSV's rows (or,
// for an MNIST model given no data, the MNIST test digits), writing CSV to stdout or --out.
import { readFileSync, writeFileSync } from 'node:fs';
import { Network } from '../network.js';
import { BackpropError, words } from '../errors.js';
import type { BackendChoice } from '../spec.js';
import type { FlagSpec, Flags } from './args.js';
import { at } from './csv.js';
import { applyScaling } from './dataset.js';
import { argmaxRows } from './epoch.js';
import { loadMnist } from './mnist.js';
import { checkModelFile, type ModelFile } from './model-file.js';
import { readCsvFile, rmse } from './train.js';
import { percent, type Out } from './progress.js';

export const PREDICT_FLAGS: Record<string, FlagSpec> = {
  model: { kind: 'string' },
  data: { kind: 'string' },
  out: { kind: 'string' },
  backend: { kind: 'string', oneOf: ['auto', 'wasm', 'js'] },
};

export interface PredictResult {
  csv: string;
  metric: number | null; // accuracy or RMSE when the data holds the target column
}

export function readModelFile(path: string): ModelFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new BackpropError('INVALID_OPTION', '--model', 'a model file written by backprop train', words(`${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`));
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new BackpropError('INVALID_MODEL', path, 'JSON written by backprop train', words(`invalid JSON (${(e as Error).message})`));
  }
  return checkModelFile(json, path);
}

/** The data to predict as model inputs, plus the target column when present. */
function inputsFor(m: ModelFile, f: Flags): { x: Float64Array; rows: number; target: Float64Array | null } {
  if (f.data === undefined) {
    if (m.source !== 'mnist') throw new BackpropError('INVALID_OPTION', '--data', `a CSV file with the columns ${m.features.slice(0, 8).join(', ')}${m.features.length > 8 ? ', …' : ''}`, words('nothing'));
    const d = loadMnist(8000, 2000);
    return { x: d.testX, rows: d.testCount, target: Float64Array.from(d.testLabels) };
  }
  const file = f.data as string;
  const t = readCsvFile(file);
  const cols = m.features.map((name) => {
    const c = t.header.indexOf(name);
    if (c < 0) throw new BackpropError('INVALID_DATA', at(file, 1), `a column ${JSON.stringify(name)}, as the model was trained on (${m.features.length} features)`, words(`columns ${t.header.join(', ')}`));
    return c;
  });
  const w = t.header.length, nf = cols.length;
  const x = new Float64Array(t.rows * nf);
  for (let r = 0; r < t.rows; r++) cols.forEach((c, i) => (x[r * nf + i] = t.data[r * w + c]));
  const tc = t.header.indexOf(m.target);
  const target = tc < 0 ? null : Float64Array.from({ length: t.rows }, (_, r) => t.data[r * w + tc]);
  return { x: m.scaling ? applyScaling(x, m.scaling) : x, rows: t.rows, target };
}

export async function predict(f: Flags, out: Out): Promise<PredictResult> {
  if (f.model === undefined) throw new BackpropError('INVALID_OPTION', '--model', 'the model file to load (written by backprop train --out)', words('nothing'));
  const path = f.model as string;
  const m = readModelFile(path);
  let net: Network;
  try {
    net = await Network.fromJSON(m.network, { backend: ((f.backend as string | undefined) ?? 'auto') as BackendChoice });
  } catch (e) {
    throw e instanceof BackpropError ? e.within('INVALID_MODEL', `${path}: network`) : e;
  }
  const { x, rows, target } = inputsFor(m, f);
  const p = net.predict(x, rows);
  const lines: string[] = [];
  let metric: number | null = null;
  if (m.task === 'classification') {
    const k = m.classes.length;
    const best = argmaxRows(p, k);
    lines.push(['prediction', ...m.classes.map((c) => `p_${c}`)].join(','));
    for (let r = 0; r < rows; r++) lines.push([m.classes[best[r]], ...Array.from(p.subarray(r * k, (r + 1) * k), (v) => v.toPrecision(6))].join(','));
    if (target) {
      let right = 0;
      for (let r = 0; r < rows; r++) if (m.classes[best[r]] === target[r]) right++;
      metric = right / rows;
      const on = f.data === undefined ? `the ${rows} MNIST test digits` : `${rows} rows (their ${JSON.stringify(m.target)} column)`;
      out.note(`accuracy ${percent(metric)} on ${on}, backend ${net.backend}`);
    }
  } else {
    const ts = m.targetScaling ?? { mean: [0], std: [1] };
    lines.push('prediction');
    for (let r = 0; r < rows; r++) lines.push(String(p[r] * ts.std[0] + ts.mean[0]));
    if (target) {
      metric = rmse(net, x, target, ts);
      out.note(`rmse ${metric.toPrecision(4)} on ${rows} rows (their ${JSON.stringify(m.target)} column)`);
    }
  }
  net.dispose();
  const csv = lines.join('\n') + '\n';
  if (f.out !== undefined) {
    writeFileSync(f.out as string, csv);
    out.note(`wrote ${rows} predictions to ${f.out}`);
  } else if (f.data !== undefined) out.line(csv.slice(0, -1));
  else out.note('(pass --out file.csv to keep the predictions)');
  return { csv, metric };
}
