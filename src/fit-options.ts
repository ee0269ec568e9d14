// fit()'s options, checked up front so a bad option fails before any training.
import { BackpropError } from './errors.js';
import { checkKeys } from './spec.js';
import type { Batch } from './data.js';

export interface FitData {
  inputs: Batch;
  targets: Batch;
}
export interface EpochLogs {
  loss: number;
}
export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  /** Called after each epoch; return false to stop. */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | boolean | Promise<void | boolean>;
}
export interface History {
  /** Mean training loss of each epoch (each batch's loss taken before its update). */
  loss: number[];
}

const bad = (field: string, expected: string, got: unknown): never => {
  throw new BackpropError('INVALID_OPTION', field, expected, got);
};

export function checkFit(o: FitOptions, rows: number): Required<Omit<FitOptions, 'onEpochEnd'>> & Pick<FitOptions, 'onEpochEnd'> {
  if (typeof o !== 'object' || o === null) bad('options', 'an object', o);
  checkKeys(o, ['epochs', 'batchSize', 'shuffle', 'onEpochEnd'], 'options', 'INVALID_OPTION');
  const epochs = o.epochs ?? 1;
  if (!Number.isSafeInteger(epochs) || epochs < 1) bad('options.epochs', 'a positive integer', o.epochs);
  const batchSize = o.batchSize ?? 32;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) bad('options.batchSize', 'a positive integer', o.batchSize);
  if (o.shuffle !== undefined && typeof o.shuffle !== 'boolean') bad('options.shuffle', 'true or false', o.shuffle);
  if (o.onEpochEnd !== undefined && typeof o.onEpochEnd !== 'function') bad('options.onEpochEnd', 'a function', o.onEpochEnd);
  return { epochs, batchSize: Math.min(batchSize, rows), shuffle: o.shuffle ?? true, onEpochEnd: o.onEpochEnd };
}
