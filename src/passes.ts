// The order of kernel calls for forward, backward and the update — written once, over any Kernels.
// assembly/network.ts runs this same sequence inside Wasm; the JS backend runs it directly.
import type { Kernels } from './backends/backend.js';
import { F, L, layerAt } from './plan.js';
import { fusedWithOutput } from './kinds.js';

export function forward(k: Kernels, h: Float64Array, plan: number, rows: number): void {
  let input = h[plan + F.x];
  for (let l = 0; l < h[plan + F.nLayers]; l++) {
    const t = layerAt(plan, l);
    const [inputs, units, z, a, b] = [h[t + L.inputs], h[t + L.units], h[t + L.z], h[t + L.a], h[t + L.b]];
    k.gemmABt(rows, units, inputs, input, h[t + L.w], z, 0);
    if (b >= 0) k.addBias(rows, units, b, z);
    k.activate(h[t + L.act], rows, units, z, a);
    input = a;
  }
}

export function batchLoss(k: Kernels, h: Float64Array, plan: number, rows: number): number {
  const t = layerAt(plan, h[plan + F.nLayers] - 1);
  return k.loss(h[plan + F.loss], rows, h[t + L.units], h[t + L.z], h[t + L.a], h[plan + F.y]);
}

export function backward(k: Kernels, h: Float64Array, plan: number, rows: number): void {
  const last = h[plan + F.nLayers] - 1;
  const lossKind = h[plan + F.loss];
  const toGrad = h[plan + F.grads] - h[plan + F.params];
  let [dz, spare] = [h[plan + F.d0], h[plan + F.d1]];
  const out = layerAt(plan, last);
  k.lossBackward(lossKind, rows, h[out + L.units], h[out + L.a], h[plan + F.y], dz);
  if (!fusedWithOutput(lossKind)) k.activateBackward(h[out + L.act], rows, h[out + L.units], h[out + L.z], h[out + L.a], dz, dz);
  for (let l = last; l >= 0; l--) {
    const t = layerAt(plan, l);
    const [inputs, units, w, b] = [h[t + L.inputs], h[t + L.units], h[t + L.w], h[t + L.b]];
    const prev = layerAt(plan, l - 1);
    k.gemmAtB(units, inputs, rows, dz, l > 0 ? h[prev + L.a] : h[plan + F.x], w + toGrad, 0);
    if (b >= 0) k.sumRows(rows, units, dz, b + toGrad);
    if (l > 0) {
      k.gemmAB(rows, inputs, units, dz, w, spare, 0);
      k.activateBackward(h[prev + L.act], rows, inputs, h[prev + L.z], h[prev + L.a], spare, spare);
      [dz, spare] = [spare, dz];
    }
  }
}

export function step(k: Kernels, h: Float64Array, plan: number): void {
  k.sgd(h[plan + F.nParams], h[plan + F.params], h[plan + F.grads], h[plan + F.state], h[plan + F.lr], h[plan + F.momentum], h[plan + F.nesterov]);
}

export function trainStep(k: Kernels, h: Float64Array, plan: number, rows: number): number {
  k.forward(plan, rows);
  const l = k.batchLoss(plan, rows);
  k.backward(plan, rows);
  k.step(plan);
  return l;
}

export function trainBatches(k: Kernels, h: Float64Array, plan: number, dataX: number, dataY: number, perm: number,
  start: number, count: number, batchSize: number, losses: number): number {
  const outputs = h[layerAt(plan, h[plan + F.nLayers] - 1) + L.units];
  let total = 0;
  for (let done = 0, b = 0; done < count; done += batchSize, b++) {
    const rows = Math.min(batchSize, count - done);
    k.gather(rows, h[plan + F.inputs], dataX, perm, start + done, h[plan + F.x]);
    k.gather(rows, outputs, dataY, perm, start + done, h[plan + F.y]);
    const l = (h[losses + b] = k.trainStep(plan, rows));
    total += l * rows;
  }
  return total;
}
