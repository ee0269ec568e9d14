// The f32 twins' two rounding rules, in one place (see ./index.ts for the whole convention).

/** Rounds an f64 to the nearest f32: applied after every arithmetic operation and every transcendental. */
export const f32 = Math.fround;

/**
 * How a reduction accumulates (loss and metric sums, Σx², softmax's Σe and backward's Σa·dA per row,
 * the bias-gradient column sums): in f64, its terms f32, rounded to f32 only where it goes back into
 * f32. Replace the body with `f32(sum)` to accumulate in f32 (as TF.js does); the choice must match
 * the Wasm kernels' (ARCHITECTURE.md, Precision). GEMM always accumulates in f32.
 */
export const accumulate = (sum: number): number => sum;
