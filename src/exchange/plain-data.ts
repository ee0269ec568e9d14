// A plain copy of data a caller hands over as a model (TF.js artifacts): every property is read
// once, so getters and Proxies cannot change a value between its check and its use, throw from
// the middle of an import, or pass for arrays they are not. The copy is bounded in size and
// depth before anything else looks at it.
import { BackpropError, words } from '../errors.js';

/** More values than any dense model's JSON holds (1,024 Keras Dense layers take ~50,000). */
export const MAX_VALUES = 2 ** 18;
const MAX_DEPTH = 64;

const bad = (field: string, expected: string, got: unknown): never => {
  throw new BackpropError('INVALID_MODEL', field, expected, got);
};

// The engine's own accessors, so that an object cannot answer for them with getters of its own.
const typedArrayName = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag)!.get!;
const arrayBufferLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength')!.get!;

/** A real ArrayBuffer (not a SharedArrayBuffer, not a Proxy of one). */
export function isBuffer(v: unknown): v is ArrayBuffer {
  if (typeof v !== 'object' || v === null) return false;
  try {
    // The tag is a cheap filter (a throw for every object would cost microseconds each); it
    // throws itself for a revoked Proxy.
    if (Object.prototype.toString.call(v) !== '[object ArrayBuffer]') return false;
    arrayBufferLength.call(v);
    return true;
  } catch {
    return false;
  }
}

/** A real Uint8Array (its prototype or a toStringTag of its own notwithstanding). */
export const isBytes = (v: unknown): v is Uint8Array => typedArrayName.call(v) === 'Uint8Array';

/**
 * Copies JSON-like data: arrays become arrays (holes read as undefined), other objects become
 * null-prototype objects of their own enumerable keys (a `__proto__` key stays a key), an
 * ArrayBuffer or Uint8Array stays itself. A read that throws is INVALID_MODEL at its path.
 */
export function plainCopy(v: unknown, field: string): unknown {
  let left = MAX_VALUES;
  // The path to the value being copied, joined only for an error message.
  const path: (string | number)[] = [];
  const here = () => field + path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('');
  const copy = (x: unknown): unknown => {
    if (--left < 0) bad(here(), `at most ${MAX_VALUES} values in all`, words('more'));
    if (typeof x !== 'object' || x === null) return x;
    if (path.length > MAX_DEPTH) bad(here(), `at most ${MAX_DEPTH} levels of nesting`, words('deeper'));
    try {
      if (isBytes(x) || isBuffer(x)) return x;
      if (Array.isArray(x)) {
        const n: unknown = x.length;
        if (!Number.isSafeInteger(n) || (n as number) > left) bad(`${here()}.length`, `an array within ${MAX_VALUES} values in all`, n);
        const out: unknown[] = [];
        for (let i = 0; i < (n as number); i++) {
          path.push(i);
          out.push(copy(x[i]));
          path.pop();
        }
        return out;
      }
      const out: Record<string, unknown> = Object.create(null); // no inherited keys to find
      const keys = Object.keys(x);
      if (keys.length > left) bad(here(), `an object within ${MAX_VALUES} values in all`, words(`${keys.length} keys`));
      for (const key of keys) {
        path.push(key);
        out[key] = copy((x as Record<string, unknown>)[key]);
        path.pop();
      }
      return out;
    } catch (e) {
      if (e instanceof BackpropError) throw e;
      return bad(here(), 'plain data', words('a getter or Proxy that threw'));
    }
  };
  return copy(v);
}
