/** TypeScript twin of assembly/backward.ts: the gate and the desired activations (eqs. 5–7). */
import { xorPopcount } from "./xnor.js";
import { signs, packTest } from "./forward.js";

/** Gate (spec §2.3): G bit = 1 iff |z| ≤ threshold, threshold = ⌊ν·K⌋ with K the fan-in of z. */
export function gate(Z: Int32Array, G: Uint32Array, rows: number, n: number, threshold: number): void {
  packTest(Z, G, rows, n, threshold, true);
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
