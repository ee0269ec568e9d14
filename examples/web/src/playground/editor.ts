// The controls: menus filled from the library's own lists, and state ↔ controls both ways.
import { OPTIMIZERS } from '../../../../src/index.js';
import { DATASETS, DATASET_LABELS, type DatasetName } from './datasets.js';
import { HIDDEN_ACTIVATIONS, SPEEDS, type PlaygroundState } from './state.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const BATCHES = [1, 5, 10, 20, 30, 50, 100];
const L2S = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1];
const DROPOUTS = [0, 0.1, 0.2, 0.3, 0.5];

function fill(id: string, values: readonly (string | number)[], label: (v: string) => string = (v) => v): void {
  $<HTMLSelectElement>(id).innerHTML = values.map((v) => `<option value="${v}">${label(String(v))}</option>`).join('');
}

/** Sets a select to `value`, adding it as an option first when a link carried a value not listed. */
function choose(id: string, value: string | number): void {
  const s = $<HTMLSelectElement>(id);
  if (!Array.from(s.options).some((o) => o.value === String(value))) s.add(new Option(String(value), String(value)));
  s.value = String(value);
}

export function setUpControls(onChange: (patch: Partial<PlaygroundState>) => void): void {
  fill('speed', SPEEDS, (v) => `${v} epoch${v === '1' ? '' : 's'} / frame`);
  fill('lr', LEARNING_RATES);
  fill('optimizer', OPTIMIZERS);
  fill('activation', HIDDEN_ACTIVATIONS);
  fill('batch', BATCHES);
  fill('l2', L2S);
  fill('dropout', DROPOUTS);
  $('datasets').innerHTML = DATASETS.map((d) => `<button data-set="${d}">${DATASET_LABELS[d]}</button>`).join('');
  $('datasets').addEventListener('click', (e) => {
    const d = (e.target as HTMLElement).dataset.set as DatasetName | undefined;
    if (d) onChange({ dataset: d });
  });
  const number = (id: string) => Number($<HTMLSelectElement>(id).value);
  $('speed').addEventListener('change', () => onChange({ speed: number('speed') }));
  $('lr').addEventListener('change', () => onChange({ learningRate: number('lr') }));
  $('optimizer').addEventListener('change', () =>
    onChange({ optimizer: $<HTMLSelectElement>('optimizer').value as PlaygroundState['optimizer'] }),
  );
  $('activation').addEventListener('change', () =>
    onChange({ activation: $<HTMLSelectElement>('activation').value as PlaygroundState['activation'] }),
  );
  $('batch').addEventListener('change', () => onChange({ batchSize: number('batch') }));
  $('l2').addEventListener('change', () => onChange({ l2: number('l2') }));
  $('dropout').addEventListener('change', () => onChange({ dropout: number('dropout') }));
  $('points').addEventListener('change', () => onChange({ points: number('points') }));
  $('noise').addEventListener('change', () => onChange({ noise: number('noise') / 100 }));
  $('train').addEventListener('change', () => onChange({ trainPercent: number('train') }));
  $('noise').addEventListener('input', () => ($('noise-out').textContent = `${$<HTMLInputElement>('noise').value}%`));
  $('train').addEventListener('input', () => ($('train-out').textContent = `${$<HTMLInputElement>('train').value}%`));
  $('seed-input').addEventListener('change', () => onChange({ seed: Math.max(0, Math.floor(number('seed-input'))) || 0 }));
  $('regenerate').addEventListener('click', () => onChange({ seed: (Math.random() * 1e6) | 0 }));
}

export function showState(s: PlaygroundState): void {
  choose('speed', s.speed);
  choose('lr', s.learningRate);
  choose('optimizer', s.optimizer);
  choose('activation', s.activation);
  choose('batch', s.batchSize);
  choose('l2', s.l2);
  choose('dropout', s.dropout);
  choose('points', s.points);
  $<HTMLInputElement>('noise').value = String(Math.round(s.noise * 100));
  $('noise-out').textContent = `${Math.round(s.noise * 100)}%`;
  $<HTMLInputElement>('train').value = String(s.trainPercent);
  $('train-out').textContent = `${s.trainPercent}%`;
  $<HTMLInputElement>('seed-input').value = String(s.seed);
  for (const b of Array.from($('datasets').querySelectorAll<HTMLButtonElement>('button')))
    b.classList.toggle('on', b.dataset.set === s.dataset);
  $('shape').textContent = [s.features.length, ...s.hidden, 1].join('-');
}
