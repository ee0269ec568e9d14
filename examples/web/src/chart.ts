// A small line chart on a canvas: one series, axes with a few labels, redrawn in full.
export interface ChartOptions {
  title: string;
  color: string;
  /** Fixed y range; otherwise 0 … the largest value seen. */
  yMin?: number;
  yMax?: number;
  format: (v: number) => string;
}

export class LineChart {
  private points: [number, number][] = [];
  private readonly ctx: CanvasRenderingContext2D;
  constructor(private readonly canvas: HTMLCanvasElement, private readonly o: ChartOptions) {
    const ratio = window.devicePixelRatio || 1;
    const { width, height } = canvas;
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    this.ctx = canvas.getContext('2d')!;
    this.ctx.scale(ratio, ratio);
    this.draw();
  }

  clear(): void {
    this.points = [];
    this.draw();
  }

  add(x: number, y: number): void {
    this.points.push([x, y]);
    this.draw();
  }

  get last(): number | undefined {
    return this.points[this.points.length - 1]?.[1];
  }

  private draw(): void {
    const { ctx, o, points } = this;
    const w = parseFloat(this.canvas.style.width), h = parseFloat(this.canvas.style.height);
    const left = 48, right = 10, top = 24, bottom = 22;
    ctx.clearRect(0, 0, w, h);
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = '#ccd';
    ctx.fillText(o.title + (points.length ? `: ${o.format(points[points.length - 1][1])}` : ''), left, 14);
    const xMax = Math.max(1, ...points.map((p) => p[0]));
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
    ctx.fillText(`${Math.round(xMax).toLocaleString('en-US')} digits`, w - right - 90, h - 6);
    if (points.length === 0) return;
    ctx.strokeStyle = o.color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    points.forEach(([x, y], i) => (i ? ctx.lineTo(X(x), Y(y)) : ctx.moveTo(X(x), Y(y))));
    ctx.stroke();
  }
}
