// The twins' answer to a kind code no table has: a throw (the Wasm kernels trap), never a default.
export function unknownKind(kind: 'loss' | 'metric' | 'optimizer', code: number): never {
  throw new Error(`backprop internal error: no ${kind} code ${code}`);
}
