// Saved f32 values: encodeF32/decodeF32 keep every f32 bit at 4 bytes a value.
import { describe, it, expect } from 'vitest';
import { encodeF32, decodeF32, encodeF64 } from '../src/serialize.js';
import { BackpropError } from '../src/errors.js';
import { Rng } from '../src/rng.js';

describe('f32 parameters in saved models', () => {
  it('known bytes: 1 is 00 00 80 3f little-endian, −2 is 00 00 00 c0', () => {
    expect(encodeF32(new Float32Array([1]))).toBe(Buffer.from([0, 0, 0x80, 0x3f]).toString('base64'));
    expect(encodeF32(new Float32Array([1, -2]))).toBe(Buffer.from([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]).toString('base64'));
  });

  it('round trip bit for bit: random values, −0, the smallest subnormal, the largest finite; half the f64 size', () => {
    const rng = new Rng(11);
    const values = new Float32Array(1001);
    for (let i = 0; i < values.length; i++) values[i] = (2 * rng.next() - 1) * 2 ** (rng.int(60) - 30);
    values.set([-0, 2 ** -149, -(2 ** -149), 3.4028234663852886e38, 2 ** -126], 0);
    const text = encodeF32(values);
    const back = decodeF32(text, values.length, 'model.params');
    expect(back).toBeInstanceOf(Float32Array);
    expect(Array.from(new Uint32Array(back.buffer))).toEqual(Array.from(new Uint32Array(values.buffer)));
    expect(Object.is(back[0], -0)).toBe(true);
    expect(text.length).toBe(Math.ceil((4 * values.length) / 3) * 4);
    expect(encodeF64(Float64Array.from(values)).length).toBe(Math.ceil((8 * values.length) / 3) * 4);
  });

  it('a wrong length (an f64 encoding where f32 is expected), bad base64 or a non-finite value is INVALID_MODEL naming the field', () => {
    const catchError = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as BackpropError;
      }
      throw new Error('did not throw');
    };
    const f64Text = encodeF64(new Float64Array([1, 2, 3]));
    const e1 = catchError(() => decodeF32(f64Text, 3, 'model.params'));
    expect([e1.code, e1.field]).toEqual(['INVALID_MODEL', 'model.params']);
    expect(e1.message).toMatch(/3 f32 values \(16 base64 characters\)/);
    const e2 = catchError(() => decodeF32('!!!!', 1, 'model.state'));
    expect([e2.code, e2.field]).toEqual(['INVALID_MODEL', 'model.state']);
    const e3 = catchError(() => decodeF32(encodeF32(new Float32Array([1, NaN])), 2, 'model.params'));
    expect([e3.code, e3.field]).toEqual(['INVALID_MODEL', 'model.params[1]']);
    const e4 = catchError(() => decodeF32(encodeF32(new Float32Array([Infinity])), 1, 'model.params'));
    expect(e4.field).toBe('model.params[0]');
  });
});
