// A data set's raw columns as read: numbers in a Float64Array (NaN where missing) or categories
// as integer codes into their texts (−1 where missing). Built one cell at a time by the CSV reader
// and by fromRecords; a column inferred as numbers turns into categories at its first text cell.
import { parseNumber, categoryKey, isMissingText } from './cells.js';

export type ColumnKind = 'numeric' | 'categorical' | 'ignore';

export interface RawColumn {
  name: string;
  kind: ColumnKind;
  /** numeric: one value per row, NaN where missing. */
  numbers: Float64Array | null;
  /** categorical: one code per row into `levels`, −1 where missing. */
  codes: Int32Array | null;
  /** categorical: the category texts, in order of first appearance. */
  levels: string[];
}

/** Where a row came from, for messages: `line 7` (CSV) or `record 7` (fromRecords). */
export interface Source {
  columns: RawColumn[];
  rows: number;
  /** CSV line (1-based) or record index of each row. */
  lines: Uint32Array;
  unit: 'line' | 'record';
}

export const where = (s: Source, row: number): string => `${s.unit} ${s.lines[row]}`;

export class ColumnBuilder {
  kind: ColumnKind;
  numbers: Float64Array | null = null;
  codes: Int32Array | null = null;
  levels: string[] = [];
  private index = new Map<string, number>();
  /** Set when the kind was given by the user: a cell that does not fit is an error, not a switch. */
  readonly fixed: boolean;

  constructor(
    readonly name: string,
    capacity: number,
    kind: ColumnKind | undefined,
  ) {
    this.kind = kind ?? 'numeric';
    this.fixed = kind !== undefined;
    if (this.kind === 'numeric') this.numbers = new Float64Array(capacity);
    else if (this.kind === 'categorical') this.codes = new Int32Array(capacity);
  }

  /**
   * Stores the cell text[start, end) at `row`. Returns false when a fixed numeric column meets a
   * cell that is neither a number nor missing (the caller reports it with its line).
   */
  addText(row: number, text: string, start: number, end: number, missing: (s: string) => boolean): boolean {
    if (this.kind === 'numeric') {
      const v = parseNumber(text, start, end);
      if (v === v) {
        this.numbers![row] = v;
        return true;
      }
      const s = text.slice(start, end);
      if (missing(s)) {
        this.numbers![row] = NaN;
        return true;
      }
      if (this.fixed) return false;
      this.toCategorical(row);
    } else if (this.kind === 'ignore') return true;
    this.codes![row] = this.code(categoryKey(text.slice(start, end)));
    return true;
  }

  /** Stores a record's value: numbers, numeric text, text, booleans; null/undefined/NaN missing. */
  addValue(row: number, v: unknown): boolean {
    if (typeof v === 'string') return this.addText(row, v, 0, v.length, isMissingText);
    if (this.kind === 'ignore') return true;
    const missing = v === null || v === undefined || (typeof v === 'number' && v !== v);
    if (this.kind === 'numeric') {
      if (missing || (typeof v === 'number' && Number.isFinite(v))) {
        this.numbers![row] = missing ? NaN : (v as number);
        return true;
      }
      if (this.fixed) return false;
      this.toCategorical(row);
    }
    this.codes![row] = missing ? -1 : this.code(categoryKey(v));
    return true;
  }

  private code(key: string | null): number {
    if (key === null) return -1;
    let c = this.index.get(key);
    if (c === undefined) {
      c = this.levels.length;
      this.levels.push(key);
      this.index.set(key, c);
    }
    return c;
  }

  /** The numbers read so far become categories (by their shortest text), then the rest follow. */
  private toCategorical(rows: number): void {
    const numbers = this.numbers!;
    const codes = new Int32Array(numbers.length);
    for (let r = 0; r < rows; r++) codes[r] = numbers[r] === numbers[r] ? this.code(String(numbers[r])) : -1;
    this.numbers = null;
    this.codes = codes;
    this.kind = 'categorical';
  }

  finish(rows: number): RawColumn {
    return {
      name: this.name,
      kind: this.kind,
      numbers: this.numbers ? this.numbers.subarray(0, rows) : null,
      codes: this.codes ? this.codes.subarray(0, rows) : null,
      levels: this.levels,
    };
  }
}
