// The per-shape step's metric for its one row (see unrolled-step.ts), as assembly/metrics.ts
// computes it: comparisons and |a − y| in the element type, the sum in f64.
import { Metric } from '../../kinds.js';
import { Body, op, F64, I32 } from './encode.js';
import type { Shape } from './step-context.js';

/** Pushes the metric (f64) of the output (locals a) against y (bytes). */
export function metric(f: Body, s: Shape, a: number[], yb: number): void {
  const n = a.length,
    real = f.real,
    y = (i: number) => f.get(yb).loadValue(i << real.shift);
  if (s.metric === Metric.mae) {
    f.f64(0);
    for (let i = 0; i < n; i++) {
      f.get(a[i]);
      y(i).emit(real.sub, real.abs).toF64().emit(op.f64Add);
    }
  } else if (s.metric === Metric.binaryAccuracy) {
    const sum = f.local(F64);
    f.f64(0).set(sum);
    for (let i = 0; i < n; i++) {
      f.get(sum).f64(1).emit(op.f64Add).get(sum);
      f.get(a[i]).value(0.5).emit(real.ge);
      y(i).value(0.5).emit(real.ge, op.i32Eq, op.select);
      f.set(sum);
    }
    f.get(sum);
  } else if (s.metric === Metric.categoricalAccuracy) {
    // Index of the first maximum of a and of y (strictly greater replaces), then 1 if they agree.
    const pa = f.local(I32),
      py = f.local(I32),
      best = f.local(real.type),
      cond = f.local(I32),
      v = f.local(real.type);
    for (const [idx, value] of [
      [pa, (i: number) => f.get(a[i])],
      [py, y],
    ] as const) {
      f.i32(0).set(idx);
      value(0);
      f.set(best);
      for (let i = 1; i < n; i++) {
        value(i);
        f.tee(v).get(best).emit(real.gt).set(cond);
        f.i32(i).get(idx).get(cond).emit(op.select).set(idx);
        f.get(v).get(best).get(cond).emit(op.select).set(best);
      }
    }
    f.f64(1).f64(0).get(pa).get(py).emit(op.i32Eq, op.select);
  } else if (s.metric === Metric.none) f.f64(0);
  else throw new Error(`backprop internal error: no metric code ${s.metric}`); // never a silent 0
}
