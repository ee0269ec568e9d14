// The opt-in fma module (enableFma() from 'backprop-wasm/fma', then CreateOptions.fma: GEMM
// micro-kernels with relaxed SIMD fused multiply-add). Before enableFma(), or where relaxed SIMD is
// missing (Node 20 without its flag), fma falls back to the default module with one warning (per
// reason) and the default's bits. Where it is present (checked in a child
// Node with --experimental-wasm-relaxed-simd), its GEMMs stay within the a-priori rounding-error
// bound against the TS twin, really differ from the default's bits (FMA ran), and training is
// repeatable and within 1e-10 of the default after 3 epochs; asked for threads it trains on one
// (the threads builds multiply and add separately), with a warning, to the one-thread fma bits.
import { describe, it, expect, vi, afterEach } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Network, BackpropError } from '../src/index.js';
import { relaxedSimdSupported, embeddedBytes } from '../src/backends/wasm/loader.js';
import { enableFma } from '../src/fma.js';

const SPEC = { inputs: 3, layers: [{ units: 8, activation: 'tanh' as const }, { units: 2 }], loss: 'mse' as const, seed: 4 };
const DATA = {
  inputs: [
    [0, 1, 2],
    [1, -1, 0],
    [2, 0, -2],
    [-1, -1, 1],
  ],
  targets: [
    [1, 0],
    [0, 1],
    [1, 1],
    [0, 0],
  ],
};
const code = (f: () => unknown) =>
  Promise.resolve()
    .then(f)
    .then(
      () => 'no error',
      (e: BackpropError) => `${e.code} ${e.field}`,
    );

afterEach(() => void vi.restoreAllMocks());

describe('fma option', () => {
  it('is checked: a boolean, not with a custom wasm module; unknown create options are refused', async () => {
    expect(await code(() => Network.create(SPEC, { fma: 'yes' as unknown as boolean }))).toBe('INVALID_OPTION options.fma');
    expect(await code(() => Network.create(SPEC, { fma: true, wasm: embeddedBytes() }))).toBe('INVALID_OPTION options.fma');
    expect(await code(() => Network.create(SPEC, { fmaa: true } as object))).toBe('INVALID_OPTION options.fmaa');
    expect(await code(() => Network.create(SPEC, 'wasm' as unknown as object))).toBe('INVALID_OPTION options');
    expect(await code(() => Network.fromJSON('{}', { fma: 1 as unknown as boolean }))).toBe('INVALID_OPTION options.fma');
  });

  it('before enableFma(): one warning naming the import, then the default module and its exact bits', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const fma = await Network.create(SPEC, { fma: true });
    await Network.create(SPEC, { fma: true });
    const plain = await Network.create(SPEC);
    expect(fma.fma).toBe(false);
    expect(fma.backend).toBe('wasm');
    await fma.fit(DATA, { epochs: 5, batchSize: 2 });
    await plain.fit(DATA, { epochs: 5, batchSize: 2 });
    expect(JSON.stringify(fma)).toBe(JSON.stringify(plain));
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
      "backprop: fma needs the fma module: import { enableFma } from 'backprop-wasm/fma' and call it first; using the default module.",
    ]);
  });

  it.skipIf(relaxedSimdSupported())(
    'after enableFma() but without relaxed SIMD (Node 20, no flag): one warning, the default module',
    async () => {
      enableFma();
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const fma = await Network.create(SPEC, { fma: true });
      await Network.create(SPEC, { fma: true });
      expect(fma.fma).toBe(false);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/relaxed SIMD.*--experimental-wasm-relaxed-simd.*using the default module/);
    },
  );

  it('with relaxed SIMD (a child Node with the flag): GEMM within the rounding-error bound, FMA really on, training repeatable and close to the default', () => {
    const script = fileURLToPath(new URL('./helpers/fma-check.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.relaxed).toBe(true);
    expect(out.gemm).toHaveLength(12);
    for (const g of out.gemm) {
      expect(g.worst, JSON.stringify(g)).toBeLessThanOrEqual(1); // a lost or doubled term would be ≫ 1
      expect(g.differs, JSON.stringify(g)).toBe(true);
    }
    expect(out.training.fma).toBe(true);
    expect(out.training.defaultFma).toBe(false);
    expect(out.training.repeatable).toBe(true);
    expect(out.training.bitsDiffer).toBe(true);
    expect(out.training.maxRelWeightDiff).toBeLessThan(1e-10);
    // Asked for threads, an fma network trains on one, saying why, to the one-thread fma bits; the default threads.
    expect(out.threads.fmaThreads).toBe(1);
    expect(out.threads.fmaSameBits).toBe(true);
    expect(out.threads.plainThreads).toBe(2);
    expect(out.threads.warnings).toEqual([
      'backprop: fit runs on one thread: the threads builds have no fused multiply-add: an fma network (Network.create(…, { fma: true })) trains on one thread.',
    ]);
  });

  it.each([
    ['ESM', 'module', "import { Network } from 'backprop-wasm'; import { enableFma } from 'backprop-wasm/fma';"],
    ['CommonJS', 'commonjs', "const { Network } = require('backprop-wasm'); const { enableFma } = require('backprop-wasm/fma');"],
  ])("%s: the built package's backprop/fma entry turns fma on for backprop (with the flag)", (_, type, head) => {
    const script = `${head}
        enableFma();
        Network.create({ inputs: 2, layers: [{ units: 8 }, { units: 1 }], loss: 'mse', seed: 1 }, { fma: true }).then((n) => console.log('fma', n.fma));`;
    const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', `--input-type=${type}`, '-e', script], {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('fma true');
  });
});
