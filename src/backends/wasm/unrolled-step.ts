// The body of one fused SGD step for a given network shape, as Wasm code (see specialize.ts):
// the plan read once per call, parameters at constant offsets (or held in locals), the forward
// pass, the loss, and the backward pass with each update fused in — assembly/fused.ts's
// arithmetic, operation for operation.
import { Act, Metric, fusedWithOutput, type Loss } from '../../kinds.js';
import { LOSS_BY_CODE } from '../../kinds/losses.js';
import { PLAN_FIELD, LAYER_FIELD, HEADER, LAYER } from '../../plan.js';
import { Body, op, F64, I32, VOID } from './encode.js';
import { ACTIVATE, LOSS, STEP, PARAMS_NON_FINITE, emitterOf } from './activation-emit.js';

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
}

/** How the step computes a loss for one row (assembly/losses.ts, rows = 1, the same operations). */
interface LossForm {
  /** 'call': the main module's loss(); 'mean' / 'halfSum': Σ (y − ŷ)² inline, ÷ outputs or × ½. */
  value: 'call' | 'mean' | 'halfSum';
  /** The gradient before its factor: 'difference' ŷ − y; 'weighted' ŷ·Σy − y (crossEntropy's, softmax fused). */
  gradient: 'difference' | 'weighted';
  /** The gradient's factor for a row of n outputs; none: 1 (nothing emitted). */
  scale?: (outputs: number) => number;
}
/** Keyed by name: a loss missing here does not compile (src/kinds/losses.ts lists them). */
const LOSS_FORMS = {
  halfSquaredError: { value: 'halfSum', gradient: 'difference' },
  mse: { value: 'mean', gradient: 'difference', scale: (n) => 2 / n },
  crossEntropy: { value: 'call', gradient: 'weighted' },
  binaryCrossEntropy: { value: 'call', gradient: 'difference', scale: (n) => 1 / n },
} satisfies Record<Loss, LossForm>;

function lossForm(code: number): LossForm {
  const name = LOSS_BY_CODE[code];
  if (name === undefined) throw new Error(`backprop internal error: no loss code ${code}`);
  return LOSS_FORMS[name];
}

export {
  IMPORTS,
  EXP,
  TANH,
  ACTIVATE,
  LOSS,
  TRAIN_STEP,
  TRAIN_BATCHES,
  STEP,
  KEEP_STEP,
  UNDO_STEP,
  PARAMS_NON_FINITE,
} from './activation-emit.js';
const TWO_52 = 2 ** 52;

/** An integer plan field as i32 (exactly, by the 2⁵² trick of assembly/mem.ts loadInt), from the plan's element offset on the stack. */
export function loadInt(field: number): number[] {
  return [op.i32Const, 3, op.i32Shl, ...loadIntAt(8 * field)];
}
export function loadIntAt(byteOffset: number): number[] {
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

/** Reads the plan once per call: each layer's buffer bases, lr, momentum, the counters. */
export function prologue(f: Body, s: Shape, plan: number): Context {
  const c: Context = {
    w: [],
    b: [],
    z: [],
    a: [],
    weights: [],
    biases: [],
    zel: [],
    ael: [],
    lr: f.local(F64),
    mu: f.local(F64),
    toState: f.local(I32),
    toGrad: f.local(I32),
    counters: f.local(I32),
    plan,
    bad: f.local(F64),
    fresh: f.local(F64),
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
        .emit(...loadInt(field(l, k)))
        .tee(el)
        .i32(3)
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
        .emit(...loadInt(field(l, LAYER_FIELD.b)))
        .i32(3)
        .emit(op.i32Shl)
        .set(c.b[l]);
    }
  });
  f.get(plan)
    .i32(3)
    .emit(op.i32Shl)
    .load(8 * PLAN_FIELD.lr)
    .set(c.lr);
  f.get(plan)
    .i32(3)
    .emit(op.i32Shl)
    .load(8 * PLAN_FIELD.decay1)
    .set(c.mu);
  f.get(plan)
    .emit(...loadInt(PLAN_FIELD.state))
    .get(plan)
    .emit(...loadInt(PLAN_FIELD.params), op.i32Sub)
    .i32(3)
    .emit(op.i32Shl)
    .set(c.toState);
  if (!s.fused)
    f.get(plan)
      .emit(...loadInt(PLAN_FIELD.grads))
      .get(plan)
      .emit(...loadInt(PLAN_FIELD.params), op.i32Sub)
      .i32(3)
      .emit(op.i32Shl)
      .set(c.toGrad);
  f.get(plan)
    .emit(...loadInt(PLAN_FIELD.counters))
    .i32(3)
    .emit(op.i32Shl)
    .set(c.counters);
  s.layers.forEach((layer, l) => {
    c.weights.push(Array.from({ length: layer.units * layer.inputs }, (_, i) => ({ base: c.w[l], at: 8 * i, p: -1, v: -1 })));
    c.biases.push(layer.bias ? Array.from({ length: layer.units }, (_, o) => ({ base: c.b[l], at: 8 * o, p: -1, v: -1 })) : []);
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
    slot.p = f.local(F64);
    f.get(slot.base).load(slot.at).set(slot.p);
    if (!s.momentum) continue;
    slot.v = f.local(F64);
    f.get(slot.base).get(c.toState).emit(op.i32Add).load(slot.at).set(slot.v);
  }
}

/** Stores the locals of hold() back to memory. */
export function release(f: Body, s: Shape, c: Context): void {
  f.get(c.counters).get(c.steps).store(0);
  f.get(c.counters).get(c.stream).store(8);
  for (const slot of [...c.weights.flat(), ...c.biases.flat()]) {
    f.get(slot.base).get(slot.p).store(slot.at);
    if (s.momentum) f.get(slot.base).get(c.toState).emit(op.i32Add).get(slot.v).store(slot.at);
  }
}

/** Stores the Z and A values emitStep left in locals (c.deferred): the last step's, as the generic steps leave them. */
export function storeDeferred(f: Body, c: Context): void {
  for (const d of c.deferred ?? []) {
    f.get(d.base).get(d.value);
    if (d.plusZero) f.f64(0).emit(op.f64Add); // the stored Z is the generic sum's, 0 + t₀ + … (see emitStep)
    f.store(d.at);
  }
}

/** Pushes a parameter's value. */
function param(f: Body, slot: Slot): void {
  if (slot.p >= 0) f.get(slot.p);
  else f.get(slot.base).load(slot.at);
}

/** Pushes 1 when local v is finite (v − v = 0, as AssemblyScript's isFinite). */
export function finite(f: Body, v: number): void {
  f.get(v).get(v).emit(op.f64Sub).f64(0).emit(op.f64Eq);
}

/**
 * One training step on the sample at x (bytes) → y (bytes; yel its element offset): forward (Z
 * and A stored as the generic pass stores them), loss; if finite, backward — fused (as fusedStep in
 * assembly/fused.ts: each weight updated right after it fed the previous layer's delta) or not (as
 * backward1 + step in assembly/network.ts's trainBatch) — then the counters. `failed` is set to 1
 * when the update made a parameter or state value non-finite (and the plan's DIVERGED flag with
 * it): step() says so for the unfused steps; a fused step sums its new parameters, as the
 * optimizer kernels do, when c.eachStep (trainStep). trainBatches checks its chunk at the end
 * instead: a non-finite parameter stays non-finite, and fit then finds the batch (src/fit-chunks.ts).
 */
export function emitStep(
  f: Body,
  s: Shape,
  c: Context,
  xb: number,
  yb: number,
  yel: number,
): { loss: number; out: number[]; failed: number } {
  const tmp = f.local(F64),
    failed = f.local(I32);
  f.i32(0).set(failed);
  if (s.fused && c.eachStep) f.f64(0).set(c.bad);
  // Forward.
  let input: number[] = [];
  for (let i = 0; i < s.inputs; i++) {
    input.push(f.local(F64));
    f.get(xb)
      .load(8 * i)
      .set(input[i]);
  }
  const xs = input,
    zs: number[][] = [],
    as: number[][] = [];
  s.layers.forEach((layer, l) => {
    const z: number[] = [],
      a: number[] = [];
    // The generic sum starts from 0: z = ((0 + t₀) + t₁) + … Without the leading 0 the sum differs
    // only when every term is −0 (then it is −0, not +0), so z = (t₀ + t₁ + …) + 0 exactly. Sigmoid
    // and relu give the same bits for ±0, so they take the unfixed sum, one add shorter on the
    // step's dependency chain; the stored Z (and every other activation) takes the fixed one.
    const signBlind = layer.act !== Act.softmax && emitterOf(layer.act).signBlind;
    const readByCall = layer.act === Act.softmax || (l === s.layers.length - 1 && lossForm(s.loss).value === 'call'); // the main module's loss() reads Z and A from memory
    const defer = c.deferred && !readByCall ? c.deferred : undefined;
    for (let o = 0; o < layer.units; o++) {
      for (let i = 0; i < layer.inputs; i++) {
        param(f, c.weights[l][o * layer.inputs + i]);
        f.get(input[i]).emit(op.f64Mul);
        if (i > 0) f.emit(op.f64Add);
      }
      if (layer.bias) {
        param(f, c.biases[l][o]);
        f.emit(op.f64Add);
      }
      const raw = f.local(F64);
      z.push(signBlind ? raw : f.local(F64));
      if (defer && signBlind) {
        f.set(raw);
        defer.push({ base: c.z[l], at: 8 * o, value: raw, plusZero: true });
        continue;
      }
      f.tee(raw).f64(0).emit(op.f64Add);
      if (defer) f.set(z[o]);
      else if (signBlind)
        f.set(tmp)
          .get(c.z[l])
          .get(tmp)
          .store(8 * o);
      else
        f.set(z[o])
          .get(c.z[l])
          .get(z[o])
          .store(8 * o);
      defer?.push({ base: c.z[l], at: 8 * o, value: z[o], plusZero: false });
    }
    if (layer.act === Act.softmax) {
      f.i32(Act.softmax).i32(1).i32(layer.units).get(c.zel[l]).get(c.ael[l]).call(ACTIVATE);
      for (let o = 0; o < layer.units; o++) {
        a.push(f.local(F64));
        f.get(c.a[l])
          .load(8 * o)
          .set(a[o]);
      }
    } else {
      for (let o = 0; o < layer.units; o++) {
        a.push(f.local(F64));
        if (!defer) f.get(c.a[l]);
        emitterOf(layer.act).forward(f, z[o]);
        if (!defer) f.tee(a[o]).store(8 * o);
        else {
          f.set(a[o]);
          defer.push({ base: c.a[l], at: 8 * o, value: a[o], plusZero: false });
        }
      }
    }
    zs.push(z);
    as.push(a);
    input = a;
  });
  const last = s.layers.length - 1,
    outUnits = s.layers[last].units,
    out = as[last],
    zOut = zs[last];
  const y = (i: number) => f.get(yb).load(8 * i);

  // Loss (assembly/losses.ts loss with rows = 1).
  const loss = f.local(F64),
    form = lossForm(s.loss);
  if (form.value === 'call') {
    f.i32(s.loss).i32(1).i32(outUnits).get(c.zel[last]).get(c.ael[last]).get(yel).call(LOSS);
  } else {
    f.f64(0);
    for (let i = 0; i < outUnits; i++) y(i).get(out[i]).emit(op.f64Sub).tee(tmp).get(tmp).emit(op.f64Mul, op.f64Add);
    if (form.value === 'mean') f.f64(outUnits).emit(op.f64Div);
    else f.set(tmp).f64(0.5).get(tmp).emit(op.f64Mul); // (0.5·s)/rows, rows = 1
  }
  f.set(loss);
  finite(f, loss);
  f.emit(op.if, VOID);

  // dL/dZ of the output layer (lossBackward, then the activation's derivative unless fused).
  let dz: number[] = [];
  const ySum = f.local(F64);
  if (form.gradient === 'weighted') {
    f.f64(0);
    for (let i = 0; i < outUnits; i++) y(i).emit(op.f64Add);
    f.set(ySum);
  }
  for (let i = 0; i < outUnits; i++) {
    dz.push(f.local(F64));
    if (form.gradient === 'weighted') {
      f.get(out[i]).get(ySum).emit(op.f64Mul);
      y(i).emit(op.f64Sub);
    } else {
      f.get(out[i]);
      y(i).emit(op.f64Sub);
      if (form.scale) f.f64(form.scale(outUnits)).emit(op.f64Mul);
    }
    f.set(dz[i]);
  }
  if (!fusedWithOutput(s.loss)) dz = derivative(f, s.layers[last].act, zOut, out, dz);

  // Backward: with the updates fused in, or (unfused) writing dL/dparams into the gradient block
  // as backward1 in assembly/sample.ts does, for the main module's step() to apply.
  for (let l = last; l >= 0; l--) {
    const layer = s.layers[l],
      prev = l > 0 ? as[l - 1] : xs;
    const spare: number[] = [];
    if (l > 0) {
      for (let i = 0; i < layer.inputs; i++) {
        spare.push(f.local(F64));
        f.f64(0).set(spare[i]);
      }
    }
    const w = f.local(F64),
      g = f.local(F64);
    for (let o = 0; o < layer.units; o++) {
      for (let i = 0; i < layer.inputs; i++) {
        const slot = c.weights[l][o * layer.inputs + i];
        const value = slot.p >= 0 ? slot.p : w; // the weight before its update
        if (slot.p < 0) f.get(slot.base).load(slot.at).set(w);
        if (l > 0) f.get(spare[i]).get(value).get(dz[o]).emit(op.f64Mul, op.f64Add).set(spare[i]);
        if (s.fused) {
          f.get(dz[o]).get(prev[i]).emit(op.f64Mul).set(g);
          update(f, s, c, slot, value, g);
        } else f.get(slot.base).get(c.toGrad).emit(op.i32Add).get(dz[o]).get(prev[i]).emit(op.f64Mul).store(slot.at);
      }
      if (layer.bias) {
        const slot = c.biases[l][o];
        if (!s.fused) f.get(slot.base).get(c.toGrad).emit(op.i32Add).get(dz[o]).store(slot.at);
        else {
          if (slot.p < 0) f.get(slot.base).load(slot.at).set(w);
          update(f, s, c, slot, slot.p >= 0 ? slot.p : w, dz[o]);
        }
      }
    }
    if (l > 0) dz = derivative(f, s.layers[l - 1].act, zs[l - 1], as[l - 1], spare);
  }
  // Counters: optimizer steps (step() counts its own, and flags the plan itself), and the dropout
  // stream modulo 2³².
  if (s.fused) {
    // A sum that is not finite: the exact check (which also flags the plan) says whether a parameter is.
    if (c.eachStep) {
      f.get(c.bad).get(c.bad).emit(op.f64Sub).f64(0).emit(op.f64Ne, op.if, VOID);
      f.get(c.plan).call(PARAMS_NON_FINITE).set(failed);
      f.emit(op.end);
    }
    if (c.steps >= 0) f.get(c.steps).f64(1).emit(op.f64Add).set(c.steps);
    else f.get(c.counters).get(c.counters).load(0).f64(1).emit(op.f64Add).store(0);
  } else f.get(c.plan).call(STEP).set(failed);
  if (c.stream < 0) f.get(c.counters).get(c.counters).load(8);
  else f.get(c.stream);
  f.f64(1).emit(op.f64Add).tee(tmp).f64(0).get(tmp).f64(4294967296).emit(op.f64Lt, op.select);
  if (c.stream < 0) f.store(8);
  else f.set(c.stream);
  f.emit(op.end);
  return { loss, out, failed };
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
    if (kind === Act.softmax) f.get(a[i]).get(da[i]).get(sum).emit(op.f64Sub, op.f64Mul);
    else emitterOf(kind).derivative(f, da[i], z[i], a[i]);
    f.set(dz[i]);
  }
  return dz;
}

/** p ← p − lr·g; with momentum μ: v ← flush(μv + g), p ← p − lr·v (Nesterov: p − lr·(g + μv)). p's current value is in local w. */
function update(f: Body, s: Shape, c: Context, slot: Slot, w: number, g: number): void {
  const inMemory = slot.p < 0;
  let v = slot.v;
  if (s.momentum) {
    if (inMemory) {
      v = f.local(F64);
      f.get(slot.base).get(c.toState).emit(op.i32Add);
      f.get(c.mu).get(slot.base).get(c.toState).emit(op.i32Add).load(slot.at).emit(op.f64Mul).get(g).emit(op.f64Add).set(v);
      flush(f, v);
      f.get(v).store(slot.at);
    } else {
      f.get(c.mu).get(v).emit(op.f64Mul).get(g).emit(op.f64Add).set(v);
      flush(f, v);
    }
  }
  if (inMemory) f.get(slot.base);
  f.get(w).get(c.lr);
  if (!s.momentum) f.get(g);
  else if (s.nesterov) f.get(g).get(c.mu).get(v).emit(op.f64Mul, op.f64Add);
  else f.get(v);
  f.emit(op.f64Mul, op.f64Sub);
  if (c.eachStep) f.tee(c.fresh);
  if (inMemory) f.store(slot.at);
  else f.set(slot.p);
  // trainStep's check: bad += p (a non-finite momentum makes p non-finite too).
  if (c.eachStep) f.get(c.bad).get(c.fresh).emit(op.f64Add).set(c.bad);
}

/** v = +0 where |v| < 2⁻¹⁰²² (assembly/optimizers.ts flush: momentum never sinks into subnormals). */
function flush(f: Body, v: number): void {
  f.f64(0).get(v).get(v).emit(op.f64Abs).f64(2.2250738585072014e-308).emit(op.f64Lt, op.select).set(v);
}

/** Pushes the metric of the output (locals a) against y (bytes), as assembly/metrics.ts for one row. */
export function metric(f: Body, s: Shape, a: number[], yb: number): void {
  const n = a.length,
    y = (i: number) => f.get(yb).load(8 * i);
  if (s.metric === Metric.mae) {
    f.f64(0);
    for (let i = 0; i < n; i++) {
      f.get(a[i]);
      y(i).emit(op.f64Sub, op.f64Abs, op.f64Add);
    }
  } else if (s.metric === Metric.binaryAccuracy) {
    const sum = f.local(F64);
    f.f64(0).set(sum);
    for (let i = 0; i < n; i++) {
      f.get(sum).f64(1).emit(op.f64Add).get(sum);
      f.get(a[i]).f64(0.5).emit(op.f64Ge);
      y(i).f64(0.5).emit(op.f64Ge, op.i32Eq, op.select);
      f.set(sum);
    }
    f.get(sum);
  } else if (s.metric === Metric.categoricalAccuracy) {
    // Index of the first maximum of a and of y (strictly greater replaces), then 1 if they agree.
    const pa = f.local(I32),
      py = f.local(I32),
      best = f.local(F64),
      cond = f.local(I32),
      v = f.local(F64);
    for (const [idx, value] of [
      [pa, (i: number) => f.get(a[i])],
      [py, y],
    ] as const) {
      f.i32(0).set(idx);
      value(0);
      f.set(best);
      for (let i = 1; i < n; i++) {
        value(i);
        f.tee(v).get(best).emit(op.f64Gt).set(cond);
        f.i32(i).get(idx).get(cond).emit(op.select).set(idx);
        f.get(v).get(best).get(cond).emit(op.select).set(best);
      }
    }
    f.f64(1).f64(0).get(pa).get(py).emit(op.i32Eq, op.select);
  } else if (s.metric === Metric.none) f.f64(0);
  else throw new Error(`backprop internal error: no metric code ${s.metric}`); // never a silent 0
}
