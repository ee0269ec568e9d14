// Trains XOR in a Web Worker, then predicts on the page with the model the worker sends back.
// Run: npx vite examples/worker/browser (or bundle it with webpack, Rollup or esbuild).
import { Network } from 'backprop-wasm';

const out = document.getElementById('out');
const XOR = {
  inputs: [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ],
  targets: [[0], [1], [1], [0]],
};
const spec = {
  inputs: 2,
  layers: [
    { units: 8, activation: 'tanh' },
    { units: 1, activation: 'sigmoid' },
  ],
  loss: 'binaryCrossEntropy',
  optimizer: { type: 'sgd', learningRate: 0.5, momentum: 0.9 },
  seed: 3,
};

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
worker.onmessage = async ({ data }) => {
  worker.terminate();
  if (data.error) return void (out.textContent = data.error);
  const net = await Network.fromJSON(data.model);
  const lines = XOR.inputs.map((x) => `${x} → ${net.predict(x)[0].toFixed(4)}`);
  out.textContent = `worker trained on ${data.backend}: loss ${data.loss[0].toFixed(4)} → ${data.loss.at(-1).toFixed(6)}\n${lines.join('\n')}`;
};
worker.postMessage({ spec, data: XOR, options: { epochs: 500, batchSize: 4 } });
