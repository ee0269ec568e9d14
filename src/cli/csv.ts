// CSV with a header row and numeric cells (RFC 4180 quoting, LF or CRLF). Every complaint names
// the file and the line, as `file.csv:7`, so the user can go straight to it.
import { BackpropError, words } from '../errors.js';

export interface Table {
  header: string[];
  rows: number;
  data: Float64Array; // rows × header.length, row-major
  lines: Uint32Array; // 1-based line where each row starts
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Where in the file: `data.csv line 7`. */
export const at = (name: string, line: number): string => `${name} line ${line}`;

const bad = (field: string, expected: string, got: unknown): never => {
  throw new BackpropError('INVALID_DATA', field, expected, got);
};

/** Splits text into records of raw cells, with the line each record starts on. */
function* records(text: string, name: string): Generator<{ cells: string[]; line: number }> {
  let line = 1, i = 0;
  const n = text.length;
  while (i < n) {
    const start = line;
    const cells: string[] = [];
    let cell = '';
    for (;;) {
      if (text[i] === '"') {
        // Quoted cell: "" is a quote; newlines inside are kept (and counted).
        i++;
        for (;;) {
          if (i >= n) bad(at(name, start), 'a closing quote', words('the end of the file'));
          const c = text[i++];
          if (c === '"') {
            if (text[i] === '"') (cell += '"'), i++;
            else break;
          } else {
            if (c === '\n') line++;
            cell += c;
          }
        }
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') cell += text[i++];
      } else {
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') cell += text[i++];
      }
      cells.push(cell);
      cell = '';
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    const blank = cells.length === 1 && cells[0].trim() === '';
    if (!blank) yield { cells, line: start };
  }
}

/** Parses CSV text named `name` (for messages) into a numeric table. */
export function parseCsv(text: string, name: string): Table {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // byte-order mark
  const it = records(text, name);
  const first = it.next();
  if (first.done) return bad(name, 'a header line naming the columns, then rows of numbers', words('an empty file'));
  const header = first.value.cells.map((c) => c.trim());
  const hl = first.value.line;
  header.forEach((h, c) => {
    if (h === '') bad(at(name, hl), `a name for column ${c + 1} in the header`, words('an empty name'));
    const twice = header.indexOf(h);
    if (twice !== c) bad(at(name, hl), 'distinct column names in the header', words(`${JSON.stringify(h)} in columns ${twice + 1} and ${c + 1}`));
  });
  if (header.every((h) => NUMBER.test(h))) bad(at(name, hl), 'a header line naming the columns (the first line holds only numbers)', header.join(','));
  const width = header.length;
  let data = new Float64Array(1024 * width);
  let lines = new Uint32Array(1024);
  let rows = 0;
  for (const { cells, line } of it) {
    if (cells.length !== width) bad(at(name, line), `${width} cells, as in the header`, words(`${cells.length}`));
    if ((rows + 1) * width > data.length) {
      const grown = new Float64Array(data.length * 2);
      grown.set(data);
      data = grown;
      const l = new Uint32Array(lines.length * 2);
      l.set(lines);
      lines = l;
    }
    for (let c = 0; c < width; c++) {
      const s = cells[c].trim();
      if (!NUMBER.test(s)) bad(`${at(name, line)} column ${JSON.stringify(header[c])}`, s === '' ? 'a number (missing values are not supported)' : 'a number', s === '' ? words('an empty cell') : s);
      const v = Number(s);
      if (!Number.isFinite(v)) bad(`${at(name, line)} column ${JSON.stringify(header[c])}`, 'a finite number', s);
      data[rows * width + c] = v;
    }
    lines[rows++] = line;
  }
  if (rows === 0) bad(name, 'at least one row of data after the header', words('only the header'));
  return { header, rows, data: data.slice(0, rows * width), lines: lines.slice(0, rows) };
}
