// Packs backprop as users get it: a fresh build of src/ staged in a temp dir, `npm pack`ed with
// the manifest as published (scripts/pack-manifest.mjs), and the tarball installed into an empty
// temp app (whose node_modules holds nothing else). Fresh, so that a stale dist/ cannot make these
// tests pass or fail. One pack per test run: the tarball is keyed by a hash of what goes into it
// and shared by every test file (test workers run in parallel; the first builds it under a lock,
// the others wait); each caller gets its own app dir with its own install.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: e });
  }
}

export interface Packed {
  /** The caller's temp dir, holding `app` (remove it when done; the shared tarball stays). */
  tmp: string;
  tarball: string;
  /** An app dir with package.json and node_modules/backprop-wasm installed from the tarball. */
  app: string;
  /** What `npm install <tarball>` printed (stdout and stderr). */
  installOutput: string;
}

const INPUTS = ['package.json', 'README.md', 'LICENSE', 'tsconfig.json', 'tsconfig.build.json', 'scripts', 'src'];

/** A hash of everything the tarball is made from. */
function contentHash(): string {
  const h = createHash('sha256');
  const add = (rel: string) => {
    const p = join(ROOT, rel);
    if (statSync(p).isDirectory()) for (const e of readdirSync(p).sort()) add(join(rel, e));
    else h.update(rel).update('\0').update(readFileSync(p));
  };
  INPUTS.forEach(add);
  return h.digest('hex').slice(0, 16);
}

/** The tarball for the current sources: built once, then reused by every test file. */
export function sharedTarball(): string {
  const home = join(tmpdir(), `backprop-pack-${createHash('sha256').update(ROOT).digest('hex').slice(0, 8)}`);
  const dir = join(home, contentHash());
  const done = join(dir, 'tarball.txt');
  const lock = join(home, 'lock');
  mkdirSync(home, { recursive: true });
  for (const started = Date.now(); !existsSync(done);) {
    try {
      mkdirSync(lock); // atomic: only one worker builds
    } catch {
      // A run killed while packing leaves its lock: packing takes well under 5 minutes.
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
      if (since !== undefined && Date.now() - since > 300_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() - started > 180_000) throw new Error(`gave up waiting for ${lock} (remove it if no test run is packing)`);
      spawnSync('sleep', ['0.2']);
      continue;
    }
    try {
      if (!existsSync(done)) {
        for (const old of readdirSync(home)) if (old !== 'lock') rmSync(join(home, old), { recursive: true, force: true });
        writeFileSync(done + '.tmp', packInto(dir));
        renameSync(done + '.tmp', done); // whole, or not there
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return readFileSync(done, 'utf8');
}

function packInto(dir: string): string {
  const stage = join(dir, 'stage');
  mkdirSync(stage, { recursive: true });
  for (const f of ['package.json', 'README.md', 'LICENSE']) copyFileSync(join(ROOT, f), join(stage, f));
  const dist = join(stage, 'dist');
  run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', dist], ROOT);
  run(process.execPath, [join(ROOT, 'scripts/build-cjs.mjs'), dist], ROOT);
  run(process.execPath, [join(ROOT, 'scripts/pack-manifest.mjs'), 'strip', stage], ROOT);
  // --ignore-scripts: `prepack` would rebuild into the repo; the staged dist is already fresh.
  const [info] = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], stage));
  return join(dir, info.filename);
}

/** A fresh app dir in a temp dir of its own, with the shared tarball installed as a user would. */
export function packAndInstall(): Packed {
  const tarball = sharedTarball();
  const tmp = mkdtempSync(join(tmpdir(), 'backprop-app-'));
  try {
    const app = join(tmp, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    // No --ignore-scripts: installing must print no install-script warning (test/package.test.ts).
    const r = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: app, encoding: 'utf8' });
    const installOutput = r.stdout + r.stderr;
    if (r.status !== 0) throw new Error(`npm install ${tarball} failed:\n${installOutput}`);
    return { tmp, tarball, app, installOutput };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
