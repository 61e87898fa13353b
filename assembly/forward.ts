import { rowBytes, rowWords } from "./layout";
import { nibbleProduct, tableScratchBytes } from "./nibble";
import { xorPopcount } from "./xnor";

/**
 * Forward pre-activations z = W a (spec §1) for a batch: Z[b·n + o] = k − 2·popcount(A_b XOR W_o),
 * with A packed `batch` × `k`, W packed `n` × `k` and Z i32 `batch` × `n`. With `scratch` of
 * tableScratchBytes(batch, k, n) > 0 bytes it runs on nibble tables, else on xorPopcount.
 */
export function forward(A: usize, W: usize, Z: usize, batch: i32, k: i32, n: i32, scratch: usize): void {
  if (ASC_FEATURE_SIMD && scratch != 0 && tableScratchBytes(batch, k, n) != 0) nibbleProduct(A, W, Z, batch, k, n, scratch);
  else xorPopcount(A, W, 0, Z, batch, k, n, false);
}

/** Forward pass fused with the activation: Z as in `forward` and S = sign(Z) packed (sign(0) = +1). */
export function forwardSign(A: usize, W: usize, Z: usize, S: usize, batch: i32, k: i32, n: i32, scratch: usize): void {
  forward(A, W, Z, batch, k, n, scratch);
  signs(Z, S, batch, n);
}

/** Packs sign(z) of an i32 `rows` × `n` matrix into packed rows: z ≥ 0 → 1. */
export function signs(Z: usize, S: usize, rows: i32, n: i32): void {
  packTest(Z, S, rows, n, 0, false);
}

/**
 * Packs a per-element test of an i32 `rows` × `n` matrix into packed rows: bit = z ≥ 0, or with
 * `absolute`, bit = |z| ≤ threshold. Inlined with a constant `absolute`, so each caller gets
 * its own branch-free loop.
 */
// @ts-ignore: decorator
@inline
export function packTest(Z: usize, S: usize, rows: i32, n: i32, threshold: i32, absolute: bool): void {
  const words = rowWords(n);
  const t = <u32>threshold;
  for (let r = 0; r < rows; r++) {
    const z = Z + ((<usize>r * n) << 2);
    const s = S + <usize>r * rowBytes(n);
    for (let w = 0; w < words; w++) {
      let word: u32 = 0;
      const base = w << 5;
      const m = min(32, n - base);
      if (ASC_FEATURE_SIMD && m == 32) {
        // 4 tests per i32x4 compare, gathered by bitmask.
        const tv = i32x4.splat(threshold);
        for (let q = 0; q < 8; q++) {
          const v = v128.load(z + (<usize>(base + (q << 2)) << 2));
          const bits: u32 = absolute ? i32x4.bitmask(i32x4.le_u(i32x4.abs(v), tv)) : ~i32x4.bitmask(v) & 0xf;
          word |= bits << (q << 2);
        }
        store<u32>(s + (<usize>w << 2), word);
        continue;
      }
      for (let j = 0; j < m; j++) {
        const v: i32 = load<i32>(z + (<usize>(base + j) << 2));
        const a: u32 = <u32>abs(v);
        if (absolute ? a <= t : v >= 0) word |= <u32>1 << j;
      }
      store<u32>(s + (<usize>w << 2), word);
    }
  }
}
