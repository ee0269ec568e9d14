// The activation table (src/kinds/activations.ts) is the one source: codes are 0…n−1 and distinct,
// the AssemblyScript constants generated from it match it, and a code the kernels do not know traps
// (Wasm) or throws (TS twin, per-shape emitter) instead of running as some other function.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { wasmBackend, type WasmBackend } from '../src/backends/wasm/index.js';
import * as act from '../src/backends/js/activations.js';
import { emitterOf } from '../src/backends/wasm/activation-emit.js';
import { ACTIVATIONS, ACTIVATION_KINDS, ACTIVATION_BY_CODE } from '../src/kinds/activations.js';
import { ACTIVATIONS as publicNames } from '../src/names.js';
import { Network } from '../src/index.js';

const UNKNOWN = 99;

describe('the activation table', () => {
  it('codes are 0…n−1, each once; the public names list is the table', () => {
    expect(ACTIVATIONS.map((a) => ACTIVATION_KINDS[a].code).sort((x, y) => x - y)).toEqual(ACTIVATIONS.map((_, i) => i));
    expect(ACTIVATION_BY_CODE.map((name) => ACTIVATION_KINDS[name].code)).toEqual(ACTIVATIONS.map((_, i) => i));
    expect([...publicNames]).toEqual(ACTIVATIONS);
  });

  it('assembly/kinds.generated.ts (what asc compiled) holds the table’s codes', () => {
    const source = readFileSync(new URL('../assembly/kinds.generated.ts', import.meta.url), 'utf8').split('// Loss codes:')[0]; // the activations' part
    const consts = new Map([...source.matchAll(/export const (\w+): i32 = (\d+);/g)].map((m) => [m[1], Number(m[2])]));
    const constName = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
    expect(new Map(ACTIVATIONS.map((a) => [constName(a), ACTIVATION_KINDS[a].code]))).toEqual(consts);
  });
});

describe('an unknown activation code fails loudly', () => {
  const builds: [string, () => Promise<WasmBackend>][] = [
    ['release', () => wasmBackend()],
    ['debug', () => wasmBackend(readFileSync(new URL('../build/backprop.debug.wasm', import.meta.url)))],
  ];
  it.each(builds)('%s Wasm: activate, activateBackward and the per-shape element functions trap', async (_name, load) => {
    const be = await load();
    const at = be.alloc(8);
    const k = be.kernels as unknown as Record<string, (...args: number[]) => number>;
    expect(() => k.activate(UNKNOWN, 2, 2, at, at)).toThrow(WebAssembly.RuntimeError);
    expect(() => k.activateBackward(UNKNOWN, 2, 2, at, at, at, at)).toThrow(WebAssembly.RuntimeError);
    expect(() => k.activationOne(UNKNOWN, 0.5)).toThrow(WebAssembly.RuntimeError);
    expect(() => k.derivativeOne(UNKNOWN, 0.5, 0.5)).toThrow(WebAssembly.RuntimeError);
    // The known codes run (the check above is not a trap on every call).
    for (const name of ACTIVATIONS) expect(() => k.activate(ACTIVATION_KINDS[name].code, 2, 2, at, at)).not.toThrow();
    be.free(at);
  });

  it('TS twin and per-shape emitter: throw', () => {
    const h = new Float64Array(8);
    expect(() => act.activate(h, UNKNOWN, 2, 2, 0, 4)).toThrow(/activation code 99/);
    expect(() => act.activateBackward(h, UNKNOWN, 2, 2, 0, 0, 0, 4)).toThrow(/activation code 99/);
    expect(() => emitterOf(UNKNOWN)).toThrow(/activation code 99/);
    for (const name of ACTIVATIONS) expect(() => act.activate(h, ACTIVATION_KINDS[name].code, 2, 2, 0, 4)).not.toThrow();
  });
});

describe('README', () => {
  it('lists every activation of the table, in its order, with its formula and init scheme', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const rows = [...readme.matchAll(/^ {2}\| `(\w+)` \| (.*) \| (He|LeCun|Glorot) \|$/gm)].map((m) => [m[1], m[2], m[3].toLowerCase()]);
    expect(rows).toEqual(ACTIVATIONS.map((a) => [a, ACTIVATION_KINDS[a].doc, ACTIVATION_KINDS[a].init]));
  });
});

describe('initial weights follow each descriptor’s scheme', () => {
  const limits = {
    he: (i: number) => Math.sqrt(6 / i),
    lecun: (i: number) => Math.sqrt(3 / i),
    glorot: (i: number, o: number) => Math.sqrt(6 / (i + o)),
  };
  it.each(ACTIVATIONS)('%s', async (a) => {
    const net = await Network.create(
      { inputs: 60, layers: [{ units: 40, activation: a }], loss: a === 'softmax' ? 'crossEntropy' : 'mse', seed: 3 },
      { backend: 'js' },
    );
    const w = net.getWeights()[0].weights.flat();
    const limit = limits[ACTIVATION_KINDS[a].init](60, 40);
    const largest = Math.max(...w.map(Math.abs));
    expect(largest).toBeLessThanOrEqual(limit);
    expect(largest).toBeGreaterThan(0.99 * limit); // 2,400 uniform draws reach the edge
  });
});
