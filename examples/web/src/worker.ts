// Training runs here so the page never stalls, on the package's public API only. Each epoch is
// cut into slices of a few hundred digits (a fit of one epoch over a block of rows, blocks in a
// seeded random order); between slices the worker answers predictions, switches backend
// (toJSON → fromJSON: the network resumes exactly where it was), saves, loads or stops.
import { Network } from '../../../src/index.js'; // this repository's source: edits show up live
import { decodeDigits, type Digits } from './digits.js';
import { evaluate, accuracyOn } from './evaluation.js';
import { seededRandom } from './random.js';
import type { BackendName, FromWorker, ToWorker } from './messages.js';

/** Where Keep puts the network (IndexedDB: it holds large models, and Workers have it). */
const STORED = 'indexeddb://backprop-mnist-demo';
const PIXELS = 784,
  CLASSES = 10,
  BATCH = 32;
const SLICE_ROWS = 320; // ~20 ms on wasm, ~200 ms on js: the longest the worker is deaf
const EVAL_EVERY = 1600; // digits trained between accuracy points
const EVAL_ROWS = 1000; // test digits per accuracy point

const post = (m: FromWorker, transfer: Transferable[] = []) =>
  (self as unknown as { postMessage(m: FromWorker, t: Transferable[]): void }).postMessage(m, transfer);

let data: Digits;
let trainY: Float64Array;
let net: Network;
let wanted: BackendName = 'wasm';
let running = false,
  stopAsked = false;
let seen = 0,
  epoch = 0,
  threadsOn = false;
const random = seededRandom(7);

const spec = {
  inputs: PIXELS,
  layers: [
    { units: 128, activation: 'relu' as const },
    { units: CLASSES, activation: 'softmax' as const },
  ],
  loss: 'crossEntropy' as const,
  optimizer: { type: 'sgd' as const, learningRate: 0.1, momentum: 0.9 },
  seed: 1,
};

async function replace(next: Network): Promise<void> {
  const old = net;
  net = next; // swap only once the new one exists: a prediction may arrive meanwhile
  old?.dispose();
}

async function switchBackend(): Promise<void> {
  if (net.backend === wanted) return;
  await replace(await Network.fromJSON(net.toJSON(), { backend: wanted }));
  post({ type: 'backend', backend: net.backend });
}

function postEvaluation(): void {
  const e = evaluate(net, data.testX, data.testLabels);
  post(
    { type: 'evaluation', seen, evaluation: e },
    e.mistakes.map((m) => m.pixels.buffer),
  );
}

async function train(epochs: number, fresh: boolean): Promise<void> {
  running = true;
  stopAsked = false;
  if (fresh) {
    await replace(await Network.create({ ...spec, backend: wanted }));
    seen = epoch = 0;
  }
  if (threadsOn) (await import('../../../src/parallel/enable.js')).enableThreads();
  const testX = data.testX.subarray(0, EVAL_ROWS * PIXELS),
    testLabels = data.testLabels.subarray(0, EVAL_ROWS);
  if (fresh) post({ type: 'accuracy', seen, accuracy: accuracyOn(net, testX, testLabels) });
  let nextEval = seen + EVAL_EVERY;
  const blocks: [number, number][] = [];
  for (let from = 0; from < data.trainCount; from += SLICE_ROWS) blocks.push([from, Math.min(data.trainCount, from + SLICE_ROWS)]);
  outer: for (let e = 0; e < epochs; e++, epoch++) {
    const order = blocks.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    let done = 0;
    for (const i of order) {
      if (stopAsked) break outer;
      await switchBackend();
      const [from, to] = blocks[i];
      const t = performance.now();
      const h = await net.fit(
        { inputs: data.trainX.subarray(from * PIXELS, to * PIXELS), targets: trainY.subarray(from * CLASSES, to * CLASSES) },
        { epochs: 1, batchSize: BATCH, shuffle: true, ...(threadsOn ? { threads: 'auto' as const } : {}) },
      );
      const rate = (to - from) / ((performance.now() - t) / 1000);
      done += to - from;
      seen += to - from;
      post({
        type: 'progress',
        seen,
        epoch,
        fraction: done / data.trainCount,
        sliceLoss: h.loss[0],
        rate,
        backend: net.backend,
        threads: h.threads ?? 1,
      });
      if (seen >= nextEval) {
        post({ type: 'accuracy', seen, accuracy: accuracyOn(net, testX, testLabels) });
        nextEval = seen + EVAL_EVERY;
      }
    }
    postEvaluation(); // after every epoch: the confusion matrix and the mistakes
  }
  if (stopAsked) postEvaluation();
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
        const threadsAvailable = (self as unknown as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
        post({
          type: 'ready',
          trainCount: data.trainCount,
          testCount: data.testCount,
          backend: net.backend,
          params: net.parameterCount,
          threadsAvailable,
        });
      })().catch(fail);
      break;
    case 'start':
      threadsOn = m.threads;
      if (!running) train(m.epochs, m.fresh).catch((err) => ((running = false), fail(err)));
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
    case 'save':
      post({ type: 'saved', model: JSON.stringify({ seen, network: net.toJSON() }) });
      break;
    case 'load':
      if (running) return fail(new Error('stop training before loading a model'));
      (async () => {
        const file = JSON.parse(m.model);
        const next = await Network.fromJSON(file.network ?? file, { backend: wanted }); // throws before anything changes
        if (next.inputs !== PIXELS || next.outputs !== CLASSES)
          throw new Error(`expected a ${PIXELS}-…-${CLASSES} network, got ${next.inputs}-…-${next.outputs}`);
        await replace(next);
        seen = Number.isFinite(file.seen) ? file.seen : 0;
        post({ type: 'loaded', seen });
        postEvaluation();
      })().catch(fail);
      break;
    case 'keep':
      net.save(STORED).then(() => post({ type: 'kept' }), fail);
      break;
    case 'restore':
      if (running) return fail(new Error('stop training before restoring a model'));
      (async () => {
        const next = await Network.load(STORED, { backend: wanted }); // LOAD_FAILED when nothing was kept
        await replace(next);
        seen = 0; // the count of digits seen is the page's, not the model's
        post({ type: 'loaded', seen: null });
        postEvaluation();
      })().catch(fail);
      break;
  }
});
