// The class a row of scores stands for: one rule for predictClass, class weights, reports and the CLI.

/**
 * The class of row `row` of rows × width scores (probabilities or one-hot targets): the index of
 * the largest (the first on a tie), or, for a single output, 1 when it is ≥ 0.5, else 0.
 */
export function classIndex(scores: ArrayLike<number>, width: number, row: number): number {
  if (width === 1) return scores[row] >= 0.5 ? 1 : 0;
  let best = 0;
  for (let c = 1; c < width; c++) if (scores[row * width + c] > scores[row * width + best]) best = c;
  return best;
}
