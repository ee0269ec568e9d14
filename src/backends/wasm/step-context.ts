// What a per-shape step works with (see unrolled-step.ts): the shape it is generated for, the
// plan read once per call into locals (buffer bases, lr, momentum, the counters), and where each
// parameter lives during the step. Values are of the body's element type (f.real: f64, or f32 at
// precision 'f32'); plan fields and counters are f64 cells in both.
import type { Precision } from '../../spec.js';
import { PLAN_FIELD, LAYER_FIELD, HEADER, LAYER } from '../../plan.js';
import { Body, op, F64, I32 } from './encode.js';
import { REAL_F64 } from './element-type.js';

/** The shape a module is generated for; networks with equal keys share one module. */
export interface Shape {
  inputs: number;
  layers: { inputs: number; units: number; act: number; bias: boolean }[];
  loss: number;
  metric: number;
  /** True: plain or momentum SGD fused into the backward pass (assembly/fused.ts). False: gradients into the gradient block, then the main module's step() (its optimizer, clipping and step counter). */
  fused: boolean;
  momentum: boolean;
  nesterov: boolean;
  /** The element type of the main module the step runs beside (src/backends/wasm/index.ts picks the f64 or the f32 build). */
  precision: Precision;
}

const TWO_52 = 2 ** 52;

/**
 * An integer plan field as i32 (exactly, by the 2⁵² trick of assembly/mem.ts loadInt), from the
 * plan's element offset on the stack; `shift` is log2 of the element size (the plan's byte address
 * is its offset << shift).
 */
export function loadInt(field: number, shift: number): number[] {
  return [op.i32Const, shift, op.i32Shl, ...loadIntAt(8 * field)];
}
export function loadIntAt(byteOffset: number): number[] {
  const b = new Body([], REAL_F64); // plan cells are f64 in both builds
  b.load(byteOffset).f64(TWO_52).emit(op.f64Add, op.i64ReinterpretF64, op.i32WrapI64);
  return [...b.code.view()];
}

/** Pushes the byte address of the plan at element offset `plan` (a local). */
export function planBytes(f: Body, plan: number): Body {
  return f.get(plan).i32(f.real.shift).emit(op.i32Shl);
}

/**
 * Where one parameter lives during a step: at byte base + at (and its momentum at the same offset
 * in the state block), or, in trainBatches, in locals p (and v) that are loaded before the loop
 * and stored back before returning — the step-to-step chain then skips a store and a load.
 */
export interface Slot {
  base: number;
  at: number;
  p: number;
  v: number;
}

export interface Context {
  w: number[];
  b: number[];
  z: number[];
  a: number[]; // byte bases per layer
  weights: Slot[][];
  biases: Slot[][];
  zel: number[];
  ael: number[]; // element offsets, for calls into the main module
  lr: number;
  mu: number;
  toState: number;
  toGrad: number;
  counters: number;
  plan: number;
  /** Fused steps checked one by one (trainStep): Σ of the step's new parameters, finite while they are (see assembly/optimizers.ts verdict). */
  bad: number;
  /** A new value, for that sum. */
  fresh: number;
  /** Whether emitStep checks each fused step (trainStep) or the caller checks a chunk at its end (trainBatches). */
  eachStep: boolean;
  /** Locals holding the counters (optimizer steps, dropout stream) during trainBatches' fused steps (see hold), else −1: in memory. */
  steps: number;
  stream: number;
  /**
   * trainBatches' fused steps: Z and A of the layers whose buffers no call reads during a step
   * (not softmax, not the output of a logit loss) stay in locals and are stored once, after the
   * chunk's last step (storeDeferred), where the generic steps store every step's. Undefined: stored each step.
   */
  deferred?: { base: number; at: number; value: number; plusZero: boolean }[];
}

/** Reads the plan once per call: each layer's buffer bases, lr, momentum (rounded to the element type, as fused.ts's `<real>`), the counters. */
export function prologue(f: Body, s: Shape, plan: number): Context {
  const real = f.real.type,
    shift = f.real.shift,
    size = 1 << shift;
  const c: Context = {
    w: [],
    b: [],
    z: [],
    a: [],
    weights: [],
    biases: [],
    zel: [],
    ael: [],
    lr: f.local(real),
    mu: f.local(real),
    toState: f.local(I32),
    toGrad: f.local(I32),
    counters: f.local(I32),
    plan,
    bad: f.local(real),
    fresh: f.local(real),
    eachStep: true,
    steps: -1,
    stream: -1,
  };
  const field = (l: number, k: number) => HEADER + l * LAYER + k;
  s.layers.forEach((layer, l) => {
    for (const [list, k] of [
      [c.w, LAYER_FIELD.w],
      [c.z, LAYER_FIELD.z],
      [c.a, LAYER_FIELD.a],
    ] as const) {
      const el = f.local(I32),
        bytes = f.local(I32);
      f.get(plan)
        .emit(...loadInt(field(l, k), shift))
        .tee(el)
        .i32(shift)
        .emit(op.i32Shl)
        .set(bytes);
      list.push(bytes);
      if (k === LAYER_FIELD.z) c.zel.push(el);
      if (k === LAYER_FIELD.a) c.ael.push(el);
    }
    c.b.push(-1);
    if (layer.bias) {
      c.b[l] = f.local(I32);
      f.get(plan)
        .emit(...loadInt(field(l, LAYER_FIELD.b), shift))
        .i32(shift)
        .emit(op.i32Shl)
        .set(c.b[l]);
    }
  });
  planBytes(f, plan)
    .load(8 * PLAN_FIELD.lr)
    .fromF64()
    .set(c.lr);
  planBytes(f, plan)
    .load(8 * PLAN_FIELD.decay1)
    .fromF64()
    .set(c.mu);
  f.get(plan)
    .emit(...loadInt(PLAN_FIELD.state, shift))
    .get(plan)
    .emit(...loadInt(PLAN_FIELD.params, shift), op.i32Sub)
    .i32(shift)
    .emit(op.i32Shl)
    .set(c.toState);
  if (!s.fused)
    f.get(plan)
      .emit(...loadInt(PLAN_FIELD.grads, shift))
      .get(plan)
      .emit(...loadInt(PLAN_FIELD.params, shift), op.i32Sub)
      .i32(shift)
      .emit(op.i32Shl)
      .set(c.toGrad);
  f.get(plan)
    .emit(...loadInt(PLAN_FIELD.counters, shift))
    .i32(shift)
    .emit(op.i32Shl)
    .set(c.counters);
  s.layers.forEach((layer, l) => {
    c.weights.push(Array.from({ length: layer.units * layer.inputs }, (_, i) => ({ base: c.w[l], at: size * i, p: -1, v: -1 })));
    c.biases.push(layer.bias ? Array.from({ length: layer.units }, (_, o) => ({ base: c.b[l], at: size * o, p: -1, v: -1 })) : []);
  });
  return c;
}

/** Moves every parameter (and momentum), and the two counters, into locals (fused steps only: step() updates memory). */
export function hold(f: Body, s: Shape, c: Context): void {
  c.steps = f.local(F64);
  c.stream = f.local(F64);
  f.get(c.counters).load(0).set(c.steps);
  f.get(c.counters).load(8).set(c.stream);
  for (const slot of [...c.weights.flat(), ...c.biases.flat()]) {
    slot.p = f.local(f.real.type);
    f.get(slot.base).loadValue(slot.at).set(slot.p);
    if (!s.momentum) continue;
    slot.v = f.local(f.real.type);
    f.get(slot.base).get(c.toState).emit(op.i32Add).loadValue(slot.at).set(slot.v);
  }
}

/** Stores the locals of hold() back to memory. */
export function release(f: Body, s: Shape, c: Context): void {
  f.get(c.counters).get(c.steps).store(0);
  f.get(c.counters).get(c.stream).store(8);
  for (const slot of [...c.weights.flat(), ...c.biases.flat()]) {
    f.get(slot.base).get(slot.p).storeValue(slot.at);
    if (s.momentum) f.get(slot.base).get(c.toState).emit(op.i32Add).get(slot.v).storeValue(slot.at);
  }
}

/** Stores the Z and A values emitStep left in locals (c.deferred): the last step's, as the generic steps leave them. */
export function storeDeferred(f: Body, c: Context): void {
  for (const d of c.deferred ?? []) {
    f.get(d.base).get(d.value);
    if (d.plusZero) f.value(0).emit(f.real.add); // the stored Z is the generic sum's, 0 + t₀ + … (see emitStep)
    f.storeValue(d.at);
  }
}

/** Pushes a parameter's value. */
export function param(f: Body, slot: Slot): void {
  if (slot.p >= 0) f.get(slot.p);
  else f.get(slot.base).loadValue(slot.at);
}
