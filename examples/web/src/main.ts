// The page: starts the worker, wires the controls, draws the curves and the live prediction.
// State for tests and curious readers is mirrored on <body data-…>.
import { LineChart } from './chart.js';
import { DrawingPad, SIDE } from './draw.js';
import { DIGITS_FILE } from './digits.js';
import type { BackendName, FromWorker, ToWorker } from './messages.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const body = document.body;
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (m: ToWorker) => worker.postMessage(m);

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const charts = {
  accuracy: new LineChart($<HTMLCanvasElement>('chart-accuracy'), { title: 'test accuracy', color: '#7ee787', yMin: 0, yMax: 1, format: pct }),
  loss: new LineChart($<HTMLCanvasElement>('chart-loss'), { title: 'training loss', color: '#ffa657', format: (v) => v.toFixed(2) }),
  rate: new LineChart($<HTMLCanvasElement>('chart-rate'), { title: 'digits / s', color: '#6cc4ff', format: (v) => Math.round(v).toLocaleString('en-US') }),
};

const status = (text: string) => ($('status').textContent = text);
const backendChoice = (): BackendName => ($<HTMLInputElement>('backend-js').checked ? 'js' : 'wasm');
let rateAvg = 0, lossAvg = 0;

// ---- the drawing pad and its prediction ---------------------------------------------------
const probs = $<HTMLOListElement>('probs');
probs.innerHTML = Array.from({ length: 10 }, (_, d) => `<li><span>${d}</span><span class="bar"><i style="width:0"></i></span><span>–</span></li>`).join('');
const seen = $<HTMLCanvasElement>('seen').getContext('2d')!;
let asked = 0, answered = 0, dirty = false;

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
$('train').addEventListener('click', () => {
  Object.values(charts).forEach((c) => c.clear());
  rateAvg = lossAvg = 0;
  body.dataset.state = 'training';
  body.dataset.accuracy = '0';
  ($('train') as HTMLButtonElement).disabled = true;
  ($('stop') as HTMLButtonElement).disabled = false;
  status('Training…');
  send({ type: 'start', epochs: Number(($('epochs') as HTMLSelectElement).value) });
});
$('stop').addEventListener('click', () => send({ type: 'stop' }));
for (const id of ['backend-wasm', 'backend-js']) $(id).addEventListener('change', () => send({ type: 'backend', backend: backendChoice() }));

worker.addEventListener('message', (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  switch (m.type) {
    case 'ready':
      body.dataset.state = 'ready';
      body.dataset.backend = $('backend').textContent = m.backend;
      ($('train') as HTMLButtonElement).disabled = false;
      status(`${m.trainCount.toLocaleString('en-US')} training and ${m.testCount.toLocaleString('en-US')} test digits loaded; ${m.params.toLocaleString('en-US')} parameters. Press Train, and draw meanwhile.`);
      break;
    case 'progress':
      // Smooth the throughput a little: slices are short and timers coarse.
      rateAvg = rateAvg ? 0.7 * rateAvg + 0.3 * m.rate : m.rate;
      lossAvg = lossAvg ? 0.8 * lossAvg + 0.2 * m.sliceLoss : m.sliceLoss; // recent slices, not the epoch's running mean
      charts.loss.add(m.seen, lossAvg);
      charts.rate.add(m.seen, rateAvg);
      $('rate').textContent = Math.round(rateAvg).toLocaleString('en-US');
      $('loss').textContent = lossAvg.toFixed(3);
      $('epoch').textContent = `${m.epoch + 1}/${m.epochs} · ${Math.floor(100 * m.fraction)}%`;
      body.dataset.backend = $('backend').textContent = m.backend;
      body.dataset.seen = String(m.seen);
      if (pad.pixels()) requestPrediction(); // watch the guess firm up as it learns
      break;
    case 'accuracy':
      charts.accuracy.add(m.seen, m.accuracy);
      $('accuracy').textContent = pct(m.accuracy);
      body.dataset.accuracy = String(m.accuracy);
      break;
    case 'backend':
      body.dataset.backend = $('backend').textContent = m.backend;
      break;
    case 'done':
      body.dataset.state = 'done';
      ($('train') as HTMLButtonElement).disabled = false;
      ($('stop') as HTMLButtonElement).disabled = true;
      status(`${m.stopped ? 'Stopped' : 'Done'}: test accuracy ${$('accuracy').textContent}. Draw a digit, or train again.`);
      break;
    case 'prediction':
      answered = m.id;
      showProbabilities(m.probabilities);
      if (dirty) requestPrediction();
      break;
    case 'error':
      body.dataset.state = 'error';
      status(`Error: ${m.message}`);
      break;
  }
});

send({ type: 'init', url: new URL(DIGITS_FILE, location.href).href, backend: backendChoice() });
