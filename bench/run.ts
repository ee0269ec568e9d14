// `npm run bench`: every benchmark, each in its own process so that no library's warm-up,
// threads or heap state leaks into another's figures.
import { spawnSync } from 'node:child_process';

const scripts = [
  'bench/matmul.ts',
  'bench/passes.ts',
  'bench/train.ts',
  'bench/startup.ts',
  'bench/threads.ts',
  'bench/peers/run-all.ts',
  'bench/report.ts',
];
// Node 20 has relaxed SIMD (the opt-in fma build) only behind a flag; later versions by default.
const relaxed = Number(process.versions.node.split('.')[0]) < 22 ? ['--experimental-wasm-relaxed-simd'] : [];
for (const s of scripts) {
  console.log(`\n=== ${s}`);
  const flags = s === 'bench/matmul.ts' || s === 'bench/train.ts' ? relaxed : [];
  const r = spawnSync(process.execPath, [...flags, '--expose-gc', '--import', 'tsx', s], { stdio: 'inherit', timeout: 8 * 60_000 });
  if (r.status !== 0) console.log(`${s} exited with ${r.status ?? r.signal}`);
}
