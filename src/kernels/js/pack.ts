/** TypeScript twin of assembly/pack.ts: bit packing of ±1 and real vectors, transposition. */
import { rowWords } from "../layout.js";

/** Packs `rows` × `k` ±1 values into bits: v ≥ 0 → 1 (sign(0) = +1). */
export function packSigns(src: Int8Array, dst: Uint32Array, rows: number, k: number): void {
  const words = rowWords(k);
  for (let r = 0; r < rows; r++) {
    for (let w = 0; w < words; w++) {
      let word = 0;
      const base = w << 5;
      const n = Math.min(32, k - base);
      for (let b = 0; b < n; b++) word |= (src[r * k + base + b] >= 0 ? 1 : 0) << b;
      dst[r * words + w] = word;
    }
  }
}

/** Unpacks `rows` packed rows of `k` bits into ±1 values. */
export function unpackSigns(src: Uint32Array, dst: Int8Array, rows: number, k: number): void {
  const words = rowWords(k);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < k; i++) dst[r * k + i] = ((src[r * words + (i >>> 5)] >>> (i & 31)) & 1) * 2 - 1;
  }
}

/** Binarises `rows` × `k` reals by per-feature thresholds: x > t → 1, else 0 (NaN → 0). */
export function packThresholds(
  src: Float32Array, thresholds: Float32Array, dst: Uint32Array, rows: number, k: number,
): void {
  const words = rowWords(k);
  for (let r = 0; r < rows; r++) {
    for (let w = 0; w < words; w++) {
      let word = 0;
      const base = w << 5;
      const n = Math.min(32, k - base);
      for (let b = 0; b < n; b++) word |= (src[r * k + base + b] > thresholds[base + b] ? 1 : 0) << b;
      dst[r * words + w] = word;
    }
  }
}

/** Transposes a packed `rows` × `cols` bit matrix into a packed `cols` × `rows` one. */
export function transpose(src: Uint32Array, dst: Uint32Array, rows: number, cols: number): void {
  const srcWords = rowWords(cols);
  const dstWords = rowWords(rows);
  dst.fill(0, 0, cols * dstWords);
  for (let r = 0; r < rows; r++) {
    const bit = 1 << (r & 31);
    const off = r >>> 5;
    for (let w = 0; w < srcWords; w++) {
      let word = src[r * srcWords + w];
      while (word !== 0) {
        const c = (w << 5) + (31 - Math.clz32(word & -word));
        word &= word - 1;
        dst[c * dstWords + off] |= bit;
      }
    }
  }
}
