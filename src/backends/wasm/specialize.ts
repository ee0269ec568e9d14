// Per-shape code for small networks trained one sample at a time. The generic one-sample step
// (assembly/fused.ts, or sample.ts + step) loops over trip counts of 1–4 and re-reads the plan for
// every layer; for a 2-2-1 network that bookkeeping costs more than the ~20 flops and 3 exps of the
// step itself. So for a small network we emit a Wasm module whose trainStep/trainBatches are that
// same step fully unrolled for its shape: every weight at a constant offset from its layer's base,
// activations in locals; other optimizers than SGD run the main module's step() on the gradients. The arithmetic is fused.ts's, operation for operation (test/specialize.test.ts checks
// bit-identical heaps), and exp (inside sigmoid's formula), tanh, softmax and the logit losses
// are calls into the main module, so they are the same code too. An f32 network's module is the
// same step in f32, beside the f32 build (test/specialize-f32.test.ts). Buffer offsets are still read from the plan once per
// call, so a network can move in the heap without recompiling.
import type { Kernels } from '../backend.js';
import { fusable, type Precision, type ResolvedSpec } from '../../spec.js';
import { Act, LossKind, metricFor } from '../../kinds.js';
import { PLAN_FIELD } from '../../plan.js';
import { Body, encodeModule, op, F64, I32, VOID } from './encode.js';
import { REAL_F32, REAL_F64 } from './element-type.js';
import type { WasmExports } from './loader.js';
import { injectedFault } from '../out-of-memory.js';
import { IMPORTS, TRAIN_STEP, TRAIN_BATCHES, KEEP_STEP, UNDO_STEP, PARAMS_NON_FINITE } from './activation-emit.js';
import { loadInt, loadIntAt, planBytes, prologue, hold, release, storeDeferred, type Shape } from './step-context.js';
import { finite, emitStep } from './unrolled-step.js';
import { metric } from './step-metric.js';

export type { Shape };

/**
 * Networks up to this many parameters (and MAX_UNITS units per layer) get their own module: where
 * the unrolled step still beats the generic one-sample kernels (one sample per step, CPU time,
 * relu and sigmoid, 2026-11-29, AMD EPYC, two sweeps): f64 1.09–1.66× up to 340 parameters and
 * about even from 444 to 766 (0.94–1.13×); f32 1.01–1.61× up to 340 but 0.86–0.98× from 444 on
 * (the generic f32 kernels run 4 lanes where the module's code is scalar). Past ~900 the one big
 * function loses in both (16-32-16, 1,072: 0.87×).
 */
export const MAX_PARAMS: Record<Precision, number> = { f64: 768, f32: 384 };
export const MAX_UNITS = 64;

/**
 * The shape when `spec` is small and its one-sample steps are the fused SGD step (src/spec.ts
 * `fusable`) or, for other optimizers and for clipping, forward1 + backward1 + step with no L2 or
 * dropout (whose extra terms stay with the generic kernels).
 */
export function shapeOf(spec: ResolvedSpec, params: number): Shape | undefined {
  if (spec.layers.some((l) => l.l2 || l.dropout)) return undefined;
  if (params > MAX_PARAMS[spec.precision] || spec.layers.some((l) => l.units > MAX_UNITS) || spec.inputs > MAX_UNITS) return undefined;
  const o = spec.optimizer,
    fused = fusable(spec),
    momentum = fused && o.type === 'sgd' && o.momentum !== 0;
  return {
    inputs: spec.inputs,
    layers: spec.layers.map((l) => ({ inputs: l.inputs, units: l.units, act: Act[l.activation], bias: l.bias })),
    loss: LossKind[spec.loss],
    metric: metricFor(spec.loss),
    fused,
    momentum,
    nesterov: momentum && o.nesterov,
    precision: spec.precision,
  };
}

/** The module's bytes: exports trainStep and trainBatches with the main module's signatures (its values f64 or f32, as the shape's precision). */
export function generate(s: Shape): Uint8Array<ArrayBuffer> {
  return encodeModule(IMPORTS, [
    { body: trainStep(s), results: [F64], export: 'trainStep' },
    { body: trainBatches(s), results: [I32], export: 'trainBatches' },
  ]);
}

/** trainStep(plan, rows): the unrolled step when rows = 1 and the plan still matches, else the main module's. */
function trainStep(s: Shape): Body {
  const f = new Body([I32, I32], elementOf(s));
  const shift = f.real.shift;
  const [plan, rows] = [0, 1];
  f.get(rows).i32(1).emit(op.i32Ne);
  guard(f, s, plan);
  f.emit(op.if, VOID).get(plan).get(rows).call(TRAIN_STEP).emit(op.return, op.end);
  const c = prologue(f, s, plan);
  const xb = f.local(I32),
    yb = f.local(I32),
    yel = f.local(I32);
  f.get(plan)
    .emit(...loadInt(PLAN_FIELD.x, shift))
    .i32(shift)
    .emit(op.i32Shl)
    .set(xb);
  f.get(plan)
    .emit(...loadInt(PLAN_FIELD.y, shift))
    .tee(yel)
    .i32(shift)
    .emit(op.i32Shl)
    .set(yb);
  f.get(plan).call(KEEP_STEP); // as the main module's trainStep: a diverged update is undone
  const step = emitStep(f, s, c, xb, yb, yel);
  f.get(step.failed).emit(op.if, VOID).get(plan).call(UNDO_STEP).f64(NaN).set(step.loss).emit(op.end);
  f.get(step.loss);
  return f;
}

/** trainBatches(plan, dataX, dataY, perm, start, count, batchSize, out, lrs): the batch-1 loop of assembly/network.ts. */
function trainBatches(s: Shape): Body {
  const f = new Body(Array(9).fill(I32), elementOf(s));
  const shift = f.real.shift;
  // perm, out and lrs are f64 cells: cell n of a block at element e is at element e + n·8/size.
  const toCells = () => {
    if (shift === 2) f.i32(1).emit(op.i32Shl);
  };
  const [plan, dataX, dataY, perm, start, count, batchSize, out, lrs] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  f.get(batchSize).i32(1).emit(op.i32Ne);
  guard(f, s, plan);
  f.emit(op.if, VOID);
  for (let i = 0; i < 9; i++) f.get(i);
  f.call(TRAIN_BATCHES).emit(op.return, op.end);
  const c = prologue(f, s, plan);
  c.eachStep = false; // fused steps: the parameters are checked once, when the chunk ends (see end())
  if (s.fused) {
    hold(f, s, c);
    c.deferred = [];
  }
  const outputs = s.layers[s.layers.length - 1].units;
  const b = f.local(I32),
    r = f.local(I32),
    xb = f.local(I32),
    yb = f.local(I32),
    yel = f.local(I32),
    ob = f.local(I32),
    checked = f.local(I32);
  f.emit(op.block, VOID, op.loop, VOID);
  f.get(b).get(count).emit(op.i32GeS).br(1, true);
  // r = perm[start + b]; the sample's rows are read in place.
  f.get(perm).get(start);
  toCells();
  f.emit(op.i32Add).get(b);
  toCells();
  f.emit(op.i32Add)
    .i32(shift)
    .emit(op.i32Shl)
    .emit(...loadIntAt(0))
    .set(r);
  f.get(dataX).get(r).i32(s.inputs).emit(op.i32Mul, op.i32Add).i32(shift).emit(op.i32Shl).set(xb);
  f.get(dataY).get(r).i32(outputs).emit(op.i32Mul, op.i32Add).tee(yel).i32(shift).emit(op.i32Shl).set(yb);
  // With a schedule, lr = lrs[b], also written to the plan as the generic loop does (then rounded
  // to f32 for an f32 step, as fused.ts reads it).
  f.get(lrs).i32(0).emit(op.i32GeS, op.if, VOID);
  const rate = f.real.type === F64 ? c.lr : f.local(F64);
  planBytes(f, plan).get(lrs).get(b);
  toCells();
  f.emit(op.i32Add)
    .i32(shift)
    .emit(op.i32Shl)
    .load(0)
    .tee(rate)
    .store(8 * PLAN_FIELD.lr);
  if (rate !== c.lr) f.get(rate).fromF64().set(c.lr);
  f.emit(op.end);
  const step = emitStep(f, s, c, xb, yb, yel);
  // out[2b] = loss, out[2b + 1] = metric; stop after a non-finite loss or update.
  f.get(out).get(b).get(b).emit(op.i32Add);
  toCells();
  f.emit(op.i32Add).i32(shift).emit(op.i32Shl).set(ob);
  f.get(ob).get(step.loss).store(0);
  f.get(ob);
  metric(f, s, step.out, yb);
  f.store(8);
  f.get(b).i32(1).emit(op.i32Add).set(b);
  finite(f, step.loss);
  f.emit(op.i32Eqz).get(step.failed).emit(op.i32Or, op.if, VOID);
  end();
  f.get(b).emit(op.return, op.end);
  f.br(0).emit(op.end, op.end);
  end();
  f.get(b);
  return f;

  /** Parameters back to memory, then (fused) the chunk's check: flags the plan if one is not finite. */
  function end() {
    if (!s.fused) return;
    f.get(b).emit(op.if, VOID); // a step ran: its Z and A
    storeDeferred(f, c);
    f.emit(op.end);
    release(f, s, c);
    f.get(plan).call(PARAMS_NON_FINITE).set(checked);
  }
}

/** ORs into the i32 on the stack: 1 when the plan no longer matches the shape's optimizer (fusable or not, momentum). */
function guard(f: Body, s: Shape, plan: number): void {
  planBytes(f, plan)
    .load(8 * PLAN_FIELD.fusable)
    .f64(s.fused ? 1 : 0)
    .emit(op.f64Ne, op.i32Or);
  if (!s.fused) return;
  planBytes(f, plan)
    .load(8 * PLAN_FIELD.decay1)
    .f64(0)
    .emit(s.momentum ? op.f64Eq : op.f64Ne, op.i32Or);
  planBytes(f, plan)
    .load(8 * PLAN_FIELD.nesterov)
    .f64(s.nesterov ? 1 : 0)
    .emit(op.f64Ne, op.i32Or);
}

/** The element type of the shape's values. */
function elementOf(s: Shape) {
  return s.precision === 'f32' ? REAL_F32 : REAL_F64;
}

/** The main module's exports a generated module imports. */
function importsFrom(e: WasmExports): WebAssembly.Imports {
  const x = e as unknown as Record<string, unknown>;
  return { env: { memory: e.memory, ...Object.fromEntries(IMPORTS.map((i) => [i.name, x[i.name]])) } };
}

const cache = new WeakMap<WasmExports, Map<string, Kernels | null>>();
/** Shapes compiled per main instance, least recently used first; the oldest is dropped past this. */
const CACHE_SIZE = 64;

/**
 * The main module's kernels with trainStep and trainBatches replaced by ones generated for this
 * shape, or undefined when the network is not eligible or the module cannot be compiled here
 * (a CSP without 'wasm-unsafe-eval', an engine refusing synchronous compiles): then the generic
 * kernels run, with the same results. Compiled synchronously: the module is small and V8 compiles
 * its functions lazily, so this is ≈ 0.1 ms beyond generating the bytes.
 */
export function specialized(e: WasmExports, shape: Shape | undefined): Kernels | undefined {
  if (!shape || typeof (e as unknown as { exp?: unknown }).exp !== 'function') return undefined;
  try {
    injectedFault(0); // fault-injection tests: no module to be had now (so none cached: maybe later)
  } catch {
    return undefined;
  }
  let shapes = cache.get(e);
  if (!shapes) cache.set(e, (shapes = new Map()));
  const key = JSON.stringify(shape);
  let k = shapes.get(key);
  if (k !== undefined)
    shapes.delete(key); // re-inserted below as the most recent
  else {
    try {
      const x = new WebAssembly.Instance(new WebAssembly.Module(generate(shape)), importsFrom(e)).exports;
      k = { ...e, trainStep: x.trainStep, trainBatches: x.trainBatches } as unknown as Kernels;
    } catch (err) {
      if (err instanceof RangeError) return undefined; // out of memory now, maybe not later: not cached
      k = null;
    }
    if (shapes.size >= CACHE_SIZE) shapes.delete(shapes.keys().next().value!);
  }
  shapes.set(key, k);
  return k ?? undefined;
}
