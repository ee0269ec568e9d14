// The CLI's files (issue 12, items 5–7): an existing --out is never overwritten without --force,
// the --data file never; a bad --out fails before any data is read, in one line with exit code 2;
// the model is written through a temporary file and a rename; the CSV reader is linear.
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cli, scratchFolder } from '../helpers/cli-run.js';
import { writeAtomic } from '../../src/cli/files.js';

const { dir, put } = scratchFolder('backprop-cli-files-');

const good = put('good.csv', 'a,b,y\n1,2,0\n2,1,1\n3,3,0\n4,1,1\n5,2,0\n6,1,1\n');

describe('--out', () => {
  it('an existing file is refused without --force (exit 2, file untouched) and replaced with it', async () => {
    const out = put('model.json', 'precious');
    const r = await cli('train', '--data', good, '--epochs', '1', '--out', out);
    expect(r).toMatchObject({
      code: 2,
      err: `backprop train: --out: expected a file that does not exist yet (or --force to overwrite it), got ${out}, which exists`,
    });
    expect(r.out).toBe(''); // nothing trained
    expect(readFileSync(out, 'utf8')).toBe('precious');
    const forced = await cli('train', '--data', good, '--epochs', '1', '--out', out, '--force');
    expect(forced.code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).format).toBe('backprop');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]); // no temporary file left
  });

  it('the --data file is refused as --out, even with --force', async () => {
    const before = readFileSync(good, 'utf8');
    const r = await cli('train', '--data', good, '--out', good, '--force');
    expect(r).toMatchObject({ code: 2, err: `backprop train: --out: expected a file other than the input files, got ${good}, an input` });
    expect(readFileSync(good, 'utf8')).toBe(before);
    const model = join(dir, 'p.json');
    expect((await cli('train', '--data', good, '--epochs', '1', '--out', model)).code).toBe(0);
    const p = await cli('predict', '--model', model, '--data', good, '--out', good, '--force');
    expect(p.code).toBe(2);
    expect(readFileSync(good, 'utf8')).toBe(before);
    const again = await cli('predict', '--model', model, '--data', good, '--out', model);
    expect(again.err).toMatch(/--out: expected a file other than the input files/);
  });

  it.each([
    [
      'a missing folder',
      () => join(dir, 'no-such-folder', 'm.json'),
      /--out: expected a path in an existing, writable folder, got .*no-such-folder.* \(ENOENT\)$/,
    ],
    [
      'a folder',
      () => (mkdirSync(join(dir, 'folder'), { recursive: true }), join(dir, 'folder')),
      /--out: expected a file path, not a folder, got ".*folder"$/,
    ],
  ])('%s is found before the data is read: one line, exit 2', async (_, path, message) => {
    // The data file does not even exist: the --out check comes first.
    const r = await cli('train', '--data', join(dir, 'nope.csv'), '--out', path());
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toMatch(message);
    const p = await cli('predict', '--model', join(dir, 'nope.json'), '--out', path());
    expect(p.code).toBe(2);
    expect(p.err).toMatch(message);
  });

  it('writeAtomic replaces the whole file through a temporary file beside it', async () => {
    const path = put('atomic.txt', 'old');
    await writeAtomic(path, 'new text', '--out');
    expect(readFileSync(path, 'utf8')).toBe('new text');
    expect(readdirSync(dir).filter((f) => f.includes('atomic.txt'))).toEqual(['atomic.txt']);
  });
});

describe('the CSV reader on crafted files', () => {
  it('200,000 header columns with a repeated name: refused at once (was 34 s: an indexOf per column)', async () => {
    const names = Array.from({ length: 200_000 }, (_, i) => `c${i}`);
    const wide = put('wide.csv', [...names, 'c0'].join(',') + '\n' + '1,'.repeat(200_000) + '1\n');
    const t = performance.now();
    const r = await cli('train', '--data', wide, '--out', join(dir, 'wide.json'));
    const ms = performance.now() - t;
    expect(r.code).toBe(1);
    expect(r.err).toBe(`backprop train: ${wide} line 1: expected distinct column names in the header, got "c0" in columns 1 and 200001`);
    // Linear work is ~0.1 s here; the bound is far above that and far below the quadratic 34 s.
    expect(ms).toBeLessThan(8000);
  }, 60_000);

  it('a cell over 1 MiB is refused with its line and column', async () => {
    const big = put('big.csv', `a,b,y\n1,2,0\n3,"${'x'.repeat(1.5 * 2 ** 20)}",1\n`);
    const r = await cli('train', '--data', big, '--out', join(dir, 'big.json'));
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `backprop train: ${big} line 3, column "b": expected a cell of at most 1048576 characters, got a longer quoted cell`,
    );
    const bare = put('bare.csv', `a,b,y\n1,2,0\n3,${'7'.repeat(2 ** 20 + 1)},1\n`);
    expect((await cli('train', '--data', bare, '--out', join(dir, 'bare.json'))).err).toBe(
      `backprop train: ${bare} line 3, column "b": expected a cell of at most 1048576 characters, got 1048577 characters`,
    );
  });
});

describe('model files of the first CLI format (backprop-cli, version 1)', () => {
  const legacy = (name: string) => join(__dirname, '../fixtures/legacy', name);
  it.each(['blobs', 'line'])('%s: predict gives what the old predict wrote (its output file, committed with the model)', async (name) => {
    const out = join(dir, `${name}-again.csv`);
    const r = await cli('predict', '--model', legacy(`${name}-model.json`), '--data', legacy(`${name}.csv`), '--out', out);
    expect(r.code).toBe(0);
    const now = readFileSync(out, 'utf8').trim().split('\n');
    const then = readFileSync(legacy(`${name}-predictions.csv`), 'utf8')
      .trim()
      .split('\n');
    expect(now[0]).toBe(then[0]);
    expect(now).toHaveLength(then.length);
    now.slice(1).forEach((line, i) => {
      const a = line.split(',').map(Number),
        b = then[i + 1].split(',').map(Number);
      a.forEach((v, j) => expect(Math.abs(v - b[j])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(b[j])))); // printed to 6 digits
    });
  });
});
