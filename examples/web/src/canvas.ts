// A 2-D context drawn in CSS pixels on a canvas backed by device pixels (sharp on HiDPI screens).

export function hiDpiContext(canvas: HTMLCanvasElement): { ctx: CanvasRenderingContext2D; width: number; height: number } {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.width,
    height = canvas.height;
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  const ctx = canvas.getContext('2d')!;
  ctx.scale(ratio, ratio);
  return { ctx, width, height };
}
