// The balancer's controller against a simulation with a known answer: two or three threads of
// given speeds, each barrier's arrival times = a thread's share of the work ÷ its speed, times
// noise; the thread that arrives last is counted, as assembly/parallel.ts counts it. Equal finish
// times need shares proportional to the speeds: the controller must settle near them, and stay near
// equal shares when the speeds are equal.
import { describe, it, expect } from 'vitest';
import { Balancer } from '../src/parallel/balance.js';
import { ARRIVAL_CELL, ARRIVAL_CELLS } from '../src/parallel/control.js';
import { Rng } from '../src/rng.js';

/** Shares (units kind) after `chunks` chunks of `barriers` barriers each. */
function simulate(speeds: number[], chunks: number, barriers: number, noise: number, seed: number): number[] {
  const threads = speeds.length;
  const balancer = new Balancer([{ units: 128, inputs: 784, bias: true }], threads);
  const rng = new Rng(seed);
  const arrivals = new Float64Array(ARRIVAL_CELLS * threads);
  for (let c = 0; c < chunks; c++) {
    arrivals.fill(0);
    const shares = balancer.kinds[0].shares;
    for (let b = 0; b < barriers; b++) {
      const times = speeds.map((v, t) => (shares[t] / v) * (1 + noise * (2 * rng.next() - 1)));
      const last = times.indexOf(Math.max(...times));
      arrivals[ARRIVAL_CELLS * last + ARRIVAL_CELL.units]++;
    }
    balancer.observe(arrivals, 0);
  }
  return [...balancer.kinds[0].shares];
}

const ideal = (speeds: number[]) => speeds.map((v) => v / speeds.reduce((a, s) => a + s, 0));

describe('the balancer settles where the threads finish together', () => {
  it.each([
    [[1, 1.5], 0.05],
    [[1.5, 1], 0.05],
    [[1, 2], 0.1],
    [[1, 1.1], 0.02],
    [[1, 1], 0.1],
    [[1, 1.25, 0.8], 0.05],
  ])('speeds %j, ±%s noise: shares within 0.03 of the speeds’ proportions after 60 chunks', (speeds, noise) => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const shares = simulate(speeds, 60, 20, noise, seed);
      const want = ideal(speeds);
      shares.forEach((s, t) => expect(Math.abs(s - want[t]), `seed ${seed}, thread ${t}: ${s} vs ${want[t]}`).toBeLessThan(0.03));
    }
  });
});
