// The package.json that goes into the tarball has no `prepare` script. The repository needs it
// (`npm ci` builds dist/, which `npm start` and the tests use), but npm ≥ 11 lists a published
// package's `prepare` as an install script and warns every user who installs the tarball.
//   node scripts/pack-manifest.mjs strip [dir]   (prepack) saves package.json aside, writes it without `prepare`
//   node scripts/pack-manifest.mjs restore       (postpack) puts the saved one back
// A strip after an interrupted pack restores first, so the saved copy is always the repository's.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [command, dirArg] = process.argv.slice(2);
const dir = resolve(dirArg ?? new URL('..', import.meta.url).pathname);
const file = join(dir, 'package.json');
const saved = join(dir, 'package.json.prepack');

if (command === 'strip') {
  if (existsSync(saved)) renameSync(saved, file);
  const text = readFileSync(file, 'utf8');
  const manifest = JSON.parse(text);
  delete manifest.scripts.prepare;
  if (!dirArg) writeFileSync(saved, text); // in a staging dir (dirArg) there is nothing to restore
  writeFileSync(file, JSON.stringify(manifest, null, 2) + '\n');
} else if (command === 'restore') {
  if (existsSync(saved)) renameSync(saved, file);
} else {
  console.error('usage: node scripts/pack-manifest.mjs strip [dir] | restore');
  process.exit(2);
}
