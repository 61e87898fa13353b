import { rowBytes, rowWords } from "./layout";
import { xorPopcount } from "./xnor";
import { signs } from "./forward";

/**
 * The gate of the binary backward pass (spec §2.3): G bit = 1 iff |z| ≤ threshold, for an i32
 * `rows` × `n` matrix Z; threshold = ⌊ν·K⌋ with K the fan-in of z (so |z| ≤ ν·K exactly).
 */
export function gate(Z: usize, G: usize, rows: i32, n: i32, threshold: i32): void {
  const words = rowWords(n);
  const t = <u32>threshold;
  for (let r = 0; r < rows; r++) {
    const z = Z + ((<usize>r * n) << 2);
    const g = G + <usize>r * rowBytes(n);
    for (let w = 0; w < words; w++) {
      let word: u32 = 0;
      const base = w << 5;
      const m = min(32, n - base);
      for (let j = 0; j < m; j++) {
        const v: i32 = load<i32>(z + (<usize>(base + j) << 2));
        const a: u32 = <u32>abs(v);
        if (a <= t) word |= <u32>1 << j;
      }
      store<u32>(g + (<usize>w << 2), word);
    }
  }
}

/**
 * Desired activations of the layer below (paper eqs. 5–7): a*_b = sign(Wᵀ (g_b ⊙ d_b)) for each
 * row b, from D (desired activations of the layer above, packed `batch` × `n`), its gate G
 * (same shape) and WT, the transposed visible weights (packed `k` × `n`). Y (i32 `batch` × `k`)
 * receives the integer sums Σ_j g_j·w_ji·d_j; OUT (packed `batch` × `k`) their signs.
 */
export function desired(D: usize, G: usize, WT: usize, Y: usize, OUT: usize, batch: i32, n: i32, k: i32): void {
  xorPopcount(D, WT, G, Y, batch, n, k, true);
  signs(Y, OUT, batch, k);
}
