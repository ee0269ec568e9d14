// What Network needs to know about Datasets, kept small and free of the Dataset code itself, so
// that a program that never uses a Dataset does not bundle it: a Dataset is recognized by a brand,
// and does its own work through its methods (spec, encoding, evaluation).
import type { NetworkSpec } from '../spec.js';
import type { Dataset } from './dataset.js';
import type { Preprocessing } from './preprocessing.js';
import type { ClassificationReport, RegressionReport } from './report.js';
import type { FitData, FitOptions } from '../fit-options.js';
import { classIndex } from '../class-index.js';

/** A spec whose `inputs` is a Dataset: its layers are the hidden ones, the output layer is added. */
export type DatasetSpec = Omit<NetworkSpec, 'inputs'> & { inputs: Dataset };
export interface DatasetFitOptions extends Omit<FitOptions, 'validationData'> {
  validationData?: FitData | Dataset;
}
export type Report = ClassificationReport | RegressionReport;

/** Set on Dataset.prototype: how Network recognizes one without importing its code. */
export const DATASET = Symbol.for('backprop-wasm.dataset');

export const isDataset = (v: unknown): v is Dataset =>
  typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[DATASET] === true;

const isRecord = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);

/** 'one' for a record, 'many' for an array of records, null for numbers. */
export function recordShape(x: unknown): 'one' | 'many' | null {
  if (isRecord(x)) return 'one';
  if (Array.isArray(x) && x.length > 0 && isRecord(x[0])) return 'many';
  return null;
}

/** Class of each row of outputs: a class name (number when the classes are numbers), an index, or 0/1 for one sigmoid output. */
export function classesOf(outputs: Float64Array, width: number, pre: Preprocessing | undefined): (string | number)[] {
  const rows = outputs.length / width;
  const names = pre?.json.target.task === 'classification' ? pre.json.target.classes : null;
  const numeric = pre?.json.target.numericClasses ?? false;
  const out: (string | number)[] = new Array(rows);
  for (let r = 0; r < rows; r++) {
    const k = classIndex(outputs, width, r);
    out[r] = names ? (numeric ? Number(names[k]) : names[k]) : k;
  }
  return out;
}

/** fit()'s data and validation data as numbers: Datasets encoded by the network's preprocessing. */
export function fitArrays(
  net: { preprocessing: Preprocessing | undefined; inputs: number; outputs: number },
  data: FitData | Dataset,
  options: FitOptions | DatasetFitOptions,
): { data: FitData; options: FitOptions } {
  const o = options ?? {};
  const val = (o as DatasetFitOptions).validationData;
  return {
    data: isDataset(data) ? data.encodeFor(net, 'data') : (data as FitData),
    options: isDataset(val) ? { ...o, validationData: val.encodeFor(net, 'options.validationData') } : (o as FitOptions),
  };
}
