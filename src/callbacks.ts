// Ready-made callbacks for fit().
import { BackpropError } from './errors.js';
import { checkKeys } from './spec.js';
import type { Callback, Logs } from './fit-options.js';
import type { LayerWeights } from './layer-weights.js';

export interface EarlyStoppingOptions {
  /** The logged value to watch (default 'valLoss' when validating, else 'loss'). */
  monitor?: keyof Logs;
  /** Stop after this many epochs in a row without improvement (default 0, which acts like 1, as in Keras). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Put back the weights of the best epoch when stopping (default false). */
  restoreBest?: boolean;
}

/** Stops training when `monitor` stops improving (lower is better, except accuracies). */
export function earlyStopping(options: EarlyStoppingOptions = {}): Callback {
  checkKeys(options, ['monitor', 'patience', 'minDelta', 'restoreBest'], 'earlyStopping', 'INVALID_OPTION');
  const patience = options.patience ?? 0;
  const minDelta = options.minDelta ?? 0;
  if (!Number.isSafeInteger(patience) || patience < 0)
    throw new BackpropError('INVALID_OPTION', 'earlyStopping.patience', 'a non-negative integer', patience);
  if (typeof minDelta !== 'number' || !(minDelta >= 0))
    throw new BackpropError('INVALID_OPTION', 'earlyStopping.minDelta', 'a number ≥ 0', minDelta);
  let best = Infinity,
    wait = 0,
    bestWeights: LayerWeights[] | undefined;
  return {
    onTrainBegin() {
      best = Infinity;
      wait = 0;
      bestWeights = undefined;
    },
    onEpochEnd(_epoch, logs, control) {
      const key = options.monitor ?? (logs.valLoss !== undefined ? 'valLoss' : 'loss');
      const value = logs[key];
      if (typeof value !== 'number')
        throw new BackpropError('INVALID_OPTION', 'earlyStopping.monitor', `one of ${Object.keys(logs).join(', ')}`, key);
      const score = /accuracy/i.test(key) ? -value : value; // lower is better
      if (score < best - minDelta) {
        best = score;
        wait = 0;
        if (options.restoreBest) bestWeights = control.network.getWeights();
      } else if (++wait >= Math.max(1, patience)) {
        if (bestWeights) control.network.setWeights(bestWeights);
        control.stop();
      }
    },
  };
}
