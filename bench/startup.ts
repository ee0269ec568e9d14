// Start-up: milliseconds from importing backprop (the built package, as users get it) to a
// 784-128-10 network that has made its first prediction — module compile included. Each sample is
// a fresh Node process. Run: npx tsx bench/startup.ts
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { median } from './peers/common.js';

const probe = `
const t0 = performance.now();
const { Network } = await import('backprop-wasm');
const t1 = performance.now();
const net = await Network.create({ inputs: 784, layers: [{ units: 128, activation: 'relu' }, { units: 10, activation: 'softmax' }], loss: 'crossEntropy' });
net.predict(new Float64Array(784));
const t2 = performance.now();
process.stdout.write(JSON.stringify({ importMs: t1 - t0, readyMs: t2 - t1, backend: net.backend }));
`;
const runs = Array.from({ length: 7 }, () =>
  JSON.parse(spawnSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8' }).stdout),
);
const imp = median(runs.map((r) => r.importMs)),
  ready = median(runs.map((r) => r.readyMs));
console.log(
  `start-up (median of 7 processes): import ${imp.toFixed(1)} ms; Network.create + first predict ${ready.toFixed(1)} ms (backend ${runs[0].backend}); total ${(imp + ready).toFixed(1)} ms`,
);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/startup.json', import.meta.url),
  JSON.stringify({ date: new Date().toISOString(), importMs: imp, readyMs: ready, runs }, null, 2) + '\n',
);
