// Command-line parsing: `backprop <command> [--flag value | --flag=value]...`, each flag checked
// against its command's table so a typo or a bad value fails before any work starts.
import { BackpropError, words } from '../errors.js';

export type Kind = 'string' | 'int' | 'number' | 'layers' | 'bool' | 'names';
export interface FlagSpec {
  kind: Kind;
  /** Allowed values for a string flag. */
  oneOf?: readonly string[];
  min?: number;
  max?: number;
  /** A number > 0 (said as "a positive number"). */
  positive?: boolean;
}
export type Flags = Record<string, string | number | number[] | string[] | boolean>;

const bad = (field: string, expected: string, got: unknown): never => {
  throw new BackpropError('INVALID_OPTION', field, expected, got);
};

function value(flag: string, spec: FlagSpec, raw: string): string | number | number[] | string[] | boolean {
  const f = `--${flag}`;
  switch (spec.kind) {
    case 'bool':
      return raw === 'true' ? true : raw === 'false' ? false : bad(f, 'true or false', raw);
    case 'string':
      if (spec.oneOf && !spec.oneOf.includes(raw)) bad(f, `one of ${spec.oneOf.join(', ')}`, raw);
      if (raw === '') bad(f, 'a non-empty value', raw);
      return raw;
    case 'layers': {
      // "64,32" → hidden layer widths; "" or "none" → no hidden layer.
      if (raw === '' || raw === 'none') return [];
      const units = raw.split(',').map((s) => (/^\s*\d+\s*$/.test(s) ? Number(s) : NaN));
      if (units.some((u) => !Number.isSafeInteger(u) || u < 1)) bad(f, 'comma-separated positive integers such as 64,32', raw);
      return units;
    }
    case 'names': {
      // "a,b" → column names
      const names = raw.split(',').map((s) => s.trim());
      if (names.some((s) => s === '')) bad(f, 'comma-separated column names such as zip,city', raw);
      return names;
    }
    case 'int':
    case 'number': {
      const n = raw.trim() === '' ? NaN : Number(raw);
      const lo = spec.min ?? -Infinity,
        hi = spec.max ?? Infinity;
      const what = spec.kind === 'int' ? 'an integer' : 'a number';
      if (spec.positive) {
        if (!(n > 0) || !Number.isFinite(n) || n > hi) bad(f, `a positive number${hi < Infinity ? ` ≤ ${hi}` : ''}`, raw);
        return n;
      }
      const range = lo > -Infinity && hi < Infinity ? ` in [${lo}, ${hi}]` : lo > -Infinity ? ` ≥ ${lo}` : '';
      if (!Number.isFinite(n) || (spec.kind === 'int' && !Number.isSafeInteger(n)) || n < lo || n > hi) bad(f, what + range, raw);
      return n;
    }
  }
}

/** Parses the flags after the command word. Positional arguments are rejected. */
export function parseFlags(argv: readonly string[], table: Record<string, FlagSpec>): Flags {
  const out: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--') || a === '--')
      bad(a, `a flag such as --${Object.keys(table)[0] ?? 'help'}`, words(`the argument ${JSON.stringify(a)}`));
    const eq = a.indexOf('=');
    const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    const spec = table[name];
    if (!spec)
      bad(
        `--${name}`,
        `one of the flags ${Object.keys(table)
          .map((k) => `--${k}`)
          .join(', ')}`,
        words('an unknown flag'),
      );
    if (name in out) bad(`--${name}`, 'at most one occurrence', words('it twice'));
    let raw: string;
    if (eq >= 0) raw = a.slice(eq + 1);
    else if (spec.kind === 'bool' && (i + 1 >= argv.length || argv[i + 1].startsWith('--'))) raw = 'true';
    else if (i + 1 < argv.length && !(argv[i + 1].startsWith('--') && spec.kind !== 'number' && spec.kind !== 'int')) raw = argv[++i];
    else return bad(`--${name}`, 'a value after it', words('nothing'));
    out[name] = value(name, spec, raw);
  }
  return out;
}
