// Offsets everywhere are element indices of `real` into linear memory (byte address = index ×
// sizeof<real>()), so the TypeScript twins can use the same numbers on a Float64Array (f64 builds)
// or a Float32Array (f32 build). `real` is a global alias set per asc target (asconfig.json `use`):
// f64 in the release, debug, fma and threads builds, f32 in the f32 build.

/** log2 of the element size: 3 for f64, 2 for f32. */
export const SHIFT: usize = sizeof<real>() == 4 ? 2 : 3;
/** Elements per f64 cell (plan fields, counters, perm, out, lrs): 1 for f64, 2 for f32. */
export const CELL: i32 = sizeof<real>() == 4 ? 2 : 1;
/** Values per v128: 2 for f64, 4 for f32. */
export const LANES: i32 = 16 / <i32>sizeof<real>();

@inline export function ld(i: i32): real {
  return load<real>(<usize>i << SHIFT);
}

@inline export function st(i: i32, v: real): void {
  store<real>(<usize>i << SHIFT, v);
}

/** LANES values from element i (16-byte aligned where the caller's blocks are). */
@inline export function ldv(i: i32): v128 {
  return v128.load(<usize>i << SHIFT);
}

@inline export function stv(i: i32, v: v128): void {
  v128.store(<usize>i << SHIFT, v);
}

// f64-only access for the f64 GEMM driver (assembly/gemm.ts), which the f32 build never compiles.
@inline export function ld2(i: i32): v128 {
  return v128.load(<usize>i << 3);
}

@inline export function st2(i: i32, v: v128): void {
  v128.store(<usize>i << 3, v);
}

/** The f64 cell at element i (i even in the f32 build: cells are 8-byte aligned). */
@inline export function ldCell(i: i32): f64 {
  return load<f64>(<usize>i << SHIFT);
}

@inline export function stCell(i: i32, v: f64): void {
  store<f64>(<usize>i << SHIFT, v);
}

/** Element offset of cell n of a block of cells at element `at`. */
@inline export function cellAt(at: i32, n: i32): i32 {
  return at + n * CELL;
}

/**
 * An integer-valued f64 cell (|v| < 2³¹) at element i as i32, exactly: adding 2⁵² puts the integer
 * in the low bits of the mantissa (two's complement for negatives). Cheaper in V8 than
 * i32.trunc_sat_f64_s.
 */
@inline export function loadInt(i: i32): i32 {
  const v = load<f64>(<usize>i << SHIFT);
  // The debug build checks the trick's precondition (the release build compiles asserts out).
  assert(v == Math.floor(v) && Math.abs(v) < 2147483648.0, 'loadInt: not an exact i32');
  return <i32>reinterpret<i64>(v + 4503599627370496.0);
}
