// Start-up: milliseconds from importing backprop (the built package, as users get it) to a
// 784-128-10 network that has made its first prediction — module compile included — in f64 and in
// f32 (the opt-in entry `backprop-wasm/f32` imported and enabled first: its import is counted).
// Each sample is a fresh Node process, the two precisions alternating. Run: npx tsx bench/startup.ts
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { median } from './peers/common.js';

const probe = (precision: 'f64' | 'f32') => `
const t0 = performance.now();
const { Network } = await import('backprop-wasm');
${precision === 'f32' ? "(await import('backprop-wasm/f32')).enableF32();" : ''}
const t1 = performance.now();
const net = await Network.create({ inputs: 784, layers: [{ units: 128, activation: 'relu' }, { units: 10, activation: 'softmax' }], loss: 'crossEntropy', precision: '${precision}' });
net.predict(new Float64Array(784));
const t2 = performance.now();
process.stdout.write(JSON.stringify({ importMs: t1 - t0, readyMs: t2 - t1, backend: net.backend }));
`;
const RUNS = 7;
const sample = (precision: 'f64' | 'f32') =>
  JSON.parse(spawnSync(process.execPath, ['--input-type=module', '-e', probe(precision)], { encoding: 'utf8' }).stdout) as {
    importMs: number;
    readyMs: number;
    backend: string;
  };
const runs: ReturnType<typeof sample>[] = [];
const runsF32: ReturnType<typeof sample>[] = [];
for (let i = 0; i < RUNS; i++) {
  runs.push(sample('f64'));
  runsF32.push(sample('f32'));
}
const summary = (rs: typeof runs) => ({ importMs: median(rs.map((r) => r.importMs)), readyMs: median(rs.map((r) => r.readyMs)) });
const [f64, f32] = [summary(runs), summary(runsF32)];
for (const [name, s, rs] of [
  ['f64', f64, runs],
  ['f32', f32, runsF32],
] as const)
  console.log(
    `start-up ${name} (median of ${RUNS} processes): import ${s.importMs.toFixed(1)} ms; Network.create + first predict ${s.readyMs.toFixed(1)} ms (backend ${rs[0].backend}); total ${(s.importMs + s.readyMs).toFixed(1)} ms`,
  );
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/startup.json', import.meta.url),
  JSON.stringify({ date: new Date().toISOString(), ...f64, f32, runs, runsF32 }, null, 2) + '\n',
);
