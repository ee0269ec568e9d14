// The seed write-up's Python, transcribed line for line (numpy shapes in the comments), to show
// its numbers next to the library's. Page code on purpose: it is the *wrong* algorithm.
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * The Error the write-up's loop prints at each of `iterations` iterations (before that
 * iteration's update), for its example x = [0.35, 0.9], y = 0.5.
 */
export function writeUpErrors(iterations: number): number[] {
  const x = [0.35, 0.9],
    y = 0.5;
  let w0 = [
      [0.1, 0.8],
      [0.4, 0.6],
    ],
    w1 = [0.3, 0.9];
  const printed: number[] = [];
  for (let j = 0; j < iterations; j++) {
    const l1 = w0.map((r) => sigmoid(r[0] * x[0] + r[1] * x[1])); // (2,1)
    const l2 = sigmoid(w1[0] * l1[0] + w1[1] * l1[1]); // (1,1)
    printed.push(0.5 * (y - l2) ** 2);
    const l2Delta = (y - l2) * l2 * (1 - l2);
    const l1Error = [l2Delta * w1[0], l2Delta * w1[1]]; // l2_delta * W1: (1,2)
    // l1_delta = l1_error * nonlin(l1, deriv=True): (1,2) * (2,1) broadcasts to (2,2):
    // l1Delta[i][k] = l1Error[k] · l1[i](1 − l1[i]) — the bug; the right δ is l1Error[i] · l1[i](1 − l1[i]).
    const l1Delta = [0, 1].map((i) => [0, 1].map((k) => l1Error[k] * l1[i] * (1 - l1[i])));
    w1 = [w1[0] + l2Delta * l1[0], w1[1] + l2Delta * l1[1]]; // W1 += l2_delta * l1.T (correct)
    // W0 += l0.T.dot(l1_delta): (1,2)·(2,2) = (1,2), added to both rows of the (2,2) W0.
    const row = [0, 1].map((k) => x[0] * l1Delta[0][k] + x[1] * l1Delta[1][k]);
    w0 = w0.map((r) => [r[0] + row[0], r[1] + row[1]]);
  }
  return printed;
}
