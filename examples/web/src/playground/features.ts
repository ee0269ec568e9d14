// Input features computed from a point (x₁, x₂), as TensorFlow Playground offers them.
export const FEATURES = ['x1', 'x2', 'x1sq', 'x2sq', 'x1x2', 'sinx1', 'sinx2'] as const;
export type FeatureName = (typeof FEATURES)[number];

export const FEATURE_LABELS: Record<FeatureName, string> = {
  x1: 'x₁',
  x2: 'x₂',
  x1sq: 'x₁²',
  x2sq: 'x₂²',
  x1x2: 'x₁x₂',
  sinx1: 'sin x₁',
  sinx2: 'sin x₂',
};

const compute: Record<FeatureName, (a: number, b: number) => number> = {
  x1: (a) => a,
  x2: (_, b) => b,
  x1sq: (a) => a * a,
  x2sq: (_, b) => b * b,
  x1x2: (a, b) => a * b,
  sinx1: (a) => Math.sin(a),
  sinx2: (_, b) => Math.sin(b),
};

/** Rows of the chosen features for n points (xy: n × 2), n × features.length. */
export function featurize(xy: Float64Array, features: readonly FeatureName[]): Float64Array {
  const n = xy.length / 2,
    k = features.length;
  const out = new Float64Array(n * k);
  const fs = features.map((f) => compute[f]);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) out[i * k + j] = fs[j](xy[2 * i], xy[2 * i + 1]);
  return out;
}

/** The points of a side × side grid over [−domain, domain]², row 0 at the top (x₂ = +domain). */
export function gridPoints(side: number, domain: number): Float64Array {
  const xy = new Float64Array(side * side * 2);
  for (let r = 0; r < side; r++)
    for (let c = 0; c < side; c++) {
      const i = r * side + c;
      xy[2 * i] = -domain + ((c + 0.5) * 2 * domain) / side;
      xy[2 * i + 1] = domain - ((r + 0.5) * 2 * domain) / side;
    }
  return xy;
}
