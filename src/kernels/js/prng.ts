/**
 * xoshiro128** — the TypeScript twin of assembly/prng.ts. A generator's state is a Uint32Array
 * of 4 words; `seedState` (host-side only) derives it from a seed and a stream number so that
 * init, shuffling, the BEF search and reinforcement draw from independent streams (spec §5).
 */

/** Returns the next u32 of the generator and advances `s` (4 × u32). */
export function next32(s: Uint32Array): number {
  const s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
  const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
  const t = s1 << 9;
  const n2 = s2 ^ s0;
  const n3 = s3 ^ s1;
  s[0] = s0 ^ n3;
  s[1] = s1 ^ n2;
  s[2] = n2 ^ t;
  s[3] = rotl(n3, 11);
  return result;
}

/** Uniform integer in [0, n) by rejection of the biased low range (1 ≤ n ≤ 2³²). */
export function prngBelow(s: Uint32Array, n: number): number {
  const threshold = (0x100000000 - n) % n;
  let r = next32(s);
  while (r < threshold) r = next32(s);
  return r % n;
}

/** Fills `out` with the next outputs of the generator `s`. */
export function prngFill(s: Uint32Array, out: Uint32Array, count: number): void {
  for (let i = 0; i < count; i++) out[i] = next32(s);
}

/**
 * PRNG streams (spec §5): one per purpose, so that changing one never shifts another. Synthetic
 * data generators use streams ≥ 100.
 */
export const STREAM = { init: 1, bef: 2, split: 3, shuffle: 4, reinforce: 5, folds: 6, expansion: 7 } as const;

/**
 * A fresh generator state for (`seed`, `stream`), each a u32: four outputs of SplitMix32
 * started at seed ⊕ golden-ratio·(stream + 1). Never all zero.
 */
export function seedState(seed: number, stream = 0): Uint32Array {
  let x = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
  const s = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    s[i] = (z ^ (z >>> 16)) >>> 0;
  }
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  return s;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
