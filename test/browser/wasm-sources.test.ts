// The `wasm` option of Network.create in Node: a URL (string or URL), a Response or a promised
// Response, served over real HTTP. application/wasm compiles while streaming, other types from
// bytes; a URL is fetched once however many networks use it; failures follow the backend rule
// ('auto' falls back with one warning, 'wasm' throws) and malformed options always throw.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Network, BackpropError } from '../../src/index.js';
import { embeddedBytes, type WasmSource } from '../../src/backends/wasm/loader.js';
import { serve, type Served } from './serve.js';

const XOR = {
  inputs: [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ],
  targets: [[0], [1], [1], [0]],
};
const SPEC = {
  inputs: 2,
  layers: [
    { units: 4, activation: 'tanh' as const },
    { units: 1, activation: 'sigmoid' as const },
  ],
  loss: 'binaryCrossEntropy' as const,
  seed: 5,
};

async function finalLoss(options: { wasm?: WasmSource; backend?: 'wasm' | 'auto' }) {
  const net = await Network.create(SPEC, { backend: 'wasm', ...options });
  const { loss } = await net.fit(XOR, { epochs: 50, batchSize: 4 });
  return { backend: net.backend, loss: loss[loss.length - 1] };
}

let dir: string;
let server: Served;
let expected: number; // the embedded module's result: same bytes, so the same bits
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'backprop-wasm-'));
  writeFileSync(join(dir, 'backprop.wasm'), embeddedBytes());
  writeFileSync(join(dir, 'backprop.bin'), embeddedBytes());
  server = await serve(dir);
  await (await fetch(`${server.url}/warm-up`)).text(); // Node's fetch compiles its own Wasm (llhttp) on first use
  expected = (await finalLoss({})).loss;
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => void vi.restoreAllMocks());

const spyCompiles = () => ({ streaming: vi.spyOn(WebAssembly, 'compileStreaming'), bytes: vi.spyOn(WebAssembly, 'compile') });
const fetches = (path: string) => server.requests.filter((p) => p === path).length;

describe('wasm: a URL or Response', () => {
  it('application/wasm compiles streaming; two networks from one URL fetch it once', async () => {
    const spy = spyCompiles();
    const url = new URL('/backprop.wasm', server.url);
    expect(await finalLoss({ wasm: url })).toEqual({ backend: 'wasm', loss: expected });
    expect(await finalLoss({ wasm: url.href })).toEqual({ backend: 'wasm', loss: expected });
    expect(spy.streaming).toHaveBeenCalledTimes(1);
    expect(spy.bytes).not.toHaveBeenCalled();
    expect(fetches('/backprop.wasm')).toBe(1);
  });

  it('another content type compiles from the bytes', async () => {
    const spy = spyCompiles();
    expect(await finalLoss({ wasm: `${server.url}/backprop.bin` })).toEqual({ backend: 'wasm', loss: expected });
    expect(spy.streaming).not.toHaveBeenCalled();
    expect(spy.bytes).toHaveBeenCalledTimes(1);
  });

  it('a Response, a promised Response and raw bytes work too', async () => {
    const url = `${server.url}/backprop.wasm`;
    expect(await finalLoss({ wasm: await fetch(url) })).toEqual({ backend: 'wasm', loss: expected });
    expect(await finalLoss({ wasm: fetch(url) })).toEqual({ backend: 'wasm', loss: expected });
    expect(await finalLoss({ wasm: embeddedBytes() })).toEqual({ backend: 'wasm', loss: expected });
  });

  it("another fetch implementation's Response (same shape, other class) compiles from its bytes", async () => {
    const real = await fetch(`${server.url}/backprop.wasm`);
    const foreign = { ok: real.ok, status: real.status, url: real.url, headers: real.headers, arrayBuffer: () => real.arrayBuffer() };
    expect(foreign).not.toBeInstanceOf(Response);
    const spy = spyCompiles();
    expect(await finalLoss({ wasm: foreign as unknown as Response })).toEqual({ backend: 'wasm', loss: expected });
    expect(spy.streaming).not.toHaveBeenCalled();
    expect(spy.bytes).toHaveBeenCalledTimes(1);
  });

  it("an HTTP error: 'wasm' throws BACKEND_UNAVAILABLE; 'auto' falls back to js with one warning", async () => {
    const url = `${server.url}/missing.wasm`;
    await expect(finalLoss({ wasm: url })).rejects.toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
      field: 'backend',
      message: expect.stringMatching(/HTTP 404/),
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect((await finalLoss({ wasm: url, backend: 'auto' })).backend).toBe('js');
    expect((await finalLoss({ wasm: url, backend: 'auto' })).backend).toBe('js');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/HTTP 404.*backend: 'js'/);
    expect(fetches('/missing.wasm')).toBe(3); // failures are not cached
  });
});

describe('wasm: malformed options throw INVALID_OPTION, even under auto', () => {
  const cases: [string, unknown, RegExp][] = [
    ['a file: URL', pathToFileURL(join(dir ?? tmpdir(), 'backprop.wasm')), /file: URL/],
    ['a relative URL with no page to resolve it', './backprop.wasm', /absolute URL/],
    ['a number', 42, /WebAssembly\.Module, its bytes/],
    ['a plain object', { bytes: [0, 97, 115, 109] }, /WebAssembly\.Module, its bytes/],
    ['a promise of something else', Promise.resolve(new Uint8Array(8)), /promise of a fetch Response/],
  ];
  it.each(cases)('%s', async (_, wasm, expected) => {
    for (const backend of ['wasm', 'auto'] as const) {
      const err = await Network.create(SPEC, { backend, wasm: wasm as WasmSource }).catch((e) => e);
      expect(err).toBeInstanceOf(BackpropError);
      expect(err).toMatchObject({ code: 'INVALID_OPTION', field: 'wasm' });
      expect(err.message).toMatch(expected);
    }
  });
});
