import { rowBytes, rowWords, getBit } from "./layout";

/** Packs `rows` × `k` ±1 values (i8, row-major) into bits: v ≥ 0 → 1 (sign(0) = +1). */
export function packSigns(src: usize, dst: usize, rows: i32, k: i32): void {
  const words = rowWords(k);
  for (let r = 0; r < rows; r++) {
    const s = src + <usize>r * k;
    const d = dst + <usize>r * rowBytes(k);
    for (let w = 0; w < words; w++) {
      let word: u32 = 0;
      const base = w << 5;
      const n = min(32, k - base);
      for (let b = 0; b < n; b++) {
        const v: i32 = <i32>load<i8>(s + base + b);
        if (v >= 0) word |= <u32>1 << b;
      }
      store<u32>(d + (<usize>w << 2), word);
    }
  }
}

/** Unpacks `rows` packed rows of `k` bits into ±1 values (i8, row-major). */
export function unpackSigns(src: usize, dst: usize, rows: i32, k: i32): void {
  for (let r = 0; r < rows; r++) {
    const s = src + <usize>r * rowBytes(k);
    const d = dst + <usize>r * k;
    for (let i = 0; i < k; i++) store<i8>(d + i, <i8>(getBit(s, i) * 2) - 1);
  }
}

/**
 * Binarises `rows` × `k` reals (f32) by per-feature thresholds (f32 × k): x > t → 1, else 0
 * (so NaN → −1). This is the median/thermometer encoders' packing step (spec §1).
 */
export function packThresholds(src: usize, thresholds: usize, dst: usize, rows: i32, k: i32): void {
  const words = rowWords(k);
  for (let r = 0; r < rows; r++) {
    const s = src + ((<usize>r * k) << 2);
    const d = dst + <usize>r * rowBytes(k);
    for (let w = 0; w < words; w++) {
      let word: u32 = 0;
      const base = w << 5;
      const n = min(32, k - base);
      for (let b = 0; b < n; b++) {
        const i = <usize>(base + b) << 2;
        const x: f32 = load<f32>(s + i);
        const t: f32 = load<f32>(thresholds + i);
        if (x > t) word |= <u32>1 << b;
      }
      store<u32>(d + (<usize>w << 2), word);
    }
  }
}

/** Transposes a packed `rows` × `cols` bit matrix into a packed `cols` × `rows` one. */
export function transpose(src: usize, dst: usize, rows: i32, cols: i32): void {
  memory.fill(dst, 0, <usize>cols * rowBytes(rows));
  const dstRow = rowBytes(rows);
  for (let r = 0; r < rows; r++) {
    const s = src + <usize>r * rowBytes(cols);
    const bit: u32 = 1 << (r & 31);
    const off = <usize>(r >> 5) << 2;
    for (let w = 0, words = rowWords(cols); w < words; w++) {
      let word = load<u32>(s + (<usize>w << 2));
      while (word != 0) {
        const c = (w << 5) + <i32>ctz(word);
        word &= word - 1;
        const p = dst + <usize>c * dstRow + off;
        store<u32>(p, load<u32>(p) | bit);
      }
    }
  }
}
