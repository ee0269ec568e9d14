// f32 twin of assembly/gather.ts: the data rows are f32, the permutation stays in f64 cells.

/** Copies rows perm[from..from+rows) of an f32 data set (rows × width) into a batch buffer; perm is an f32 offset of f64 cells. */
export function gather(
  h: Float32Array,
  cells: Float64Array,
  rows: number,
  width: number,
  data: number,
  perm: number,
  from: number,
  out: number,
): void {
  const order = perm / 2 + from;
  for (let r = 0; r < rows; r++) {
    const src = data + cells[order + r] * width;
    for (let c = 0; c < width; c++) h[out + r * width + c] = h[src + c];
  }
}
