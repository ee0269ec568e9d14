// Every ```ts/```js/```sh block of README.md runs as written (issue 14). TS/JS blocks: each is
// written to its own .mts module inside the repository, where 'backprop-wasm' resolves to this
// package's build (dist/, by self-reference), and one tsx process imports them in turn; each
// must finish without throwing and print, in order, what its `// prints …` comments say.
// sh blocks: `backprop …` lines run as the CLI (dist/cli/main.js) in a temp dir holding small CSV
// files; `npx tsx examples/…` lines run from the repository. A few lines are not run, each for a
// reason listed in NOT_RUN; a line of any other kind fails the test, so new commands get a runner.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectedOutput, printsInOrder, readmeBlocks, runnerSource, type Block } from './readme-blocks.js';

const ROOT = new URL('..', import.meta.url).pathname;
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const blocks = readmeBlocks();
const code = blocks.filter((b) => !b.fragment && b.lang !== 'sh');
const shell = blocks.filter((b) => !b.fragment && b.lang === 'sh');

/** Commands README shows but this test does not run, and why. */
const NOT_RUN: [RegExp, string][] = [
  [/^npm (i|ci|install)\b/, 'installs or builds; this test runs against the checkout as built'],
  [/^backprop train$/, 'trains MNIST for 5 epochs (test/cli covers it)'],
  [/^backprop bench$/, 'a benchmark: minutes of training'],
  [/^npx tsx examples\/mnist\.ts/, 'MNIST training: minutes'],
];

let dir: string;
let results: Record<string, { output: string; error?: string }>;
const fileOf = (b: Block) => join(dir, `readme-line-${b.line}.mts`);

beforeAll(() => {
  mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
  dir = mkdtempSync(join(ROOT, 'test-artifacts/readme-')); // inside the repo: 'backprop-wasm' resolves to it
  linkFixtures(dir);
  for (const b of code) writeFileSync(fileOf(b), b.code);
  const runner = join(dir, 'run.mts');
  writeFileSync(runner, runnerSource(code.map(fileOf), join(dir, 'results.json')));
  const r = spawnSync(TSX, [runner], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`README runner failed:\n${r.stdout}${r.stderr}`);
  results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
}, 90_000);
afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('README.md code blocks', () => {
  it('has blocks to run, and few fragments', () => {
    expect(code.length).toBeGreaterThanOrEqual(5);
    expect(blocks.filter((b) => b.fragment).length).toBeLessThanOrEqual(2);
  });

  it.each(code.map((b) => [b.lang, b.line, b] as const))('the %s block at README.md line %i runs and prints what it says', (_, __, b) => {
    const { output, error } = results[fileOf(b)];
    expect(error, `README.md:${b.line}`).toBeUndefined();
    const expected = expectedOutput(b.code);
    expect(printsInOrder(output, expected), `README.md:${b.line} printed:\n${output}\nexpected, in order:\n${expected.join('\n')}`).toBe(
      true,
    );
  });

  it('sh blocks: every command runs (or is listed in NOT_RUN with its reason)', () => {
    const work = mkdtempSync(join(tmpdir(), 'backprop-readme-sh-'));
    try {
      writeSmallData(work);
      linkFixtures(work);
      const bin = join(work, 'bin');
      mkdirSync(bin);
      writeFileSync(join(bin, 'backprop'), `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'dist/cli/main.js')}" "$@"\n`);
      chmodSync(join(bin, 'backprop'), 0o755);
      const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
      let ran = 0;
      for (const b of shell) {
        for (const raw of b.code.split('\n')) {
          const command = raw.replace(/\s+#.*$/, '').trim();
          if (!command || NOT_RUN.some(([re]) => re.test(command))) continue;
          let cwd: string;
          if (command.startsWith('backprop ')) cwd = work;
          else if (command.startsWith('npx tsx examples/')) cwd = ROOT;
          else
            throw new Error(
              `README.md:${b.line}: no runner for \`${command}\`: teach test/readme.test.ts to run it, or list it in NOT_RUN with a reason`,
            );
          const r = spawnSync('sh', ['-c', command.replace(/^npx tsx /, `"${TSX}" `)], { cwd, env, encoding: 'utf8', timeout: 60_000 });
          expect(r.status, `README.md:${b.line}: ${command}\n${r.stdout}${r.stderr}`).toBe(0);
          ran++;
        }
      }
      expect(ran).toBeGreaterThanOrEqual(3);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);
});

/** README's examples read test/fixtures/ (the standard Iris file) as from the repository's root. */
function linkFixtures(at: string) {
  mkdirSync(join(at, 'test'));
  symlinkSync(join(ROOT, 'test/fixtures'), join(at, 'test/fixtures'));
}

/** iris.csv (4 features, species 0/1/2 from the features) and new.csv (same features, no target). */
function writeSmallData(work: string) {
  const header = 'sepal_length,sepal_width,petal_length,petal_width';
  const rows = Array.from({ length: 90 }, (_, i) => {
    const species = i % 3;
    const f = [
      5 + species * 0.8 + ((i * 7) % 10) / 20,
      3 + ((i * 3) % 10) / 20,
      1.5 + species * 2 + ((i * 5) % 10) / 20,
      0.2 + species * 0.8 + ((i * 11) % 10) / 50,
    ];
    return { f: f.map((v) => v.toFixed(2)), species };
  });
  writeFileSync(join(work, 'iris.csv'), `${header},species\n${rows.map((r) => `${r.f.join(',')},${r.species}`).join('\n')}\n`);
  writeFileSync(
    join(work, 'new.csv'),
    `${header}\n${rows
      .slice(0, 10)
      .map((r) => r.f.join(','))
      .join('\n')}\n`,
  );
}
