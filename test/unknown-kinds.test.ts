// A loss, metric or optimizer code that no table has fails loudly on both backends — a trap in
// Wasm, a throw in the TS twins — instead of running a default (an unknown loss computed the
// squared error, an unknown optimizer ran SGD, an unknown metric gave 0).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { wasmBackend, type WasmBackend } from '../src/backends/wasm/index.js';
import { JsBackend } from '../src/backends/js/index.js';
import { Network } from '../src/index.js';
import { PLAN_FIELD } from '../src/plan.js';
import { LossKind, Metric, Opt } from '../src/kinds.js';

const UNKNOWN = 99;

const builds: [string, () => Promise<WasmBackend>][] = [
  ['release', () => wasmBackend()],
  ['debug', () => wasmBackend(readFileSync(new URL('../build/backprop.debug.wasm', import.meta.url)))],
];

describe('unknown kind codes', () => {
  it.each(builds)('%s Wasm: loss, lossBackward and metric trap; the known codes run', async (_name, load) => {
    const be = await load();
    const at = be.alloc(16);
    const k = be.kernels;
    expect(() => k.loss(UNKNOWN, 2, 2, at, at, at)).toThrow(WebAssembly.RuntimeError);
    expect(() => k.lossBackward(UNKNOWN, 2, 2, at, at, at)).toThrow(WebAssembly.RuntimeError);
    expect(() => k.metric(UNKNOWN, 2, 2, at, at)).toThrow(WebAssembly.RuntimeError);
    for (const code of Object.values(LossKind)) {
      expect(() => k.loss(code, 2, 2, at, at, at)).not.toThrow();
      expect(() => k.lossBackward(code, 2, 2, at, at, at)).not.toThrow();
    }
    for (const code of Object.values(Metric)) expect(() => k.metric(code, 2, 2, at, at)).not.toThrow();
    be.free(at);
  });

  it('TS twins: loss, lossBackward and metric throw', () => {
    const k = new JsBackend().kernels;
    expect(() => k.loss(UNKNOWN, 2, 2, 0, 0, 0)).toThrow(/no loss code 99/);
    expect(() => k.lossBackward(UNKNOWN, 2, 2, 0, 0, 0)).toThrow(/no loss code 99/);
    expect(() => k.metric(UNKNOWN, 2, 2, 0, 0)).toThrow(/no metric code 99/);
  });

  it.each(['wasm', 'js'] as const)('an unknown optimizer code in the plan stops the step on %s (it ran SGD)', async (backend) => {
    const net = await Network.create({
      inputs: 2,
      layers: [
        { units: 2, activation: 'tanh' },
        { units: 1, activation: 'linear' },
      ],
      loss: 'mse',
      optimizer: { type: 'adam' },
      seed: 1,
      backend,
    });
    net.loss(
      [
        [0.1, 0.2],
        [0.3, 0.4],
      ],
      [[1], [0]],
    ); // the network resident, its plan written
    const core = net.core,
      h = core.backend.heap();
    expect(h[core.plan + PLAN_FIELD.optimizer]).toBe(Opt.adam);
    h[core.plan + PLAN_FIELD.optimizer] = UNKNOWN;
    const run = () => core.backend.kernels.trainStep(core.plan, 2);
    if (backend === 'wasm') expect(run).toThrow(WebAssembly.RuntimeError);
    else expect(run).toThrow(/no optimizer code 99/);
  });
});

describe('the loss, optimizer and metric tables', () => {
  it('assembly/kinds.generated.ts (what asc compiled) holds their codes, each code once per kind', async () => {
    const { LOSS_KINDS } = await import('../src/kinds/losses.js');
    const { OPTIMIZER_KINDS } = await import('../src/kinds/optimizers.js');
    const { METRIC_KINDS } = await import('../src/kinds/metrics.js');
    const source = readFileSync(new URL('../assembly/kinds.generated.ts', import.meta.url), 'utf8');
    const generated = new Map([...source.matchAll(/export const (\w+): i32 = (\d+);/g)].map((m) => [m[1], Number(m[2])]));
    const constName = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
    for (const table of [LOSS_KINDS, OPTIMIZER_KINDS, METRIC_KINDS] as Record<string, { code: number }>[]) {
      const codes = Object.values(table).map((k) => k.code);
      expect(codes.slice().sort((a, b) => a - b)).toEqual(codes.map((_, i) => i));
      for (const [name, kind] of Object.entries(table)) expect(generated.get(constName(name)), name).toBe(kind.code);
    }
  });
});
