// Per-shape code for small networks trained one sample at a time. The generic fused step
// (assembly/fused.ts) loops over trip counts of 1–4 and re-reads the plan for every layer; for a
// 2-2-1 network that bookkeeping costs more than the ~20 flops and 3 exps of the step itself. So
// for a small network we emit a Wasm module whose trainStep/trainBatches are that same step fully
// unrolled for its shape: every weight at a constant offset from its layer's base, activations in
// locals. The arithmetic is fused.ts's, operation for operation (test/specialize.test.ts checks
// bit-identical heaps), and sigmoid, tanh, softmax and the logit losses are calls into the main
// module, so they are the same code too. Buffer offsets are still read from the plan once per
// call, so a network can move in the heap without recompiling.
import type { Kernels } from '../backend.js';
import type { Spec } from '../../spec.js';
import { Act, LossKind, LEAKY_SLOPE, metricFor, Metric, fusedWithOutput } from '../../kinds.js';
import { F, L, HEADER, LAYER } from '../../plan.js';
import { Body, encodeModule, op, F64, I32, VOID, type FuncImport } from './encode.js';
import type { WasmExports } from './loader.js';

/**
 * Networks up to this many parameters (and this many units per layer) get their own module.
 * Measured (fit, batch 1): 2-2-1 2.4× the generic kernels, 16-16-8-4 (436 parameters) 2.2×,
 * 16-28-10 (766) 3×; past ~900 the one big function loses (16-32-16, 1,072: 0.87×).
 */
export const MAX_PARAMS = 768;
export const MAX_UNITS = 64;

/** The shape a module is generated for; networks with equal keys share one module. */
interface Shape {
  inputs: number;
  layers: { inputs: number; units: number; act: number; bias: boolean }[];
  loss: number;
  metric: number;
  momentum: boolean;
  nesterov: boolean;
}

/** The shape when `spec` takes the fused one-sample path (src/core.ts `fusable`) and is small. */
export function shapeOf(spec: Spec, params: number): Shape | undefined {
  const o = spec.optimizer;
  if (o.type !== 'sgd' || o.clipNorm || o.clipValue || spec.layers.some((l) => l.l2 || l.dropout)) return undefined;
  if (params > MAX_PARAMS || spec.layers.some((l) => l.units > MAX_UNITS) || spec.inputs > MAX_UNITS) return undefined;
  return {
    inputs: spec.inputs,
    layers: spec.layers.map((l) => ({ inputs: l.inputs, units: l.units, act: Act[l.activation], bias: l.bias })),
    loss: LossKind[spec.loss],
    metric: metricFor(spec.loss),
    momentum: o.momentum !== 0,
    nesterov: o.momentum !== 0 && o.nesterov,
  };
}

const IMPORTS: FuncImport[] = [
  { name: 'sigmoid', params: [F64], results: [F64] },
  { name: 'tanh', params: [F64], results: [F64] },
  { name: 'activate', params: [I32, I32, I32, I32, I32], results: [] },
  { name: 'loss', params: [I32, I32, I32, I32, I32, I32], results: [F64] },
  { name: 'trainStep', params: [I32, I32], results: [F64] },
  { name: 'trainBatches', params: Array(9).fill(I32), results: [I32] },
];
const [SIGMOID, TANH, ACTIVATE, LOSS, TRAIN_STEP, TRAIN_BATCHES] = [0, 1, 2, 3, 4, 5];
const TWO_52 = 2 ** 52;

/** The module's bytes: exports trainStep and trainBatches with the main module's signatures. */
export function generate(s: Shape): Uint8Array<ArrayBuffer> {
  return encodeModule(IMPORTS, [
    { body: trainStep(s), results: [F64], export: 'trainStep' },
    { body: trainBatches(s), results: [I32], export: 'trainBatches' },
  ]);
}

/** trainStep(plan, rows): the unrolled step when rows = 1 and the plan still matches, else the main module's. */
function trainStep(s: Shape): Body {
  const f = new Body([I32, I32]);
  const [plan, rows] = [0, 1];
  f.get(rows).i32(1).emit(op.i32Ne);
  guard(f, s, plan);
  f.emit(op.if, VOID).get(plan).get(rows).call(TRAIN_STEP).emit(op.return, op.end);
  const c = prologue(f, s, plan);
  const xb = f.local(I32), yb = f.local(I32), yel = f.local(I32);
  f.get(plan).emit(...ldi(F.x)).i32(3).emit(op.i32Shl).set(xb);
  f.get(plan).emit(...ldi(F.y)).tee(yel).i32(3).emit(op.i32Shl).set(yb);
  const step = emitStep(f, s, c, xb, yb, yel);
  f.get(step.loss);
  return f;
}

/** trainBatches(plan, dataX, dataY, perm, start, count, batchSize, out, lrs): the batch-1 loop of assembly/network.ts. */
function trainBatches(s: Shape): Body {
  const f = new Body(Array(9).fill(I32));
  const [plan, dataX, dataY, perm, start, count, batchSize, out, lrs] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  f.get(batchSize).i32(1).emit(op.i32Ne);
  guard(f, s, plan);
  f.emit(op.if, VOID);
  for (let i = 0; i < 9; i++) f.get(i);
  f.call(TRAIN_BATCHES).emit(op.return, op.end);
  const c = prologue(f, s, plan);
  hold(f, s, c);
  const outputs = s.layers[s.layers.length - 1].units;
  const b = f.local(I32), r = f.local(I32), xb = f.local(I32), yb = f.local(I32), yel = f.local(I32), ob = f.local(I32);
  f.emit(op.block, VOID, op.loop, VOID);
  f.get(b).get(count).emit(op.i32GeS).br(1, true);
  // r = perm[start + b]; the sample's rows are read in place.
  f.get(perm).get(start).emit(op.i32Add).get(b).emit(op.i32Add).i32(3).emit(op.i32Shl).emit(...ldiAt(0)).set(r);
  f.get(dataX).get(r).i32(s.inputs).emit(op.i32Mul, op.i32Add).i32(3).emit(op.i32Shl).set(xb);
  f.get(dataY).get(r).i32(outputs).emit(op.i32Mul, op.i32Add).tee(yel).i32(3).emit(op.i32Shl).set(yb);
  // With a schedule, lr = lrs[b], also written to the plan as the generic loop does.
  f.get(lrs).i32(0).emit(op.i32GeS, op.if, VOID);
  f.get(plan).i32(3).emit(op.i32Shl).get(lrs).get(b).emit(op.i32Add).i32(3).emit(op.i32Shl).load(0).tee(c.lr).store(8 * F.lr);
  f.emit(op.end);
  const step = emitStep(f, s, c, xb, yb, yel);
  // out[2b] = loss, out[2b + 1] = metric; stop after a non-finite loss.
  f.get(out).get(b).get(b).emit(op.i32Add, op.i32Add).i32(3).emit(op.i32Shl).set(ob);
  f.get(ob).get(step.loss).store(0);
  f.get(ob);
  metric(f, s, step.out, yb);
  f.store(8);
  f.get(b).i32(1).emit(op.i32Add).set(b);
  finite(f, step.loss);
  f.emit(op.i32Eqz, op.if, VOID);
  release(f, s, c);
  f.get(b).emit(op.return, op.end);
  f.br(0).emit(op.end, op.end);
  release(f, s, c);
  f.get(b);
  return f;
}

/** ORs into the i32 on the stack: 1 when the plan no longer matches the shape's optimizer (not fusable, momentum changed). */
function guard(f: Body, s: Shape, plan: number): void {
  f.get(plan).i32(3).emit(op.i32Shl).load(8 * F.fusable).f64(1).emit(op.f64Ne, op.i32Or);
  f.get(plan).i32(3).emit(op.i32Shl).load(8 * F.beta1).f64(0).emit(s.momentum ? op.f64Eq : op.f64Ne, op.i32Or);
  f.get(plan).i32(3).emit(op.i32Shl).load(8 * F.nesterov).f64(s.nesterov ? 1 : 0).emit(op.f64Ne, op.i32Or);
}

/** An integer plan field as i32 (exactly, by the 2⁵² trick of assembly/mem.ts ldi), from the plan's element offset on the stack. */
function ldi(field: number): number[] {
  return [op.i32Const, 3, op.i32Shl, ...ldiAt(8 * field)];
}
function ldiAt(byteOffset: number): number[] {
  const b = new Body([]);
  b.load(byteOffset).f64(TWO_52).emit(op.f64Add, op.i64ReinterpretF64, op.i32WrapI64);
  return [...b.code.view()];
}

/**
 * Where one parameter lives during a step: at byte base + at (and its momentum at the same offset
 * in the state block), or, in trainBatches, in locals p (and v) that are loaded before the loop
 * and stored back before returning — the step-to-step chain then skips a store and a load.
 */
interface Slot {
  base: number;
  at: number;
  p: number;
  v: number;
}

interface Context {
  w: number[]; b: number[]; z: number[]; a: number[]; // byte bases per layer
  weights: Slot[][]; biases: Slot[][];
  zel: number[]; ael: number[]; // element offsets, for calls into the main module
  lr: number; mu: number; toState: number; counters: number; plan: number;
}

/** Reads the plan once per call: each layer's buffer bases, lr, momentum, the counters. */
function prologue(f: Body, s: Shape, plan: number): Context {
  const c: Context = { w: [], b: [], z: [], a: [], weights: [], biases: [], zel: [], ael: [], lr: f.local(F64), mu: f.local(F64), toState: f.local(I32), counters: f.local(I32), plan };
  const field = (l: number, k: number) => HEADER + l * LAYER + k;
  s.layers.forEach((layer, l) => {
    for (const [list, k] of [[c.w, L.w], [c.z, L.z], [c.a, L.a]] as const) {
      const el = f.local(I32), bytes = f.local(I32);
      f.get(plan).emit(...ldi(field(l, k))).tee(el).i32(3).emit(op.i32Shl).set(bytes);
      list.push(bytes);
      if (k === L.z) c.zel.push(el);
      if (k === L.a) c.ael.push(el);
    }
    c.b.push(-1);
    if (layer.bias) {
      c.b[l] = f.local(I32);
      f.get(plan).emit(...ldi(field(l, L.b))).i32(3).emit(op.i32Shl).set(c.b[l]);
    }
  });
  f.get(plan).i32(3).emit(op.i32Shl).load(8 * F.lr).set(c.lr);
  f.get(plan).i32(3).emit(op.i32Shl).load(8 * F.beta1).set(c.mu);
  f.get(plan).emit(...ldi(F.state)).get(plan).emit(...ldi(F.params), op.i32Sub).i32(3).emit(op.i32Shl).set(c.toState);
  f.get(plan).emit(...ldi(F.counters)).i32(3).emit(op.i32Shl).set(c.counters);
  s.layers.forEach((layer, l) => {
    c.weights.push(Array.from({ length: layer.units * layer.inputs }, (_, i) => ({ base: c.w[l], at: 8 * i, p: -1, v: -1 })));
    c.biases.push(layer.bias ? Array.from({ length: layer.units }, (_, o) => ({ base: c.b[l], at: 8 * o, p: -1, v: -1 })) : []);
  });
  return c;
}

/** Moves every parameter (and momentum) into locals. */
function hold(f: Body, s: Shape, c: Context): void {
  for (const slot of [...c.weights.flat(), ...c.biases.flat()]) {
    slot.p = f.local(F64);
    f.get(slot.base).load(slot.at).set(slot.p);
    if (!s.momentum) continue;
    slot.v = f.local(F64);
    f.get(slot.base).get(c.toState).emit(op.i32Add).load(slot.at).set(slot.v);
  }
}

/** Stores the locals of hold() back to memory. */
function release(f: Body, s: Shape, c: Context): void {
  for (const slot of [...c.weights.flat(), ...c.biases.flat()]) {
    f.get(slot.base).get(slot.p).store(slot.at);
    if (s.momentum) f.get(slot.base).get(c.toState).emit(op.i32Add).get(slot.v).store(slot.at);
  }
}

/** Pushes a parameter's value. */
function param(f: Body, slot: Slot): void {
  if (slot.p >= 0) f.get(slot.p);
  else f.get(slot.base).load(slot.at);
}

/** Pushes 1 when local v is finite (v − v = 0, as AssemblyScript's isFinite). */
function finite(f: Body, v: number): void {
  f.get(v).get(v).emit(op.f64Sub).f64(0).emit(op.f64Eq);
}

/**
 * One fused SGD step on the sample at x (bytes) → y (bytes; yel its element offset), as fusedStep
 * in assembly/fused.ts: forward (Z and A stored as the generic pass stores them), loss; if finite,
 * backward with each weight updated right after it fed the previous layer's delta, then the counters.
 */
function emitStep(f: Body, s: Shape, c: Context, xb: number, yb: number, yel: number): { loss: number; out: number[] } {
  const tmp = f.local(F64);
  // Forward.
  let input: number[] = [];
  for (let i = 0; i < s.inputs; i++) input.push(f.local(F64)), f.get(xb).load(8 * i).set(input[i]);
  const xs = input, zs: number[][] = [], as: number[][] = [];
  s.layers.forEach((layer, l) => {
    const z: number[] = [], a: number[] = [];
    // The generic sum starts from 0: z = ((0 + t₀) + t₁) + … Without the leading 0 the sum differs
    // only when every term is −0 (then it is −0, not +0), so z = (t₀ + t₁ + …) + 0 exactly. Sigmoid
    // and relu give the same bits for ±0, so they take the unfixed sum, one add shorter on the
    // step's dependency chain; the stored Z (and every other activation) takes the fixed one.
    const signBlind = layer.act === Act.sigmoid || layer.act === Act.relu;
    for (let o = 0; o < layer.units; o++) {
      for (let i = 0; i < layer.inputs; i++) {
        param(f, c.weights[l][o * layer.inputs + i]);
        f.get(input[i]).emit(op.f64Mul);
        if (i > 0) f.emit(op.f64Add);
      }
      if (layer.bias) param(f, c.biases[l][o]), f.emit(op.f64Add);
      const raw = f.local(F64);
      z.push(signBlind ? raw : f.local(F64));
      f.tee(raw).f64(0).emit(op.f64Add);
      if (signBlind) f.set(tmp).get(c.z[l]).get(tmp).store(8 * o);
      else f.set(z[o]).get(c.z[l]).get(z[o]).store(8 * o);
    }
    if (layer.act === Act.softmax) {
      f.i32(Act.softmax).i32(1).i32(layer.units).get(c.zel[l]).get(c.ael[l]).call(ACTIVATE);
      for (let o = 0; o < layer.units; o++) a.push(f.local(F64)), f.get(c.a[l]).load(8 * o).set(a[o]);
    } else {
      for (let o = 0; o < layer.units; o++) {
        a.push(f.local(F64));
        f.get(c.a[l]);
        activation(f, layer.act, z[o]);
        f.tee(a[o]).store(8 * o);
      }
    }
    zs.push(z), as.push(a), (input = a);
  });
  const last = s.layers.length - 1, outUnits = s.layers[last].units, out = as[last], zOut = zs[last];
  const y = (i: number) => f.get(yb).load(8 * i);

  // Loss (assembly/losses.ts loss with rows = 1).
  const loss = f.local(F64);
  if (s.loss === LossKind.crossEntropy || s.loss === LossKind.binaryCrossEntropy) {
    f.i32(s.loss).i32(1).i32(outUnits).get(c.zel[last]).get(c.ael[last]).get(yel).call(LOSS);
  } else {
    f.f64(0);
    for (let i = 0; i < outUnits; i++) y(i).get(out[i]).emit(op.f64Sub).tee(tmp).get(tmp).emit(op.f64Mul, op.f64Add);
    if (s.loss === LossKind.mse) f.f64(outUnits).emit(op.f64Div);
    else f.set(tmp).f64(0.5).get(tmp).emit(op.f64Mul); // (0.5·s)/rows, rows = 1
  }
  f.set(loss);
  finite(f, loss);
  f.emit(op.if, VOID);

  // dL/dZ of the output layer (lossBackward, then the activation's derivative unless fused).
  let dz: number[] = [];
  const ySum = f.local(F64);
  if (s.loss === LossKind.crossEntropy) {
    f.f64(0);
    for (let i = 0; i < outUnits; i++) y(i).emit(op.f64Add);
    f.set(ySum);
  }
  for (let i = 0; i < outUnits; i++) {
    dz.push(f.local(F64));
    if (s.loss === LossKind.crossEntropy) f.get(out[i]).get(ySum).emit(op.f64Mul), y(i).emit(op.f64Sub);
    else {
      f.get(out[i]), y(i).emit(op.f64Sub);
      if (s.loss === LossKind.mse) f.f64(2 / outUnits).emit(op.f64Mul);
      if (s.loss === LossKind.binaryCrossEntropy) f.f64(1 / outUnits).emit(op.f64Mul);
    }
    f.set(dz[i]);
  }
  if (!fusedWithOutput(s.loss)) dz = derivative(f, s.layers[last].act, zOut, out, dz);

  // Backward with the updates fused in.
  for (let l = last; l >= 0; l--) {
    const layer = s.layers[l], prev = l > 0 ? as[l - 1] : xs;
    const spare: number[] = [];
    if (l > 0) for (let i = 0; i < layer.inputs; i++) spare.push(f.local(F64)), f.f64(0).set(spare[i]);
    const w = f.local(F64), g = f.local(F64);
    for (let o = 0; o < layer.units; o++) {
      for (let i = 0; i < layer.inputs; i++) {
        const slot = c.weights[l][o * layer.inputs + i];
        const value = slot.p >= 0 ? slot.p : w; // the weight before its update
        if (slot.p < 0) f.get(slot.base).load(slot.at).set(w);
        if (l > 0) f.get(spare[i]).get(value).get(dz[o]).emit(op.f64Mul, op.f64Add).set(spare[i]);
        f.get(dz[o]).get(prev[i]).emit(op.f64Mul).set(g);
        update(f, s, c, slot, value, g);
      }
      if (layer.bias) {
        const slot = c.biases[l][o];
        if (slot.p < 0) f.get(slot.base).load(slot.at).set(w);
        update(f, s, c, slot, slot.p >= 0 ? slot.p : w, dz[o]);
      }
    }
    if (l > 0) dz = derivative(f, s.layers[l - 1].act, zs[l - 1], as[l - 1], spare);
  }
  // Counters: optimizer steps, and the dropout stream modulo 2³².
  f.get(c.counters).get(c.counters).load(0).f64(1).emit(op.f64Add).store(0);
  f.get(c.counters).get(c.counters).load(8).f64(1).emit(op.f64Add).tee(tmp).f64(0).get(tmp).f64(4294967296).emit(op.f64Lt, op.select).store(8);
  f.emit(op.end);
  return { loss, out };
}

/** Pushes f(z) for an elementwise kind (assembly/activations.ts, element for element). */
function activation(f: Body, kind: number, z: number): void {
  if (kind === Act.sigmoid) f.get(z).call(SIGMOID);
  else if (kind === Act.tanh) f.get(z).call(TANH);
  else if (kind === Act.relu) f.get(z).f64(0).get(z).f64(0).emit(op.f64Gt, op.select);
  else if (kind === Act.leakyRelu) f.get(z).f64(LEAKY_SLOPE).get(z).emit(op.f64Mul).get(z).f64(0).emit(op.f64Gt, op.select);
  else f.get(z);
}

/** dZ = dA ⊙ f′ into new locals (activateBackward for one row). */
function derivative(f: Body, kind: number, z: number[], a: number[], da: number[]): number[] {
  const dz = da.map(() => f.local(F64));
  let sum = -1;
  if (kind === Act.softmax) {
    sum = f.local(F64);
    f.f64(0);
    for (let i = 0; i < a.length; i++) f.get(a[i]).get(da[i]).emit(op.f64Mul, op.f64Add);
    f.set(sum);
  }
  for (let i = 0; i < a.length; i++) {
    if (kind === Act.sigmoid) f.get(da[i]).get(a[i]).emit(op.f64Mul).f64(1).get(a[i]).emit(op.f64Sub, op.f64Mul);
    else if (kind === Act.tanh) f.get(da[i]).f64(1).get(a[i]).get(a[i]).emit(op.f64Mul, op.f64Sub, op.f64Mul);
    else if (kind === Act.relu) f.get(da[i]).f64(0).get(z[i]).f64(0).emit(op.f64Gt, op.select);
    else if (kind === Act.leakyRelu) f.get(da[i]).f64(LEAKY_SLOPE).get(da[i]).emit(op.f64Mul).get(z[i]).f64(0).emit(op.f64Gt, op.select);
    else if (kind === Act.softmax) f.get(a[i]).get(da[i]).get(sum).emit(op.f64Sub, op.f64Mul);
    else f.get(da[i]);
    f.set(dz[i]);
  }
  return dz;
}

/** p ← p − lr·g; with momentum μ: v ← μv + g, p ← p − lr·v (Nesterov: p − lr·(g + μv)). p's current value is in local w. */
function update(f: Body, s: Shape, c: Context, slot: Slot, w: number, g: number): void {
  const inMemory = slot.p < 0;
  let v = slot.v;
  if (s.momentum) {
    if (inMemory) {
      v = f.local(F64);
      f.get(slot.base).get(c.toState).emit(op.i32Add);
      f.get(c.mu).get(slot.base).get(c.toState).emit(op.i32Add).load(slot.at).emit(op.f64Mul).get(g).emit(op.f64Add).tee(v).store(slot.at);
    } else f.get(c.mu).get(v).emit(op.f64Mul).get(g).emit(op.f64Add).set(v);
  }
  if (inMemory) f.get(slot.base);
  f.get(w).get(c.lr);
  if (!s.momentum) f.get(g);
  else if (s.nesterov) f.get(g).get(c.mu).get(v).emit(op.f64Mul, op.f64Add);
  else f.get(v);
  f.emit(op.f64Mul, op.f64Sub);
  if (inMemory) f.store(slot.at);
  else f.set(slot.p);
}

/** Pushes the metric of the output (locals a) against y (bytes), as assembly/metrics.ts for one row. */
function metric(f: Body, s: Shape, a: number[], yb: number): void {
  const n = a.length, y = (i: number) => f.get(yb).load(8 * i);
  if (s.metric === Metric.mae) {
    f.f64(0);
    for (let i = 0; i < n; i++) f.get(a[i]), y(i).emit(op.f64Sub, op.f64Abs, op.f64Add);
  } else if (s.metric === Metric.binaryAccuracy) {
    const sum = f.local(F64);
    f.f64(0).set(sum);
    for (let i = 0; i < n; i++) {
      f.get(sum).f64(1).emit(op.f64Add).get(sum);
      f.get(a[i]).f64(0.5).emit(op.f64Ge), y(i).f64(0.5).emit(op.f64Ge, op.i32Eq, op.select);
      f.set(sum);
    }
    f.get(sum);
  } else if (s.metric === Metric.categoricalAccuracy) {
    // Index of the first maximum of a and of y (strictly greater replaces), then 1 if they agree.
    const pa = f.local(I32), py = f.local(I32), best = f.local(F64), cond = f.local(I32), v = f.local(F64);
    for (const [idx, value] of [[pa, (i: number) => f.get(a[i])], [py, y]] as const) {
      f.i32(0).set(idx);
      value(0), f.set(best);
      for (let i = 1; i < n; i++) {
        value(i), f.tee(v).get(best).emit(op.f64Gt).set(cond);
        f.i32(i).get(idx).get(cond).emit(op.select).set(idx);
        f.get(v).get(best).get(cond).emit(op.select).set(best);
      }
    }
    f.f64(1).f64(0).get(pa).get(py).emit(op.i32Eq, op.select);
  } else f.f64(0);
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
  if (!shape || typeof (e as unknown as { sigmoid?: unknown }).sigmoid !== 'function') return undefined;
  let shapes = cache.get(e);
  if (!shapes) cache.set(e, (shapes = new Map()));
  const key = JSON.stringify(shape);
  let k = shapes.get(key);
  if (k !== undefined) shapes.delete(key); // re-inserted below as the most recent
  else {
    try {
      const x = new WebAssembly.Instance(new WebAssembly.Module(generate(shape)), importsFrom(e)).exports;
      k = { ...e, trainStep: x.trainStep, trainBatches: x.trainBatches } as unknown as Kernels;
    } catch {
      k = null;
    }
    if (shapes.size >= CACHE_SIZE) shapes.delete(shapes.keys().next().value!);
  }
  shapes.set(key, k);
  return k ?? undefined;
}
