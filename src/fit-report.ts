// A fit's reporting: the history it returns and what each epoch adds to it, with the logs the
// callbacks see (for every kind of fit: plain, threaded and weighted).
import type { Network } from './network.js';
import { reportedMetric } from './kinds.js';
import { evaluateRows, metricMean } from './evaluate.js';
import type { Callback, Control, History, Logs } from './fit-options.js';
import type { FitRows } from './fit-data.js';

const EVAL_BATCH = 256;

/** An epoch's logs from its sums (Σ loss·rows, Σ metric, rows seen) and its last learning rate. */
export function epochLogs(kind: number, sums: Float64Array, outputs: number, lr: number): Logs {
  return { loss: sums[0] / sums[2], ...metricMean(kind, sums[1], sums[2], outputs), lr };
}

/** The end of a fit's epoch: validation and history (endEpoch), then the callbacks; false when one asked to stop. */
export async function reportEpoch(
  net: Network,
  history: History,
  logs: Logs,
  val: FitRows['val'],
  epoch: number,
  callbacks: Callback[],
  control: Control,
): Promise<boolean> {
  endEpoch(net, history, logs, val);
  let goOn = true;
  for (const c of callbacks) if ((await c.onEpochEnd?.(epoch, logs, control)) === false) goOn = false;
  return goOn;
}

/** What a fit returns, empty: the loss and the metric beside it, their validation twins when validation rows exist. */
export function newHistory(net: Network, validating: boolean, threads?: number): History {
  const { name, valName } = metricNames(net);
  return {
    loss: [],
    [name]: [],
    lr: [],
    epochs: 0,
    ...(validating ? { valLoss: [], [valName]: [] } : {}),
    ...(threads !== undefined ? { threads } : {}),
  };
}

/** The end of an epoch, for every kind of fit: the validation figures into `logs`, then `logs` into the history. */
export function endEpoch(net: Network, history: History, logs: Logs, val: FitRows['val']): void {
  const { name, valName } = metricNames(net);
  if (val) {
    const v = evaluateRows(net.core, val.x, val.y, val.rows, EVAL_BATCH, val.field);
    logs.valLoss = v.loss;
    logs[valName] = v[name];
  }
  history.loss.push(logs.loss);
  history[name]!.push(logs[name]!);
  history.lr.push(logs.lr!);
  if (val) {
    history.valLoss!.push(logs.valLoss!);
    history[valName]!.push(logs[valName]!);
  }
  history.epochs++;
}

function metricNames(net: Network): { name: 'accuracy' | 'mae'; valName: 'valAccuracy' | 'valMae' } {
  return reportedMetric(net.core.spec.loss) === 'mae' ? { name: 'mae', valName: 'valMae' } : { name: 'accuracy', valName: 'valAccuracy' };
}
