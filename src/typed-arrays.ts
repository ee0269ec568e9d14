// Typed arrays measured and read through the intrinsic accessors: an own `length` (or `buffer`,
// …) property on an instance, or a subclass's getter, cannot lie about what the array holds.
const TypedArrayProto = Object.getPrototypeOf(Int8Array.prototype) as object;
const intrinsic = (key: PropertyKey) => Object.getOwnPropertyDescriptor(TypedArrayProto, key)!.get!;
export const lengthOf = intrinsic('length') as (this: unknown) => number;
export const bufferOf = intrinsic('buffer') as (this: unknown) => ArrayBufferLike;
export const offsetOf = intrinsic('byteOffset') as (this: unknown) => number;
export const kindOf = intrinsic(Symbol.toStringTag) as (this: unknown) => string | undefined; // 'Float64Array', …; undefined for others

export const isTyped = (v: unknown): v is ArrayLike<number> => ArrayBuffer.isView(v) && kindOf.call(v) !== undefined;
export const isShared = (b: ArrayBufferLike) => typeof SharedArrayBuffer === 'function' && b instanceof SharedArrayBuffer;
