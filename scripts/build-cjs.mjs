// Bundles the ESM build (dist/) into one CommonJS file, dist/index.cjs, so that Node's
// require('backprop-wasm') works too, with the same exports as the ESM entry. The threads and fma
// builds of the Wasm module stay out of it, as in ESM: dist/threads.cjs, dist/fma.cjs and dist/f32.cjs
// (what require('backprop-wasm/threads'), '/fma' and '/f32' load) each carry their own bytes and hand them to
// index.cjs's state through a non-enumerable symbol-keyed property of Network, so the exports
// stay the ESM ones. Run by `npm run build` after tsc; `node scripts/build-cjs.mjs <dir>` bundles
// another build directory.
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = resolve(process.argv[2] ?? new URL('../dist', import.meta.url).pathname);
const KEY = "Symbol.for('backprop-wasm.cjs.providers')";
await build({
  stdin: {
    contents: `export * from './index.js';
import { Network } from './index.js';
import { provideThreadsModule } from './backends/wasm/threads.js';
import { provideTrainer } from './parallel/open.js';
import { Threaded } from './parallel/trainer.js';
import { provideFmaModule, provideF32Module } from './backends/wasm/loader.js';
import { provideF32Twins } from './backends/select.js';
import { jsF32Backend } from './backends/js/f32/backend.js';
// f32: the twins are in index.cjs (one file for Node; no bundle budget), enabled with the bytes;
// threads: so is the trainer, provided with the threads build's bytes (as the ESM threads entry does).
const provideF32 = (base64) => (provideF32Module(base64), provideF32Twins(jsF32Backend));
const provideThreads = (base64, f32) => (provideThreadsModule(base64, f32), provideTrainer((net, threads, batchSize) => Threaded.open(net, threads, batchSize)));
Object.defineProperty(Network, ${KEY}, { value: Object.freeze({ provideThreads, provideFmaModule, provideF32 }) });
`,
    resolveDir: dir,
    sourcefile: 'index.cjs-entry.js',
  },
  outfile: resolve(dir, 'index.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'neutral',
  target: 'es2022',
  logLevel: 'warning',
});
const bytes = async (file, name) => (await import(pathToFileURL(join(dir, 'backends/wasm', file)).href))[name];
const optIn = (fn, provider, base64, what, more = '') => `'use strict';
// require('backprop-wasm/${what}'): carries the ${what} build of the Wasm module and hands it to
// require('backprop-wasm')'s state (see scripts/build-cjs.mjs), so that both share one.
const providers = require('./index.cjs').Network[${KEY}];
const BASE64 = '${base64}';
exports.${fn} = function ${fn}() {
  providers.${provider}(BASE64${more});
};
`;
// The f32 threads build in a file of its own, required when an f32 network first asks for threads
// (as the ESM entry imports it dynamically).
writeFileSync(
  resolve(dir, 'threads-f32.cjs'),
  `'use strict';\n// The f32 threads build of the Wasm module, for require('backprop-wasm/threads') (dist/threads.cjs).\nexports.BASE64 = '${await bytes('threads-f32-bytes.generated.js', 'THREADS_F32_WASM_BASE64')}';\n`,
);
writeFileSync(
  resolve(dir, 'threads.cjs'),
  optIn(
    'enableThreads',
    'provideThreads',
    await bytes('threads-bytes.generated.js', 'THREADS_WASM_BASE64'),
    'threads',
    ", async () => require('./threads-f32.cjs').BASE64",
  ),
);
// The f32 fma build likewise, required when an f32 network first asks for fma.
writeFileSync(
  resolve(dir, 'fma-f32.cjs'),
  `'use strict';\n// The f32 fma build of the Wasm module, for require('backprop-wasm/fma') (dist/fma.cjs).\nexports.BASE64 = '${await bytes('f32-fma-bytes.generated.js', 'F32_FMA_WASM_BASE64')}';\n`,
);
writeFileSync(
  resolve(dir, 'fma.cjs'),
  optIn(
    'enableFma',
    'provideFmaModule',
    await bytes('fma-bytes.generated.js', 'FMA_WASM_BASE64'),
    'fma',
    ", async () => require('./fma-f32.cjs').BASE64",
  ),
);
writeFileSync(resolve(dir, 'f32.cjs'), optIn('enableF32', 'provideF32', await bytes('f32-bytes.generated.js', 'F32_WASM_BASE64'), 'f32'));

// Type declarations. tsc writes one .d.ts per module, the CLI's and the kernels' too; only those
// the three entries reach are kept (users never import the others, and they would double the
// package's declarations).
const relativeImports = /((?:from|import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"]*?)\.js\2/g;
const reachable = new Set();
const queue = ['index.d.ts', 'parallel/enable.d.ts', 'fma.d.ts', 'f32.d.ts'].map((f) => join(dir, f));
while (queue.length) {
  const f = queue.pop();
  if (reachable.has(f)) continue;
  reachable.add(f);
  for (const m of readFileSync(f, 'utf8').matchAll(relativeImports)) queue.push(join(dirname(f), `${m[3]}.d.ts`));
}
// CommonJS type declarations. In a "type": "module" package TypeScript reads every .d.ts as an ES
// module, so a CommonJS project (module node16/nodenext) importing 'backprop-wasm' would be told it
// cannot require an ES module. Each .d.ts gets a .d.cts twin (what package.json's "require"
// conditions name) whose relative imports point at .cjs names, which TypeScript maps to .d.cts.
const declarations = (d) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const f = join(d, e.name);
    if (e.isDirectory()) declarations(f);
    else if (e.name.endsWith('.d.ts') || e.name.endsWith('.d.cts')) {
      if (!reachable.has(f)) rmSync(f);
      else if (e.name.endsWith('.d.ts'))
        writeFileSync(f.slice(0, -'.d.ts'.length) + '.d.cts', readFileSync(f, 'utf8').replace(relativeImports, '$1$2$3.cjs$2'));
    }
  }
};
declarations(dir);
