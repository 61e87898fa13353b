import { rowBytes } from "./layout";

/**
 * The XNOR-popcount product shared by the forward and the backward pass:
 *
 *   out[b·n + o] = base_b − 2·popcount((A_b XOR W_o) AND G_b)
 *
 * for `batch` packed rows A_b and `n` packed rows W_o of `k` bits. Without a mask (G = 0) the
 * mask is all ones and base_b = k, which is z = Σ_i a_i·w_i for ±1 vectors. With a mask G_b,
 * base_b = popcount(G_b) and the result is Σ_i g_i·a_i·w_i, the gated sum of spec §2.3.
 *
 * Rows are walked in 2 × 2 tiles so every loaded word is used twice (larger tiles spill
 * registers under V8: measured slower); edge tiles repeat the last row and discard its
 * duplicates. The SIMD build counts bits in v128 lanes (i8x16.popcnt into byte accumulators,
 * widened every 31 words) for rows of ≥ 384 bits; the scalar build, and shorter rows, use i64.popcnt.
 */
// @ts-ignore: decorator
@inline
export function xorPopcount(
  A: usize, W: usize, G: usize, out: usize, batch: i32, k: i32, n: i32, masked: bool
): void {
  const rb = rowBytes(k);
  for (let b = 0; b < batch; b += 2) {
    const a0 = A + <usize>b * rb;
    const a1 = A + <usize>min(b + 1, batch - 1) * rb;
    let g0: usize = 0, g1: usize = 0;
    let base0 = k, base1 = k;
    if (masked) {
      g0 = G + <usize>b * rb;
      g1 = G + <usize>min(b + 1, batch - 1) * rb;
      base0 = rowPopcount(g0, rb);
      base1 = rowPopcount(g1, rb);
    }
    for (let o = 0; o < n; o += 2) {
      const w0 = W + <usize>o * rb;
      const w1 = W + <usize>min(o + 1, n - 1) * rb;
      let c00 = 0, c01 = 0, c10 = 0, c11 = 0;
      if (ASC_FEATURE_SIMD && rb >= SIMD_MIN_ROW_BYTES) {
        let s00 = i32x4.splat(0), s01 = i32x4.splat(0), s10 = i32x4.splat(0), s11 = i32x4.splat(0);
        for (let i: usize = 0; i < rb; ) {
          // Byte lanes gain ≤ 8 per word: widen to i32 lanes every 31 words.
          const end = min(rb, i + 31 * 16);
          let p00 = i8x16.splat(0), p01 = i8x16.splat(0), p10 = i8x16.splat(0), p11 = i8x16.splat(0);
          for (; i < end; i += 16) {
            const x0 = v128.load(w0 + i), x1 = v128.load(w1 + i);
            const y0 = v128.load(a0 + i), y1 = v128.load(a1 + i);
            let d00 = v128.xor(y0, x0), d01 = v128.xor(y0, x1);
            let d10 = v128.xor(y1, x0), d11 = v128.xor(y1, x1);
            if (masked) {
              const m0 = v128.load(g0 + i), m1 = v128.load(g1 + i);
              d00 = v128.and(d00, m0); d01 = v128.and(d01, m0);
              d10 = v128.and(d10, m1); d11 = v128.and(d11, m1);
            }
            p00 = i8x16.add(p00, i8x16.popcnt(d00)); p01 = i8x16.add(p01, i8x16.popcnt(d01));
            p10 = i8x16.add(p10, i8x16.popcnt(d10)); p11 = i8x16.add(p11, i8x16.popcnt(d11));
          }
          s00 = i32x4.add(s00, widen(p00)); s01 = i32x4.add(s01, widen(p01));
          s10 = i32x4.add(s10, widen(p10)); s11 = i32x4.add(s11, widen(p11));
        }
        c00 = lanes(s00); c01 = lanes(s01); c10 = lanes(s10); c11 = lanes(s11);
      } else {
        let q00: u64 = 0, q01: u64 = 0, q10: u64 = 0, q11: u64 = 0;
        for (let i: usize = 0; i < rb; i += 8) {
          const x0 = load<u64>(w0 + i), x1 = load<u64>(w1 + i);
          const y0 = load<u64>(a0 + i), y1 = load<u64>(a1 + i);
          let d00 = y0 ^ x0, d01 = y0 ^ x1, d10 = y1 ^ x0, d11 = y1 ^ x1;
          if (masked) {
            const m0 = load<u64>(g0 + i), m1 = load<u64>(g1 + i);
            d00 &= m0; d01 &= m0; d10 &= m1; d11 &= m1;
          }
          q00 += popcnt(d00); q01 += popcnt(d01); q10 += popcnt(d10); q11 += popcnt(d11);
        }
        c00 = <i32>q00; c01 = <i32>q01; c10 = <i32>q10; c11 = <i32>q11;
      }
      const two = o + 1 < n;
      const r0 = out + ((<usize>b * n + o) << 2);
      store<i32>(r0, base0 - 2 * c00);
      if (two) store<i32>(r0, base0 - 2 * c01, 4);
      if (b + 1 < batch) {
        const r1 = r0 + (<usize>n << 2);
        store<i32>(r1, base1 - 2 * c10);
        if (two) store<i32>(r1, base1 - 2 * c11, 4);
      }
    }
  }
}

/** Rows shorter than this many bytes use the i64 path even in the SIMD build (measured faster at K = 128). */
const SIMD_MIN_ROW_BYTES: usize = 48;

/** Number of set bits in a packed row of `bytes` bytes (a multiple of 16). */
export function rowPopcount(row: usize, bytes: usize): i32 {
  let c: u64 = 0;
  for (let i: usize = 0; i < bytes; i += 8) c += popcnt(load<u64>(row + i));
  return <i32>c;
}

/** Sums the 16 byte lanes of a popcount accumulator into 4 i32 lanes. */
// @ts-ignore: decorator
@inline
function widen(v: v128): v128 {
  return i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(v));
}

/** Horizontal sum of 4 i32 lanes. */
// @ts-ignore: decorator
@inline
function lanes(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}
