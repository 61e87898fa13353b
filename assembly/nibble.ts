import { rowBytes } from "./layout";

/**
 * Nibble tables for the forward product of the SIMD build (the "method of four Russians"):
 *
 *   z[b, o] = k − 2·Σ_c T_c[a_bc][o],   T_c[v][o] = popcount(v XOR w_oc),
 *
 * where a_bc and w_oc are nibble c (bits 4c..4c+3) of input row b and weight row o. For each
 * block of 64 output neurons the 16 possible values of every nibble are tabled once (T_c is
 * 16 × 64 byte counts, 1 KiB); then each input row costs one table row per 4 input bits — four
 * v128 adds that serve 64 neurons — instead of an XOR and a popcount per neuron. Counts are ≤ 4
 * per nibble, so they add up in u8 lanes over 32 nibbles (≤ 128) and then in u16 lanes
 * (k ≤ TABLE_MAX_K). Same result as xorPopcount, bit for bit.
 */

/** Output neurons per table block: the 64 u8 lanes of four v128. */
const BLOCK = 64;
/** Smallest batch for which building the tables pays off (measured on an Intel Xeon, Node 20: both 100 G/s at 32 rows for K = 784, N = 525). */
const TABLE_MIN_BATCH = 32;
/** Fewest output neurons worth a table block (a block always costs 64 lanes). */
const TABLE_MIN_N = 64;
/** Largest fan-in served by tables: the u16 sums must not overflow, and the tables (2 KiB per input byte) should stay in cache. */
const TABLE_MAX_K = 8192;

/** Scratch bytes `nibbleProduct` needs for this shape, or 0 where the forward pass uses xorPopcount instead. */
export function tableScratchBytes(batch: i32, k: i32, n: i32): usize {
  if (!ASC_FEATURE_SIMD || batch < TABLE_MIN_BATCH || n < TABLE_MIN_N || k > TABLE_MAX_K) return 0;
  const rb = rowBytes(k);
  // Tables (2 nibbles × 1 KiB per input byte, aligned to a cache line), 64 staged weight rows, 64 staged outputs.
  return 64 + (rb << 11) + rb * BLOCK + BLOCK * 4;
}

/**
 * Z[b·n + o] = k − 2·popcount(A_b XOR W_o) for `batch` packed rows A_b and `n` packed rows W_o
 * of `k` bits, through nibble tables in `scratch` (tableScratchBytes(batch, k, n) bytes, > 0).
 */
export function nibbleProduct(A: usize, W: usize, Z: usize, batch: i32, k: i32, n: i32, scratch: usize): void {
  const rb = rowBytes(k);
  const T = (scratch + 63) & ~(<usize>63);
  const staged = T + (rb << 11);
  const zrow = staged + rb * BLOCK;
  const low = i8x16.splat(15);
  const kk = i32x4.splat(k);
  for (let ob = 0; ob < n; ob += BLOCK) {
    const nb = min(BLOCK, n - ob);
    let rows = W + <usize>ob * rb;
    if (nb < BLOCK) {
      // The last, partial block reads its rows from a copy padded with zero rows.
      memory.copy(staged, rows, <usize>nb * rb);
      memory.fill(staged + <usize>nb * rb, 0, <usize>(BLOCK - nb) * rb);
      rows = staged;
    }
    for (let j: usize = 0; j < rb; j++) {
      const g0 = gather16(rows + j, rb), g1 = gather16(rows + 16 * rb + j, rb);
      const g2 = gather16(rows + 32 * rb + j, rb), g3 = gather16(rows + 48 * rb + j, rb);
      const t = T + (j << 11);
      tabulate(t, v128.and(g0, low), v128.and(g1, low), v128.and(g2, low), v128.and(g3, low));
      tabulate(t + 1024, high(g0, low), high(g1, low), high(g2, low), high(g3, low));
    }
    for (let b = 0; b < batch; b++) {
      const a = A + <usize>b * rb;
      let s0 = i16x8.splat(0), s1 = i16x8.splat(0), s2 = i16x8.splat(0), s3 = i16x8.splat(0);
      let s4 = i16x8.splat(0), s5 = i16x8.splat(0), s6 = i16x8.splat(0), s7 = i16x8.splat(0);
      for (let j: usize = 0; j < rb; j += 16) {
        // 32 nibbles (16 input bytes) into u8 lanes, two nibbles (one byte) per step. The two u64
        // halves are written out: under V8 a loop over them ran at 194 instead of 210 G/s, and one
        // loop that reloads x halfway, or loads one byte per step, 2–4% slower (B=256, K=N=1024).
        let p0 = i8x16.splat(0), p1 = i8x16.splat(0), p2 = i8x16.splat(0), p3 = i8x16.splat(0);
        let x = load<u64>(a + j);
        for (let t = T + (j << 11), end = t + (16 << 10); t < end; t += 2048) {
          let p = t + ((<usize>x & 15) << 6);
          p0 = i8x16.add(p0, v128.load(p)); p1 = i8x16.add(p1, v128.load(p, 16));
          p2 = i8x16.add(p2, v128.load(p, 32)); p3 = i8x16.add(p3, v128.load(p, 48));
          p = t + 1024 + ((<usize>(x >> 4) & 15) << 6);
          x >>= 8;
          p0 = i8x16.add(p0, v128.load(p)); p1 = i8x16.add(p1, v128.load(p, 16));
          p2 = i8x16.add(p2, v128.load(p, 32)); p3 = i8x16.add(p3, v128.load(p, 48));
        }
        x = load<u64>(a + j, 8);
        for (let t = T + ((j + 8) << 11), end = t + (16 << 10); t < end; t += 2048) {
          let p = t + ((<usize>x & 15) << 6);
          p0 = i8x16.add(p0, v128.load(p)); p1 = i8x16.add(p1, v128.load(p, 16));
          p2 = i8x16.add(p2, v128.load(p, 32)); p3 = i8x16.add(p3, v128.load(p, 48));
          p = t + 1024 + ((<usize>(x >> 4) & 15) << 6);
          x >>= 8;
          p0 = i8x16.add(p0, v128.load(p)); p1 = i8x16.add(p1, v128.load(p, 16));
          p2 = i8x16.add(p2, v128.load(p, 32)); p3 = i8x16.add(p3, v128.load(p, 48));
        }
        s0 = i16x8.add(s0, i16x8.extend_low_i8x16_u(p0)); s1 = i16x8.add(s1, i16x8.extend_high_i8x16_u(p0));
        s2 = i16x8.add(s2, i16x8.extend_low_i8x16_u(p1)); s3 = i16x8.add(s3, i16x8.extend_high_i8x16_u(p1));
        s4 = i16x8.add(s4, i16x8.extend_low_i8x16_u(p2)); s5 = i16x8.add(s5, i16x8.extend_high_i8x16_u(p2));
        s6 = i16x8.add(s6, i16x8.extend_low_i8x16_u(p3)); s7 = i16x8.add(s7, i16x8.extend_high_i8x16_u(p3));
      }
      const zb = Z + ((<usize>b * n + ob) << 2);
      const z = nb == BLOCK ? zb : zrow;
      storeZ(z, s0, kk, 0); storeZ(z, s1, kk, 32); storeZ(z, s2, kk, 64); storeZ(z, s3, kk, 96);
      storeZ(z, s4, kk, 128); storeZ(z, s5, kk, 160); storeZ(z, s6, kk, 192); storeZ(z, s7, kk, 224);
      if (nb < BLOCK) memory.copy(zb, zrow, <usize>nb << 2);
    }
  }
}

/** Byte j of 16 rows `stride` bytes apart, starting at `p`, as one v128 (lane t = row t). */
// @ts-ignore: decorator
@inline
function gather16(p: usize, stride: usize): v128 {
  let g = i8x16.splat(0);
  g = v128.load8_lane(p, g, 0); g = v128.load8_lane(p + stride, g, 1);
  g = v128.load8_lane(p + 2 * stride, g, 2); g = v128.load8_lane(p + 3 * stride, g, 3);
  g = v128.load8_lane(p + 4 * stride, g, 4); g = v128.load8_lane(p + 5 * stride, g, 5);
  g = v128.load8_lane(p + 6 * stride, g, 6); g = v128.load8_lane(p + 7 * stride, g, 7);
  g = v128.load8_lane(p + 8 * stride, g, 8); g = v128.load8_lane(p + 9 * stride, g, 9);
  g = v128.load8_lane(p + 10 * stride, g, 10); g = v128.load8_lane(p + 11 * stride, g, 11);
  g = v128.load8_lane(p + 12 * stride, g, 12); g = v128.load8_lane(p + 13 * stride, g, 13);
  g = v128.load8_lane(p + 14 * stride, g, 14); g = v128.load8_lane(p + 15 * stride, g, 15);
  return g;
}

/** The high nibble of every byte of `g` (`low` = splat(15)). */
// @ts-ignore: decorator
@inline
function high(g: v128, low: v128): v128 {
  return v128.and(i16x8.shr_u(g, 4), low);
}

/** Table T_c at `t`: row v (64 bytes at t + 64·v) = popcount(v XOR w) for the 64 nibbles w in x0..x3. */
// @ts-ignore: decorator
@inline
function tabulate(t: usize, x0: v128, x1: v128, x2: v128, x3: v128): void {
  const pop = v128(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4); // popcount(0..15)
  for (let v = 0; v < 16; v++) {
    const s = i8x16.splat(<i8>v);
    const p = t + (<usize>v << 6);
    v128.store(p, i8x16.swizzle(pop, v128.xor(x0, s)));
    v128.store(p, i8x16.swizzle(pop, v128.xor(x1, s)), 16);
    v128.store(p, i8x16.swizzle(pop, v128.xor(x2, s)), 32);
    v128.store(p, i8x16.swizzle(pop, v128.xor(x3, s)), 48);
  }
}

/** Stores k − 2·s for the 8 u16 counts of `s` as i32 at z + off. */
// @ts-ignore: decorator
@inline
function storeZ(z: usize, s: v128, kk: v128, off: usize): void {
  v128.store(z + off, i32x4.sub(kk, i32x4.shl(i32x4.extend_low_i16x8_u(s), 1)));
  v128.store(z + off + 16, i32x4.sub(kk, i32x4.shl(i32x4.extend_high_i16x8_u(s), 1)));
}
