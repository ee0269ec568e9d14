// CSV reading (RFC 4180 quoting, LF or CRLF, `,` `;` or tab) in one linear pass: unquoted cells
// are read in place (numbers straight from the character codes), quoted ones are slices joined
// once; nothing is built a character at a time. Cells go straight into typed columns.
import { BackpropError, words } from '../errors.js';
import { ColumnBuilder, type ColumnKind, type Source } from './columns.js';
import { isMissingText, parseNumber } from './cells.js';

/** The longest cell accepted: longer ones are refused with their line and column. */
export const MAX_CELL = 1 << 20;

export interface CsvRead {
  delimiter?: string;
  /** Kinds given by the user, by column name. */
  kinds: Record<string, ColumnKind | undefined>;
  /** Kind of the columns `kinds` does not name (default: inferred); then a name in kinds need not be a column. */
  otherKind?: ColumnKind;
}

const bad = (field: string, expected: string, got?: unknown): never => {
  throw new BackpropError('INVALID_DATA', field, expected, got);
};

const QUOTE = 34,
  LF = 10,
  CR = 13;

/** `,`, `;` or tab: whichever appears most often (outside quotes) in the first line; `,` on a tie. */
export function detectDelimiter(text: string): string {
  const counts = new Map<number, number>([
    [44, 0],
    [59, 0],
    [9, 0],
  ]);
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) quoted = !quoted;
    else if (!quoted && (c === LF || c === CR)) break;
    else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
  }
  let best = 44;
  for (const [c, n] of counts) if (n > counts.get(best)!) best = c;
  return String.fromCharCode(best);
}

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];
/** Where scanNumber stopped (a module variable rather than an allocated pair, for speed). */
let scanEnd = 0;

/**
 * A plain decimal ([-+]digits[.digits], ≤ 15 significant digits, ≤ 22 decimals) starting at i
 * and ending at a delimiter, line break or the end: its value (exactly rounded: the mantissa and
 * the power of ten are exact doubles, so one division rounds once), with scanEnd after it.
 * NaN for anything else: the general path then reads the cell.
 */
function scanNumber(text: string, i: number, n: number, D: number): number {
  let c = text.charCodeAt(i);
  const negative = c === 45;
  if (negative || c === 43) c = text.charCodeAt(++i);
  let mantissa = 0,
    digits = 0,
    scale = 0,
    any = false;
  while (c >= 48 && c <= 57) {
    mantissa = mantissa * 10 + (c - 48);
    if (mantissa > 0) digits++;
    any = true;
    c = text.charCodeAt(++i);
  }
  if (c === 46) {
    c = text.charCodeAt(++i);
    while (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      if (mantissa > 0) digits++;
      scale++;
      any = true;
      c = text.charCodeAt(++i);
    }
  }
  if (!any || digits > 15 || scale > 22 || !(i >= n || c === D || c === 10 || c === 13)) return NaN;
  scanEnd = i;
  const v = scale === 0 ? mantissa : mantissa / POW10[scale];
  return negative ? -v : v;
}

/** Parses CSV text into raw columns. */
export function readCsv(input: string, o: CsvRead): Source {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const delimiter = o.delimiter ?? detectDelimiter(text);
  const D = delimiter.charCodeAt(0);
  const n = text.length;
  let i = 0,
    line = 1;
  let cellLine: number; // line where the current record started
  let quotedValue = ''; // the value of the last quoted cell (escapes resolved)

  /** Reads one cell from i; returns its [start, end) in `text`, or −1 when it was quoted (see quotedValue). */
  const cell = (column: number): number => {
    if (text.charCodeAt(i) !== QUOTE) {
      const start = i;
      while (i < n) {
        const c = text.charCodeAt(i);
        if (c === D || c === LF || c === CR) break;
        i++;
      }
      if (i - start > MAX_CELL)
        bad(`line ${line}, column ${columnName(column)}`, `a cell of at most ${MAX_CELL} characters`, words(`${i - start} characters`));
      return start;
    }
    const startLine = line;
    const pieces: string[] = [];
    let from = ++i,
      length = 0;
    for (;;) {
      const q = text.indexOf('"', i);
      if (q < 0) bad(`line ${startLine}, column ${columnName(column)}`, 'a closing quote', words('the end of the file'));
      length += q - i;
      if (length > MAX_CELL)
        bad(`line ${startLine}, column ${columnName(column)}`, `a cell of at most ${MAX_CELL} characters`, words('a longer quoted cell'));
      for (let k = i; k < q; k++) if (text.charCodeAt(k) === LF) line++;
      if (text.charCodeAt(q + 1) === QUOTE) {
        pieces.push(text.slice(from, q + 1)); // keeps one quote of the pair
        i = from = q + 2;
        length++;
        continue;
      }
      pieces.push(text.slice(from, q));
      i = q + 1;
      break;
    }
    const c = text.charCodeAt(i);
    if (i < n && c !== D && c !== LF && c !== CR)
      bad(
        `line ${line}, column ${columnName(column)}`,
        'a delimiter or the end of the line after a closing quote',
        words(JSON.stringify(text[i])),
      );
    quotedValue = pieces.length === 1 ? pieces[0] : pieces.join('');
    return -1;
  };
  /** Column names for messages (header cells are numbered: there is no name yet). */
  const columnName = (c: number): string => (c < header.length ? JSON.stringify(header[c]) : String(c + 1));
  const endOfRecord = (): void => {
    if (text.charCodeAt(i) === CR) i++;
    if (text.charCodeAt(i) === LF) i++;
    line++;
  };
  /** True when the record starting at i is a blank line (skipped). */
  const blank = (): boolean => {
    const c = text.charCodeAt(i);
    if (c !== LF && c !== CR) return false;
    endOfRecord();
    return true;
  };

  // Header.
  const header: string[] = [];
  while (i < n && blank());
  if (i >= n) bad('data', 'a header line naming the columns, then rows', words('an empty file'));
  const seen = new Map<string, number>();
  const headerLine = line;
  for (;;) {
    const s = cell(header.length);
    const name = (s < 0 ? quotedValue : text.slice(s, i)).trim();
    if (name === '')
      bad(`line ${headerLine}, column ${header.length + 1}`, 'a name for every column in the header', words('an empty name'));
    const twice = seen.get(name);
    if (twice !== undefined)
      bad(
        `line ${headerLine}`,
        'distinct column names in the header',
        words(`${JSON.stringify(name)} in columns ${twice + 1} and ${header.length + 1}`),
      );
    seen.set(name, header.length);
    header.push(name);
    if (text.charCodeAt(i) !== D) break;
    i++;
  }
  if (header.every((h) => parseNumber(h, 0, h.length) === parseNumber(h, 0, h.length)))
    bad(`line ${headerLine}`, 'a header line naming the columns (the first line holds only numbers)', header.slice(0, 10).join(delimiter));
  endOfRecord();
  if (o.otherKind === undefined)
    for (const name of Object.keys(o.kinds))
      if (!seen.has(name))
        throw new BackpropError(
          'INVALID_OPTION',
          `options.columns.${name}`,
          `a column of the data: ${header
            .slice(0, 10)
            .map((h) => JSON.stringify(h))
            .join(', ')}${header.length > 10 ? ', …' : ''}`,
          name,
        );

  // Every record ends at a line break, so there are at most as many rows as line breaks + 1.
  let capacity = 1;
  for (let k = text.indexOf('\n', i); k >= 0; k = text.indexOf('\n', k + 1)) capacity++;
  if (!text.includes('\n')) for (let k = text.indexOf('\r', i); k >= 0; k = text.indexOf('\r', k + 1)) capacity++;
  const width = header.length;
  const builders = header.map((h) => new ColumnBuilder(h, capacity, o.kinds[h] ?? o.otherKind));
  const lines = new Uint32Array(capacity);
  let rows = 0;
  while (i < n) {
    if (blank()) continue;
    cellLine = line;
    let c = 0;
    for (;;) {
      if (c >= width) bad(`line ${cellLine}`, `${width} cells, as in the header`, words('more'));
      const b = builders[c];
      // Fast path: an unquoted number in a numeric column, read as the characters go by.
      if (b.numbers !== null) {
        const v = scanNumber(text, i, n, D);
        if (v === v) {
          b.numbers[rows] = v;
          i = scanEnd;
          c++;
          if (text.charCodeAt(i) !== D) break;
          i++;
          continue;
        }
      }
      const s = cell(c);
      const ok = s < 0 ? b.addText(rows, quotedValue, 0, quotedValue.length, isMissingText) : b.addText(rows, text, s, i, isMissingText);
      if (!ok)
        bad(
          `line ${cellLine}, column ${JSON.stringify(header[c])}`,
          'a number (the column is numeric)',
          s < 0 ? quotedValue : text.slice(s, i),
        );
      c++;
      if (text.charCodeAt(i) !== D) break;
      i++;
    }
    if (c !== width) bad(`line ${cellLine}`, `${width} cells, as in the header`, words(`${c}`));
    lines[rows++] = cellLine;
    endOfRecord();
  }
  if (rows === 0) bad('data', 'at least one row after the header', words('only the header'));
  return { columns: builders.map((b) => b.finish(rows)), rows, lines: lines.subarray(0, rows), unit: 'line' };
}
