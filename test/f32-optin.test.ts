// f32 is opt-in (the entry 'backprop-wasm/f32', which carries the f32 Wasm build and the f32
// twins), as the threads and fma builds are: an f32 network before enableF32() is refused naming
// the fix, on every backend; after it the same spec runs on wasm, and on the twins with backend 'js'.
import { describe, it, expect } from 'vitest';
import { Network } from '../src/index.js';
import { enableF32 } from '../src/f32.js';

describe("precision 'f32' and the opt-in f32 module", () => {
  it('before enableF32: refused with the import to add; after: wasm, and the twins with backend js', async () => {
    const spec = { inputs: 2, precision: 'f32' as const, layers: [{ units: 3, activation: 'tanh' as const }, { units: 1 }] };
    for (const backend of ['wasm', 'auto', 'js'] as const) {
      const e = await Network.create({ ...spec, backend }).catch((err) => err);
      expect([e.code, e.field]).toEqual(['BACKEND_UNAVAILABLE', 'precision']);
      expect(e.message).toMatch(/import \{ enableF32 \} from 'backprop-wasm\/f32'/);
    }
    enableF32();
    const js = await Network.create({ ...spec, backend: 'js' });
    expect(js.backend).toBe('js');
    const wasm = await Network.create(spec);
    expect(wasm.backend).toBe('wasm');
    expect(wasm.predict([0.5, -0.25])).toEqual(js.predict([0.5, -0.25])); // the same seed, the same f32 bits
  });
});
