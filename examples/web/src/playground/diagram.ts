// The network drawn as columns of neurons — input features, hidden layers, the output — each
// neuron showing its own output over the plane as a small heat map, each edge's thickness and
// colour its weight (blue positive, orange negative). Hovering an edge names it and its weight.
import type { LayerWeights } from '../../../../src/index.js';
import { FEATURES, FEATURE_LABELS, type FeatureName } from './features.js';
import { HeatMap } from './heatmap.js';
import { MAX_UNITS } from './state.js';

const COL = 96,
  ROW = 50,
  NODE = 38,
  TOP = 34,
  LEFT = 36; // LEFT: room for the feature names
const SVG = 'http://www.w3.org/2000/svg';

export interface DiagramActions {
  toggleFeature(f: FeatureName): void;
  changeUnits(layer: number, delta: number): void;
}

export class NetworkDiagram {
  /** Heat maps: [column][unit]; column 0 is the features (all of them, chosen or not). */
  maps: HeatMap[][] = [];
  private edges: SVGLineElement[][][] = []; // [layer][out][in]
  private readonly svg: SVGSVGElement;
  private readonly nodes: HTMLDivElement;
  private chosen: FeatureName[] = [];

  constructor(
    private readonly root: HTMLElement,
    private readonly side: number,
    private readonly actions: DiagramActions,
    private readonly hover: (text: string) => void,
  ) {
    this.svg = document.createElementNS(SVG, 'svg');
    this.nodes = document.createElement('div');
    root.append(this.svg, this.nodes);
  }

  /** Rebuilds the drawing for a network of `hidden` units per layer on `features`. */
  build(features: FeatureName[], hidden: number[]): void {
    this.chosen = features;
    const columns = [FEATURES.length, ...hidden, 1];
    const width = LEFT + COL * columns.length,
      height = TOP + ROW * Math.max(FEATURES.length, MAX_UNITS);
    Object.assign(this.root.style, { width: `${width}px`, height: `${height}px` });
    this.svg.setAttribute('width', String(width));
    this.svg.setAttribute('height', String(height));
    this.svg.replaceChildren();
    this.nodes.replaceChildren();
    const y = (col: number, i: number) => TOP + ROW * i + (ROW * (Math.max(FEATURES.length, MAX_UNITS) - columns[col])) / 2 + ROW / 2;
    const x = (col: number) => LEFT + COL * col + COL / 2;
    // Which rows of column 0 feed the network: the chosen features, in the network's input order.
    const inputRow = features.map((f) => FEATURES.indexOf(f));
    this.edges = [];
    for (let l = 0; l + 1 < columns.length; l++) {
      const ins = l === 0 ? inputRow : Array.from({ length: columns[l] }, (_, i) => i);
      this.edges.push(
        Array.from({ length: columns[l + 1] }, (_, o) =>
          ins.map((row, i) => {
            const line = document.createElementNS(SVG, 'line');
            line.setAttribute('x1', String(x(l) + NODE / 2));
            line.setAttribute('y1', String(y(l, row)));
            line.setAttribute('x2', String(x(l + 1) - NODE / 2));
            line.setAttribute('y2', String(y(l + 1, o)));
            line.addEventListener('pointerenter', () => this.hover(`layer ${l + 1}: w[${o}][${i}] = ${line.dataset.w ?? ''}`));
            this.svg.append(line);
            return line;
          }),
        ),
      );
    }
    this.maps = columns.map((count, col) =>
      Array.from({ length: count }, (_, i) => {
        const node = document.createElement('div');
        node.className = 'node';
        Object.assign(node.style, { left: `${x(col) - NODE / 2}px`, top: `${y(col, i) - NODE / 2}px` });
        const canvas = document.createElement('canvas');
        node.append(canvas);
        if (col === 0) {
          const f = FEATURES[i];
          node.classList.add('feature');
          node.classList.toggle('off', !features.includes(f));
          node.title = `input feature ${FEATURE_LABELS[f]}: click to ${features.includes(f) ? 'remove' : 'add'}`;
          node.append(Object.assign(document.createElement('span'), { textContent: FEATURE_LABELS[f] }));
          node.addEventListener('click', () => this.actions.toggleFeature(f));
        } else node.title = col === columns.length - 1 ? 'output' : `layer ${col}, neuron ${i + 1}`;
        this.nodes.append(node);
        return new HeatMap(canvas, this.side);
      }),
    );
    // Per hidden layer: units − / +, and a count.
    hidden.forEach((units, l) => {
      const bar = document.createElement('div');
      bar.className = 'units';
      Object.assign(bar.style, { left: `${x(l + 1) - COL / 2}px`, width: `${COL}px` });
      const button = (text: string, delta: number, disabled: boolean) => {
        const b = Object.assign(document.createElement('button'), {
          textContent: text,
          disabled,
          title: `${delta > 0 ? 'add' : 'remove'} a neuron`,
        });
        b.addEventListener('click', () => this.actions.changeUnits(l, delta));
        return b;
      };
      bar.append(
        button('−', -1, units <= 1),
        Object.assign(document.createElement('span'), { textContent: String(units) }),
        button('+', 1, units >= MAX_UNITS),
      );
      this.nodes.append(bar);
    });
    for (const [col, text] of [
      [0, 'features'],
      [columns.length - 1, 'output'],
    ] as const) {
      const label = Object.assign(document.createElement('div'), { className: 'units', textContent: text });
      Object.assign(label.style, { left: `${x(col) - COL / 2}px`, width: `${COL}px` });
      this.nodes.append(label);
    }
  }

  /** Edge widths and colours from the weights (layer 0's inputs are the chosen features). */
  updateEdges(weights: LayerWeights[]): void {
    weights.forEach((layer, l) =>
      layer.weights.forEach((row, o) =>
        row.forEach((w, i) => {
          const line = this.edges[l][o][i];
          line.dataset.w = String(w);
          // Touch the drawing only when what it shows changes (0.1 px steps): fewer repaints.
          const stroke = w >= 0 ? '#3c9ee0' : '#f59322',
            width = Math.min(5, 0.3 + 1.5 * Math.abs(w)).toFixed(1);
          if (line.getAttribute('stroke') !== stroke) line.setAttribute('stroke', stroke);
          if (line.getAttribute('stroke-width') !== width) line.setAttribute('stroke-width', width);
        }),
      ),
    );
  }

  get features(): FeatureName[] {
    return this.chosen;
  }
}
