// Dataset.fromCSV on a 100 MB numeric CSV (1,000,000 rows × 12 columns, written once to the
// temporary folder): parse time and memory, then one encode (standardize) pass. The parse runs in
// a fresh Node process so its memory figures are its own. Run: npx tsx bench/dataset.ts
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync, mkdirSync, statSync, openSync, writeSync, closeSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROWS = 1_000_000,
  COLUMNS = 12;
const file = join(tmpdir(), `backprop-bench-${ROWS}x${COLUMNS}.csv`);
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

if (process.argv[2] === '--probe') {
  const { Dataset } = await import('../src/index.js');
  const text = readFileSync(process.argv[3], 'utf8');
  const rss0 = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const data = Dataset.fromCSV(text, { target: 'y' });
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const rss1 = process.memoryUsage().rss;
  const peak = process.resourceUsage().maxRSS * 1024;
  const t2 = performance.now();
  const arrays = data.toArrays();
  const t3 = performance.now();
  process.stdout.write(
    JSON.stringify({
      parseMs: t1 - t0,
      parseCpuMs: (cpu.user + cpu.system) / 1000,
      encodeMs: t3 - t2,
      textChars: text.length,
      rssBefore: rss0,
      rssAfter: rss1,
      peakRss: peak,
      rows: data.rows,
      width: data.width,
      encodedBytes: arrays.inputs.byteLength + arrays.targets.byteLength,
    }),
  );
} else {
  if (!existsSync(file)) {
    // Seeded values with 6–8 significant digits, as measurements usually have.
    let s = 12345;
    const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const fd = openSync(file, 'w');
    writeSync(fd, [...Array.from({ length: COLUMNS - 1 }, (_, i) => `x${i}`), 'y'].join(',') + '\n');
    let chunk: string[] = [];
    for (let r = 0; r < ROWS; r++) {
      const row: string[] = [];
      for (let c = 0; c < COLUMNS; c++) row.push(((next() - 0.5) * 2000).toFixed(4));
      chunk.push(row.join(','));
      if (chunk.length === 10_000) {
        writeSync(fd, chunk.join('\n') + '\n');
        chunk = [];
      }
    }
    closeSync(fd);
  }
  const size = statSync(file).size;
  const runs = Array.from({ length: 3 }, () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--probe', file], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout);
  });
  const best = runs.sort((a, b) => a.parseMs - b.parseMs)[1]; // the median of 3
  const f64 = ROWS * COLUMNS * 8;
  console.log(
    `Dataset.fromCSV: ${(size / 1e6).toFixed(1)} MB, ${ROWS.toLocaleString('en-US')} rows × ${COLUMNS} columns (Node ${process.version})`,
  );
  console.log(
    `  parse ${best.parseMs.toFixed(0)} ms wall, ${best.parseCpuMs.toFixed(0)} ms CPU (median of 3 processes; wall: ${runs
      .map((r) => r.parseMs.toFixed(0))
      .sort()
      .join(', ')}) — on a shared machine the CPU time is the steadier figure`,
  );
  console.log(
    `  memory: RSS +${mib(best.rssAfter - best.rssBefore)} MiB while parsing (the numbers as f64: ${mib(f64)} MiB → ${((best.rssAfter - best.rssBefore) / f64).toFixed(2)}×); peak RSS ${mib(best.peakRss)} MiB with the ${mib(best.textChars)} MiB text`,
  );
  console.log(
    `  encode (standardize, one pass per column) ${best.encodeMs.toFixed(0)} ms → ${mib(best.encodedBytes)} MiB of inputs + targets`,
  );
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(
    new URL('./results/dataset.json', import.meta.url),
    JSON.stringify({ bytes: size, rows: ROWS, columns: COLUMNS, runs }, null, 2) + '\n',
  );
}
