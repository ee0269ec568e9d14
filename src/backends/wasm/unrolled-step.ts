// The body of one fused SGD step for a given network shape, as Wasm code (see specialize.ts):
// the plan read once per call, parameters at constant offsets (or held in locals), the forward
// pass, the loss, and the backward pass with each update fused in — assembly/fused.ts's
// arithmetic, operation for operation, in the element type of the body (f.real): f64, or f32 with
// the f32 build's f64 islands (the loss, softmax's Σ, the transcendentals) where it has them.
import { Act, fusedWithOutput, type Loss } from '../../kinds.js';
import { LOSS_BY_CODE } from '../../kinds/losses.js';
import { Body, op, F64, I32, VOID } from './encode.js';
import { ACTIVATE, LOSS, STEP, PARAMS_NON_FINITE, emitterOf } from './activation-emit.js';
import { param, type Context, type Shape, type Slot } from './step-context.js';

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
  const real = f.real,
    size = 1 << real.shift;
  const tmp = f.local(F64),
    failed = f.local(I32),
    held = real.type === F64 ? tmp : f.local(real.type); // a value of the element type, briefly
  f.i32(0).set(failed);
  if (s.fused && c.eachStep) f.value(0).set(c.bad);
  // Forward.
  let input: number[] = [];
  for (let i = 0; i < s.inputs; i++) {
    input.push(f.local(real.type));
    f.get(xb)
      .loadValue(size * i)
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
        f.get(input[i]).emit(real.mul);
        if (i > 0) f.emit(real.add);
      }
      if (layer.bias) {
        param(f, c.biases[l][o]);
        f.emit(real.add);
      }
      const raw = f.local(real.type);
      z.push(signBlind ? raw : f.local(real.type));
      if (defer && signBlind) {
        f.set(raw);
        defer.push({ base: c.z[l], at: size * o, value: raw, plusZero: true });
        continue;
      }
      f.tee(raw).value(0).emit(real.add);
      if (defer) f.set(z[o]);
      else if (signBlind)
        f.set(held)
          .get(c.z[l])
          .get(held)
          .storeValue(size * o);
      else
        f.set(z[o])
          .get(c.z[l])
          .get(z[o])
          .storeValue(size * o);
      defer?.push({ base: c.z[l], at: size * o, value: z[o], plusZero: false });
    }
    if (layer.act === Act.softmax) {
      f.i32(Act.softmax).i32(1).i32(layer.units).get(c.zel[l]).get(c.ael[l]).call(ACTIVATE);
      for (let o = 0; o < layer.units; o++) {
        a.push(f.local(real.type));
        f.get(c.a[l])
          .loadValue(size * o)
          .set(a[o]);
      }
    } else {
      for (let o = 0; o < layer.units; o++) {
        a.push(f.local(real.type));
        if (!defer) f.get(c.a[l]);
        emitterOf(layer.act).forward(f, z[o]);
        if (!defer) f.tee(a[o]).storeValue(size * o);
        else {
          f.set(a[o]);
          defer.push({ base: c.a[l], at: size * o, value: a[o], plusZero: false });
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
  const y = (i: number) => f.get(yb).loadValue(size * i);

  // Loss (assembly/losses.ts loss with rows = 1): an f64, its squares' sum in f64 in both builds.
  const loss = f.local(F64),
    form = lossForm(s.loss);
  if (form.value === 'call') {
    f.i32(s.loss).i32(1).i32(outUnits).get(c.zel[last]).get(c.ael[last]).get(yel).call(LOSS);
  } else {
    f.f64(0);
    for (let i = 0; i < outUnits; i++) y(i).get(out[i]).emit(real.sub).tee(held).get(held).emit(real.mul).toF64().emit(op.f64Add);
    if (form.value === 'mean') f.f64(outUnits).emit(op.f64Div);
    else f.set(tmp).f64(0.5).get(tmp).emit(op.f64Mul); // (0.5·s)/rows, rows = 1
  }
  f.set(loss);
  finite(f, loss);
  f.emit(op.if, VOID);

  // dL/dZ of the output layer (lossBackward, then the activation's derivative unless fused).
  let dz: number[] = [];
  const ySum = f.local(real.type);
  if (form.gradient === 'weighted') {
    f.value(0);
    for (let i = 0; i < outUnits; i++) y(i).emit(real.add);
    f.set(ySum);
  }
  for (let i = 0; i < outUnits; i++) {
    dz.push(f.local(real.type));
    if (form.gradient === 'weighted') {
      f.get(out[i]).get(ySum).emit(real.mul);
      y(i).emit(real.sub);
    } else {
      f.get(out[i]);
      y(i).emit(real.sub);
      if (form.scale) f.value(form.scale(outUnits)).emit(real.mul);
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
        spare.push(f.local(real.type));
        f.value(0).set(spare[i]);
      }
    }
    const w = f.local(real.type),
      g = f.local(real.type);
    for (let o = 0; o < layer.units; o++) {
      for (let i = 0; i < layer.inputs; i++) {
        const slot = c.weights[l][o * layer.inputs + i];
        const value = slot.p >= 0 ? slot.p : w; // the weight before its update
        if (slot.p < 0) f.get(slot.base).loadValue(slot.at).set(w);
        if (l > 0) f.get(spare[i]).get(value).get(dz[o]).emit(real.mul, real.add).set(spare[i]);
        if (s.fused) {
          f.get(dz[o]).get(prev[i]).emit(real.mul).set(g);
          update(f, s, c, slot, value, g);
        } else f.get(slot.base).get(c.toGrad).emit(op.i32Add).get(dz[o]).get(prev[i]).emit(real.mul).storeValue(slot.at);
      }
      if (layer.bias) {
        const slot = c.biases[l][o];
        if (!s.fused) f.get(slot.base).get(c.toGrad).emit(op.i32Add).get(dz[o]).storeValue(slot.at);
        else {
          if (slot.p < 0) f.get(slot.base).loadValue(slot.at).set(w);
          update(f, s, c, slot, slot.p >= 0 ? slot.p : w, dz[o]);
        }
      }
    }
    if (l > 0) dz = derivative(f, s.layers[l - 1].act, zs[l - 1], as[l - 1], spare);
  }
  // Counters (f64 cells): optimizer steps (step() counts its own, and flags the plan itself), and
  // the dropout stream modulo 2³².
  if (s.fused) {
    // A sum that is not finite: the exact check (which also flags the plan) says whether a parameter is.
    if (c.eachStep) {
      f.get(c.bad).get(c.bad).emit(real.sub).value(0).emit(real.ne, op.if, VOID);
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

/** dZ = dA ⊙ f′ into new locals (activateBackward for one row; softmax's Σ a·dA in f64, rounded once, in both builds). */
function derivative(f: Body, kind: number, z: number[], a: number[], da: number[]): number[] {
  const real = f.real,
    dz = da.map(() => f.local(real.type));
  let sum = -1;
  if (kind === Act.softmax) {
    sum = f.local(real.type);
    f.f64(0);
    for (let i = 0; i < a.length; i++) f.get(a[i]).get(da[i]).emit(real.mul).toF64().emit(op.f64Add);
    f.fromF64().set(sum);
  }
  for (let i = 0; i < a.length; i++) {
    if (kind === Act.softmax) f.get(a[i]).get(da[i]).get(sum).emit(real.sub, real.mul);
    else emitterOf(kind).derivative(f, da[i], z[i], a[i]);
    f.set(dz[i]);
  }
  return dz;
}

/** p ← p − lr·g; with momentum μ: v ← flush(μv + g), p ← p − lr·v (Nesterov: p − lr·(g + μv)). p's current value is in local w. */
function update(f: Body, s: Shape, c: Context, slot: Slot, w: number, g: number): void {
  const real = f.real,
    inMemory = slot.p < 0;
  let v = slot.v;
  if (s.momentum) {
    if (inMemory) {
      v = f.local(real.type);
      f.get(slot.base).get(c.toState).emit(op.i32Add);
      f.get(c.mu).get(slot.base).get(c.toState).emit(op.i32Add).loadValue(slot.at).emit(real.mul).get(g).emit(real.add).set(v);
      flush(f, v);
      f.get(v).storeValue(slot.at);
    } else {
      f.get(c.mu).get(v).emit(real.mul).get(g).emit(real.add).set(v);
      flush(f, v);
    }
  }
  if (inMemory) f.get(slot.base);
  f.get(w).get(c.lr);
  if (!s.momentum) f.get(g);
  else if (s.nesterov) f.get(g).get(c.mu).get(v).emit(real.mul, real.add);
  else f.get(v);
  f.emit(real.mul, real.sub);
  if (c.eachStep) f.tee(c.fresh);
  if (inMemory) f.storeValue(slot.at);
  else f.set(slot.p);
  // trainStep's check: bad += p (a non-finite momentum makes p non-finite too).
  if (c.eachStep) f.get(c.bad).get(c.fresh).emit(real.add).set(c.bad);
}

/** v = +0 where |v| is below the element type's smallest normal (assembly/optimizers.ts flush: momentum never sinks into subnormals). */
function flush(f: Body, v: number): void {
  f.value(0).get(v).get(v).emit(f.real.abs).value(f.real.minNormal).emit(f.real.lt, op.select).set(v);
}
