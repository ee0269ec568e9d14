import { ld, st } from './mem';

/** Copies rows perm[from..from+rows) of a data set (rows × width) into a batch buffer. */
export function gather(rows: i32, width: i32, data: i32, perm: i32, from: i32, out: i32): void {
  for (let r = 0; r < rows; r++) {
    const src = data + <i32>ld(perm + from + r) * width, dst = out + r * width;
    for (let c = 0; c < width; c++) st(dst + c, ld(src + c));
  }
}
