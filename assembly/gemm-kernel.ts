// Packing and the 4×4 f64x2 micro-kernel behind assembly/gemm.ts. Byte addresses (usize) here.
//
// Packed panel layout (shared by A and B, MR = NR = 4): a panel of up to 4 "x" (rows of op(A)
// or columns of op(B)) over kc steps of p is stored p-major, 4 doubles per p:
//   panel[p·4 + x] = op(X)(x0 + x, p0 + p), zero-padded for x ≥ nx.
// So each kernel step reads 32 contiguous, 16-byte-aligned bytes of each panel.

export const MR: i32 = 4;
export const NR: i32 = 4;
// asconfig.json has initialMemory = 1 and static data cannot exceed it: everything static
// (≈7 KiB of math tables elsewhere + this scratch) must fit in the first 64 KiB page, with room
// left for other modules. So the scratch is 48 KiB + 128 B in all:
//   PA = MC×KC×8 = 4 KiB (one 4-row A micro-panel), PB = KC×NC×8 = 44 KiB (11 B micro-panels).
// With MC = MR, A is re-packed once per NC columns of C (cost ≈ 1/NC of the flops' time) and
// each B micro-panel is re-read from L1/L2 per A micro-panel; the A micro-panel stays in L1.
/** Depth of a packed block (p per kernel call). */
export const KC: i32 = 128;
/** Rows of A packed at once. */
export const MC: i32 = 4;
/** Columns of B packed at once (multiple of NR). */
export const NC: i32 = 44;

/** Static packing scratch (below __heap_base, so the host allocator never hands it out). */
export const PA: usize = memory.data(MC * KC * 8, 64);
export const PB: usize = memory.data(KC * NC * 8, 64);
/** One MR×NR tile for edge tiles. */
export const CT: usize = memory.data(MR * NR * 8, 16);

/**
 * C tile (4×4 at byte address cp, row stride ldc bytes) = (beta ? C : 0) + Apanel · Bpanel.
 * Eight v128 accumulators; per p: two B loads, four A splat-loads, eight mul + eight add.
 */
export function kernel(kc: i32, pa: usize, pb: usize, cp: usize, ldc: usize, beta: i32): void {
  let c00 = f64x2.splat(0), c01 = c00, c10 = c00, c11 = c00;
  let c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  const end = pa + ((<usize>kc) << 5);
  while (pa < end) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let x = v128.load64_splat(pa);
    c00 = f64x2.add(c00, f64x2.mul(x, b0));
    c01 = f64x2.add(c01, f64x2.mul(x, b1));
    x = v128.load64_splat(pa, 8);
    c10 = f64x2.add(c10, f64x2.mul(x, b0));
    c11 = f64x2.add(c11, f64x2.mul(x, b1));
    x = v128.load64_splat(pa, 16);
    c20 = f64x2.add(c20, f64x2.mul(x, b0));
    c21 = f64x2.add(c21, f64x2.mul(x, b1));
    x = v128.load64_splat(pa, 24);
    c30 = f64x2.add(c30, f64x2.mul(x, b0));
    c31 = f64x2.add(c31, f64x2.mul(x, b1));
    pa += 32;
    pb += 32;
  }
  const r1 = cp + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
  if (beta) {
    c00 = f64x2.add(c00, v128.load(cp));
    c01 = f64x2.add(c01, v128.load(cp, 16));
    c10 = f64x2.add(c10, v128.load(r1));
    c11 = f64x2.add(c11, v128.load(r1, 16));
    c20 = f64x2.add(c20, v128.load(r2));
    c21 = f64x2.add(c21, v128.load(r2, 16));
    c30 = f64x2.add(c30, v128.load(r3));
    c31 = f64x2.add(c31, v128.load(r3, 16));
  }
  v128.store(cp, c00);
  v128.store(cp, c01, 16);
  v128.store(r1, c10);
  v128.store(r1, c11, 16);
  v128.store(r2, c20);
  v128.store(r2, c21, 16);
  v128.store(r3, c30);
  v128.store(r3, c31, 16);
}

/**
 * Packs nx ≤ 4 "x" whose elements are contiguous in p (element (x, p) at src + x·ld + p·8):
 * rows of A for ABt/AB, rows of B (= columns of Bᵀ) for ABt. Two p at a time via shuffles.
 */
export function packX(src: usize, ld: usize, nx: i32, kc: i32, dst: usize): void {
  if (nx == 4) {
    let r0 = src, r1 = src + ld, r2 = r1 + ld, r3 = r2 + ld;
    const end = dst + ((<usize>(kc & ~1)) << 5);
    while (dst < end) {
      const v0 = v128.load(r0), v1 = v128.load(r1), v2 = v128.load(r2), v3 = v128.load(r3);
      v128.store(dst, v128.shuffle<f64>(v0, v1, 0, 2));
      v128.store(dst, v128.shuffle<f64>(v2, v3, 0, 2), 16);
      v128.store(dst, v128.shuffle<f64>(v0, v1, 1, 3), 32);
      v128.store(dst, v128.shuffle<f64>(v2, v3, 1, 3), 48);
      r0 += 16;
      r1 += 16;
      r2 += 16;
      r3 += 16;
      dst += 64;
    }
    if (kc & 1) {
      store<f64>(dst, load<f64>(r0));
      store<f64>(dst, load<f64>(r1), 8);
      store<f64>(dst, load<f64>(r2), 16);
      store<f64>(dst, load<f64>(r3), 24);
    }
  } else {
    for (let p = 0; p < kc; p++) {
      const d = dst + ((<usize>p) << 5);
      const s = src + ((<usize>p) << 3);
      for (let x = 0; x < 4; x++) store<f64>(d + ((<usize>x) << 3), x < nx ? load<f64>(s + <usize>x * ld) : 0.0);
    }
  }
}

/**
 * Packs nx ≤ 4 "x" that are contiguous at each p (element (x, p) at src + p·ld + x·8):
 * columns of Aᵀ for AtB, columns of B for AtB/AB. A straight 32-byte copy per p.
 */
export function packP(src: usize, ld: usize, nx: i32, kc: i32, dst: usize): void {
  if (nx == 4) {
    const end = dst + ((<usize>kc) << 5);
    while (dst < end) {
      v128.store(dst, v128.load(src));
      v128.store(dst, v128.load(src, 16), 16);
      src += ld;
      dst += 32;
    }
  } else {
    for (let p = 0; p < kc; p++) {
      const d = dst + ((<usize>p) << 5);
      const s = src + <usize>p * ld;
      for (let x = 0; x < 4; x++) store<f64>(d + ((<usize>x) << 3), x < nx ? load<f64>(s + ((<usize>x) << 3)) : 0.0);
    }
  }
}
