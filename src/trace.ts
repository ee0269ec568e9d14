// Every intermediate value of a forward (and backward) pass, for pages and lessons that show
// backpropagation at work. The numbers come from the network's own kernels and pass order:
// the forward pass is the backend's, the backward pass is src/passes.ts over the backend's
// kernels (which the tests hold bit for bit to the backend's fused backward), only observed.
// An f32 network's trace is its f32 values (Float32Array in place of each Float64Array, as
// predict() returns), computed by its own f32 kernels.
import type { Network } from './network.js';
import type { Kernels } from './backends/backend.js';
import { toRows } from './data.js';
import { toPairs } from './pairs.js';
import { backward } from './passes.js';
import { LAYER_FIELD, layerAt } from './plan.js';

/** The arrays of an f32 network's trace are Float32Array (the values it computed with). */
export interface LayerTrace {
  /** Weighted sums z = a_prev·Wᵀ + b, rows × units (row-major). */
  z: Float64Array;
  /** Activations a = f(z), rows × units. */
  a: Float64Array;
  /** δ = ∂L/∂z, rows × units (present when targets were given). L is the mean loss over the rows. */
  delta?: Float64Array;
  /** ∂L/∂W [out][in] = Σ_rows δ_out · a_prev,in (+ λW with L2), as `gradients()` returns it. */
  weightGradients?: number[][];
  /** ∂L/∂b [out] = Σ_rows δ_out, for layers with a bias. */
  biasGradients?: number[];
}

export interface Trace {
  rows: number;
  /** The inputs as the network saw them, rows × inputs. */
  inputs: Float64Array;
  layers: LayerTrace[];
  /** Mean loss over the rows, L2 penalty included (present when targets were given). */
  loss?: number;
}

/**
 * Runs `x` (one sample, a list of samples, or flat rows) through `net` and returns every layer's
 * z and a; with targets `y`, also the loss, every layer's δ and the weight gradients. No
 * dropout, nothing updated.
 */
export function traceNetwork(net: Network, x: unknown, y?: unknown): Trace {
  const core = net.core;
  const { inputs, outputs } = net;
  const flatRows = (v: unknown, width: number) =>
    ArrayBuffer.isView(v) && (v as Float64Array).length !== width ? (v as Float64Array).length / width : undefined;
  const precision = core.spec.precision;
  const pair =
    y === undefined
      ? { x: toRows(x, inputs, 'inputs', flatRows(x, inputs), { precision }), y: undefined }
      : toPairs(x, y, inputs, outputs, 'inputs', 'targets', undefined, { precision });
  const rows = pair.x.rows;
  core.load(pair.x.data, pair.y?.data, rows);
  const k = core.backend.kernels,
    plan = core.plan;
  k.forward(plan, rows, 0);
  // Plan fields are f64 cells (cellOf); the offsets they hold, the values' elements (f32 in f32).
  const cells = core.backend.heap(),
    values = core.backend.values();
  const slice = (at: number, n: number) => values.slice(at, at + n) as Float64Array;
  const layers: LayerTrace[] = core.spec.layers.map((l, i) => {
    const t = layerAt(core.cellOf(plan), i),
      n = rows * l.units;
    return { z: slice(cells[t + LAYER_FIELD.z], n), a: slice(cells[t + LAYER_FIELD.a], n) };
  });
  const trace: Trace = { rows, inputs: pair.x.data.slice() as Float64Array, layers };
  if (y === undefined) return trace;
  trace.loss = k.batchLoss(plan, rows);
  // The backward pass calls gemmAtB(units, inputs, rows, δ, a_prev, ∂W) once per layer, last
  // layer first: δ is read there, as the kernel is about to use it.
  const deltas: Float64Array[] = [];
  const observed: Kernels = {
    ...k,
    gemmAtB(m, n, kk, a, b, c, acc) {
      deltas.push(core.backend.values().slice(a, a + m * kk) as Float64Array);
      k.gemmAtB(m, n, kk, a, b, c, acc);
    },
  };
  backward(observed, core.backend.heap(), plan, rows, 0, core.cell);
  const g = core.backend.values(),
    grads = core.grads,
    layout = core.layout;
  core.spec.layers.forEach((l, i) => {
    const s = layout.layers[i],
      layer = layers[i];
    layer.delta = deltas[core.spec.layers.length - 1 - i];
    layer.weightGradients = [];
    for (let o = 0; o < l.units; o++)
      layer.weightGradients.push(Array.from(g.subarray(grads + s.w + o * l.inputs, grads + s.w + (o + 1) * l.inputs)));
    if (s.b >= 0) layer.biasGradients = Array.from(g.subarray(grads + s.b, grads + s.b + l.units));
  });
  return trace;
}
