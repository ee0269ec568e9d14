// Plain twin of assembly/gather.ts.

/** Copies rows perm[from..from+rows) of a data set (rows × width) into a batch buffer. */
export function gather(h: Float64Array, rows: number, width: number, data: number, perm: number, from: number, out: number): void {
  for (let r = 0; r < rows; r++) {
    const src = data + h[perm + from + r] * width;
    for (let c = 0; c < width; c++) h[out + r * width + c] = h[src + c];
  }
}
