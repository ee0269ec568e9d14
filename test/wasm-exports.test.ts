// The loader holds every module it instantiates to the Kernels interface (src/backends/wasm/exports.ts):
// a missing, extra or miscounted export fails at instantiation with one line naming it, instead of
// mid-training as `undefined is not a function` (or, under backend 'auto', a silent fall back to js).
import { describe, it, expect, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { checkExports, KERNEL_ARITY, OTHER_EXPORTS } from '../src/backends/wasm/exports.js';
import { Network, BackpropError } from '../src/index.js';
import { wasmImports } from '../src/backends/wasm/threads.js';

const bytesOf = (name: string) => readFileSync(new URL(`../build/${name}`, import.meta.url));
const instanceOf = (name: string, imports: WebAssembly.Imports = {}) =>
  new WebAssembly.Instance(new WebAssembly.Module(bytesOf(name)), imports).exports;
const abort = () => {
  throw new Error('abort');
};
/** A function whose `.length` (what a Wasm export's parameter count reads as) is n. */
const withArity = (n: number) => Object.defineProperty(() => 0, 'length', { value: n });
const refusal = (exports: WebAssembly.Exports, extra?: Record<string, number>): string => {
  try {
    checkExports(exports, extra);
  } catch (e) {
    expect(e).toBeInstanceOf(BackpropError);
    expect(e).toMatchObject({ code: 'INVALID_OPTION', field: 'wasm' });
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  return 'accepted';
};

describe('the builds match the interface', () => {
  it('release and debug builds: every export, each with its arity, and nothing else', () => {
    for (const exports of [instanceOf('backprop.wasm'), instanceOf('backprop.debug.wasm', { env: { abort } })]) {
      expect(refusal(exports)).toBe('accepted');
      const arities = Object.fromEntries(
        Object.entries(exports)
          .filter(([, f]) => typeof f === 'function')
          .map(([name, f]) => [name, (f as () => void).length]),
      );
      expect(arities).toEqual({ ...KERNEL_ARITY, ...OTHER_EXPORTS });
    }
  });

  it('the threads build, with its two exports beside them', () => {
    const memory = new WebAssembly.Memory({ initial: 32, maximum: 65536, shared: true });
    expect(refusal(instanceOf('backprop.threads.wasm', wasmImports(memory)), { setScratch: 1, trainShards: 3 })).toBe('accepted');
  });
});

describe('a module that does not match fails with one line naming the difference', () => {
  const real = instanceOf('backprop.wasm');
  it('a kernel missing, one extra, one with another arity, no memory', () => {
    const { sgd: _sgd, ...withoutSgd } = real;
    expect(refusal(withoutSgd)).toMatch(/got a module without the function export sgd$/);
    expect(refusal({ ...real, lamb: withArity(8) })).toMatch(/got a module with an export lamb that no interface names$/);
    expect(refusal({ ...real, adam: withArity(10) })).toMatch(/got a module whose export adam takes 10 parameters, not 11$/);
    const { memory: _memory, ...withoutMemory } = real;
    expect(refusal(withoutMemory)).toMatch(/got a module without an exported memory$/);
  });

  // (module (memory (export "memory") 1)): a valid module with none of the kernels.
  const MEMORY_ONLY = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 5, 3, 1, 0, 1, 7, 10, 1, 6, 109, 101, 109, 111, 114, 121, 2, 0]);
  it.each(['wasm', 'auto'] as const)('Network.create with such a module as `wasm`, backend %s: INVALID_OPTION at wasm', async (backend) => {
    const err = await Network.create({ inputs: 2, layers: [{ units: 1 }] }, { backend, wasm: MEMORY_ONLY }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackpropError);
    expect(err).toMatchObject({ code: 'INVALID_OPTION', field: 'wasm' });
    expect((err as Error).message).toMatch(/without the function export gemmABt$/);
  });
});

describe('the threads loader checks its module as the main loader does', () => {
  it('a threads module without setScratch and trainShards (the main build) is refused at load, naming setScratch', async () => {
    vi.resetModules(); // a fresh module state: no threads runtime loaded yet in this realm
    const threads = await import('../src/backends/wasm/threads.js');
    const errors = await import('../src/errors.js');
    threads.provideThreadsModule(bytesOf('backprop.wasm').toString('base64'), async () => bytesOf('backprop.f32.wasm').toString('base64'));
    const failure = await threads.threadsRuntime('f64').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(errors.BackpropError);
    expect(failure).toMatchObject({ code: 'INVALID_OPTION', field: 'wasm' });
    expect((failure as Error).message).toContain('without the function export setScratch');
  });
});
