// Per-shape modules for f32 networks: every case test/specialize.test.ts runs in f64 (the table in
// test/helpers/per-shape-cases.ts), on f32 networks, against the f32 build's generic one-sample path
// (fused.ts, or sample.ts + step; itself held to the f32 twins by test/f32-wasm.test.ts), bit for
// bit. Each case checks that the f32 network runs its generated module, not the generic kernels.
import { enableF32 } from '../src/f32.js';
import { perShapeCases } from './helpers/per-shape-cases.js';

enableF32();
perShapeCases('f32');
