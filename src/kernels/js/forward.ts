/** TypeScript twin of assembly/forward.ts: forward pre-activations and activations. */
import { rowWords } from "../layout.js";
import { xorPopcount } from "./xnor.js";

/** z = W a for a batch (spec §1): Z[b·n + o] = k − 2·popcount(A_b XOR W_o). */
export function forward(A: Uint32Array, W: Uint32Array, Z: Int32Array, batch: number, k: number, n: number): void {
  xorPopcount(A, W, null, Z, batch, k, n);
}

/** `forward` fused with the activation: S = sign(Z) packed (sign(0) = +1). */
export function forwardSign(
  A: Uint32Array, W: Uint32Array, Z: Int32Array, S: Uint32Array, batch: number, k: number, n: number,
): void {
  xorPopcount(A, W, null, Z, batch, k, n);
  signs(Z, S, batch, n);
}

/** Packs sign(z) of an i32 `rows` × `n` matrix into packed rows: z ≥ 0 → 1. */
export function signs(Z: Int32Array, S: Uint32Array, rows: number, n: number): void {
  packTest(Z, S, rows, n, 0, false);
}

/** Packs a per-element test of an i32 `rows` × `n` matrix: bit = z ≥ 0, or with `absolute`, |z| ≤ threshold. */
export function packTest(Z: Int32Array, S: Uint32Array, rows: number, n: number, threshold: number, absolute: boolean): void {
  const words = rowWords(n);
  for (let r = 0; r < rows; r++) {
    for (let w = 0; w < words; w++) {
      let word = 0;
      const base = w << 5;
      const m = Math.min(32, n - base);
      for (let j = 0; j < m; j++) {
        const v = Z[r * n + base + j];
        if (absolute ? Math.abs(v) <= threshold : v >= 0) word |= 1 << j;
      }
      S[r * words + w] = word;
    }
  }
}
