// The f32 twins' two rounding rules, in one place (see ./index.ts for the whole convention).

/** Rounds an f64 to the nearest f32: applied after every arithmetic operation and every transcendental. */
export const f32 = Math.fround;

/**
 * How a reduction whose result leaves the kernel as a figure (loss and metric sums, Σx², softmax's row
 * sum, bias gradients) accumulates: in f64, rounded to f32 only where it is stored. Replace the body
 * with `f32(sum)` to accumulate in f32 (as TF.js does); the choice must match the Wasm kernels'.
 * GEMM always accumulates in f32.
 */
export const accumulate = (sum: number): number => sum;
