// Keeps `npm test` from testing stale bytes: tests import the embedded Wasm and dist/, both made by
// `npm run build`. The build ends with `build-stamp.mjs write`, which records a hash of everything
// the build reads; `npm test` first runs `build-stamp.mjs`, which rebuilds when that hash differs
// (an edit under assembly/, src/ or the build scripts since the last build).
import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const stampFile = join(root, 'dist', '.build-inputs');
const inputs = ['assembly', 'src', 'scripts', 'asconfig.json', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function files(path) {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => (name.endsWith('.generated.ts') ? [] : files(join(path, name))));
}

function inputsHash() {
  const hash = createHash('sha256');
  for (const file of inputs.flatMap((p) => files(join(root, p))))
    hash.update(file.slice(root.length)).update('\0').update(readFileSync(file));
  return hash.digest('hex');
}

if (process.argv[2] === 'write') writeFileSync(stampFile, inputsHash() + '\n');
else if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8').trim() !== inputsHash()) {
  console.error('build-stamp: sources changed since the last build; rebuilding');
  execSync('npm run build', { cwd: root, stdio: ['ignore', 2, 2] });
}
