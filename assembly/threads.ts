// The threads build's ABI: everything of index.ts, plus what threads sharing one memory need.
export * from './index';
export { setScratch } from './gemm-kernel';
export { trainShards } from './parallel';
