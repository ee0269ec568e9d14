// A small line chart on a canvas: one series, a few labelled grid lines, redrawn in full. Charts
// that share an x axis get the same range through setXMax, so their points line up. Empty, it
// says so instead of drawing axes for data that does not exist yet.
import { hiDpiContext } from './canvas.js';
export interface ChartOptions {
  title: string;
  color: string;
  /** Fixed y range; otherwise 0 … the largest value seen. */
  yMin?: number;
  yMax?: number;
  format: (v: number) => string;
}

export const compact = (v: number) =>
  v >= 1e6 ? `${+(v / 1e6).toFixed(1)}M` : v >= 1e3 ? `${+(v / 1e3).toFixed(1)}k` : String(Math.round(v));

export class LineChart {
  private points: [number, number][] = [];
  private xMax = 0;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly w: number;
  private readonly h: number;
  constructor(
    canvas: HTMLCanvasElement,
    private readonly o: ChartOptions,
  ) {
    ({ ctx: this.ctx, width: this.w, height: this.h } = hiDpiContext(canvas));
    this.draw();
  }

  clear(): void {
    this.points = [];
    this.xMax = 0;
    this.draw();
  }

  add(x: number, y: number): void {
    this.points.push([x, y]);
    this.xMax = Math.max(this.xMax, x);
    this.draw();
  }

  /** The right end of the x axis (shared by the charts of one run). */
  setXMax(x: number): void {
    if (x === this.xMax) return;
    this.xMax = x;
    this.draw();
  }

  private draw(): void {
    const { ctx, o, points, w, h } = this;
    const left = 52,
      right = 10,
      top = 24,
      bottom = 22;
    ctx.clearRect(0, 0, w, h);
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = '#ccd';
    ctx.fillText(o.title + (points.length ? `: ${o.format(points[points.length - 1][1])}` : ''), left, 14);
    if (points.length === 0) {
      ctx.fillStyle = '#8a90a2';
      ctx.fillText('appears when training starts', left, h / 2 + 4);
      return;
    }
    const xMax = Math.max(1, this.xMax);
    const yMin = o.yMin ?? 0;
    const yMax = o.yMax ?? Math.max(1e-9, ...points.map((p) => p[1])) * 1.05;
    const X = (x: number) => left + (x / xMax) * (w - left - right);
    const Y = (y: number) => top + (1 - (y - yMin) / (yMax - yMin)) * (h - top - bottom);
    ctx.strokeStyle = '#445';
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let i = 0; i <= 4; i++) {
      const v = yMin + ((yMax - yMin) * i) / 4;
      ctx.moveTo(left, Y(v));
      ctx.lineTo(w - right, Y(v));
      ctx.fillText(o.format(v), 2, Y(v) + 4);
    }
    ctx.stroke();
    ctx.textAlign = 'right';
    ctx.fillText(`${compact(xMax)} digits seen`, w - right, h - 6);
    ctx.textAlign = 'left';
    ctx.fillText('0', left, h - 6);
    ctx.strokeStyle = o.color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    points.forEach(([x, y], i) => (i ? ctx.lineTo(X(x), Y(y)) : ctx.moveTo(X(x), Y(y))));
    ctx.stroke();
  }
}
