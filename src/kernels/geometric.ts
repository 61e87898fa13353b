/**
 * The integer table that drives skip-sampled reinforcement on every backend (spec §2.6).
 *
 * For a selection probability p, entry m−1 is T_m ≈ 2³²·(1−p)^m, m = 1..len, computed by the
 * integer recurrence T_1 = q, T_{m+1} = ⌊T_m·q / 2³²⌋ with q = ⌊(1−p)·2³²⌋. A uniform u32 u is
 * below T_m with probability ≈ (1−p)^m = P(skip ≥ m), so the number of entries above u is a
 * geometric skip; past the last entry the draw restarts (the geometric law is memoryless).
 * Only q involves floating point, so the table, and hence training, is identical on every
 * backend and engine.
 */

/** Default table length: a u32 draw resolves skips up to 4096 weights without a restart. */
export const GEOMETRIC_TABLE_LENGTH = 4096;

/** Builds the skip table for probability `p` (0 < p ≤ 1). */
export function geometricTable(p: number, len = GEOMETRIC_TABLE_LENGTH): Uint32Array {
  if (!(p > 0 && p <= 1)) throw new RangeError(`reinforcement probability must be in (0, 1], got ${p}`);
  if (!Number.isInteger(len) || len < 1) throw new RangeError(`table length must be a positive integer, got ${len}`);
  const q = Math.min(0xffffffff, Math.floor((1 - p) * 0x100000000));
  const table = new Uint32Array(len);
  let t = q;
  for (let m = 0; m < len; m++) {
    table[m] = t;
    t = mulHigh32(t, q);
  }
  return table;
}

/** ⌊a·b / 2³²⌋ for u32 a, b, exactly (16-bit limbs keep every product below 2⁵³). */
function mulHigh32(a: number, b: number): number {
  const aHi = a >>> 16, aLo = a & 0xffff, bHi = b >>> 16, bLo = b & 0xffff;
  const mid = aHi * bLo + aLo * bHi + ((aLo * bLo) >>> 16);
  return aHi * bHi + Math.floor(mid / 0x10000);
}
