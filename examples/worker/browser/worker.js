// Trains a network off the main thread. Every bundler (Vite, webpack 5, Rollup, esbuild) picks
// this file up from `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })`.
import { Network } from 'backprop-wasm';

self.onmessage = async ({ data: { spec, data, options } }) => {
  try {
    const net = await Network.create(spec);
    const { loss } = await net.fit(data, options);
    // toJSON() is plain data: it crosses postMessage, and Network.fromJSON rebuilds it bit for bit.
    self.postMessage({ backend: net.backend, loss, model: net.toJSON() });
  } catch (e) {
    self.postMessage({ error: String(e?.stack ?? e) });
  }
};
