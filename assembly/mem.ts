// Offsets everywhere are f64 element indices into linear memory (byte address = index × 8),
// so the TypeScript twins can use the same numbers on a Float64Array.

@inline export function ld(i: i32): f64 {
  return load<f64>(<usize>i << 3);
}

@inline export function st(i: i32, v: f64): void {
  store<f64>(<usize>i << 3, v);
}

@inline export function ld2(i: i32): v128 {
  return v128.load(<usize>i << 3);
}

@inline export function st2(i: i32, v: v128): void {
  v128.store(<usize>i << 3, v);
}

/**
 * An integer-valued f64 (|v| < 2³¹) as i32, exactly: adding 2⁵² puts the integer in the low bits of
 * the mantissa (two's complement for negatives). Cheaper in V8 than i32.trunc_sat_f64_s.
 */
@inline export function loadInt(i: i32): i32 {
  const v = load<f64>(<usize>i << 3);
  // The debug build checks the trick's precondition (the release build compiles asserts out).
  assert(v == Math.floor(v) && Math.abs(v) < 2147483648.0, 'loadInt: not an exact i32');
  return <i32>reinterpret<i64>(v + 4503599627370496.0);
}
