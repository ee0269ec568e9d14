// The CSV reader under Dataset: RFC 4180 quoting, line endings, delimiters, numbers read exactly
// as Number() reads them, and every rejection naming line and column.
import { describe, it, expect } from 'vitest';
import { readCsv, detectDelimiter } from '../src/dataset/csv.js';
import { parseNumber } from '../src/dataset/cells.js';
import { Dataset } from '../src/index.js';
import { BackpropError } from '../src/errors.js';
import { Rng } from '../src/rng.js';

const read = (text: string, kinds: Record<string, 'numeric' | 'categorical' | 'ignore'> = {}) => readCsv(text, { kinds });
const fails = (f: () => unknown, field: string, message: string) => {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(BackpropError);
  expect((err as BackpropError).code).toBe('INVALID_DATA');
  expect((err as BackpropError).field).toBe(field);
  expect((err as Error).message).toBe(message);
};

describe('readCsv', () => {
  it('reads numeric columns and the line of each row', () => {
    const s = read('a,b\n1,2\n-3.5,4e2\n');
    expect(s.columns.map((c) => c.name)).toEqual(['a', 'b']);
    expect(Array.from(s.columns[0].numbers!)).toEqual([1, -3.5]);
    expect(Array.from(s.columns[1].numbers!)).toEqual([2, 400]);
    expect(Array.from(s.lines)).toEqual([2, 3]);
  });

  it('accepts CRLF, a byte-order mark, quoted cells with "" escapes, spaces, blank lines and no final newline', () => {
    const s = read('\ufeff"x, first",y,z\r\n 1 ,"2","say ""hi"""\r\n\r\n.5,+6,plain');
    expect(s.columns.map((c) => c.name)).toEqual(['x, first', 'y', 'z']);
    expect(Array.from(s.columns[0].numbers!)).toEqual([1, 0.5]);
    expect(Array.from(s.columns[1].numbers!)).toEqual([2, 6]);
    expect(s.columns[2].levels).toEqual(['say "hi"', 'plain']);
    expect(Array.from(s.lines)).toEqual([2, 4]);
  });

  it('detects ; and tab delimiters from the header line, or takes the one given', () => {
    expect(detectDelimiter('a;b;c\n1,5;2;3')).toBe(';');
    expect(detectDelimiter('a\tb\n1\t2')).toBe('\t');
    expect(detectDelimiter('"a;b",c\n')).toBe(',');
    const s = read('a;b\n1,5;2\n');
    expect(s.columns[0].levels).toEqual(['1,5']); // a decimal comma is text here, not a number
    expect(readCsv('a;b,c\n1;2,5\n', { kinds: {}, delimiter: ';' }).columns[1].levels).toEqual(['2,5']);
  });

  it('counts lines inside quoted cells', () => {
    const s = read('"multi\nline",b\n1,2\n3,4\n');
    expect(s.columns[0].name).toBe('multi\nline');
    expect(Array.from(s.lines)).toEqual([3, 4]);
    fails(() => read('"multi\nline",b\n1,2\n3\n'), 'line 4', 'line 4: expected 2 cells, as in the header, got 1');
  });

  it('reads numbers bit for bit as Number() does (fast path and slow path)', () => {
    const rng = new Rng(3);
    const cells: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const digits = 1 + rng.int(19);
      let s = (rng.int(2) ? '-' : '') + Array.from({ length: digits }, () => rng.int(10)).join('');
      const dot = rng.int(digits + 1);
      if (rng.int(3)) s = s.slice(0, s.length - dot) + '.' + s.slice(s.length - dot);
      if (rng.int(5) === 0) s += `e${rng.int(2) ? '-' : ''}${rng.int(280)}`;
      cells.push(s);
    }
    const col = read('v\n' + cells.join('\n') + '\n').columns[0];
    cells.forEach((c, i) => expect([c, col.numbers![i]]).toEqual([c, Number.isFinite(Number(c)) ? Number(c) : NaN]));
    cells.forEach((c) => expect(Object.is(parseNumber(` ${c} `, 0, c.length + 2), Number(c))).toBe(true));
    expect(parseNumber('0x10', 0, 4)).toBeNaN();
    expect(parseNumber('1e400', 0, 5)).toBeNaN(); // not finite: not a number here
  });

  it('a column with text becomes categorical; a column given as numeric refuses text with line and column', () => {
    const s = read('a,b\n1,2\n1.0,x\n');
    expect(s.columns[1].kind).toBe('categorical');
    expect(s.columns[1].levels).toEqual(['2', 'x']);
    expect(Array.from(s.columns[0].numbers!)).toEqual([1, 1]);
    fails(
      () => read('a,b\n1,2\n3,abc\n', { b: 'numeric' }),
      'line 3, column "b"',
      'line 3, column "b": expected a number (the column is numeric), got "abc"',
    );
  });

  it('rejects ragged rows, empty files, header-only files, headerless files and bad headers', () => {
    fails(() => read('a,b,c\n1,2,3\n4,5\n'), 'line 3', 'line 3: expected 3 cells, as in the header, got 2');
    fails(() => read('a,b\n1,2\n\n\n3,4,5\n'), 'line 5', 'line 5: expected 2 cells, as in the header, got more');
    fails(() => read(''), 'data', 'data: expected a header line naming the columns, then rows, got an empty file');
    fails(() => read('a,b\n'), 'data', 'data: expected at least one row after the header, got only the header');
    fails(
      () => read('1,2\n3,4\n'),
      'line 1',
      'line 1: expected a header line naming the columns (the first line holds only numbers), got "1,2"',
    );
    fails(
      () => read('a,,c\n1,2,3\n'),
      'line 1, column 2',
      'line 1, column 2: expected a name for every column in the header, got an empty name',
    );
    fails(() => read('a,b,a\n1,2,3\n'), 'line 1', 'line 1: expected distinct column names in the header, got "a" in columns 1 and 3');
    fails(() => read('"a,b\n1,2\n'), 'line 1, column 1', 'line 1, column 1: expected a closing quote, got the end of the file');
    fails(
      () => read('a,b\n"1"x,2\n'),
      'line 2, column "a"',
      'line 2, column "a": expected a delimiter or the end of the line after a closing quote, got "x"',
    );
  });
});

describe('missing values', () => {
  const text = 'a,b,c,y\n1,2,u,0\n2,3,v,1\n3,4,u,0\n4,5,v,1\n5,6,u,0\n6,7,v,1\n7,,u,0\n8,NA,,1\n';
  it('are refused by default, naming line and column (INVALID_DATA)', () => {
    fails(
      () => Dataset.fromCSV(text, { target: 'y' }),
      'line 8, column "b"',
      `line 8, column "b": expected a value (or the option missing: 'mean', 'mode' or 'drop'), got a missing value`,
    );
    for (const cell of ['NaN', 'null', 'NA', '', 'N/A', '?']) {
      fails(
        () => Dataset.fromCSV(`a,y\n1,0\n${cell},1\n`),
        'line 3, column "a"',
        `line 3, column "a": expected a value (or the option missing: 'mean', 'mode' or 'drop'), got a missing value`,
      );
    }
    fails(
      () => Dataset.fromCSV('a,y\n1,0\n2,\n', { missing: 'mean' }),
      'line 3, column "y"',
      `line 3, column "y": expected a value (a missing target can only be dropped: missing: 'drop'), got a missing value`,
    );
  });

  it("'drop' leaves those rows out and says how many", () => {
    const d = Dataset.fromCSV(text, { target: 'y', missing: 'drop' });
    expect(d.rows).toBe(6);
    expect(d.dropped).toBe(2);
  });

  it("'mean' and 'mode' fill from the training rows; the fill is what the encoding uses", () => {
    const d = Dataset.fromCSV(text, { target: 'y', missing: 'mean' });
    const pre = d.preprocessing.json;
    const b = [2, 3, 4, 5, 6, 7];
    const mean = b.reduce((s, v) => s + v, 0) / b.length;
    expect(pre.features[1]).toMatchObject({ name: 'b', kind: 'numeric', fill: mean });
    expect(pre.features[2]).toMatchObject({ name: 'c', kind: 'categorical', categories: ['u', 'v'], fill: 'u' }); // u: 4 times, v: 3
    const x = d.toArrays().inputs;
    expect(x[6 * d.width + 1]).toBe(0); // row 7's b is the mean: standardized to 0
    expect(Array.from(x.subarray(7 * d.width + 2, 7 * d.width + 4))).toEqual([1, 0]); // row 8's c is the mode, u
    const mode = Dataset.fromCSV('a,y\n1,0\n1,1\n2,0\nNA,1\n', { missing: 'mode' }).preprocessing.json.features[0];
    expect(mode).toMatchObject({ fill: 1 });
  });
});
