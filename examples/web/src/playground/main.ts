// The playground page: data → features → network (all in the URL hash), trained between frames
// with net.fit, drawn every frame from net.trace over a 64×64 grid. `#seed` opens the
// step-by-step backprop view instead. State for tests is mirrored on <body data-…>.
import { Network, BackpropError } from '../../../../src/index.js';
import { DOMAIN, isRegression, makePoints, split } from './datasets.js';
import { FEATURES, featurize, gridPoints } from './features.js';
import { HeatMap, drawPoints, unitScale } from './heatmap.js';
import { NetworkDiagram } from './diagram.js';
import { LossCurves } from './curves.js';
import { MAX_LAYERS, parseState, stateHash, type PlaygroundState } from './state.js';
import { setUpControls, showState } from './editor.js';
import { EpochTrainer } from './trainer.js';
import { showSeedView } from './seed-view.js';

const SIDE = 64;
const FRAME_BUDGET_MS = 10; // training time per frame at most; the rest of the epochs wait for the next frame
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const body = document.body;

let state = parseState(location.hash);
let net: Network | undefined;
let generation = 0; // bumps on every rebuild; training started before it does not count
let epoch = 0,
  playing = false;
let trainer: EpochTrainer;
let data: { trainX: Float64Array; trainY: Float64Array; testX: Float64Array; testY: Float64Array; trainRows: number; testRows: number };
const gridXY = gridPoints(SIDE, DOMAIN);
let gridX: Float64Array = new Float64Array(0);

const boundary = new HeatMap($<HTMLCanvasElement>('boundary'), SIDE);
const curves = new LossCurves($<HTMLCanvasElement>('curves'));
const diagram = new NetworkDiagram(
  $('diagram'),
  SIDE,
  {
    toggleFeature: (f) => {
      const has = state.features.includes(f);
      if (has && state.features.length === 1) return; // a network needs an input
      update({ features: has ? state.features.filter((g) => g !== f) : FEATURES.filter((g) => g === f || state.features.includes(g)) });
    },
    changeUnits: (l, d) => update({ hidden: state.hidden.map((u, i) => (i === l ? u + d : u)) }),
  },
  (text) => ($('hover').textContent = text),
);

function makeData(): void {
  const all = makePoints(state.dataset, state.points, state.noise, state.seed);
  const { train, test } = split(all, state.trainPercent / 100, state.seed);
  data = {
    trainX: featurize(train.xy, state.features),
    trainY: train.label,
    testX: featurize(test.xy, state.features),
    testY: test.label,
    trainRows: train.n,
    testRows: test.n,
  };
  gridX = featurize(gridXY, state.features);
  const show = $<HTMLInputElement>('show-test').checked;
  drawPoints(
    $<HTMLCanvasElement>('points-layer'),
    [{ ...train, test: false }, ...(show ? [{ ...test, test: true }] : [])],
    DOMAIN,
    isRegression(state.dataset),
  );
}

async function rebuild(): Promise<void> {
  const gen = ++generation;
  makeData();
  const regression = isRegression(state.dataset);
  const next = await Network.create({
    inputs: state.features.length,
    layers: [
      ...state.hidden.map((units) => ({ units, activation: state.activation, ...(state.dropout > 0 ? { dropout: state.dropout } : {}) })),
      { units: 1, activation: regression ? ('linear' as const) : ('sigmoid' as const) },
    ],
    loss: regression ? 'mse' : 'binaryCrossEntropy',
    optimizer: { type: state.optimizer, learningRate: state.learningRate },
    l2: state.l2,
    seed: state.seed,
  });
  if (gen !== generation) return next.dispose();
  net?.dispose();
  net = next;
  epoch = 0;
  trainer = new EpochTrainer(data.trainX, data.trainY, state.features.length, state.batchSize, state.seed);
  curves.clear();
  showState(state);
  ($('add-layer') as HTMLButtonElement).disabled = state.hidden.length >= MAX_LAYERS;
  ($('remove-layer') as HTMLButtonElement).disabled = state.hidden.length === 0;
  diagram.build(state.features, state.hidden);
  const all = featurize(gridXY, FEATURES);
  FEATURES.forEach((_, j) => {
    let max = 1e-12;
    for (let i = j; i < all.length; i += FEATURES.length) max = Math.max(max, Math.abs(all[i]));
    diagram.maps[0][j].paint(all, FEATURES.length, j, 'signed', 1 / max);
  });
  body.dataset.backend = net.backend;
  render();
  body.dataset.state = 'ready';
}

/** Applies a change: the URL follows, and everything but the speed starts a fresh network. */
function update(patch: Partial<PlaygroundState>): void {
  state = { ...state, ...patch };
  history.replaceState(null, '', stateHash(state));
  if (Object.keys(patch).every((k) => k === 'speed')) return showState(state);
  void rebuild();
}

let frames = 0,
  stepsDone = 0,
  trainMs = 0,
  drawMs = 0,
  since = performance.now();
function render(): void {
  if (!net) return;
  const drawStart = performance.now();
  const t = net.trace(gridX);
  const last = t.layers.length - 1;
  const outScale = isRegression(state.dataset) ? ('signed' as const) : ('probability' as const);
  boundary.paint(t.layers[last].a, 1, 0, outScale);
  t.layers.forEach((layer, l) => {
    const units = diagram.maps[l + 1].length;
    const scale = l === last ? outScale : unitScale(state.activation);
    for (let u = 0; u < units; u++) diagram.maps[l + 1][u].paint(layer.a, units, u, scale);
  });
  const weights = net.getWeights();
  diagram.updateEdges(weights);
  const trainLoss = net.loss(data.trainX, data.trainY),
    testLoss = net.loss(data.testX, data.testY);
  curves.add(epoch, trainLoss, testLoss);
  $('epoch').textContent = epoch.toLocaleString('en-US');
  $('train-loss').textContent = trainLoss.toFixed(4);
  $('test-loss').textContent = testLoss.toFixed(4);
  Object.assign(body.dataset, { epoch: String(epoch), trainLoss: String(trainLoss), testLoss: String(testLoss) });
  if (!playing) body.dataset.weights = JSON.stringify(weights); // for tests and the curious; not every frame
  frames++;
  const now = performance.now();
  drawMs += now - drawStart;
  if (now - since >= 1000) {
    const fps = (frames * 1000) / (now - since),
      rate = (stepsDone * 1000) / (now - since);
    $('fps').textContent = playing ? Math.round(fps).toString() : '–';
    $('steps-rate').textContent = playing ? Math.round(rate).toLocaleString('en-US') : '–';
    if (playing) {
      const per = (v: number) => (v / frames).toFixed(2);
      Object.assign(body.dataset, {
        fps: fps.toFixed(1),
        stepsPerSecond: rate.toFixed(0),
        stepsPerFrame: (stepsDone / frames).toFixed(1),
        trainMsPerFrame: per(trainMs),
        drawMsPerFrame: per(drawMs),
      });
    }
    frames = stepsDone = trainMs = drawMs = 0;
    since = now;
  }
}

/** Trains up to `epochs` epochs, stopping early when the frame's budget is spent; returns how many ran. */
function train(epochs: number, budgetMs = Infinity): number {
  if (!net) return 0;
  const start = performance.now();
  let done = 0;
  try {
    while (done < epochs && (done === 0 || performance.now() - start < budgetMs)) {
      trainer.epoch(net);
      done++;
      epoch++;
      stepsDone += trainer.stepsPerEpoch;
    }
  } catch (e) {
    setPlaying(false);
    $('hover').textContent =
      e instanceof BackpropError && e.code === 'DIVERGED'
        ? `Training diverged (${e.message}). Lower the learning rate and press Reset.`
        : String(e);
  }
  return done;
}

function setPlaying(on: boolean): void {
  playing = on;
  $('play').textContent = on ? 'Pause' : 'Play';
  body.dataset.playing = String(on);
  frames = stepsDone = trainMs = drawMs = 0;
  since = performance.now();
  if (on) void loop();
  else render(); // the paused state, with its weights
}

async function loop(): Promise<void> {
  while (playing) {
    const t0 = performance.now();
    train(state.speed, FRAME_BUDGET_MS);
    trainMs += performance.now() - t0;
    render();
    await new Promise((r) => requestAnimationFrame(r));
  }
}

$('play').addEventListener('click', () => setPlaying(!playing));
$('step').addEventListener('click', () => {
  if (playing) setPlaying(false);
  train(1);
  render();
});
$('reset').addEventListener('click', () => void rebuild());
$('add-layer').addEventListener('click', () => state.hidden.length < MAX_LAYERS && update({ hidden: [...state.hidden, 2] }));
$('remove-layer').addEventListener('click', () => update({ hidden: state.hidden.slice(0, -1) }));
$('show-test').addEventListener('change', () => (makeData(), render()));
setUpControls(update);

function route(): void {
  const seed = location.hash === '#seed';
  $('playground').hidden = seed;
  $('seed-view').hidden = !seed;
  body.dataset.view = seed ? 'seed' : 'playground';
  if (seed) {
    setPlaying(false);
    void showSeedView($('seed-view'));
  } else {
    state = parseState(location.hash);
    history.replaceState(null, '', stateHash(state));
    void rebuild();
  }
}
addEventListener('hashchange', route);
$('to-playground').addEventListener('click', (e) => {
  e.preventDefault();
  location.hash = stateHash(state);
});
route();
