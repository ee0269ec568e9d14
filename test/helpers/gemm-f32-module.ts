// The standalone f32 GEMM module (build/gemm-f32.wasm, build/gemm-f32.fma.wasm; assembly/gemm-f32-entry.ts)
// with a bump allocator, for test/gemm.test.ts and bench/matmul.ts until the f32 build of the whole
// library has its backend. Offsets are f32 element indices.
import { readFileSync } from 'node:fs';

type Gemm = (m: number, n: number, k: number, a: number, b: number, c: number, acc: number) => void;

export interface GemmF32Module {
  gemmABt: Gemm;
  gemmAtB: Gemm;
  gemmAB: Gemm;
  /** n f32 elements, 16-byte aligned; memory grows as needed (refresh heap() after). */
  alloc(n: number): number;
  /** Frees everything alloc handed out. */
  reset(): void;
  heap(): Float32Array;
  /** The module's heapStart(): the first element above its static scratch. */
  heapStartForTest: number;
}

/** build: the default or fma module from build/, or the bytes of another build of assembly/gemm-f32-entry.ts. */
export async function gemmF32Module(build: 'default' | 'fma' | Uint8Array<ArrayBuffer> = 'default'): Promise<GemmF32Module> {
  const file = build === 'fma' ? 'gemm-f32.fma.wasm' : 'gemm-f32.wasm';
  const bytes = typeof build === 'string' ? new Uint8Array(readFileSync(new URL(`../../build/${file}`, import.meta.url))) : build;
  const abort = () => {
    throw new Error('gemm-f32: abort');
  };
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(bytes), { env: { abort } });
  const x = instance.exports as unknown as Record<'gemmABt' | 'gemmAtB' | 'gemmAB', Gemm> & {
    heapStart(): number;
    memory: WebAssembly.Memory;
  };
  const start = x.heapStart();
  let top = start;
  return {
    gemmABt: x.gemmABt,
    gemmAtB: x.gemmAtB,
    gemmAB: x.gemmAB,
    alloc(n) {
      const at = top;
      top = (top + Math.max(n, 1) + 3) & ~3;
      const need = top * 4 - x.memory.buffer.byteLength;
      if (need > 0) x.memory.grow(Math.ceil(need / 65536));
      return at;
    },
    reset() {
      top = start;
    },
    heap: () => new Float32Array(x.memory.buffer),
    heapStartForTest: start,
  };
}
