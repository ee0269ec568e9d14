// The numeric ABI between src/ and assembly/: plan fields, layer fields and the threads' control
// words are written once, in src/plan.ts and src/parallel/control.ts; the build generates the
// AssemblyScript constants from them. These tests hold what asc compiled to those tables.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { wasmBackend } from '../src/backends/wasm/index.js';
import { Network } from '../src/index.js';
import { PLAN_FIELD, HEADER, LAYER_FIELD, LAYER } from '../src/plan.js';
import { SYNC_WORD, CONTROL_FIELD } from '../src/parallel/control.js';

const constName = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

describe('assembly/plan.generated.ts', () => {
  const source = readFileSync(new URL('../assembly/plan.generated.ts', import.meta.url), 'utf8');
  const generated = new Map([...source.matchAll(/export const (\w+): i32 = (\d+);/g)].map((m) => [m[1], Number(m[2])]));
  const tables: [string, string, Record<string, number>][] = [
    ['plan header', '', PLAN_FIELD],
    ['layer record', 'L_', LAYER_FIELD],
    ['sync words', 'SYNC_', SYNC_WORD],
    ['control fields', 'CONTROL_', CONTROL_FIELD],
  ];

  it.each(tables)('holds every %s field at the number the TS table gives', (_title, prefix, table) => {
    for (const [name, at] of Object.entries(table)) expect(generated.get(prefix + constName(name)), name).toBe(at);
  });

  it('holds the record sizes, and every field fits its record without overlap', () => {
    expect(generated.get('HEADER')).toBe(HEADER);
    expect(generated.get('LAYER')).toBe(LAYER);
    for (const [table, size] of [
      [PLAN_FIELD, HEADER],
      [LAYER_FIELD, LAYER],
    ] as const) {
      const at = Object.values(table);
      expect(new Set(at).size).toBe(at.length);
      expect(Math.max(...at)).toBeLessThan(size);
    }
    // Sync words are i32 words in the first 4 f64 cells; the control fields start after them.
    expect(Math.max(...Object.values(SYNC_WORD)) + 1).toBeLessThanOrEqual(2 * Math.min(...Object.values(CONTROL_FIELD)));
  });
});

describe('the debug build checks its preconditions', () => {
  it('an integer plan field that is not an exact i32 traps in the debug build', async () => {
    const debug = await wasmBackend(readFileSync(new URL('../build/backprop.debug.wasm', import.meta.url)));
    const net = await Network.create({ inputs: 2, layers: [{ units: 2, activation: 'tanh' }, { units: 1 }], loss: 'mse', seed: 1 });
    net.loss([[0.1, 0.2]], [[1]]); // resident, its plan written
    const core = net.core,
      plan = core.plan,
      heap = core.backend.heap();
    const cells = heap.slice(plan, plan + HEADER + 2 * LAYER);
    // Copy the plan into the debug instance, with its buffers at the same offsets, and run a forward pass.
    const at = debug.alloc(plan + cells.length + 1024);
    expect(at).toBeLessThanOrEqual(plan); // the debug heap starts as low as the release one
    debug.heap().set(heap.subarray(0, plan + cells.length + 1024));
    expect(() => debug.kernels.forward(plan, 1, 0)).not.toThrow();
    debug.heap()[plan + PLAN_FIELD.nLayers] = 1.5;
    expect(() => debug.kernels.forward(plan, 1, 0)).toThrow(/assertion failed/);
    debug.heap()[plan + PLAN_FIELD.nLayers] = 2 ** 31;
    expect(() => debug.kernels.forward(plan, 1, 0)).toThrow(/assertion failed/);
  });
});
