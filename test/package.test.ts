// The package as a new user meets it (issue 14): installing the packed tarball into a fresh
// project prints no warning; the published manifest has no install-time script and carries the
// LICENSE; npm commands in this repository print no warning; the build scripts keep stdout
// clean (so `npm pack --json` prints JSON); and README's first block, pasted into the fresh
// project as xor.mjs, runs and prints what README says it prints.
// Negative control: the same tarball with a `prepare` script (as published before) warns.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packAndInstall, ROOT, type Packed } from './browser/pack.js';
import { expectedOutput, printsInOrder, readmeBlocks } from './readme-blocks.js';

let packed: Packed;
beforeAll(() => {
  packed = packAndInstall();
}, 180_000);
afterAll(() => packed && rmSync(packed.tmp, { recursive: true, force: true }));

const npm = (args: string[], cwd: string) => spawnSync('npm', args, { cwd, encoding: 'utf8' });
const installed = () => join(packed.app, 'node_modules/backprop-wasm');

describe('installing backprop-wasm', () => {
  it('npm install of the tarball into a fresh project prints no warning', () => {
    expect(packed.installOutput).toMatch(/added 1 package/);
    expect(packed.installOutput).not.toMatch(/warn/i);
  });

  it('negative control: the same tarball with a prepare script warns on install', () => {
    const work = mkdtempSync(join(tmpdir(), 'backprop-prepare-'));
    try {
      const pkg = join(work, 'pkg');
      cpSync(installed(), pkg, { recursive: true });
      const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
      manifest.scripts.prepare = 'npm run build';
      writeFileSync(join(pkg, 'package.json'), JSON.stringify(manifest));
      const [info] = JSON.parse(
        execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: pkg, encoding: 'utf8' }),
      );
      const app = join(work, 'app');
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), '{"name":"app","private":true}');
      const r = npm(['install', '--offline', '--no-audit', '--no-fund', join(work, info.filename)], app);
      expect(r.stdout + r.stderr).toMatch(/npm warn install-scripts/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('the published manifest runs nothing at install time and names its license, keywords and author', () => {
    const manifest = JSON.parse(readFileSync(join(installed(), 'package.json'), 'utf8'));
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) expect(manifest.scripts[script], script).toBeUndefined();
    expect(manifest.license).toBe('MIT');
    expect(manifest.author).toBe('the backprop-wasm authors');
    expect(manifest.keywords).toContain('webassembly');
    expect(readFileSync(join(installed(), 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) 2026 the backprop-wasm authors\n/);
  });

  it("README's first code block, pasted into the fresh project, runs and prints what README says", () => {
    const first = readmeBlocks().find((b) => b.lang !== 'sh')!;
    writeFileSync(join(packed.app, 'xor.mjs'), first.code);
    const r = spawnSync(process.execPath, ['xor.mjs'], { cwd: packed.app, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const expected = expectedOutput(first.code);
    expect(expected.length).toBeGreaterThan(0);
    expect(printsInOrder(r.stdout.trimEnd(), expected), r.stdout).toBe(true);
  });
});

describe('npm in this repository', () => {
  it('prints no warning (no unknown project config; every dependency install script reviewed)', () => {
    const get = npm(['pkg', 'get', 'name'], ROOT);
    expect(get.stdout.trim()).toBe('"backprop-wasm"');
    expect(get.stderr).not.toMatch(/warn/i);
    const scripts = npm(['install-scripts', 'ls'], ROOT);
    expect(scripts.stdout + scripts.stderr).toMatch(/^No packages with unreviewed install scripts\.\s*$/);
  });

  it('the build scripts write nothing to stdout (npm pack --json prints only JSON)', () => {
    const work = mkdtempSync(join(tmpdir(), 'backprop-build-out-'));
    try {
      const embed = spawnSync(process.execPath, [join(ROOT, 'scripts/embed-wasm.mjs'), work], { encoding: 'utf8' });
      expect(embed.status).toBe(0);
      expect(embed.stdout).toBe('');
      const dist = join(work, 'dist');
      cpSync(join(ROOT, 'dist'), dist, { recursive: true });
      const cjs = spawnSync(process.execPath, [join(ROOT, 'scripts/build-cjs.mjs'), dist], { encoding: 'utf8' });
      expect(cjs.status).toBe(0);
      expect(cjs.stdout).toBe('');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
