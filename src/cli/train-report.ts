// What `backprop train` prints about the test rows: a score per epoch, and at the end the
// confusion matrix with per-class precision and recall (classification) or MAE, RMSE and R².
import type { Network } from '../network.js';
import { classificationReport, regressionReport } from '../dataset/report.js';
import { percent } from './progress.js';

interface Rows {
  inputs: Float64Array;
  targets: Float64Array;
  rows: number;
}

/** Accuracy (labels given) or RMSE of the network on `set`. */
export function testScore(net: Network, set: Rows, labels: Uint32Array | null, name: string): { metric: number; text: string } {
  const p = net.predict(set.inputs, set.rows);
  if (labels) {
    const r = classificationReport(
      0,
      p,
      labels,
      Array.from({ length: net.outputs }, (_, i) => String(i)),
    );
    return { metric: r.accuracy, text: `${name} accuracy ${percent(r.accuracy)}` };
  }
  const r = regressionReport(0, p, set.targets, net.outputs);
  return { metric: r.rmse, text: `${name} rmse ${r.rmse.toPrecision(4)}` };
}

const fixed = (v: number) => v.toFixed(3);

/** The closing lines: an aligned confusion matrix with precision and recall, or the regression errors. */
export function finalReport(net: Network, set: Rows, labels: Uint32Array | null, classes: string[], task: string, name: string): string[] {
  const { loss } = net.evaluate({ inputs: set.inputs, targets: set.targets });
  const p = net.predict(set.inputs, set.rows);
  if (task !== 'classification' || !labels) {
    const r = regressionReport(loss, p, set.targets, net.outputs);
    return [`${name} (${set.rows} rows): rmse ${r.rmse.toPrecision(4)}  r2 ${r.r2.toFixed(4)}  mae ${r.mae.toPrecision(4)}`];
  }
  const r = classificationReport(loss, p, labels, classes);
  const right = r.confusionMatrix.reduce((s, row, i) => s + row[i], 0);
  const first = Math.max(6, ...classes.map((c) => c.length));
  const cell = Math.max(5, ...classes.map((c) => c.length), ...r.confusionMatrix.flat().map((v) => String(v).length));
  const head = [
    'actual \\ predicted'.padEnd(first),
    ...classes.map((c) => c.padStart(cell)),
    'precision'.padStart(10),
    'recall'.padStart(7),
  ].join(' ');
  const lines = [`${name} (${set.rows} rows): accuracy ${percent(r.accuracy)} (${right}/${set.rows})`, head.trimEnd()];
  classes.forEach((c, i) => {
    const pc = r.perClass[c];
    lines.push(
      [
        c.padEnd(Math.max(first, 18)),
        ...r.confusionMatrix[i].map((v) => String(v).padStart(cell)),
        fixed(pc.precision).padStart(10),
        fixed(pc.recall).padStart(7),
      ].join(' '),
    );
  });
  return lines;
}
