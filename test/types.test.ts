// The packed package's type declarations as TypeScript users meet them: a project with
// module/moduleResolution node16 and skipLibCheck off compiles an ES module (.mts) and a CommonJS
// module (.cts) that import 'backprop-wasm', 'backprop-wasm/threads' and 'backprop-wasm/fma', and both compiled
// programs run. Negative control: the same CommonJS file against a copy of the package whose
// "exports" give only the ESM declarations (as before the .d.cts files) fails with TS1479.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packAndInstall, ROOT, type Packed } from './browser/pack.js';

const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
let packed: Packed;

const program = (kind: string) => `
import { Network, BackpropError, type NetworkSpec } from 'backprop-wasm';
import { enableThreads } from 'backprop-wasm/threads';
import { enableFma } from 'backprop-wasm/fma';
enableThreads();
enableFma();
const spec: NetworkSpec = { inputs: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 1 }], loss: 'mse', seed: 1 };
Network.create(spec).then((n) => {
  const y: Float64Array = n.predict([1, 2]);
  console.log('${kind}', n.backend, y.length, new BackpropError('INVALID_DATA', 'x', 'y', 1).code);
});
`;

const tsconfig = (files: string[]) => JSON.stringify({
  compilerOptions: { module: 'node16', moduleResolution: 'node16', target: 'es2022', strict: true, skipLibCheck: false, types: [], lib: ['es2022', 'dom'], outDir: 'out' },
  files,
});

const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { cwd: packed.app, encoding: 'utf8', timeout: 120_000 });

beforeAll(() => {
  packed = packAndInstall();
}, 180_000);
afterAll(() => rmSync(packed.tmp, { recursive: true, force: true }));

describe('type declarations (node16 resolution)', () => {
  it('an ES module and a CommonJS module compile with skipLibCheck off, and run', () => {
    writeFileSync(join(packed.app, 'use.mts'), program('esm'));
    writeFileSync(join(packed.app, 'use.cts'), program('cjs'));
    writeFileSync(join(packed.app, 'tsconfig.json'), tsconfig(['use.mts', 'use.cts']));
    const tsc = run(process.execPath, [TSC, '-p', 'tsconfig.json']);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    for (const [file, kind] of [['out/use.mjs', 'esm'], ['out/use.cjs', 'cjs']]) {
      const r = run(process.execPath, [file]);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe(`${kind} wasm 1 INVALID_DATA`);
    }
  });

  it('negative control: ESM-only declarations for require() fail to compile (TS1479)', () => {
    const old = join(packed.app, 'node_modules/backprop-esm-types');
    cpSync(join(packed.app, 'node_modules/backprop-wasm'), old, { recursive: true });
    const pkg = JSON.parse(readFileSync(join(old, 'package.json'), 'utf8'));
    pkg.name = 'backprop-esm-types';
    pkg.exports = { '.': { types: './dist/index.d.ts', require: './dist/index.cjs', default: './dist/index.js' } };
    writeFileSync(join(old, 'package.json'), JSON.stringify(pkg));
    writeFileSync(join(packed.app, 'old.cts'), "import { Network } from 'backprop-esm-types';\nconsole.log(typeof Network);\n");
    writeFileSync(join(packed.app, 'tsconfig.old.json'), tsconfig(['old.cts']));
    const tsc = run(process.execPath, [TSC, '-p', 'tsconfig.old.json', '--noEmit']);
    expect(tsc.status).not.toBe(0);
    expect(tsc.stdout).toMatch(/TS1479/);
  });
});
