import { xorPopcount } from "./xnor";
import { signs, packTest } from "./forward";

/**
 * The gate of the binary backward pass (spec §2.3): G bit = 1 iff |z| ≤ threshold, for an i32
 * `rows` × `n` matrix Z; threshold = ⌊ν·K⌋ with K the fan-in of z (so |z| ≤ ν·K exactly).
 */
export function gate(Z: usize, G: usize, rows: i32, n: i32, threshold: i32): void {
  packTest(Z, G, rows, n, threshold, true);
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
