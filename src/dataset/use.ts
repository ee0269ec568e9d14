// What Network does with a Dataset: the spec it implies, records in, class names out.
import { BackpropError } from '../errors.js';
import type { NetworkSpec, LayerSpec } from '../spec.js';
import { Dataset } from './dataset.js';
import type { Preprocessing } from './preprocessing.js';
import { argmax, classificationReport, regressionReport, type ClassificationReport, type RegressionReport } from './report.js';
import type { FitData, FitOptions } from '../fit-options.js';
import type { Network } from '../network.js';

/** A spec whose `inputs` is a Dataset: its layers are the hidden ones, the output layer is added. */
export type DatasetSpec = Omit<NetworkSpec, 'inputs'> & { inputs: Dataset };

export const isDatasetSpec = (spec: unknown): spec is DatasetSpec => typeof spec === 'object' && spec !== null && (spec as { inputs?: unknown }).inputs instanceof Dataset;

/**
 * The numeric spec for a Dataset: its encoded width as inputs, and an output layer over its
 * classes (softmax with crossEntropy) or its targets (linear with mse). A given loss wins, and the
 * output layer's activation then follows the loss, as for any spec.
 */
export function specFor(spec: DatasetSpec): { spec: NetworkSpec; pre: Preprocessing } {
  const data = spec.inputs;
  const pre = data.preprocessing;
  const classify = pre.json.target.task === 'classification';
  const layers: LayerSpec[] = Array.isArray(spec.layers) ? [...spec.layers] : [];
  const out: LayerSpec = { units: pre.outputs };
  if (spec.loss === undefined) out.activation = classify ? 'softmax' : 'linear';
  return { spec: { ...spec, inputs: pre.width, layers: [...layers, out], loss: spec.loss ?? (classify ? 'crossEntropy' : 'mse') }, pre };
}

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
    const k = width === 1 ? (outputs[r] >= 0.5 ? 1 : 0) : argmax(outputs, width, r);
    out[r] = names ? (numeric ? Number(names[k]) : names[k]) : k;
  }
  return out;
}

export interface DatasetFitOptions extends Omit<FitOptions, 'validationData'> {
  validationData?: FitData | Dataset;
}
export type Report = ClassificationReport | RegressionReport;

/** fit()'s data and validation data as numbers: Datasets encoded by the network's preprocessing. */
export function fitArrays(net: Network, data: FitData | Dataset, options: FitOptions | DatasetFitOptions): { data: FitData; options: FitOptions } {
  const encode = (d: Dataset, field: string) => {
    const a = d.toArrays(net.preprocessing ?? d.preprocessing);
    if (a.inputs.length !== a.rows * net.inputs || a.targets.length !== a.rows * net.outputs) {
      throw new BackpropError('INVALID_DATA', field, `a Dataset encoding to ${net.inputs} inputs and ${net.outputs} outputs`, `${a.inputs.length / a.rows} and ${a.targets.length / a.rows}`);
    }
    return { inputs: a.inputs, targets: a.targets };
  };
  const o = options ?? {};
  const val = (o as DatasetFitOptions).validationData;
  return {
    data: data instanceof Dataset ? encode(data, 'data') : data,
    options: val instanceof Dataset ? { ...o, validationData: encode(val, 'options.validationData') } : (o as FitOptions),
  };
}

/** evaluate() of a Dataset (null for numbers: the caller's plain path). */
export function evaluateDataset(net: Network, data: unknown, options: { batchSize?: number }): Report | null {
  if (!(data instanceof Dataset)) return null;
  const pre = net.preprocessing ?? data.preprocessing;
  const a = data.toArrays(pre);
  const { loss } = net.evaluate({ inputs: a.inputs, targets: a.targets }, options);
  const out = net.predict(a.inputs, a.rows);
  if (pre.json.target.task === 'classification') return classificationReport(loss, out, pre.classIndices(data.source, data.index), pre.json.target.classes);
  return regressionReport(loss, out, a.targets, net.outputs);
}
