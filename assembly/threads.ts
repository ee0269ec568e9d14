// The threads build's ABI: everything of index.ts, plus what threads sharing one memory need.
export * from './index';
export { setScratch } from './gemm-kernel';
export { trainShards } from './parallel';

// Each thread's host reserves 1 MiB + 128 B of GEMM scratch (src/backends/wasm/threads.ts); an fma
// threads build would need 192 B for its 6×8 f32 edge tile (gemm-kernel.ts CT): stop it here.
if (ASC_FEATURE_RELAXED_SIMD) ERROR('a threads build with relaxed SIMD needs a 192-byte CT reservation per thread');
