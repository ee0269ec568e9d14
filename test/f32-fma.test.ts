// The fma build for f32 networks (asconfig target f32-fma: real = f32 with relaxed SIMD's fused
// multiply-add in the GEMM micro-kernels; 6×8 tiles), chosen as f64's: enableFma() from
// 'backprop-wasm/fma' (which imports the f32 fma bytes when an f32 network first asks), then
// Network.create(f32 spec, { fma: true }). Without enableFma(), or without relaxed SIMD, one warning
// and the default f32 module with its bits. With it (a child Node with the flag): GEMM within the
// bound fused and unfused sums imply against the f32 twin and, where the order is the twin's (k ≤
// 64), the ordered fused sums bit for bit (test/helpers/f32-fma-check.ts derives both); training
// repeatable and close to the default f32 build.
import { describe, it, expect, vi, afterEach } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Network } from '../src/index.js';
import { relaxedSimdSupported } from '../src/backends/wasm/loader.js';
import { enableFma } from '../src/fma.js';
import { enableF32 } from '../src/f32.js';

enableF32();
const SPEC = {
  inputs: 3,
  layers: [{ units: 8, activation: 'tanh' as const }, { units: 2 }],
  loss: 'mse' as const,
  seed: 4,
  precision: 'f32' as const,
};
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

afterEach(() => void vi.restoreAllMocks());

describe('fma for f32 networks', () => {
  it('before enableFma(): one warning naming the import, then the default f32 module and its exact bits', async () => {
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
    'after enableFma() but without relaxed SIMD (Node 20, no flag): one warning, the default f32 module',
    async () => {
      enableFma();
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const fma = await Network.create(SPEC, { fma: true });
      expect(fma.fma).toBe(false);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/relaxed SIMD.*using the default module/);
    },
  );

  it('with relaxed SIMD (a child Node with the flag): GEMM within the bound and the fused sums bit for bit, training repeatable and close to f32', () => {
    const script = fileURLToPath(new URL('./helpers/f32-fma-check.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', script], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.relaxed).toBe(true);
    expect(out.backendFma).toBe(true);
    expect(out.precision).toBe('f32');
    expect(out.gemm).toHaveLength(15);
    for (const g of out.gemm) {
      expect(g.worst, JSON.stringify(g)).toBeLessThanOrEqual(1); // a lost or doubled term would be ≫ 1
      expect(g.differs, JSON.stringify(g)).toBe(true);
      if (g.blockedSameOrder) expect(g.notFused, JSON.stringify(g)).toBe(0);
    }
    expect(out.training.fma).toBe(true);
    expect(out.training.defaultFma).toBe(false);
    expect(out.training.repeatable).toBe(true);
    expect(out.training.bitsDiffer).toBe(true);
    // Measured 1.2e-7 (a few f32 ulps) after 3 epochs of Adam; training amplifies rounding, so this
    // is a check that the fma network trains the same model, not a bound.
    expect(out.training.maxRelWeightDiff).toBeLessThan(1e-5);
  }, 150_000);

  it.each([
    [
      'ESM',
      'module',
      "import { Network } from 'backprop-wasm'; import { enableFma } from 'backprop-wasm/fma'; import { enableF32 } from 'backprop-wasm/f32';",
    ],
    [
      'CommonJS',
      'commonjs',
      "const { Network } = require('backprop-wasm'); const { enableFma } = require('backprop-wasm/fma'); const { enableF32 } = require('backprop-wasm/f32');",
    ],
  ])("%s: the built package's fma entry runs f32 networks on the f32 fma module (with the flag)", (_, type, head) => {
    const script = `${head}
        enableF32();
        enableFma();
        Network.create({ inputs: 2, layers: [{ units: 8 }, { units: 1 }], loss: 'mse', seed: 1, precision: 'f32' }, { fma: true })
          .then((n) => {
            const y = n.predict([[1, 2]]);
            console.log('fma', n.fma, (Array.isArray(y) ? y[0] : y) instanceof Float32Array);
          });`;
    const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', `--input-type=${type}`, '-e', script], {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('fma true true');
  });
});
