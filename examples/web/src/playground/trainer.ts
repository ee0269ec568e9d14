// Epochs of shuffled minibatches through net.trainStep, synchronously, into buffers made once:
// no await between steps (so no event-loop hop per epoch), and the same seed gives the same
// order, so the weights after N epochs depend only on the URL and N.
import type { Network } from '../../../../src/index.js';
import { seededRandom } from '../random.js';

export class EpochTrainer {
  private readonly order: Uint32Array;
  private readonly bx: Float64Array;
  private readonly by: Float64Array;
  private readonly random: () => number;

  constructor(
    private readonly x: Float64Array,
    private readonly y: Float64Array,
    private readonly inputs: number,
    private readonly batchSize: number,
    seed: number,
  ) {
    const rows = y.length;
    this.order = Uint32Array.from({ length: rows }, (_, i) => i);
    this.bx = new Float64Array(Math.min(batchSize, rows) * inputs);
    this.by = new Float64Array(Math.min(batchSize, rows));
    this.random = seededRandom(seed ^ 0x2545f491);
  }

  /** Optimizer steps per epoch. */
  get stepsPerEpoch(): number {
    return Math.ceil(this.order.length / this.batchSize);
  }

  /** One epoch; returns the mean of the batches' losses (each taken before its update). */
  epoch(net: Network): number {
    const { order, bx, by, x, y, inputs } = this;
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    let sum = 0;
    for (let from = 0; from < order.length; from += this.batchSize) {
      const rows = Math.min(this.batchSize, order.length - from);
      for (let r = 0; r < rows; r++) {
        const k = order[from + r];
        for (let c = 0; c < inputs; c++) bx[r * inputs + c] = x[k * inputs + c];
        by[r] = y[k];
      }
      sum += rows * net.trainStep(bx.subarray(0, rows * inputs), by.subarray(0, rows));
    }
    return sum / order.length;
  }
}
