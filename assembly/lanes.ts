// Lane operations over v128 holding LANES values of `real` (f64x2 in the f64 builds, f32x4 in the
// f32 build). sizeof<real>() is a compile-time constant: each build keeps one branch.

@inline export function vsplat(x: real): v128 {
  if (sizeof<real>() == 4) return f32x4.splat(<f32>x);
  else return f64x2.splat(<f64>x);
}
@inline export function vadd(a: v128, b: v128): v128 {
  if (sizeof<real>() == 4) return f32x4.add(a, b);
  else return f64x2.add(a, b);
}
@inline export function vsub(a: v128, b: v128): v128 {
  if (sizeof<real>() == 4) return f32x4.sub(a, b);
  else return f64x2.sub(a, b);
}
@inline export function vmul(a: v128, b: v128): v128 {
  if (sizeof<real>() == 4) return f32x4.mul(a, b);
  else return f64x2.mul(a, b);
}
@inline export function vdiv(a: v128, b: v128): v128 {
  if (sizeof<real>() == 4) return f32x4.div(a, b);
  else return f64x2.div(a, b);
}
@inline export function vsqrt(a: v128): v128 {
  if (sizeof<real>() == 4) return f32x4.sqrt(a);
  else return f64x2.sqrt(a);
}
@inline export function vabs(a: v128): v128 {
  if (sizeof<real>() == 4) return f32x4.abs(a);
  else return f64x2.abs(a);
}
/** All-ones lanes where a < b. */
@inline export function vlt(a: v128, b: v128): v128 {
  if (sizeof<real>() == 4) return f32x4.lt(a, b);
  else return f64x2.lt(a, b);
}
/** All-ones lanes where a > b. */
@inline export function vgt(a: v128, b: v128): v128 {
  if (sizeof<real>() == 4) return f32x4.gt(a, b);
  else return f64x2.gt(a, b);
}
/**
 * The f32x4 v's lanes 2·half and 2·half + 1 as f64x2 (exact). half is a constant: wasm has only
 * promote_low, so the upper pair is first shuffled down. (f32 build only.)
 */
@inline export function promoteHalf(v: v128, half: i32): v128 {
  if (half == 0) return f64x2.promote_low_f32x4(v);
  return f64x2.promote_low_f32x4(i8x16.shuffle(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15));
}
/** Two f64x2 as one f32x4 (a's lanes, then b's), each value rounded to f32 as <f32> does. (f32 build only.) */
@inline export function demotePair(a: v128, b: v128): v128 {
  return i8x16.shuffle(f32x4.demote_f64x2_zero(a), f32x4.demote_f64x2_zero(b), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
}
/** The sum of the lanes, in f64 (lane 0 first, each added in f64). */
@inline export function vsum(a: v128): f64 {
  if (sizeof<real>() == 4) {
    return <f64>f32x4.extract_lane(a, 0) + <f64>f32x4.extract_lane(a, 1) + <f64>f32x4.extract_lane(a, 2) + <f64>f32x4.extract_lane(a, 3);
  } else return f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
}
