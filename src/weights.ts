// fit()'s classWeights and sampleWeights, resolved to one weight per training row (their product
// when both are given, as Keras does), checked before training starts.
import { BackpropError, words } from './errors.js';
import { classIndex } from './class-index.js';

export type ClassWeights = Record<string, number> | 'balanced';

export interface WeightOptions {
  /** Weight per class — by class name for a network created from a Dataset, else by output index — or 'balanced': n / (classes · rows of the class), as scikit-learn. */
  classWeights?: ClassWeights;
  /** One non-negative weight per row of the training data. */
  sampleWeights?: ArrayLike<number>;
}

const bad = (field: string, expected: string, got: unknown): never => {
  throw new BackpropError('INVALID_OPTION', field, expected, got);
};

/** The class of each row of one-hot (or 0/1 single-output) targets. */
function classOf(y: ArrayLike<number>, rows: number, outputs: number): Uint32Array {
  const out = new Uint32Array(rows);
  for (let r = 0; r < rows; r++) out[r] = classIndex(y, outputs, r);
  return out;
}

/**
 * Weights for `rows` rows of targets `y`, or null when neither option is given. `names` are the
 * classes' names (a Dataset network) or null (then classes are output indices, '0', '1', …).
 */
export function rowWeights(
  o: WeightOptions,
  y: ArrayLike<number>,
  rows: number,
  outputs: number,
  names: string[] | null,
  classification: boolean,
  given = rows,
): Float64Array | null {
  if (o.classWeights === undefined && o.sampleWeights === undefined) return null;
  const w = new Float64Array(rows).fill(1);
  if (o.sampleWeights !== undefined) {
    const s = o.sampleWeights;
    if (!(Array.isArray(s) || ArrayBuffer.isView(s)) || s.length !== given)
      bad('options.sampleWeights', `${given} numbers, one per row of the data`, s);
    for (let r = 0; r < rows; r++) {
      const v = s[r];
      if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) bad(`options.sampleWeights[${r}]`, 'a finite number ≥ 0', v);
      w[r] = v;
    }
  }
  if (o.classWeights !== undefined) {
    if (!classification)
      bad('options.classWeights', 'a classification network (a loss of crossEntropy or binaryCrossEntropy)', o.classWeights);
    const k = outputs === 1 ? 2 : outputs;
    const labels = names ?? Array.from({ length: k }, (_, i) => String(i));
    const cls = classOf(y, rows, outputs);
    const perClass = new Float64Array(k);
    if (o.classWeights === 'balanced') {
      const counts = new Float64Array(k);
      for (let r = 0; r < rows; r++) counts[cls[r]]++;
      for (let c = 0; c < k; c++) perClass[c] = counts[c] > 0 ? rows / (k * counts[c]) : 0;
    } else {
      const cw = o.classWeights;
      if (typeof cw !== 'object' || cw === null || Array.isArray(cw))
        bad('options.classWeights', "'balanced' or an object { class: weight }", cw);
      perClass.fill(1);
      for (const [name, v] of Object.entries(cw)) {
        const c = labels.indexOf(name);
        if (c < 0) bad(`options.classWeights.${name}`, `a class: ${labels.slice(0, 10).join(', ')}`, words('an unknown class'));
        if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) bad(`options.classWeights.${name}`, 'a finite number ≥ 0', v);
        perClass[c] = v;
      }
    }
    for (let r = 0; r < rows; r++) w[r] *= perClass[cls[r]];
  }
  return w;
}
