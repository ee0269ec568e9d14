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
/** The sum of the lanes, in f64 (lane 0 first, each added in f64). */
@inline export function vsum(a: v128): f64 {
  if (sizeof<real>() == 4) {
    return <f64>f32x4.extract_lane(a, 0) + <f64>f32x4.extract_lane(a, 1) + <f64>f32x4.extract_lane(a, 2) + <f64>f32x4.extract_lane(a, 3);
  } else return f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
}
