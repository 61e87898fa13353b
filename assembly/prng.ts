/**
 * The project's one PRNG family: xoshiro128** (Blackman & Vigna, 2018), 32-bit words only,
 * so the TypeScript twin (src/kernels/js/prng.ts) produces the same stream without BigInt.
 * A generator's state is four u32 words in linear memory; seeding happens in TypeScript.
 */

/** Advances the xoshiro128** state at `state` (4 × u32) and returns the next u32. */
// @ts-ignore: decorator
@inline
export function next32(state: usize): u32 {
  const s0 = load<u32>(state, 0);
  const s1 = load<u32>(state, 4);
  const s2 = load<u32>(state, 8);
  const s3 = load<u32>(state, 12);
  const result = rotl<u32>(s1 * 5, 7) * 9;
  const t = s1 << 9;
  const n2 = s2 ^ s0;
  const n3 = s3 ^ s1;
  const n1 = s1 ^ n2;
  const n0 = s0 ^ n3;
  store<u32>(state, n0, 0);
  store<u32>(state, n1, 4);
  store<u32>(state, n2 ^ t, 8);
  store<u32>(state, rotl<u32>(n3, 11), 12);
  return result;
}

/** Uniform integer in [0, n) by rejection of the biased low range (n ≥ 1). */
export function prngBelow(state: usize, n: u32): u32 {
  const threshold: u32 = (<u32>0 - n) % n;
  let r = next32(state);
  while (r < threshold) r = next32(state);
  return r % n;
}

/** Fills `count` u32 words at `out` with the next outputs of the generator at `state`. */
export function prngFill(state: usize, out: usize, count: i32): void {
  for (let i = 0; i < count; i++) store<u32>(out + (<usize>i << 2), next32(state));
}
