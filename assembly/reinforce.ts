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
  let chosen = 0;
  let i: i64 = skip(TABLE, len, STATE);
  while (i < <i64>count) {
    const p = H + (<usize>i << 1);
    const h: i32 = <i32>load<i16>(p);
    if (h > 0) store<i16>(p, <i16>min(hi, h + 2));
    else if (h < 0) store<i16>(p, <i16>max(lo, h - 2));
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
    // First index whose entry is ≤ u (entries decrease).
    let lo = 0, hi = len - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (load<u32>(TABLE + (<usize>mid << 2)) > u) lo = mid + 1;
      else hi = mid;
    }
    return total + lo;
  }
}
