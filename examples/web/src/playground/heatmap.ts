// Values over the grid as colours: orange for negative (class 0), blue for positive (class 1),
// through the panel's grey at 0. One ImageData per canvas, reused every frame.
import type { Activation } from '../../../../src/index.js';

const NEG = [245, 147, 34],
  MID = [42, 46, 58],
  POS = [8, 119, 189];

/** How a unit's output maps to [−1, 1] for colouring: probabilities (2v − 1), tanh-like (v), or unbounded (squashed by tanh). */
export type Scale = 'probability' | 'signed' | 'squash';
export function unitScale(activation: Activation | 'probability'): Scale {
  if (activation === 'sigmoid' || activation === 'probability') return 'probability';
  return activation === 'tanh' ? 'signed' : 'squash';
}

export function colour(u: number, out: Uint8ClampedArray, at: number): void {
  const t = Math.max(-1, Math.min(1, u));
  const end = t < 0 ? NEG : POS,
    k = Math.abs(t);
  out[at] = MID[0] + (end[0] - MID[0]) * k;
  out[at + 1] = MID[1] + (end[1] - MID[1]) * k;
  out[at + 2] = MID[2] + (end[2] - MID[2]) * k;
  out[at + 3] = 255;
}

// 256 colours from −1 to 1, as RGBA words, so a pixel is one table look-up.
const LUT = new Uint32Array(256);
{
  const px = new Uint8ClampedArray(LUT.buffer);
  for (let i = 0; i < 256; i++) colour(i / 127.5 - 1, px, 4 * i);
}

export class HeatMap {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly img: ImageData;
  private readonly words: Uint32Array;
  constructor(
    readonly canvas: HTMLCanvasElement,
    readonly side: number,
  ) {
    canvas.width = canvas.height = side;
    this.ctx = canvas.getContext('2d')!;
    this.img = this.ctx.createImageData(side, side);
    this.words = new Uint32Array(this.img.data.buffer);
  }

  /** Paints column `unit` of `values` (side² rows × `width` columns); `gain` multiplies 'signed' values. */
  paint(values: Float64Array, width: number, unit: number, scale: Scale, gain = 1): void {
    const px = this.words,
      n = this.side * this.side;
    for (let i = 0; i < n; i++) {
      const v = values[i * width + unit];
      const u = scale === 'probability' ? 2 * v - 1 : scale === 'signed' ? v * gain : Math.tanh(v);
      const k = (u * 127.5 + 128) | 0;
      px[i] = LUT[k < 0 ? 0 : k > 255 ? 255 : k];
    }
    this.ctx.putImageData(this.img, 0, 0);
  }
}

/** Draws the points (xy in [−domain, domain]²) on an overlay canvas; test points with a ring. */
export function drawPoints(
  canvas: HTMLCanvasElement,
  sets: { xy: Float64Array; label: Float64Array; test: boolean }[],
  domain: number,
  regression: boolean,
): void {
  const ctx = canvas.getContext('2d')!;
  const size = canvas.width;
  ctx.clearRect(0, 0, size, size);
  const px = new Uint8ClampedArray(4);
  for (const s of sets) {
    for (let i = 0; i < s.label.length; i++) {
      const x = ((s.xy[2 * i] + domain) / (2 * domain)) * size,
        y = ((domain - s.xy[2 * i + 1]) / (2 * domain)) * size;
      colour(regression ? s.label[i] : 2 * s.label[i] - 1, px, 0);
      ctx.beginPath();
      ctx.arc(x, y, size / 110, 0, 2 * Math.PI);
      ctx.fillStyle = `rgb(${px[0]},${px[1]},${px[2]})`;
      ctx.fill();
      ctx.lineWidth = s.test ? 1.6 : 0.8;
      ctx.strokeStyle = s.test ? '#000' : '#fff';
      ctx.stroke();
    }
  }
}
