// Bundles the ESM build (dist/) into one CommonJS file, dist/index.cjs, so that Node's
// require('backprop-wasm') works too; it also carries enableThreads and enableFma (Node has no bundle size to save),
// and dist/threads.cjs, what require('backprop-wasm/threads') loads, hands out that same function so
// that both share one copy of the library's state. Run by `npm run build` after tsc;
// `node scripts/build-cjs.mjs <dir>` bundles another build directory.
import { build } from 'esbuild';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

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
writeFileSync(resolve(dir, 'fma.cjs'), "'use strict';\n// require('backprop-wasm/fma'): the enableFma of require('backprop-wasm'), so both share one state.\nexports.enableFma = require('./index.cjs').enableFma;\n");
writeFileSync(resolve(dir, 'threads.cjs'), "'use strict';\n// require('backprop-wasm/threads'): the enableThreads of require('backprop-wasm'), so both share one state.\nexports.enableThreads = require('./index.cjs').enableThreads;\n");

// CommonJS type declarations. In a "type": "module" package TypeScript reads every .d.ts as an ES
// module, so a CommonJS project (module node16/nodenext) importing 'backprop-wasm' would be told it
// cannot require an ES module. Each .d.ts gets a .d.cts twin (what package.json's "require"
// conditions name) whose relative imports point at .cjs names, which TypeScript maps to .d.cts.
const cjsTypes = (d) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const f = join(d, e.name);
    if (e.isDirectory()) cjsTypes(f);
    else if (e.name.endsWith('.d.ts')) {
      const text = readFileSync(f, 'utf8').replace(/((?:from|import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"]*?)\.js\2/g, '$1$2$3.cjs$2');
      writeFileSync(f.slice(0, -'.d.ts'.length) + '.d.cts', text);
    }
  }
};
cjsTypes(dir);
