import { next32 } from "./prng";

/**
 * Reinforcement (CP+R, spec §2.6): each of the `count` i16 hidden weights at H is chosen with
 * probability p, and a chosen h ≠ 0 moves away from zero, h ← clamp(h + 2·sign(h), lo, hi), so
 * no sign ever changes. Chosen weights are found by geometric skip-sampling driven by an
 * integer table (see src/kernels/geometric.ts): TABLE[m−1] ≈ 2³²·(1−p)^m for m = 1..len, so
 * the skip before the next chosen weight is the number of entries above a uniform u32 draw.
 * Returns the number of weights chosen. The generator state at STATE advances.
 */
export function reinforce(H: usize, count: i32, TABLE: usize, len: i32, STATE: usize, lo: i32, hi: i32): i32 {
  indexBuckets(TABLE, len);
  let chosen = 0;
  let i: i64 = skip(TABLE, len, STATE);
  while (i < <i64>count) {
    // h + 2·sign(h), clamped; branch-free because the sign of a chosen weight is a coin toss.
    const p = H + (<usize>i << 1);
    const h: i32 = <i32>load<i16>(p);
    store<i16>(p, <i16>min(hi, max(lo, h + (<i32>(h > 0) - <i32>(h < 0)) * 2)));
    chosen++;
    i += 1 + skip(TABLE, len, STATE);
  }
  return chosen;
}

/** One geometric draw: the number of failures before the next success. */
// @ts-ignore: decorator
@inline
function skip(TABLE: usize, len: i32, STATE: usize): i64 {
  let total: i64 = 0;
  const tail = load<u32>(TABLE + (<usize>(len - 1) << 2));
  for (;;) {
    const u = next32(STATE);
    if (u < tail) {
      total += len;
      continue;
    }
    // First index whose entry is ≤ u (entries decrease; TABLE[len − 1] = tail ≤ u ends the scan):
    // start at the smallest answer of u's bucket, then step past the few entries still above u.
    let at = load<i32>(BUCKETS + (<usize>(u >>> 24) << 2));
    while (load<u32>(TABLE + (<usize>at << 2)) > u) at++;
    return total + at;
  }
}

/** For each value of a u32's top byte b, the number of TABLE entries ≥ (b + 1)·2²⁴ (256 i32). */
const BUCKETS: usize = memory.data(256 << 2, 16);

/**
 * Fills BUCKETS for a decreasing TABLE: the smallest skip a draw u with top byte b can give, so a
 * draw needs a short scan instead of a binary search over the table (same result).
 */
function indexBuckets(TABLE: usize, len: i32): void {
  let at = 0;
  for (let b = 255; b >= 0; b--) {
    const bound: u64 = <u64>(b + 1) << 24;
    while (at < len && <u64>load<u32>(TABLE + (<usize>at << 2)) >= bound) at++;
    store<i32>(BUCKETS + (<usize>b << 2), at);
  }
}
