// Every batch metric, described once: the code the kernels take (assembly/metrics.ts,
// src/backends/js/metrics.ts; assembly/kinds.generated.ts is written from this table), the name
// it is reported under and what its batch sum is averaged over. A loss names its metric in
// src/kinds/losses.ts.

/** @internal */
export interface MetricKind {
  code: number;
  /** The name in logs, history and evaluate() (null: never reported). */
  reported: ReportedMetric | null;
  /** The kernel returns a sum over the batch; its mean divides by the rows or by rows × outputs. */
  meanOver: 'rows' | 'outputs';
  doc: string;
}

export const METRIC_KINDS = {
  none: { code: 0, reported: null, meanOver: 'outputs', doc: 'nothing (0)' },
  categoricalAccuracy: { code: 1, reported: 'accuracy', meanOver: 'rows', doc: 'rows whose argmax matches the target’s' },
  binaryAccuracy: { code: 2, reported: 'accuracy', meanOver: 'outputs', doc: 'outputs on the same side of 0.5 as the target' },
  mae: { code: 3, reported: 'mae', meanOver: 'outputs', doc: '|ŷ − y| per output' },
} as const satisfies Record<string, MetricKind>;
export type MetricName = keyof typeof METRIC_KINDS;
/** The names a metric is reported under. */
export type ReportedMetric = 'accuracy' | 'mae';
const METRICS = Object.keys(METRIC_KINDS) as MetricName[];
/** The metric with each code. @internal */
export const METRIC_BY_CODE: readonly MetricName[] = METRICS.reduce<MetricName[]>((list, name) => {
  list[METRIC_KINDS[name].code] = name;
  return list;
}, []);
/** name → code. */
export const Metric = Object.fromEntries(METRICS.map((name) => [name, METRIC_KINDS[name].code])) as {
  readonly [K in MetricName]: (typeof METRIC_KINDS)[K]['code'];
};
