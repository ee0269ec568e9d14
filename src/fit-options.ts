// fit()'s options, checked up front so that a bad option fails before any training.
import { BackpropError } from './errors.js';
import { checkKeys } from './spec.js';
import type { Batch } from './data.js';
import type { Network } from './network.js';
import { pow, cosTurns } from './detmath.js';

export interface FitData {
  inputs: Batch;
  targets: Batch;
}

/** Metrics of an epoch or a batch. `accuracy` for classification losses, `mae` for regression. */
export interface Logs {
  loss: number;
  accuracy?: number;
  mae?: number;
  valLoss?: number;
  valAccuracy?: number;
  valMae?: number;
  /** Learning rate of the last step. */
  lr?: number;
}

/** Handed to callbacks: stop() ends training cleanly after the current batch or epoch. */
export interface Control {
  stop(): void;
  readonly network: Network;
}

export interface Callback {
  onTrainBegin?(control: Control): void;
  onEpochEnd?(epoch: number, logs: Logs, control: Control): void | boolean | Promise<void | boolean>;
  onBatchEnd?(batch: number, logs: Logs, control: Control): void | boolean;
  onTrainEnd?(history: History, control: Control): void;
}

/** Learning rate as a function of epoch and global step (both from 0); `lr0` is the optimizer's. */
export type Schedule =
  | { type: 'constant' }
  | { type: 'step'; every: number; factor: number } // lr0 · factor^⌊epoch/every⌋
  | { type: 'exponential'; rate: number } // lr0 · rate^(step/stepsPerEpoch): × rate per epoch, smoothly
  | { type: 'cosine'; minFactor?: number } // lr0 · (m + (1−m)·½(1 + cos(π·step/totalSteps)))
  | ((epoch: number, step: number) => number); // the learning rate itself

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  /** Fraction of rows, taken from the end before shuffling (as Keras), held out for validation. */
  validationSplit?: number;
  validationData?: FitData;
  schedule?: Schedule;
  /** Called after each epoch; return false (or call control.stop()) to stop. */
  onEpochEnd?: Callback['onEpochEnd'];
  /** Called after each batch (this makes every batch its own kernel call). */
  onBatchEnd?: Callback['onBatchEnd'];
  callbacks?: Callback[];
  /** Aborting rejects fit() with the signal's reason; the weights keep the progress made. */
  signal?: AbortSignal;
  /** Longest stretch of training between yields to the event loop (default 25 ms). */
  yieldEveryMs?: number;
  /**
   * Threads that share each batch (default 1): an integer 1–64, or 'auto' for min(cores, 4).
   * Needs enableThreads() from 'backprop-wasm/threads', the wasm backend and SharedArrayBuffer (in
   * browsers: cross-origin isolation); where missing, fit runs on one thread with one console
   * warning. `history.threads` says how many ran.
   */
  threads?: number | 'auto';
}

export interface History {
  loss: number[];
  accuracy?: number[];
  mae?: number[];
  valLoss?: number[];
  valAccuracy?: number[];
  valMae?: number[];
  lr: number[];
  /** Epochs completed. */
  epochs: number;
  /** With options.threads: how many threads trained (1 where threads could not run). */
  threads?: number;
}

const bad = (field: string, expected: string, got: unknown): never => {
  throw new BackpropError('INVALID_OPTION', field, expected, got);
};

const positiveInt = (v: unknown, field: string, dflt: number) => {
  if (v === undefined) return dflt;
  return Number.isSafeInteger(v) && (v as number) > 0 ? (v as number) : bad(field, 'a positive integer', v);
};

export interface CheckedFit {
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  validationSplit: number;
  schedule?: Schedule;
  callbacks: Callback[];
  signal?: AbortSignal;
  yieldEveryMs: number;
  threads: number | 'auto';
}

export function checkFit(o: FitOptions): CheckedFit {
  if (typeof o !== 'object' || o === null) bad('options', 'an object', o);
  checkKeys(
    o,
    [
      'epochs',
      'batchSize',
      'shuffle',
      'validationSplit',
      'validationData',
      'schedule',
      'onEpochEnd',
      'onBatchEnd',
      'callbacks',
      'signal',
      'yieldEveryMs',
      'threads',
    ],
    'options',
    'INVALID_OPTION',
  );
  if (o.shuffle !== undefined && typeof o.shuffle !== 'boolean') bad('options.shuffle', 'true or false', o.shuffle);
  for (const f of ['onEpochEnd', 'onBatchEnd'] as const)
    if (o[f] !== undefined && typeof o[f] !== 'function') bad(`options.${f}`, 'a function', o[f]);
  const split = o.validationSplit ?? 0;
  if (typeof split !== 'number' || !(split >= 0 && split < 1)) bad('options.validationSplit', 'a number in [0, 1)', o.validationSplit);
  if (split > 0 && o.validationData !== undefined) bad('options.validationSplit', 'validationSplit or validationData, not both', split);
  if (o.callbacks !== undefined && (!Array.isArray(o.callbacks) || o.callbacks.some((c) => typeof c !== 'object' || c === null)))
    bad('options.callbacks', 'an array of callback objects', o.callbacks);
  if (o.signal !== undefined && (typeof o.signal !== 'object' || o.signal === null || typeof o.signal.aborted !== 'boolean'))
    bad('options.signal', 'an AbortSignal', o.signal);
  const yieldEveryMs = o.yieldEveryMs ?? 25;
  if (typeof yieldEveryMs !== 'number' || !(yieldEveryMs > 0)) bad('options.yieldEveryMs', 'a number > 0', o.yieldEveryMs);
  checkSchedule(o.schedule);
  const callbacks = [...(o.callbacks ?? [])];
  if (o.onEpochEnd || o.onBatchEnd) callbacks.push({ onEpochEnd: o.onEpochEnd, onBatchEnd: o.onBatchEnd });
  return {
    epochs: positiveInt(o.epochs, 'options.epochs', 1),
    batchSize: positiveInt(o.batchSize, 'options.batchSize', 32),
    shuffle: o.shuffle ?? true,
    validationSplit: split,
    schedule: o.schedule,
    callbacks,
    signal: o.signal,
    yieldEveryMs,
    threads: checkThreads(o.threads),
  };
}

export const MAX_THREADS = 64;

function checkThreads(t: unknown): number | 'auto' {
  if (t === undefined) return 1;
  if (t === 'auto' || (Number.isSafeInteger(t) && (t as number) >= 1 && (t as number) <= MAX_THREADS)) return t as number | 'auto';
  return bad('options.threads', `'auto' or an integer from 1 to ${MAX_THREADS}`, t);
}

function checkSchedule(s: unknown): void {
  if (s === undefined || typeof s === 'function') return;
  if (typeof s !== 'object' || s === null)
    return bad('options.schedule', "a function (epoch, step) => lr or { type: 'constant' | 'step' | 'exponential' | 'cosine', ... }", s);
  const o = s as Record<string, unknown>;
  const keys: Record<string, string[]> = { constant: [], step: ['every', 'factor'], exponential: ['rate'], cosine: ['minFactor'] };
  if (typeof o.type !== 'string' || !(o.type in keys))
    return bad('options.schedule.type', "'constant', 'step', 'exponential' or 'cosine'", o.type);
  checkKeys(o, ['type', ...keys[o.type]], 'options.schedule', 'INVALID_OPTION');
  if (o.type === 'step') {
    positiveInt(o.every, 'options.schedule.every', 0);
    if (o.every === undefined) bad('options.schedule.every', 'a positive integer (epochs)', o.every);
  }
  const fraction = (key: string, required: boolean, lo: number) => {
    const v = o[key];
    if (v === undefined && !required) return;
    if (typeof v !== 'number' || !(v > lo && v <= 1)) bad(`options.schedule.${key}`, `a number in (${lo}, 1]`, v);
  };
  if (o.type === 'step') fraction('factor', true, 0);
  if (o.type === 'exponential') fraction('rate', true, 0);
  if (o.type === 'cosine' && o.minFactor !== undefined && !(typeof o.minFactor === 'number' && o.minFactor >= 0 && o.minFactor <= 1))
    bad('options.schedule.minFactor', 'a number in [0, 1]', o.minFactor);
}

/** The learning rate a schedule gives for one step. */
export function scheduledRate(
  s: Schedule | undefined,
  lr0: number,
  epoch: number,
  step: number,
  stepsPerEpoch: number,
  totalSteps: number,
): number {
  if (s === undefined) return lr0;
  if (typeof s === 'function') {
    const lr = s(epoch, step);
    if (typeof lr !== 'number' || !(Number.isFinite(lr) && lr > 0))
      bad('options.schedule', `a function returning a finite learning rate > 0 (epoch ${epoch}, step ${step})`, lr);
    return lr;
  }
  switch (s.type) {
    case 'step':
      return lr0 * pow(s.factor, Math.floor(epoch / s.every));
    case 'exponential':
      return lr0 * pow(s.rate, step / stepsPerEpoch);
    case 'cosine': {
      const m = s.minFactor ?? 0;
      return lr0 * (m + (1 - m) * 0.5 * (1 + cosTurns(step / totalSteps / 2)));
    }
    default:
      return lr0;
  }
}
