// The saved-model codec (src/base64.ts) against Node's own base64 (an independent implementation).
import { describe, it, expect } from 'vitest';
import { base64ToBytes, bytesToBase64 } from '../src/base64.js';
import { Rng } from '../src/rng.js';

describe('base64', () => {
  it('encodes and decodes every length 0…200 as Node does (random bytes, then all 256 byte values)', () => {
    const rng = new Rng(3);
    for (let n = 0; n <= 200; n++) {
      const bytes = Uint8Array.from({ length: n }, () => Math.floor(rng.next() * 256));
      const text = bytesToBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(Buffer.from(base64ToBytes(text)!).equals(Buffer.from(bytes))).toBe(true);
    }
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(bytesToBase64(all)).toBe(Buffer.from(all).toString('base64'));
  });

  it('refuses what is not padded base64: whitespace, other characters, misplaced padding, lengths not a multiple of 4', () => {
    for (const bad of ['AAAA AAA', 'AAA', 'AA=A', '=AAA', 'A===', 'AAAA====', 'AAA\n', 'AAé=', 'AA-_', 'AAA\u0141']) {
      expect(base64ToBytes(bad), JSON.stringify(bad)).toBeNull();
    }
    expect(Array.from(base64ToBytes('AQ==')!)).toEqual([1]);
    expect(Array.from(base64ToBytes('AQI=')!)).toEqual([1, 2]);
    expect(base64ToBytes('')!.length).toBe(0);
  });
});
