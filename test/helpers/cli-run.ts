// The CLI run in-process: what would go to stdout and stderr is captured, and files go to a
// temporary folder of the test's own.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/run.js';

export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [],
    err: string[] = [];
  const code = await run(argv, { line: (t) => out.push(t), note: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A temporary folder, and a function that writes a file into it and returns its path. */
export function scratchFolder(prefix: string): { dir: string; put: (name: string, text: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    put: (name, text) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    },
  };
}
