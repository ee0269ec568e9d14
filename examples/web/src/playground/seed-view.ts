// The backprop view (playground.html#seed): the seed write-up's 2-2-1 sigmoid network with every
// number of the forward and backward pass. z, a, δ and the loss come from net.trace, ∂L/∂w from
// net.gradients, updates from net.trainStep: the page only lays them out. The products written
// beside them (e.g. δ · a) show which numbers the chain rule multiplied.
import { Network, type LayerWeights, type Trace } from '../../../../src/index.js';
import { seedNote, noteReady } from './seed-note.js';

const SEED = {
  x: [0.35, 0.9],
  y: 0.5,
  w0: [
    [0.1, 0.8],
    [0.4, 0.6],
  ],
  w1: [[0.3, 0.9]],
};
const LR = 1;

interface View {
  net: Network;
  x: number[];
  y: number;
  phase: 'forward' | 'backward';
  steps: number;
  full: boolean;
  lastUpdate?: { before: LayerWeights[]; grads: LayerWeights[]; after: LayerWeights[] };
}
let view: View | undefined;
let root: HTMLElement;

async function seedNetwork(): Promise<Network> {
  const net = await Network.create({
    inputs: 2,
    layers: [
      { units: 2, activation: 'sigmoid', bias: false },
      { units: 1, activation: 'sigmoid', bias: false },
    ],
    loss: 'halfSquaredError',
    optimizer: { type: 'sgd', learningRate: LR },
  });
  net.setWeights([{ weights: SEED.w0 }, { weights: SEED.w1 }]);
  return net;
}

export async function showSeedView(into: HTMLElement): Promise<void> {
  root = into;
  if (!view) {
    view = { net: await seedNetwork(), x: [...SEED.x], y: SEED.y, phase: 'forward', steps: 0, full: false };
    root.addEventListener('click', onClick);
    root.addEventListener('change', onChange);
    await noteReady;
  }
  render();
}

/** A number: short by default, every digit of the f64 on hover or with the toggle (`compact`: short always, for the drawing). */
function n(v: number, id?: string, compact = false): string {
  const full = String(v);
  const short = Math.abs(v) !== 0 && (Math.abs(v) < 1e-4 || Math.abs(v) >= 1e6) ? v.toExponential(4) : String(Number(v.toPrecision(6)));
  return `<span class="num"${id ? ` id="${id}"` : ''} data-full="${full}" title="${full}">${view!.full && !compact ? full : short}</span>`;
}
const input = (name: string, v: number, label: string) =>
  `<label class="edit">${label}<input data-edit="${name}" value="${v}" inputmode="decimal" /></label>`;

function render(): void {
  const v = view!;
  const w = v.net.getWeights();
  const t: Trace = v.net.trace(v.x, [v.y]);
  const g = v.net.gradients(v.x, [v.y]);
  const [hid, out] = t.layers;
  const back = v.phase === 'backward';
  const yHat = out.a[0];
  document.body.dataset.seedLoss = String(t.loss);
  document.body.dataset.seedPhase = v.phase;
  document.body.dataset.seedSteps = String(v.steps);
  // Centres in the 960 × 390 drawing: inputs, hidden units, output.
  const P = {
    x: [
      [80, 80],
      [80, 300],
    ],
    h: [
      [450, 80],
      [450, 300],
    ],
    o: [[720, 190]],
  };
  const line = (a: number[], b: number[], cls: string) => `<line x1="${a[0]}" y1="${a[1]}" x2="${b[0]}" y2="${b[1]}" class="${cls}" />`;
  const at = (a: number[], b: number[], f: number) => [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f];
  const edgeLabel = (pos: number[], name: string, weight: number, grad: number, product: string, id: string) =>
    `<div class="edge" style="left:${pos[0] - 62}px;top:${pos[1] - 22}px">${input(name, weight, name.replace('w0', 'W0').replace('w1', 'W1') + ' ')}` +
    `<div class="grad${back ? '' : ' hidden'}" title="∂L/∂w = ${product}">∂L/∂w = ${n(grad, id, true)}</div></div>`;
  let edges = '',
    labels = '';
  for (let j = 0; j < 2; j++)
    for (let i = 0; i < 2; i++) {
      edges += line(P.x[i], P.h[j], 'w');
      const f = i === j ? 0.5 : 0.25;
      labels += edgeLabel(
        at(P.x[i], P.h[j], f),
        `w0[${j}][${i}]`,
        w[0].weights[j][i],
        g[0].weights[j][i],
        `δ${j + 1} · x${i + 1} = ${hid.delta![j]} × ${v.x[i]}`,
        `g0-${j}-${i}`,
      );
    }
  for (let j = 0; j < 2; j++) {
    edges += line(P.h[j], P.o[0], 'w');
    labels += edgeLabel(
      at(P.h[j], P.o[0], 0.5),
      `w1[0][${j}]`,
      w[1].weights[0][j],
      g[1].weights[0][j],
      `δout · a${j + 1} = ${out.delta![0]} × ${hid.a[j]}`,
      `g1-0-${j}`,
    );
  }
  const node = (pos: number[], body: string, cls = '') =>
    `<div class="unit ${cls}" style="left:${pos[0] - 75}px;top:${pos[1] - 30}px">${body}</div>`;
  const delta = (d: number, id: string) => `<div class="delta${back ? '' : ' hidden'}">δ = ∂L/∂z = ${n(d, id, true)}</div>`;
  let nodes = v.x.map((xi, i) => node(P.x[i], input(`x${i}`, xi, `x${i + 1} = `), 'in')).join('');
  nodes += [0, 1]
    .map((j) =>
      node(
        P.h[j],
        `<b>h${j + 1}</b> z = ${n(hid.z[j], `z1-${j}`, true)}<br>a = σ(z) = ${n(hid.a[j], `a1-${j}`, true)}${delta(hid.delta![j], `d1-${j}`)}`,
      ),
    )
    .join('');
  nodes += node(P.o[0], `<b>out</b> z = ${n(out.z[0], 'z2', true)}<br>ŷ = σ(z) = ${n(yHat, 'yhat', true)}${delta(out.delta![0], 'd2')}`);
  const forward = [
    ...[0, 1].map(
      (j) =>
        `z<sub>h${j + 1}</sub> = W0[${j}][0]·x₁ + W0[${j}][1]·x₂ = ${n(w[0].weights[j][0])} × ${n(v.x[0])} + ${n(w[0].weights[j][1])} × ${n(v.x[1])} = ${n(hid.z[j])};  a<sub>h${j + 1}</sub> = σ(z) = ${n(hid.a[j])}`,
    ),
    `z<sub>out</sub> = W1[0][0]·a<sub>h1</sub> + W1[0][1]·a<sub>h2</sub> = ${n(w[1].weights[0][0])} × ${n(hid.a[0])} + ${n(w[1].weights[0][1])} × ${n(hid.a[1])} = ${n(out.z[0])};  ŷ = σ(z) = ${n(yHat)}`,
    `L = ½(y − ŷ)² = ½(${n(v.y)} − ${n(yHat)})² = <b>${n(t.loss!, 'seed-loss')}</b>`,
  ];
  const backward = [
    `δ<sub>out</sub> = ∂L/∂z<sub>out</sub> = (ŷ − y) · ŷ(1 − ŷ) = ${n(yHat - v.y)} × ${n(yHat * (1 - yHat))} = ${n(out.delta![0])}`,
    ...[0, 1].map(
      (j) => `∂L/∂W1[0][${j}] = δ<sub>out</sub> · a<sub>h${j + 1}</sub> = ${n(out.delta![0])} × ${n(hid.a[j])} = ${n(g[1].weights[0][j])}`,
    ),
    ...[0, 1].map(
      (j) =>
        `δ<sub>h${j + 1}</sub> = δ<sub>out</sub> · W1[0][${j}] · a<sub>h${j + 1}</sub>(1 − a<sub>h${j + 1}</sub>) = ${n(out.delta![0])} × ${n(w[1].weights[0][j])} × ${n(hid.a[j] * (1 - hid.a[j]))} = ${n(hid.delta![j])}`,
    ),
    ...[0, 1].flatMap((j) =>
      [0, 1].map(
        (i) => `∂L/∂W0[${j}][${i}] = δ<sub>h${j + 1}</sub> · x${i + 1} = ${n(hid.delta![j])} × ${n(v.x[i])} = ${n(g[0].weights[j][i])}`,
      ),
    ),
  ];
  const u = v.lastUpdate;
  const update = u
    ? [0, 1].flatMap((l) =>
        u.before[l].weights.flatMap((row, j) =>
          row.map((wb, i) => `W${l}[${j}][${i}] ← ${n(wb)} − ${LR} × ${n(u.grads[l].weights[j][i])} = ${n(u.after[l].weights[j][i])}`),
        ),
      )
    : [];
  root.innerHTML = `
    <section class="panel seed-head">
      <h2>Backpropagation, number by number</h2>
      <p>The worked example of the seed write-up: a 2-2-1 network, sigmoid everywhere, no biases, loss ½(y − ŷ)², learning rate ${LR}. Edit any weight, input or target; every number follows. z, a, δ and the loss come from <code>net.trace</code>, each ∂L/∂w from <code>net.gradients</code>, each update from <code>net.trainStep</code>.</p>
      <div class="controls">
        <button data-act="forward" class="${back ? '' : 'on'}">Forward</button><button data-act="backward" class="${back ? 'on' : ''}">Backward</button>
        <button data-act="step">Step</button><button data-act="run100">Run 100</button><button data-act="reset">Reset</button>
        <label class="check"><input type="checkbox" data-act="full" ${v.full ? 'checked' : ''} /> full f64 digits</label>
        <span class="stat">steps taken: <b id="seed-steps">${v.steps}</b></span>
        <span class="stat">loss: <b>${n(t.loss!)}</b></span>
      </div>
    </section>
    <div class="scroll"><div class="seed-diagram"><svg width="960" height="390">${edges}${line(P.o[0], [830, 190], 'w')}</svg>${nodes}${labels}
      <div class="unit loss" style="left:830px;top:150px">y = <input data-edit="y" value="${v.y}" inputmode="decimal" /><br>L = ${n(t.loss!, undefined, true)}</div></div></div>
    <p class="narrow-hint">← the drawing scrolls sideways →</p>
    <section class="panel seed-eq"><h3>Forward pass</h3><ol>${forward.map((s) => `<li>${s}</li>`).join('')}</ol></section>
    <section class="panel seed-eq${back ? '' : ' dim'}"><h3>Backward pass ${back ? '' : '<small>(press Backward)</small>'}</h3><ol>${backward.map((s) => `<li>${s}</li>`).join('')}</ol></section>
    ${u ? `<section class="panel seed-eq"><h3>Last update (w ← w − η · ∂L/∂w)</h3><ol>${update.map((s) => `<li>${s}</li>`).join('')}</ol></section>` : ''}
    ${seedNote(n)}`;
}

async function onClick(e: Event): Promise<void> {
  const act = (e.target as HTMLElement).dataset.act;
  const v = view!;
  if (!act) return;
  if (act === 'full') v.full = (e.target as HTMLInputElement).checked;
  else if (act === 'forward' || act === 'backward') v.phase = act;
  else if (act === 'step' || act === 'run100') {
    const before = v.net.getWeights(),
      grads = v.net.gradients(v.x, [v.y]);
    for (let i = 0; i < (act === 'step' ? 1 : 100); i++) v.net.trainStep(v.x, [v.y]);
    v.steps += act === 'step' ? 1 : 100;
    v.lastUpdate = act === 'step' ? { before, grads, after: v.net.getWeights() } : undefined;
    v.phase = 'forward';
  } else if (act === 'reset') {
    v.net.dispose();
    view = { ...v, net: await seedNetwork(), x: [...SEED.x], y: SEED.y, phase: 'forward', steps: 0, lastUpdate: undefined };
  }
  render();
}

function onChange(e: Event): void {
  const el = e.target as HTMLInputElement;
  const name = el.dataset.edit;
  if (!name) return;
  const value = Number(el.value.trim());
  if (el.value.trim() === '' || !Number.isFinite(value)) return void el.classList.add('bad');
  const v = view!;
  if (name === 'y') v.y = value;
  else if (name.startsWith('x')) v.x[Number(name[1])] = value;
  else {
    const w = v.net.getWeights();
    const [, l, j, i] = name.match(/^w(\d)\[(\d)\]\[(\d)\]$/)!.map(Number);
    w[l].weights[j][i] = value;
    v.net.setWeights(w);
  }
  v.lastUpdate = undefined;
  render();
}
