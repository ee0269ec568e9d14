// Where the seed write-up's code goes wrong, with its numbers (its code transcribed and run here)
// beside the library's (correct) ones.
import { Network } from '../../../../src/index.js';
import { writeUpErrors } from './seed-writeup.js';

const printed = writeUpErrors(100);
let correct: number[] | undefined; // loss after 0 … 100 library steps
/** Resolves once the library's trajectory for the note is computed. */
export const noteReady = (async () => {
  const net = await Network.create({
    inputs: 2,
    loss: 'halfSquaredError',
    optimizer: { type: 'sgd', learningRate: 1 },
    layers: [
      { units: 2, activation: 'sigmoid', bias: false },
      { units: 1, activation: 'sigmoid', bias: false },
    ],
  });
  net.setWeights([
    {
      weights: [
        [0.1, 0.8],
        [0.4, 0.6],
      ],
    },
    { weights: [[0.3, 0.9]] },
  ]);
  const losses = [net.loss([0.35, 0.9], [0.5])];
  for (let i = 0; i < 100; i++) {
    net.trainStep([0.35, 0.9], [0.5]);
    losses.push(net.loss([0.35, 0.9], [0.5]));
  }
  correct = losses;
  net.dispose();
})();

export function seedNote(n: (v: number) => string): string {
  const c = correct;
  return `<aside class="panel note"><h3>Where the write-up's code goes wrong</h3>
    <p>Its hidden-layer update computes <code>l1_error = l2_delta * W1</code>, a 1×2 row, then
    <code>l1_delta = l1_error * nonlin(l1, deriv=True)</code> with <code>l1</code> a 2×1 column: numpy broadcasts
    the two into a 2×2 matrix (every hidden unit's σ′ times every unit's error) instead of the 2 δ's
    δ<sub>j</sub> = error<sub>j</sub> · a<sub>j</sub>(1 − a<sub>j</sub>). <code>W0 += l0.T.dot(l1_delta)</code> then adds
    one 1×2 row to both rows of W0, so both hidden units get the same update. (Its output-layer update is right.)</p>
    <p>Run as written, its first update gives ${n(printed[1])} instead of ${c ? n(c[1]) : '…'}, and the 100th Error
    it prints (the loss after 99 updates) is <b>${n(printed[99])}</b>. The correct update, δ<sub>j</sub> · x<sub>i</sub> for W0[j][i]
    as above, gives ${c ? n(c[99]) : '…'} after 99 updates and <b>${c ? n(c[100]) : '…'}</b> after 100 — what Run 100 shows.
</p></aside>`;
}
