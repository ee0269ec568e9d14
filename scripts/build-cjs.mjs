// Bundles the ESM build (dist/) into one CommonJS file, dist/index.cjs, so that Node's
// require('backprop') works too; it also carries enableThreads and enableFma (Node has no bundle size to save),
// and dist/threads.cjs, what require('backprop/threads') loads, hands out that same function so
// that both share one copy of the library's state. Run by `npm run build` after tsc;
// `node scripts/build-cjs.mjs <dir>` bundles another build directory.
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const dir = resolve(process.argv[2] ?? new URL('../dist', import.meta.url).pathname);
await build({
  stdin: { contents: "export * from './index.js';\nexport { enableThreads } from './parallel/enable.js';\nexport { enableFma } from './fma.js';\n", resolveDir: dir, sourcefile: 'index.cjs-entry.js' },
  outfile: resolve(dir, 'index.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'neutral',
  target: 'es2022',
  logLevel: 'warning',
});
writeFileSync(resolve(dir, 'fma.cjs'), "'use strict';\n// require('backprop/fma'): the enableFma of require('backprop'), so both share one state.\nexports.enableFma = require('./index.cjs').enableFma;\n");
writeFileSync(resolve(dir, 'threads.cjs'), "'use strict';\n// require('backprop/threads'): the enableThreads of require('backprop'), so both share one state.\nexports.enableThreads = require('./index.cjs').enableThreads;\n");
