export type ErrorCode =
  | 'INVALID_SPEC'
  | 'INVALID_DATA'
  | 'INVALID_OPTION'
  | 'INVALID_MODEL'
  | 'BACKEND_UNAVAILABLE'
  | 'DISPOSED'
  | 'DIVERGED'
  | 'OUT_OF_MEMORY'
  | 'SAVE_FAILED'
  | 'LOAD_FAILED';

const NOTHING = Symbol('nothing');

/** Every error backprop throws on bad input: `field` names what was wrong, `expected` what would do. */
export class BackpropError extends Error {
  /** What was received, described in words ('' when not applicable). */
  readonly got: string;
  constructor(
    readonly code: ErrorCode,
    readonly field: string,
    readonly expected: string,
    got: unknown = NOTHING,
  ) {
    const said = got === NOTHING ? '' : describe(got);
    super(`${field}: expected ${expected}${said ? `, got ${said}` : ''}`);
    this.name = 'BackpropError';
    this.got = said;
  }

  /** The same complaint under another code and field prefix (e.g. a spec inside a saved model). */
  within(code: ErrorCode, prefix: string, separator = '.'): BackpropError {
    return new BackpropError(code, `${prefix}${separator}${this.field}`, this.expected, this.got ? new Described(this.got) : NOTHING);
  }
}

class Described {
  constructor(readonly text: string) {}
}

/** A `got` value that is already words, not a value to describe. */
export const words = (text: string): unknown => new Described(text);

const typedProto = Object.getPrototypeOf(Int8Array.prototype) as object;
const typedLength = Object.getOwnPropertyDescriptor(typedProto, 'length')!.get! as (this: unknown) => number;
const typedKind = Object.getOwnPropertyDescriptor(typedProto, Symbol.toStringTag)!.get! as (this: unknown) => string | undefined;

export function describe(v: unknown): string {
  try {
    return describeValue(v);
  } catch {
    return 'an object that cannot be read'; // a revoked Proxy, a throwing getter: the error still says where
  }
}

function describeValue(v: unknown): string {
  if (v instanceof Described) return v.text;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) {
    const kind = typedKind.call(v); // the intrinsic accessors: an own `length` property cannot lie here
    return kind ? `a ${kind} of length ${typedLength.call(v)}` : `a ${v.constructor.name}`;
  }
  return typeof v === 'object' ? 'an object' : typeof v;
}
