// README.md's code blocks, as test/readme.test.ts and test/package.test.ts run them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const README = join(new URL('..', import.meta.url).pathname, 'README.md');

export interface Block {
  lang: 'ts' | 'js' | 'sh';
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** Preceded by `<!-- fragment -->`: a piece of a program on purpose, not run. */
  fragment: boolean;
}

/** Every ```ts, ```js and ```sh block, in order. */
export function readmeBlocks(text = readFileSync(README, 'utf8')): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    if (end < 0) throw new Error(`README.md:${i + 1}: unclosed code block`);
    const lang = open[1];
    let before = i - 1;
    while (before >= 0 && lines[before].trim() === '') before--;
    if (lang === 'ts' || lang === 'js' || lang === 'sh') {
      blocks.push({
        lang,
        code: lines.slice(i + 1, end).join('\n') + '\n',
        line: i + 1,
        fragment: before >= 0 && lines[before].trim() === '<!-- fragment -->',
      });
    }
    i = end;
  }
  return blocks;
}

/** What a block says it prints: the text after `// prints ` up to two spaces or the line's end. */
export function expectedOutput(code: string): string[] {
  return [...code.matchAll(/\/\/ prints (.+?)(?:\s{2,}|$)/gm)].map((m) => m[1]);
}

/** True when `expected` lines appear among `output` lines in order (other lines may come between). */
export function printsInOrder(output: string, expected: string[]): boolean {
  const lines = output.split('\n');
  let at = 0;
  for (const e of expected) {
    while (at < lines.length && lines[at] !== e) at++;
    if (at++ >= lines.length) return false;
  }
  return true;
}

/**
 * A program that imports each block file in turn (one process for all: tsx starts once) and
 * writes `{ file: { output, error } }` as JSON to `resultFile`; console.log is captured per block.
 */
export function runnerSource(files: string[], resultFile: string): string {
  return `import { writeFileSync } from 'node:fs';
import { format } from 'node:util';
const results = {};
const log = console.log;
for (const file of ${JSON.stringify(files)}) {
  const out = [];
  console.log = (...args) => out.push(format(...args));
  try {
    await import(file);
    results[file] = { output: out.join('\\n') };
  } catch (e) {
    results[file] = { output: out.join('\\n'), error: String(e && e.stack || e) };
  }
}
console.log = log;
writeFileSync(${JSON.stringify(resultFile)}, JSON.stringify(results));
`;
}
