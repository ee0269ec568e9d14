// The caller chooses the backend, never a file, and create options stay out of specs: `wasm` in
// a spec is refused (it was silently ignored); `backend` in a saved model's spec or in an exported
// file's embedded spec is refused (a TF.js file's metadata used to pick the backend); unknown keys
// anywhere in a saved model are refused.
import { describe, it, expect } from 'vitest';
import { Network, BackpropError, toTFJS, fromTFJS, type NetworkSpec } from '../src/index.js';
import { embeddedBytes } from '../src/backends/wasm/loader.js';

const SPEC: NetworkSpec = {
  inputs: 2,
  layers: [
    { units: 3, activation: 'tanh' },
    { units: 1, activation: 'linear' },
  ],
  loss: 'mse',
  seed: 4,
};

async function refused(p: Promise<unknown>, code: string, field: string, expected: RegExp) {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, `${field} refused`).toBeInstanceOf(BackpropError);
  expect(e).toMatchObject({ code, field });
  expect((e as BackpropError).message).toMatch(expected);
}

describe('create options are not spec fields', () => {
  it('a wasm key in the spec is refused with INVALID_SPEC at wasm', async () => {
    await refused(
      Network.create({ ...SPEC, wasm: embeddedBytes() } as NetworkSpec),
      'INVALID_SPEC',
      'wasm',
      /^wasm: expected no wasm in the spec \(a create option: Network\.create\(spec, \{ wasm \}\)\), got a Uint8Array/,
    );
    await refused(Network.create({ ...SPEC, wasm: undefined } as NetworkSpec), 'INVALID_SPEC', 'wasm', /no wasm in the spec/);
  });

  it('backend in the spec passed to Network.create still chooses (documented there)', async () => {
    expect((await Network.create({ ...SPEC, backend: 'js' })).backend).toBe('js');
  });
});

describe('a model file does not choose the backend', () => {
  it('fromJSON refuses backend or wasm in the saved spec, and any unknown key', async () => {
    const m = (await Network.create(SPEC)).toJSON();
    await refused(
      Network.fromJSON({ ...m, spec: { ...m.spec, backend: 'js' } }),
      'INVALID_MODEL',
      'model.spec.backend',
      /no backend in a model file \(the caller chooses it/,
    );
    await refused(
      Network.fromJSON({ ...m, spec: { ...m.spec, wasm: 'x.wasm' } }),
      'INVALID_MODEL',
      'model.spec.wasm',
      /no wasm in the spec/,
    );
    await refused(Network.fromJSON({ ...m, backend: 'js' }), 'INVALID_MODEL', 'model.backend', /one of the options format, version, spec/);
    await refused(
      Network.fromJSON({ ...m, spec: { ...m.spec, layers: [{ ...m.spec.layers[0], wasm: 1 }, m.spec.layers[1]] } }),
      'INVALID_MODEL',
      'model.spec.layers[0].wasm',
      /one of the options units/,
    );
    await refused(
      Network.fromJSON({ ...m, spec: { ...m.spec, optimizer: { ...m.spec.optimizer, backend: 'js' } } }),
      'INVALID_MODEL',
      'model.spec.optimizer.backend',
      /one of the options type/,
    );
    expect((await Network.fromJSON(m, { backend: 'js' })).backend).toBe('js'); // the caller's choice
  });

  it("an exported file whose embedded spec names a backend is refused; the caller's options.backend decides", async () => {
    const net = await Network.create(SPEC, { backend: 'wasm' });
    const a = toTFJS(net);
    const meta = a.userDefinedMetadata as { backprop: { spec: Record<string, unknown> } };
    meta.backprop.spec.backend = 'js';
    await refused(fromTFJS(a), 'INVALID_MODEL', 'model.backend', /no backend in a model file \(pass options.backend to the import\)/);
    delete meta.backprop.spec.backend;
    expect((await fromTFJS(a, { backend: 'js' })).backend).toBe('js');
    expect((await fromTFJS(a, { backend: 'wasm' })).backend).toBe('wasm');
  });
});
