// Trains XOR in a worker_thread so the main thread stays free, then predicts on the main thread
// with the model the worker sends back. Run: node examples/worker/node.mjs
// Plain JavaScript because Node loads a worker's file itself (a TS loader would not carry over).
// The browser version, a Web Worker, is examples/worker/browser/.
import { Worker, isMainThread, parentPort, threadId } from 'node:worker_threads';
import { Network } from 'backprop-wasm';

const XOR = {
  inputs: [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ],
  targets: [[0], [1], [1], [0]],
};

if (isMainThread) {
  const worker = new Worker(new URL(import.meta.url)); // this same file, in a worker
  const done = await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
  const net = await Network.fromJSON(done.model); // toJSON() is plain data: it crosses threads
  console.log(`worker thread ${done.thread} trained on ${done.backend}: loss ${done.loss[0].toFixed(4)} → ${done.loss.at(-1)}`);
  for (const x of XOR.inputs) console.log(`${x} → ${net.predict(x)[0].toFixed(4)} (predicted on thread ${threadId})`);
} else {
  const net = await Network.create({
    inputs: 2,
    layers: [
      { units: 8, activation: 'tanh' },
      { units: 1, activation: 'sigmoid' },
    ],
    loss: 'binaryCrossEntropy',
    optimizer: { type: 'sgd', learningRate: 0.5, momentum: 0.9 },
    seed: 3,
  });
  const { loss } = await net.fit(XOR, { epochs: 500, batchSize: 4 });
  parentPort.postMessage({ thread: threadId, backend: net.backend, loss, model: net.toJSON() });
}
