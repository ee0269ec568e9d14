// The seed write-up's 2-2-1 example, with the mathematically correct gradients.
import { describe, it, expect } from 'vitest';
import { gradCheckError } from './helpers/gradcheck.js';
import { seedNet } from './helpers/seed-net.js';

const X = [0.35, 0.9];
const Y = 0.5;
const W0 = [
  [0.1, 0.8],
  [0.4, 0.6],
];
const W1 = [[0.3, 0.9]];

const sig = (z: number) => 1 / (1 + Math.exp(-z));

/** Independent scalar backprop for the 2-2-1 no-bias sigmoid net: returns the loss before each step. */
function handTrajectory(steps: number): number[] {
  const w0 = W0.map((r) => [...r]);
  const w1 = [...W1[0]];
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const h = w0.map((r) => sig(r[0] * X[0] + r[1] * X[1]));
    const o = sig(w1[0] * h[0] + w1[1] * h[1]);
    losses.push(0.5 * (Y - o) ** 2);
    const dOut = (o - Y) * o * (1 - o); // dL/dz_out
    const dHid = h.map((hj, j) => dOut * w1[j] * hj * (1 - hj)); // uses w1 before its update
    for (let j = 0; j < 2; j++) w1[j] -= dOut * h[j];
    for (let j = 0; j < 2; j++) for (let k = 0; k < 2; k++) w0[j][k] -= dHid[j] * X[k];
  }
  return losses;
}

describe.each(['wasm', 'js'] as const)('seed example on %s', (backend) => {
  it('has the published initial loss and forward output', async () => {
    const net = await seedNet(backend);
    expect(net.backend).toBe(backend);
    // Hand: h = σ([0.755, 0.68]) = [0.68026, 0.66374]; o = σ(0.3·h0 + 0.9·h1) = 0.69028
    expect(net.predict(X)[0]).toBeCloseTo(0.6902834929076443, 15);
    expect(net.loss(X, [Y])).toBe(0.01810390383656677);
  });

  it('gradients match finite differences and the hand derivation', async () => {
    const net = await seedNet(backend);
    const g = net.gradients(X, [Y]);
    expect(gradCheckError(net, [X], [[Y]], g)).toBeLessThan(1e-8);
    const h = W0.map((r) => sig(r[0] * X[0] + r[1] * X[1]));
    const o = sig(0.3 * h[0] + 0.9 * h[1]);
    const dOut = (o - Y) * o * (1 - o);
    expect(g[1].weights[0][0]).toBeCloseTo(dOut * h[0], 15);
    expect(g[0].weights[1][1]).toBeCloseTo(dOut * 0.9 * h[1] * (1 - h[1]) * X[1], 15);
  });

  it('follows the independent 100-step trajectory', async () => {
    const net = await seedNet(backend);
    const expected = handTrajectory(101);
    const got = Array.from({ length: 100 }, () => net.trainStep(X, [Y]));
    got.push(net.loss(X, [Y]));
    expect(got[1]).toBeCloseTo(0.016565382326770402, 14);
    got.forEach((l, i) => expect(Math.abs(l - expected[i]) / expected[i]).toBeLessThan(1e-12));
    expect(got[100]).toBeLessThan(1e-6); // it really learns: 0.0181 → below 1e-6
  });

  it('differs from the write-up’s broadcasting-bug update', async () => {
    // The write-up's numpy: l1_delta = (l2_delta·W1) [1×2] * l1(1−l1) [2×1] broadcasts to 2×2, and
    // W0 += X.T·l1_delta [1×2] adds the same row to both rows of W0. Reproduce that and show ours differs.
    const net = await seedNet(backend);
    net.trainStep(X, [Y]);
    const w = net.getWeights()[0].weights;
    const h = W0.map((r) => sig(r[0] * X[0] + r[1] * X[1]));
    const o = sig(0.3 * h[0] + 0.9 * h[1]);
    const l2delta = (Y - o) * o * (1 - o);
    const buggyRow = [0, 1].map((j) => X.reduce((s, xi, i) => s + xi * l2delta * W1[0][j] * h[i] * (1 - h[i]), 0));
    const buggy = W0.map((r) => r.map((v, j) => v + buggyRow[j]));
    const correct = W0.map((r, j) => r.map((v, k) => v + l2delta * W1[0][j] * h[j] * (1 - h[j]) * X[k]));
    for (let j = 0; j < 2; j++) {
      for (let k = 0; k < 2; k++) {
        expect(Math.abs(w[j][k] - correct[j][k])).toBeLessThan(1e-15);
        expect(Math.abs(w[j][k] - buggy[j][k])).toBeGreaterThan(1e-5);
      }
    }
  });
});
