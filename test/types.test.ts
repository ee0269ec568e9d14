// The packed package's type declarations as TypeScript users meet them: a project with
// module/moduleResolution node16 and skipLibCheck off compiles an ES module (.mts) and a CommonJS
// module (.cts) that import 'backprop-wasm', 'backprop-wasm/threads' and 'backprop-wasm/fma', and both compiled
// programs run; under moduleResolution node10 the subpath entries' types resolve (typesVersions);
// ESM and CJS entries export the same names, and their declarations the same names and types;
// declarations stay small, without base64 or @internal members. Negative control: the same CommonJS file against a copy of the package whose
// "exports" give only the ESM declarations (as before the .d.cts files) fails with TS1479.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
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

const tsconfig = (files: string[]) =>
  JSON.stringify({
    compilerOptions: {
      module: 'node16',
      moduleResolution: 'node16',
      target: 'es2022',
      strict: true,
      skipLibCheck: false,
      types: [],
      lib: ['es2022', 'dom'],
      outDir: 'out',
    },
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
    for (const [file, kind] of [
      ['out/use.mjs', 'esm'],
      ['out/use.cjs', 'cjs'],
    ]) {
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

const pkgDir = () => join(packed.app, 'node_modules/backprop-wasm');
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
const ENTRIES = [
  ['', 'index', 'index'],
  ['/threads', 'parallel/enable', 'threads'],
  ['/fma', 'fma', 'fma'],
] as const;

describe('what the package declares and exports', () => {
  it('declarations: under 100 KB in all, no base64 text, no @internal members', () => {
    const decl = files(join(pkgDir(), 'dist')).filter((f) => /\.d\.c?ts$/.test(f));
    const total = decl.reduce((n, f) => n + statSync(f).size, 0);
    console.log(`declarations: ${decl.length} files, ${total} bytes`);
    expect(total).toBeLessThan(100_000);
    for (const f of decl) expect(readFileSync(f, 'utf8'), f).not.toMatch(/[A-Za-z0-9+/]{200,}/);
    const network = readFileSync(join(pkgDir(), 'dist/network.d.ts'), 'utf8');
    expect(network).toMatch(/get spec\(\): DeepReadonly<Spec>/);
    expect(network).not.toMatch(/\b(core|rng)\s*:/);
  });

  it('import and require give the same names, for each entry', async () => {
    const require = createRequire(join(packed.app, 'x.cjs'));
    for (const [sub, file] of ENTRIES) {
      const esm = Object.keys(await import(pathToFileURL(join(pkgDir(), `dist/${file}.js`)).href)).sort();
      const cjs = Object.keys(require(`backprop-wasm${sub}`)).sort();
      expect(cjs, `backprop-wasm${sub}`).toEqual(esm);
    }
    expect(Object.keys(require('backprop-wasm'))).not.toContain('enableThreads');
  });

  it('the .d.ts and .d.cts of each entry export the same names with the same types', () => {
    const paths = ENTRIES.flatMap(([, file]) => ['.d.ts', '.d.cts'].map((ext) => join(pkgDir(), `dist/${file}${ext}`)));
    const program = ts.createProgram(paths, {
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      strict: true,
      types: [],
      noEmit: true,
    });
    const checker = program.getTypeChecker();
    const exportsOf = (path: string) => {
      const module = checker.getSymbolAtLocation(program.getSourceFile(path)!)!;
      return Object.fromEntries(
        checker.getExportsOfModule(module).map((sym) => {
          const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
          const decl = target.declarations?.[0];
          return [
            sym.name,
            decl
              ? checker.typeToString(checker.getTypeOfSymbolAtLocation(target, decl), undefined, ts.TypeFormatFlags.NoTruncation) +
                ` ${target.flags}`
              : '',
          ];
        }),
      );
    };
    for (let i = 0; i < paths.length; i += 2) {
      const esm = exportsOf(paths[i]);
      expect(Object.keys(esm).length).toBeGreaterThan(0);
      expect(exportsOf(paths[i + 1]), paths[i + 1]).toEqual(esm);
    }
  });

  it('the main CommonJS bundle carries neither the threads nor the fma build', () => {
    const base64 = (f: string) => /BASE64 = '([^']+)'/.exec(readFileSync(join(pkgDir(), 'dist', f), 'utf8'))![1];
    const index = readFileSync(join(pkgDir(), 'dist/index.cjs'), 'utf8');
    console.log(`dist/index.cjs: ${index.length} bytes`);
    for (const f of ['threads.cjs', 'fma.cjs']) expect(index.includes(base64(f).slice(0, 4000))).toBe(false);
  });

  it("moduleResolution node10 finds the subpath entries' types (typesVersions); without it, not", () => {
    writeFileSync(
      join(packed.app, 'n10.ts'),
      "import { Network } from 'backprop-wasm';\nimport { enableThreads } from 'backprop-wasm/threads';\nimport { enableFma } from 'backprop-wasm/fma';\nenableThreads(); enableFma(); console.log(typeof Network);\n",
    );
    const config = (name: string) =>
      JSON.stringify({
        compilerOptions: {
          module: 'commonjs',
          moduleResolution: 'node10',
          strict: true,
          skipLibCheck: false,
          types: [],
          lib: ['es2022', 'dom'],
          noEmit: true,
        },
        files: [name],
      });
    writeFileSync(join(packed.app, 'tsconfig.n10.json'), config('n10.ts'));
    const ok = run(process.execPath, [TSC, '-p', 'tsconfig.n10.json']);
    expect(ok.stdout + ok.stderr).toBe('');
    // negative control: the same program against a copy without typesVersions
    const old = join(packed.app, 'node_modules/backprop-no-tv');
    cpSync(pkgDir(), old, { recursive: true });
    const pkg = JSON.parse(readFileSync(join(old, 'package.json'), 'utf8'));
    delete pkg.typesVersions;
    pkg.name = 'backprop-no-tv';
    writeFileSync(join(old, 'package.json'), JSON.stringify(pkg));
    writeFileSync(join(packed.app, 'n10-old.ts'), "import { enableThreads } from 'backprop-no-tv/threads';\nenableThreads();\n");
    writeFileSync(join(packed.app, 'tsconfig.n10-old.json'), config('n10-old.ts'));
    const bad = run(process.execPath, [TSC, '-p', 'tsconfig.n10-old.json']);
    expect(bad.stdout).toMatch(/TS2307/);
  });
});
