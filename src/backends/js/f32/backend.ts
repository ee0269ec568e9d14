// The f32 js backend: a JsBackend over the f32 twins. A module of its own, imported when the first
// f32 network on backend 'js' is created (src/backends/select.ts), so that bundles of f64-only
// programs do not carry the f32 twins.
import { JsBackend } from '../index.js';
import { f32Primitives } from './index.js';

export const jsF32Backend = (): JsBackend => new JsBackend('f32', f32Primitives);
