// Builds the fixture app (test/browser/fixtures + the example worker) with each bundler, through
// the bundlers' own JS APIs from this repo's node_modules, with default, zero-backprop-specific
// configuration. Each output dir gets index.html and csp.html (same page, served with a strict CSP).
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT } from './pack.js';

export const BUNDLERS = ['vite', 'webpack', 'rollup', 'esbuild'] as const;
export type Bundler = (typeof BUNDLERS)[number];

const MODULE_PAGE = readFileSync(join(ROOT, 'test/browser/fixtures/index.html'), 'utf8');
// webpack's default output is a classic script, loaded the way html-webpack-plugin does it.
const CLASSIC_PAGE = MODULE_PAGE.replace('<script type="module" src="./main.js">', '<script defer src="./main.js">');

/** Puts the fixture sources into the app dir; plain.html loads them unbundled via an import map. */
export function writeFixtureApp(app: string): void {
  copyFileSync(join(ROOT, 'test/browser/fixtures/main.js'), join(app, 'main.js'));
  copyFileSync(join(ROOT, 'examples/worker/browser/worker.js'), join(app, 'worker.js'));
  writeFileSync(join(app, 'index.html'), MODULE_PAGE);
  const map = '<script type="importmap">{"imports":{"backprop-wasm":"./node_modules/backprop-wasm/dist/index.js"}}</script>\n';
  writeFileSync(join(app, 'plain.html'), MODULE_PAGE.replace('<script type="module"', map + '<script type="module"'));
}

/** Builds into `out`; returns the bundler's warnings (there should be none). */
export async function bundle(bundler: Bundler, app: string, out: string): Promise<string[]> {
  mkdirSync(out, { recursive: true });
  const warnings = await BUILD[bundler](app, out);
  if (bundler !== 'vite') writeFileSync(join(out, 'index.html'), bundler === 'webpack' ? CLASSIC_PAGE : MODULE_PAGE);
  copyFileSync(join(out, 'index.html'), join(out, 'csp.html'));
  return warnings;
}

const BUILD: Record<Bundler, (app: string, out: string) => Promise<string[]>> = {
  async vite(app, out) {
    const { build } = await import('vite');
    const warnings: string[] = [];
    await build({
      root: app,
      configFile: false,
      envFile: false,
      base: './',
      logLevel: 'silent',
      // PLUGIN_TIMINGS (Rolldown) says a plugin made the build slow: the machine's load, not the package.
      build: {
        outDir: out,
        emptyOutDir: true,
        rollupOptions: { onwarn: (w) => void (w.code !== 'PLUGIN_TIMINGS' && warnings.push(w.message)) },
      },
    });
    return warnings;
  },

  async webpack(app, out) {
    const { default: webpack } = await import('webpack');
    return new Promise((done, fail) =>
      webpack(
        { mode: 'production', context: app, entry: './main.js', output: { path: out, filename: 'main.js' }, performance: { hints: false } },
        (err, stats) => {
          if (err || !stats) return fail(err ?? new Error('webpack gave no stats'));
          const info = stats.toJson({ all: false, errors: true, warnings: true });
          if (stats.hasErrors()) return fail(new Error(info.errors!.map((e) => e.message).join('\n')));
          done(info.warnings!.map((w) => w.message));
        },
      ),
    );
  },

  async rollup(app, out) {
    const { rollup } = await import('rollup');
    const { nodeResolve } = await import('@rollup/plugin-node-resolve');
    const warnings: string[] = [];
    const built = await rollup({
      input: { main: join(app, 'main.js'), worker: join(app, 'worker.js') },
      plugins: [nodeResolve({ browser: true })],
      onwarn: (w) => void warnings.push(w.message),
    });
    await built.write({ dir: out, format: 'es', entryFileNames: '[name].js' });
    await built.close();
    return warnings;
  },

  async esbuild(app, out) {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: { main: join(app, 'main.js'), worker: join(app, 'worker.js') },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      minify: true,
      outdir: out,
      logLevel: 'silent',
    });
    return result.warnings.map((w) => w.text);
  },
};

/** Bytes of each JavaScript file in an output dir (the .wasm travels inside them), raw and gzipped. */
export function jsSizes(out: string): Record<string, { raw: number; gzip: number }> {
  const sizes: Record<string, { raw: number; gzip: number }> = {};
  for (const f of readdirSync(out, { recursive: true, encoding: 'utf8' })) {
    if (!f.endsWith('.js')) continue;
    const body = readFileSync(join(out, f));
    sizes[f] = { raw: body.length, gzip: gzipSync(body, { level: 9 }).length };
  }
  return sizes;
}
