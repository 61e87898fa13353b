/** TypeScript twin of assembly/backward.ts: the gate and the desired activations (eqs. 5–7). */
import { rowWords } from "../layout.js";
import { xorPopcount } from "./xnor.js";
import { signs } from "./forward.js";

/** Gate (spec §2.3): G bit = 1 iff |z| ≤ threshold, threshold = ⌊ν·K⌋ with K the fan-in of z. */
export function gate(Z: Int32Array, G: Uint32Array, rows: number, n: number, threshold: number): void {
  const words = rowWords(n);
  for (let r = 0; r < rows; r++) {
    for (let w = 0; w < words; w++) {
      let word = 0;
      const base = w << 5;
      const m = Math.min(32, n - base);
      for (let j = 0; j < m; j++) word |= (Math.abs(Z[r * n + base + j]) <= threshold ? 1 : 0) << j;
      G[r * words + w] = word;
    }
  }
}

/**
 * Desired activations of the layer below: a*_b = sign(Wᵀ (g_b ⊙ d_b)), from D (packed `batch` ×
 * `n`), its gate G and WT (packed `k` × `n`); Y (i32 `batch` × `k`) gets Σ_j g_j·w_ji·d_j and
 * OUT (packed `batch` × `k`) its signs.
 */
export function desired(
  D: Uint32Array, G: Uint32Array, WT: Uint32Array, Y: Int32Array, OUT: Uint32Array, batch: number, n: number, k: number,
): void {
  xorPopcount(D, WT, G, Y, batch, n, k);
  signs(Y, OUT, batch, k);
}
