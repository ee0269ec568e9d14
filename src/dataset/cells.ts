// Reading one cell: numbers straight from the text's character codes (no substring for the
// common case), the spellings of a missing value, and the canonical text of a category.

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The decimal number written in text[start, end) (spaces around it allowed), or NaN when it is not
 * one (hex, Infinity and other spellings Number() would take are not numbers in a CSV here).
 * Fast path (Clinger): ≤ 15 significant digits and a power of ten ≤ 22 are both exact doubles, so
 * one multiply or divide rounds correctly; anything else goes through Number() on the slice.
 */
export function parseNumber(text: string, start: number, end: number): number {
  while (start < end && text.charCodeAt(start) === 32) start++;
  while (end > start && text.charCodeAt(end - 1) === 32) end--;
  if (start === end) return NaN;
  let i = start,
    negative = false;
  let c = text.charCodeAt(i);
  if (c === 45 || c === 43) {
    negative = c === 45;
    i++;
  }
  let mantissa = 0,
    digits = 0,
    scale = 0,
    seen = false;
  for (; i < end; i++) {
    c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    seen = true;
    if (digits > 0 || c !== 0) digits++;
    mantissa = mantissa * 10 + c;
  }
  if (i < end && text.charCodeAt(i) === 46) {
    for (i++; i < end; i++) {
      c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      seen = true;
      if (digits > 0 || c !== 0) digits++;
      mantissa = mantissa * 10 + c;
      scale--;
    }
  }
  if (!seen) return NaN;
  if (i < end) {
    c = text.charCodeAt(i);
    if (c !== 101 && c !== 69) return NaN;
    return slow(text, start, end);
  }
  if (digits > 15 || scale < -22) return slow(text, start, end);
  const v = scale === 0 ? mantissa : mantissa / POW10[-scale];
  return negative ? -v : v;
}

function slow(text: string, start: number, end: number): number {
  const s = text.slice(start, end);
  if (!NUMBER.test(s)) return NaN;
  const v = Number(s);
  return Number.isFinite(v) ? v : NaN;
}

/** Cells that mean "no value". */
const MISSING = new Set(['', 'NA', 'N/A', 'n/a', 'na', 'NaN', 'nan', 'null', 'NULL', 'None', '?']);

export const isMissingText = (s: string): boolean => MISSING.has(s.trim());

/**
 * The text a category is known by: numbers by their shortest form ("1.0" and 1 are the same
 * category), anything else trimmed. The same rule reads CSV cells and record values.
 */
export function categoryKey(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : null;
  if (typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') return null;
  const s = v.trim();
  if (MISSING.has(s)) return null;
  const n = parseNumber(s, 0, s.length);
  return n === n ? String(n) : s;
}
