// Train and test loss against epochs, on one small canvas. Keeps at most MAX points (every other
// one is dropped when full) so a long run costs the same to draw as a short one.
import { hiDpiContext } from '../canvas.js';
const MAX = 400;

export class LossCurves {
  private epochs: number[] = [];
  private train: number[] = [];
  private test: number[] = [];
  private readonly ctx: CanvasRenderingContext2D;
  private readonly w: number;
  private readonly h: number;

  constructor(canvas: HTMLCanvasElement) {
    ({ ctx: this.ctx, width: this.w, height: this.h } = hiDpiContext(canvas));
    this.draw();
  }

  clear(): void {
    this.epochs = [];
    this.train = [];
    this.test = [];
    this.draw();
  }

  add(epoch: number, train: number, test: number): void {
    if (this.epochs.length && this.epochs[this.epochs.length - 1] === epoch) return;
    this.epochs.push(epoch);
    this.train.push(train);
    this.test.push(test);
    if (this.epochs.length > MAX) {
      const last = this.epochs.length - 1,
        keep = (_: number, i: number) => i % 2 === 0 || i === last;
      [this.epochs, this.train, this.test] = [this.epochs.filter(keep), this.train.filter(keep), this.test.filter(keep)];
    }
    this.draw();
  }

  private draw(): void {
    const { ctx, w, h } = this;
    ctx.clearRect(0, 0, w, h);
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#8a90a2';
    if (!this.epochs.length) {
      ctx.fillText('loss curves appear when training starts', 8, h / 2);
      return;
    }
    const xMax = Math.max(1, this.epochs[this.epochs.length - 1]);
    const yMax = Math.max(1e-9, ...this.train, ...this.test);
    const X = (e: number) => 4 + (e / xMax) * (w - 8),
      Y = (v: number) => 4 + (1 - v / yMax) * (h - 20);
    ctx.fillText(`0 – ${yMax.toPrecision(3)}`, 4, h - 4);
    ctx.textAlign = 'right';
    ctx.fillText(`epoch ${this.epochs[this.epochs.length - 1]}`, w - 4, h - 4);
    ctx.textAlign = 'left';
    for (const [series, colour] of [
      [this.train, '#e6e8ef'],
      [this.test, '#f59322'],
    ] as const) {
      ctx.strokeStyle = colour;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      series.forEach((v, i) => (i ? ctx.lineTo(X(this.epochs[i]), Y(v)) : ctx.moveTo(X(this.epochs[i]), Y(v))));
      ctx.stroke();
    }
  }
}
