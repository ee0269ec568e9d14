// CPU time for the benches that tell their own work from other processes' (threads.ts,
// thread-phases.ts, fit-phases.ts): a fit's rounds are rerun when the machine's CPU time grew by
// more than this process used.
import { readFileSync } from 'node:fs';

/** This process's CPU ms (all its threads). */
export function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** CPU ms of every process (Linux /proc/stat, 10 ms ticks), or NaN where there is none: every comparison with it is then false. */
export function machineCpuMs(): number {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return (f[0] + f[1] + f[2] + f[5] + f[6]) * 10; // user nice system irq softirq
  } catch {
    return NaN;
  }
}
