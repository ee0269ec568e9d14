// Per-shape modules (src/backends/wasm/specialize.ts) in f64 against the generic fused kernels
// they replace, bit for bit, and the TS twin within 1e-12 (the cases: test/helpers/per-shape-cases.ts,
// which test/specialize-f32.test.ts runs in f32); then the pieces the modules are built from.
import { describe, it, expect } from 'vitest';
import { Network } from '../src/index.js';
import { Bytes } from '../src/backends/wasm/encode.js';
import { sigmoid as sigmoidTwin } from '../src/backends/js/activations.js';
import { maxRelDiff } from './helpers/random.js';
import { perShapeCases, base } from './helpers/per-shape-cases.js';

perShapeCases('f64');

describe('the pieces', () => {
  it('LEB128 as the WebAssembly spec encodes it', () => {
    const enc = (kind: 'uleb' | 'sleb', v: number) => [...new Bytes()[kind](v).view()];
    expect(enc('uleb', 0)).toEqual([0]);
    expect(enc('uleb', 127)).toEqual([0x7f]);
    expect(enc('uleb', 128)).toEqual([0x80, 0x01]);
    expect(enc('uleb', 624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(enc('sleb', -1)).toEqual([0x7f]);
    expect(enc('sleb', 63)).toEqual([0x3f]);
    expect(enc('sleb', 64)).toEqual([0xc0, 0x00]);
    expect(enc('sleb', -64)).toEqual([0x40]);
    expect(enc('sleb', -123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(enc('sleb', 2 ** 31 - 1)).toEqual([0xff, 0xff, 0xff, 0xff, 0x07]);
    expect(enc('sleb', -(2 ** 31))).toEqual([0x80, 0x80, 0x80, 0x80, 0x78]);
  });

  it("the main module's sigmoid and tanh exports (what generated code calls) match the TS twins", async () => {
    const n = await Network.create({ ...base('tanh', 'linear', 'mse'), backend: 'wasm' });
    const e = n.core.backend.kernels as unknown as { sigmoid(z: number): number; tanh(z: number): number };
    const zs = [-800, -40, -1, -1e-300, -0, 0, 1e-12, 0.5, 3, 40, 800];
    expect(maxRelDiff(zs.map(e.sigmoid), zs.map(sigmoidTwin))).toBeLessThan(1e-15);
    expect(maxRelDiff(zs.map(e.tanh), zs.map(Math.tanh))).toBeLessThan(1e-15);
  });
});
