/**
 * Memory layouts shared by every backend (see docs/architecture.md).
 *
 * Packed ±1 rows: bit i of a row is bit (i & 31) of u32 word (i >> 5); 1 = +1, 0 = −1. Each
 * row is padded with zero bits to a multiple of 128 bits so WASM can read it as u64 or v128.
 * Hidden weights H are i16, row-major with row stride K (no padding). Pre-activations are i32.
 */

/** u32 words in one packed row of `k` bits (a multiple of 4: rows are 128-bit aligned). */
export function rowWords(k: number): number {
  return ((k + 127) >>> 7) << 2;
}

/** Number of winner groups of size `gamma` over `n` neurons (the last group may be shorter). */
export function groupCount(n: number, gamma: number): number {
  return Math.ceil(n / gamma);
}

/** i32 words of scratch that `updateRows` needs for a batch. */
export function updateScratchWords(batch: number, groups: number, n: number, k: number): number {
  return n + 1 + batch * groups + Math.max(n, k);
}

/** Most negative value an i16 hidden weight can take. */
export const H_MIN = -32768;
/** Most positive value an i16 hidden weight can take. */
export const H_MAX = 32767;

/** Bounds [lo, hi] of the hidden weights under the optional clip ±c of spec §2.5 (eq. 9); the int16 range without one. */
export function clipBounds(clip?: number): [lo: number, hi: number] {
  return clip === undefined ? [H_MIN, H_MAX] : [-clip, clip];
}
