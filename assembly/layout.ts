/**
 * Packed ±1 rows: bit i of a row is bit (i & 31) of u32 word (i >> 5), 1 = +1, 0 = −1.
 * Every row is padded to a multiple of 128 bits with zero bits, so rows can be read as u32,
 * u64 or v128 words and padding never contributes to XOR-popcount (both sides are zero).
 */

/** Number of u32 words in one packed row of `k` bits (a multiple of 4). */
// @ts-ignore: decorator
@inline
export function rowWords(k: i32): i32 {
  return ((k + 127) >> 7) << 2;
}

/** Byte length of one packed row of `k` bits. */
// @ts-ignore: decorator
@inline
export function rowBytes(k: i32): usize {
  return <usize>rowWords(k) << 2;
}

/** Reads bit `i` of the packed row starting at `row`. */
// @ts-ignore: decorator
@inline
export function getBit(row: usize, i: i32): u32 {
  return (load<u32>(row + (<usize>(i >> 5) << 2)) >>> (i & 31)) & 1;
}
