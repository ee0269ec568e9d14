// The CSV reader: what it accepts, and that every rejection names the file and the line.
import { describe, it, expect } from 'vitest';
import { parseCsv } from '../../src/cli/csv.js';
import { BackpropError } from '../../src/errors.js';

const fails = (text: string, message: string) => {
  let err: unknown;
  try {
    parseCsv(text, 'f.csv');
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(BackpropError);
  expect((err as BackpropError).code).toBe('INVALID_DATA');
  expect((err as Error).message).toBe(message);
};

describe('parseCsv', () => {
  it('reads a header and numeric rows, row-major, with the line of each row', () => {
    const t = parseCsv('a,b\n1,2\n-3.5,4e2\n', 'f.csv');
    expect(t.header).toEqual(['a', 'b']);
    expect(t.rows).toBe(2);
    expect(Array.from(t.data)).toEqual([1, 2, -3.5, 400]);
    expect(Array.from(t.lines)).toEqual([2, 3]);
  });

  it('accepts CRLF, a byte-order mark, quoted cells, spaces, blank lines and no final newline', () => {
    const t = parseCsv('\ufeff"x, first",y\r\n 1 ,"2"\r\n\r\n.5,+6', 'f.csv');
    expect(t.header).toEqual(['x, first', 'y']);
    expect(Array.from(t.data)).toEqual([1, 2, 0.5, 6]);
    expect(Array.from(t.lines)).toEqual([2, 4]);
  });

  it('counts lines inside quoted cells', () => {
    const t = parseCsv('"multi\nline",b\n1,2\n3,4\n', 'f.csv');
    expect(t.header).toEqual(['multi\nline', 'b']);
    expect(Array.from(t.lines)).toEqual([3, 4]);
    fails('"multi\nline",b\n1,2\n3\n', 'f.csv line 4: expected 2 cells, as in the header, got 1');
  });

  it('rejects ragged rows with their line number', () => {
    fails('a,b,c\n1,2,3\n4,5\n', 'f.csv line 3: expected 3 cells, as in the header, got 2');
    fails('a,b\n1,2\n\n\n3,4,5\n', 'f.csv line 5: expected 2 cells, as in the header, got 3');
  });

  it('rejects non-numeric, empty and non-finite cells, naming line and column', () => {
    fails('a,b\n1,2\n3,abc\n', 'f.csv line 3 column "b": expected a number, got "abc"');
    fails('a,b\n1,\n', 'f.csv line 2 column "b": expected a number (missing values are not supported), got an empty cell');
    fails('a,b\nNaN,1\n', 'f.csv line 2 column "a": expected a number, got "NaN"');
    fails('a,b\n1e400,1\n', 'f.csv line 2 column "a": expected a finite number, got "1e400"');
    fails('a,b\n0x10,1\n', 'f.csv line 2 column "a": expected a number, got "0x10"');
  });

  it('rejects empty files, header-only files, headerless files and bad headers', () => {
    fails('', 'f.csv: expected a header line naming the columns, then rows of numbers, got an empty file');
    fails('\n\n', 'f.csv: expected a header line naming the columns, then rows of numbers, got an empty file');
    fails('a,b\n', 'f.csv: expected at least one row of data after the header, got only the header');
    fails('1,2\n3,4\n', 'f.csv line 1: expected a header line naming the columns (the first line holds only numbers), got "1,2"');
    fails('a,,c\n1,2,3\n', 'f.csv line 1: expected a name for column 2 in the header, got an empty name');
    fails('a,b,a\n1,2,3\n', 'f.csv line 1: expected distinct column names in the header, got "a" in columns 1 and 3');
    fails('"a,b\n1,2\n', 'f.csv line 1: expected a closing quote, got the end of the file');
  });
});
