/** TypeScript twin of assembly/xnor.ts: the XNOR-popcount product of the forward and backward pass. */
import { rowWords } from "../layout.js";

/**
 * out[b·n + o] = base_b − 2·popcount((A_b XOR W_o) AND G_b) for `batch` packed rows A_b and `n`
 * packed rows W_o of `k` bits. Without a mask base_b = k (z = Σ a·w); with one,
 * base_b = popcount(G_b) (the gated sum Σ g·a·w of spec §2.3).
 *
 * Bits are counted SWAR-style: each word is reduced to four byte counts, byte counts are summed
 * over up to 31 words (≤ 248 per byte) and only then folded, in 2 × 2 tiles of rows.
 */
export function xorPopcount(
  A: Uint32Array, W: Uint32Array, G: Uint32Array | null, out: Int32Array, batch: number, k: number, n: number,
): void {
  const words = rowWords(k);
  for (let b = 0; b < batch; b += 2) {
    const a0 = b * words;
    const a1 = Math.min(b + 1, batch - 1) * words;
    const base0 = G === null ? k : rowPopcount(G, a0, words);
    const base1 = G === null ? k : rowPopcount(G, a1, words);
    for (let o = 0; o < n; o += 2) {
      const w0 = o * words;
      const w1 = Math.min(o + 1, n - 1) * words;
      let c00 = 0, c01 = 0, c10 = 0, c11 = 0;
      for (let i = 0; i < words; ) {
        const end = Math.min(words, i + 31);
        let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
        if (G === null) {
          for (; i < end; i++) {
            const x0 = W[w0 + i], x1 = W[w1 + i], y0 = A[a0 + i], y1 = A[a1 + i];
            s00 = (s00 + byteCounts(y0 ^ x0)) | 0;
            s01 = (s01 + byteCounts(y0 ^ x1)) | 0;
            s10 = (s10 + byteCounts(y1 ^ x0)) | 0;
            s11 = (s11 + byteCounts(y1 ^ x1)) | 0;
          }
        } else {
          for (; i < end; i++) {
            const x0 = W[w0 + i], x1 = W[w1 + i], y0 = A[a0 + i], y1 = A[a1 + i];
            const m0 = G[a0 + i], m1 = G[a1 + i];
            s00 = (s00 + byteCounts((y0 ^ x0) & m0)) | 0;
            s01 = (s01 + byteCounts((y0 ^ x1) & m0)) | 0;
            s10 = (s10 + byteCounts((y1 ^ x0) & m1)) | 0;
            s11 = (s11 + byteCounts((y1 ^ x1) & m1)) | 0;
          }
        }
        c00 += foldBytes(s00);
        c01 += foldBytes(s01);
        c10 += foldBytes(s10);
        c11 += foldBytes(s11);
      }
      const r0 = b * n + o;
      out[r0] = base0 - 2 * c00;
      if (o + 1 < n) out[r0 + 1] = base0 - 2 * c01;
      if (b + 1 < batch) {
        out[r0 + n] = base1 - 2 * c10;
        if (o + 1 < n) out[r0 + n + 1] = base1 - 2 * c11;
      }
    }
  }
}

/** Number of set bits in the `words` words of `row` starting at `offset`. */
export function rowPopcount(row: Uint32Array, offset: number, words: number): number {
  let c = 0;
  for (let i = 0; i < words; i++) c += foldBytes(byteCounts(row[offset + i]));
  return c;
}

/** The four byte-wise bit counts of a u32 (each 0..8), packed in one int. */
function byteCounts(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (x + (x >>> 4)) & 0x0f0f0f0f;
}

/** Sum of the four byte lanes of `s` (each lane ≤ 255). */
function foldBytes(s: number): number {
  const t = (s & 0x00ff00ff) + ((s >>> 8) & 0x00ff00ff);
  return (t & 0xffff) + (t >>> 16);
}
