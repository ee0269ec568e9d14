import { loadInt, cellAt, SHIFT } from './mem';

/** Copies rows perm[from..from+rows) of a data set (rows × width) into a batch buffer (perm: f64 cells). */
export function gather(rows: i32, width: i32, data: i32, perm: i32, from: i32, out: i32): void {
  const bytes = <usize>width << SHIFT;
  for (let r = 0; r < rows; r++) {
    const src = data + loadInt(cellAt(perm, from + r)) * width;
    memory.copy(<usize>(out + r * width) << SHIFT, <usize>src << SHIFT, bytes);
  }
}
