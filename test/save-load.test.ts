// net.save / Network.load in Node (the browser's places: test/browser/save-load.test.ts).
// Oracle: the saved text is exactly JSON.stringify(net.toJSON()), and the loaded network's
// toJSON and predictions equal the saved one's bit for bit. A failed write (fault injected into
// fs.rename, or a directory in the way) leaves the previous file as it was and no temp file.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Network, BackpropError } from '../src/index.js';

let dir: string;
beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), 'backprop-save-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function trained(seed = 1) {
  const net = await Network.create({
    inputs: 3,
    layers: [
      { units: 5, activation: 'tanh', dropout: 0.2 },
      { units: 2, activation: 'softmax' },
    ],
    optimizer: { type: 'adam', learningRate: 0.01 },
    seed,
  });
  await net.fit(
    {
      inputs: [
        [1, 2, 3],
        [0, 1, 0],
        [3, 2, 1],
        [1, 1, 1],
      ],
      targets: [
        [1, 0],
        [0, 1],
        [1, 0],
        [0, 1],
      ],
    },
    { epochs: 3, batchSize: 2, shuffle: true },
  );
  return net;
}
const hex = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

async function refusal(p: Promise<unknown>): Promise<BackpropError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(BackpropError);
    return e as BackpropError;
  }
  throw new Error('expected a BackpropError');
}

describe('save and load in Node', () => {
  it("a path, a relative path and a file:// URL: the file is toJSON()'s text; the loaded network is bit-identical", async () => {
    const net = await trained();
    const absolute = join(dir, 'model.json');
    const result = await net.save(absolute);
    expect(result).toEqual({ url: absolute, characters: readFileSync(absolute, 'utf8').length });
    expect(readFileSync(absolute, 'utf8')).toBe(JSON.stringify(net.toJSON()));
    for (const where of [absolute, relative(process.cwd(), absolute), pathToFileURL(absolute).href, pathToFileURL(absolute)]) {
      const back = await Network.load(where);
      expect(JSON.stringify(back)).toBe(JSON.stringify(net));
      expect(hex(back.predict([0.5, -1, 2]))).toBe(hex(net.predict([0.5, -1, 2])));
    }
    await net.save(pathToFileURL(join(dir, 'via-url.json')));
    expect(readFileSync(join(dir, 'via-url.json'), 'utf8')).toBe(JSON.stringify(net.toJSON()));
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'via-url.json']); // no temp files left
  });

  it('overwrites atomically; a failed rename leaves the previous file and no temp file', async () => {
    const file = join(dir, 'model.json');
    const first = await trained(1);
    await first.save(file);
    const before = readFileSync(file, 'utf8');
    const fsp = process.getBuiltinModule('node:fs/promises') as { rename: (a: string, b: string) => Promise<void> };
    const real = fsp.rename;
    fsp.rename = async () => {
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    };
    let e: BackpropError;
    try {
      e = await refusal((await trained(2)).save(file));
    } finally {
      fsp.rename = real;
    }
    expect(e.code).toBe('SAVE_FAILED');
    expect(e.field).toBe(file);
    expect(e.message).toMatch(/ENOSPC/);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['model.json']);
    const second = await trained(2);
    await second.save(file);
    expect(readFileSync(file, 'utf8')).toBe(JSON.stringify(second.toJSON()));
  });

  it('a directory in the way, or a missing folder: SAVE_FAILED naming the path, nothing left behind', async () => {
    const net = await trained();
    mkdirSync(join(dir, 'taken'));
    writeFileSync(join(dir, 'taken', 'keep.txt'), 'x');
    for (const where of [join(dir, 'taken'), join(dir, 'missing', 'model.json')]) {
      const e = await refusal(net.save(where));
      expect(e.code).toBe('SAVE_FAILED');
      expect(e.field).toBe(where);
    }
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readdirSync(join(dir, 'taken'))).toEqual(['keep.txt']);
  });

  it('load: a missing file is LOAD_FAILED, a bad file INVALID_MODEL naming the file and the field', async () => {
    const missing = join(dir, 'nope.json');
    expect(await refusal(Network.load(missing))).toMatchObject({ code: 'LOAD_FAILED', field: missing });
    const net = await trained();
    const bad = { ...net.toJSON(), params: 'AAAA' };
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
    const e = await refusal(Network.load(join(dir, 'bad.json')));
    expect(e.code).toBe('INVALID_MODEL');
    expect(e.field).toBe(`${join(dir, 'bad.json')}: model.params`);
    writeFileSync(join(dir, 'text.json'), 'not json');
    expect(await refusal(Network.load(join(dir, 'text.json')))).toMatchObject({
      code: 'INVALID_MODEL',
      field: `${join(dir, 'text.json')}: model`,
    });
  });

  it('places that are not for Node, or not places: INVALID_OPTION / SAVE_FAILED, clearly', async () => {
    const net = await trained();
    expect(await refusal(net.save('https://example.com/model.json'))).toMatchObject({ code: 'INVALID_OPTION' });
    expect(await refusal(net.save('ftp://x/y'))).toMatchObject({ code: 'INVALID_OPTION', field: 'ftp://x/y' });
    expect(await refusal(net.save('' as string))).toMatchObject({ code: 'INVALID_OPTION' });
    expect(await refusal(Network.load('downloads://m'))).toMatchObject({ code: 'INVALID_OPTION' });
    const ls = await refusal(net.save('localstorage://m'));
    expect(ls).toMatchObject({ code: 'SAVE_FAILED', field: 'localstorage://m' });
    expect(ls.message).toMatch(/localStorage/);
  });

  it('a Blob loads (as a File from <input type=file> does in a browser)', async () => {
    const net = await trained();
    const back = await Network.load(new Blob([JSON.stringify(net)]));
    expect(JSON.stringify(back)).toBe(JSON.stringify(net));
  });
});
