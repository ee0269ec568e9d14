// Bundles the ESM build (dist/) into one CommonJS file, dist/index.cjs, so that Node's
// require('backprop') works too. Run by `npm run build` after tsc; `node scripts/build-cjs.mjs <dir>`
// bundles another build directory.
import { build } from 'esbuild';
import { resolve } from 'node:path';

const dir = resolve(process.argv[2] ?? new URL('../dist', import.meta.url).pathname);
await build({
  entryPoints: [resolve(dir, 'index.js')],
  outfile: resolve(dir, 'index.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'neutral',
  target: 'es2022',
  logLevel: 'warning',
});
