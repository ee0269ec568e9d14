// The page: starts the worker, wires the controls, draws the curves and the live prediction.
// State for tests and curious readers is mirrored on <body data-…>.
import { LineChart, compact } from './chart.js';
import { showEvaluation } from './results.js';
import { DrawingPad, SIDE } from './draw.js';
import { DIGITS_FILE } from './digits.js';
import type { BackendName, FromWorker, ToWorker } from './messages.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const body = document.body;
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (m: ToWorker) => worker.postMessage(m);

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const charts = {
  accuracy: new LineChart($<HTMLCanvasElement>('chart-accuracy'), {
    title: 'test accuracy',
    color: '#7ee787',
    yMin: 0,
    yMax: 1,
    format: pct,
  }),
  loss: new LineChart($<HTMLCanvasElement>('chart-loss'), {
    title: 'training loss',
    color: '#ffa657',
    format: (v) => (v < 0.1 ? v.toFixed(3) : v.toFixed(2)),
  }),
  rate: new LineChart($<HTMLCanvasElement>('chart-rate'), { title: 'digits / s', color: '#6cc4ff', format: compact }),
};

const status = (text: string) => ($('status').textContent = text);
const backendChoice = (): BackendName => ($<HTMLInputElement>('backend-js').checked ? 'js' : 'wasm');
let rateAvg = 0,
  lossAvg = 0,
  seenSoFar = 0;

// ---- the drawing pad and its prediction ---------------------------------------------------
const probs = $<HTMLOListElement>('probs');
probs.innerHTML = Array.from(
  { length: 10 },
  (_, d) => `<li><span>${d}</span><span class="bar"><i style="width:0"></i></span><span>–</span></li>`,
).join('');
const seen = $<HTMLCanvasElement>('seen').getContext('2d')!;
let asked = 0,
  answered = 0,
  dirty = false;

function requestPrediction(): void {
  if (asked !== answered) return void (dirty = true); // one in flight at a time; ask again after
  dirty = false;
  const pixels = pad.pixels();
  const img = seen.createImageData(SIDE, SIDE);
  for (let i = 0; i < SIDE * SIDE; i++) {
    const g = pixels ? Math.round(pixels[i] * 255) : 0;
    img.data.set([g, g, g, 255], i * 4);
  }
  seen.putImageData(img, 0, 0);
  if (!pixels) return showProbabilities(null);
  send({ type: 'predict', id: ++asked, pixels });
}

function showProbabilities(p: Float64Array | null): void {
  let best = -1;
  if (p) for (let d = 0; d < 10; d++) if (best < 0 || p[d] > p[best]) best = d;
  Array.from(probs.children).forEach((li, d) => {
    li.className = d === best ? 'best' : '';
    (li.querySelector('i') as HTMLElement).style.width = p ? `${(100 * p[d]).toFixed(1)}%` : '0';
    li.lastElementChild!.textContent = p ? pct(p[d]) : '–';
  });
  $('prediction').textContent = best < 0 ? '?' : String(best);
  body.dataset.prediction = best < 0 ? '' : String(best);
  body.dataset.probabilities = p ? Array.from(p, (v) => v.toFixed(4)).join(',') : '';
}

const pad = new DrawingPad($<HTMLCanvasElement>('pad'), () => requestAnimationFrame(requestPrediction));
$('clear').addEventListener('click', () => pad.clear());

// ---- training controls ----------------------------------------------------------------------
const button = (id: string) => $<HTMLButtonElement>(id);
function setRunning(on: boolean): void {
  body.dataset.state = on ? 'training' : 'done';
  for (const id of ['train', 'continue', 'save', 'keep', 'restore']) button(id).disabled = on;
  button('stop').disabled = !on;
  $<HTMLInputElement>('load').disabled = on;
  $('load-label').classList.toggle('disabled', on);
}

function start(fresh: boolean): void {
  if (fresh) {
    Object.values(charts).forEach((c) => c.clear());
    rateAvg = lossAvg = seenSoFar = 0;
    body.dataset.accuracy = '0';
  }
  setRunning(true);
  status(
    fresh ? 'Training from new weights… draw a digit meanwhile and watch the guess firm up.' : 'Continuing to train the same network…',
  );
  send({ type: 'start', epochs: Number(($('epochs') as HTMLSelectElement).value), fresh, threads: $<HTMLInputElement>('threads').checked });
}
$('train').addEventListener('click', () => start(true));
$('continue').addEventListener('click', () => start(false));
$('stop').addEventListener('click', () => send({ type: 'stop' }));
for (const id of ['backend-wasm', 'backend-js'])
  $(id).addEventListener('change', () => send({ type: 'backend', backend: backendChoice() }));

// Save: the worker's net.toJSON() (with how many digits it has seen) as a file. Load: any such file.
$('save').addEventListener('click', () => send({ type: 'save' }));
// Keep / Restore: the same network in this browser's IndexedDB (net.save('indexeddb://…') in the worker).
$('keep').addEventListener('click', () => send({ type: 'keep' }));
$('restore').addEventListener('click', () => {
  status('Restoring the kept model…');
  send({ type: 'restore' });
});
$('load').addEventListener('change', async () => {
  const file = $<HTMLInputElement>('load').files?.[0];
  if (!file) return;
  status(`Loading ${file.name}…`);
  send({ type: 'load', model: await file.text() });
  $<HTMLInputElement>('load').value = '';
});
function download(name: string, text: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

const results = { perClass: $('per-class'), confusion: $('confusion'), gallery: $('gallery'), summary: $('eval-summary') };

worker.addEventListener('message', (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  switch (m.type) {
    case 'ready':
      body.dataset.state = 'ready';
      body.dataset.backend = $('backend').textContent = m.backend;
      button('train').disabled = false;
      $('threads-label').hidden = !m.threadsAvailable;
      status(
        `${m.trainCount.toLocaleString('en-US')} training and ${m.testCount.toLocaleString('en-US')} test digits loaded; ${m.params.toLocaleString('en-US')} parameters. Press Train, and draw meanwhile.`,
      );
      break;
    case 'progress':
      // Smooth the throughput a little: slices are short and timers coarse.
      rateAvg = rateAvg ? 0.7 * rateAvg + 0.3 * m.rate : m.rate;
      lossAvg = lossAvg ? 0.8 * lossAvg + 0.2 * m.sliceLoss : m.sliceLoss; // recent slices, not the epoch's running mean
      seenSoFar = m.seen;
      charts.loss.add(m.seen, lossAvg);
      charts.rate.add(m.seen, rateAvg);
      Object.values(charts).forEach((c) => c.setXMax(m.seen)); // one x axis for all three
      $('rate').textContent = Math.round(rateAvg).toLocaleString('en-US');
      $('loss').textContent = lossAvg.toFixed(3);
      $('epoch').textContent = (m.epoch + m.fraction).toFixed(1); // epochs done, with the current one's fraction
      body.dataset.backend = $('backend').textContent = m.backend + (m.threads > 1 ? ` ×${m.threads}` : '');
      body.dataset.seen = String(m.seen);
      if (pad.pixels()) requestPrediction(); // watch the guess firm up as it learns
      break;
    case 'accuracy':
      charts.accuracy.add(m.seen, m.accuracy);
      charts.accuracy.setXMax(Math.max(seenSoFar, m.seen));
      $('accuracy').textContent = pct(m.accuracy);
      body.dataset.accuracy = String(m.accuracy);
      break;
    case 'evaluation':
      $('results').hidden = false;
      showEvaluation(m.evaluation, results);
      $('accuracy').textContent = pct(m.evaluation.accuracy); // on all test digits (the curve uses the first 1,000)
      body.dataset.accuracy = String(m.evaluation.accuracy);
      body.dataset.evaluated = String(m.seen);
      body.dataset.mistakes = String(m.evaluation.mistakeCount);
      break;
    case 'backend':
      body.dataset.backend = $('backend').textContent = m.backend;
      break;
    case 'done':
      setRunning(false);
      status(
        `${m.stopped ? 'Stopped' : 'Done'}: test accuracy ${$('accuracy').textContent}. Draw a digit, Continue, or Train from scratch.`,
      );
      break;
    case 'kept':
      status('Model kept in this browser (IndexedDB): Restore brings it back, also after a reload.');
      break;
    case 'saved':
      download(`mnist-784-128-10-${seenSoFar}.json`, m.model);
      break;
    case 'loaded':
      // The curves belonged to the network that was replaced; the figures follow the loaded one.
      Object.values(charts).forEach((c) => c.clear());
      rateAvg = lossAvg = 0;
      for (const id of ['rate', 'loss', 'epoch', 'accuracy']) $(id).textContent = '–';
      seenSoFar = m.seen ?? 0;
      button('continue').disabled = button('save').disabled = button('keep').disabled = false;
      status(
        m.seen === null
          ? 'Model restored from this browser. Draw a digit, or Continue training it.'
          : `Model loaded (trained on ${m.seen.toLocaleString('en-US')} digits). Draw a digit, or Continue training it.`,
      );
      if (pad.pixels()) requestPrediction();
      break;
    case 'prediction':
      answered = m.id;
      showProbabilities(m.probabilities);
      if (dirty) requestPrediction();
      break;
    case 'error':
      if (body.dataset.state === 'training') setRunning(false);
      status(`Error: ${m.message}`);
      break;
  }
});

send({ type: 'init', url: new URL(DIGITS_FILE, location.href).href, backend: backendChoice() });
