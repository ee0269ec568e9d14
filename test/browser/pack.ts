// Packs backprop as users get it: a fresh build of src/ staged in a temp dir, `npm pack`ed, and the
// tarball installed into an empty temp app (whose node_modules holds nothing else). Fresh, so
// that a stale dist/ cannot make these tests pass or fail.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

export interface Packed {
  /** The temp dir holding everything (remove it when done). */
  tmp: string;
  tarball: string;
  /** An app dir with package.json and node_modules/backprop-wasm installed from the tarball. */
  app: string;
}

export function packAndInstall(): Packed {
  const tmp = mkdtempSync(join(tmpdir(), 'backprop-pack-'));
  try {
    return packInto(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

function packInto(tmp: string): Packed {
  const stage = join(tmp, 'stage');
  mkdirSync(stage);
  for (const f of ['package.json', 'README.md']) copyFileSync(join(ROOT, f), join(stage, f));
  const dist = join(stage, 'dist');
  run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', dist], ROOT);
  run(process.execPath, [join(ROOT, 'scripts/build-cjs.mjs'), dist], ROOT);
  // --ignore-scripts: `prepare` would rebuild into the repo; the staged dist is already fresh.
  const [info] = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], stage));
  const tarball = join(tmp, info.filename);
  const app = join(tmp, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], app);
  return { tmp, tarball, app };
}
