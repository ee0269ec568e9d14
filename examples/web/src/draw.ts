// The drawing pad and the step that makes a drawing look like an MNIST digit: MNIST digits are
// white on black, scaled so the longer side of their bounding box is 20 px, and placed so
// their centre of mass sits at the centre of the 28×28 image. A raw 28×28 downscale of a
// drawing is none of these and gets misread.
export const SIDE = 28;

export class DrawingPad {
  private readonly ctx: CanvasRenderingContext2D;
  private drawing = false;
  private last: [number, number] | null = null;
  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly onChange: () => void,
  ) {
    this.ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    this.clear();
    canvas.addEventListener('pointerdown', (e) => {
      this.drawing = true;
      canvas.setPointerCapture(e.pointerId);
      this.last = this.at(e);
      this.stroke(this.last);
    });
    canvas.addEventListener('pointermove', (e) => this.drawing && this.stroke(this.at(e)));
    const end = () => {
      this.drawing = false;
      this.last = null;
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  clear(): void {
    this.ctx.fillStyle = '#000';
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.onChange();
  }

  private at(e: PointerEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * this.canvas.width) / r.width, ((e.clientY - r.top) * this.canvas.height) / r.height];
  }

  private stroke(p: [number, number]): void {
    const { ctx } = this;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = this.canvas.width / 14;
    ctx.lineCap = ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(...(this.last ?? p));
    ctx.lineTo(p[0] + 0.01, p[1]);
    ctx.stroke();
    this.last = p;
    this.onChange();
  }

  /** The drawing as 784 pixels in [0,1], MNIST-style; null when the pad is empty. */
  pixels(): Float64Array | null {
    const { width, height } = this.canvas;
    const img = this.ctx.getImageData(0, 0, width, height).data;
    let x0 = width,
      y0 = height,
      x1 = -1,
      y1 = -1;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++)
        if (img[(y * width + x) * 4] > 20) {
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
    if (x1 < 0) return null;
    // Fit the bounding box into 20×20, keeping its aspect ratio.
    const bw = x1 - x0 + 1,
      bh = y1 - y0 + 1,
      scale = 20 / Math.max(bw, bh);
    const sw = Math.max(1, Math.round(bw * scale)),
      sh = Math.max(1, Math.round(bh * scale));
    const small = document.createElement('canvas');
    small.width = SIDE;
    small.height = SIDE;
    const s = small.getContext('2d', { willReadFrequently: true })!;
    s.imageSmoothingEnabled = true;
    s.imageSmoothingQuality = 'high';
    s.fillStyle = '#000';
    s.fillRect(0, 0, SIDE, SIDE);
    s.drawImage(this.canvas, x0, y0, bw, bh, (SIDE - sw) / 2, (SIDE - sh) / 2, sw, sh);
    const g = s.getImageData(0, 0, SIDE, SIDE).data;
    const v = new Float64Array(SIDE * SIDE);
    let mass = 0,
      cx = 0,
      cy = 0;
    for (let i = 0; i < SIDE * SIDE; i++) {
      v[i] = g[i * 4] / 255;
      mass += v[i];
      cx += v[i] * (i % SIDE);
      cy += v[i] * Math.floor(i / SIDE);
    }
    // Shift by whole pixels so the centre of mass lands on the centre.
    const dx = Math.round((SIDE - 1) / 2 - cx / mass),
      dy = Math.round((SIDE - 1) / 2 - cy / mass);
    const out = new Float64Array(SIDE * SIDE);
    for (let y = 0; y < SIDE; y++)
      for (let x = 0; x < SIDE; x++) {
        const sx = x - dx,
          sy = y - dy;
        if (sx >= 0 && sx < SIDE && sy >= 0 && sy < SIDE) out[y * SIDE + x] = v[sy * SIDE + sx];
      }
    return out;
  }
}
