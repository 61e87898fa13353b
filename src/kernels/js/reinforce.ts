/** TypeScript twin of assembly/reinforce.ts: skip-sampled reinforcement (CP+R, spec §2.6). */
import { next32 } from "./prng.js";

/**
 * Each of the first `count` hidden weights of H is chosen with probability p; a chosen h ≠ 0
 * becomes clamp(h + 2·sign(h), lo, hi). Skips between chosen weights are geometric draws from
 * TABLE (src/kernels/geometric.ts). Returns the number chosen; STATE advances.
 */
export function reinforce(
  H: Int16Array, count: number, TABLE: Uint32Array, len: number, STATE: Uint32Array, lo: number, hi: number,
): number {
  let chosen = 0;
  let i = skip(TABLE, len, STATE);
  while (i < count) {
    const h = H[i];
    if (h > 0) H[i] = Math.min(hi, h + 2);
    else if (h < 0) H[i] = Math.max(lo, h - 2);
    chosen++;
    i += 1 + skip(TABLE, len, STATE);
  }
  return chosen;
}

/** One geometric draw: the number of entries of TABLE above a uniform u32, chained past the tail. */
function skip(TABLE: Uint32Array, len: number, STATE: Uint32Array): number {
  let total = 0;
  const tail = TABLE[len - 1];
  for (;;) {
    const u = next32(STATE);
    if (u < tail) {
      total += len;
      continue;
    }
    let lo = 0, hi = len - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (TABLE[mid] > u) lo = mid + 1;
      else hi = mid;
    }
    return total + lo;
  }
}
