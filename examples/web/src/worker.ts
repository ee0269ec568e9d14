// Training runs here so the page never stalls. The epoch is cut into slices of a few hundred
// digits (see src/cli/epoch.ts); between slices the worker answers predictions, switches backend
// (toJSON → fromJSON: the network resumes exactly where it was) or stops.
import { Network } from '../../../src/index.js'; // this repository's source: edits show up live
import { blocks, accuracy } from '../../../src/cli/epoch.js';
import { Rng } from '../../../src/rng.js';
import { decodeDigits, type Digits } from './digits.js';
import type { BackendName, FromWorker, ToWorker } from './messages.js';

const PIXELS = 784, CLASSES = 10;
const SLICE_ROWS = 320; // ~20 ms on wasm, ~200 ms on js: the longest the worker is deaf
const EVAL_EVERY = 1600; // digits trained between accuracy points
const EVAL_ROWS = 1000; // test digits per accuracy point

const post = (m: FromWorker) => (self as unknown as { postMessage(m: FromWorker): void }).postMessage(m);

let data: Digits;
let trainY: Float64Array;
let net: Network;
let wanted: BackendName = 'wasm';
let running = false;
let stopAsked = false;

const spec = {
  inputs: PIXELS,
  layers: [{ units: 128, activation: 'relu' as const }, { units: CLASSES, activation: 'softmax' as const }],
  loss: 'crossEntropy' as const,
  optimizer: { type: 'sgd' as const, learningRate: 0.1, momentum: 0.9 },
  seed: 1,
};

async function switchBackend(): Promise<void> {
  if (net.backend === wanted) return;
  // Swap only once the copy exists: a prediction may arrive while it is being made.
  const old = net;
  net = await Network.fromJSON(old.toJSON(), { backend: wanted });
  old.dispose();
  post({ type: 'backend', backend: net.backend });
}

async function train(epochs: number): Promise<void> {
  running = true;
  stopAsked = false;
  const old = net;
  net = await Network.create({ ...spec, backend: wanted });
  old.dispose();
  const rng = new Rng(7);
  const plan = { inputs: data.trainX, targets: trainY, rows: data.trainCount, batchSize: 32, sliceRows: SLICE_ROWS };
  const testX = data.testX.subarray(0, EVAL_ROWS * PIXELS), testLabels = data.testLabels.subarray(0, EVAL_ROWS);
  let seen = 0, nextEval = 0;
  post({ type: 'accuracy', seen, accuracy: accuracy(net, testX, testLabels) });
  nextEval = EVAL_EVERY;
  outer: for (let epoch = 0; epoch < epochs; epoch++) {
    const order = blocks(plan);
    const idx = order.map((_, i) => i);
    rng.shuffle(idx);
    let done = 0, sum = 0;
    for (const i of idx) {
      if (stopAsked) break outer;
      await switchBackend();
      const [from, to] = order[i];
      const t = performance.now();
      const h = await net.fit(
        { inputs: plan.inputs.subarray(from * PIXELS, to * PIXELS), targets: trainY.subarray(from * CLASSES, to * CLASSES) },
        { epochs: 1, batchSize: plan.batchSize },
      );
      const rate = (to - from) / ((performance.now() - t) / 1000);
      done += to - from;
      seen += to - from;
      sum += h.loss[0] * (to - from);
      post({ type: 'progress', seen, epoch, epochs, fraction: done / plan.rows, loss: sum / done, sliceLoss: h.loss[0], rate, backend: net.backend });
      if (seen >= nextEval || (epoch === epochs - 1 && done === plan.rows)) {
        post({ type: 'accuracy', seen, accuracy: accuracy(net, testX, testLabels) });
        nextEval = seen + EVAL_EVERY;
      }
    }
  }
  running = false;
  post({ type: 'done', stopped: stopAsked });
}

addEventListener('message', (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  const fail = (err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  switch (m.type) {
    case 'init':
      wanted = m.backend;
      (async () => {
        const res = await fetch(m.url);
        if (!res.ok) throw new Error(`${m.url}: HTTP ${res.status}`);
        data = decodeDigits(await res.arrayBuffer(), PIXELS);
        trainY = new Float64Array(data.trainCount * CLASSES);
        data.trainLabels.forEach((d, r) => (trainY[r * CLASSES + d] = 1));
        net = await Network.create({ ...spec, backend: wanted });
        post({ type: 'ready', trainCount: data.trainCount, testCount: data.testCount, backend: net.backend, params: net.parameterCount });
      })().catch(fail);
      break;
    case 'start':
      if (!running) train(m.epochs).catch(fail);
      break;
    case 'stop':
      stopAsked = true;
      break;
    case 'backend':
      wanted = m.backend;
      if (!running) switchBackend().catch(fail);
      break;
    case 'predict':
      if (net) post({ type: 'prediction', id: m.id, probabilities: net.predict(m.pixels) });
      break;
  }
});
