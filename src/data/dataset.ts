/** The packed-bit dataset every model trains on: one packed ±1 row per sample, plus its label. */
import { rowWords } from "../kernels/layout.js";

/** `n` samples of `k` bits (packed rows of rowWords(k) u32 words) with labels in [0, classes). */
export class Dataset {
  /** u32 words per packed row. */
  readonly words: number;

  constructor(
    readonly bits: Uint32Array,
    readonly labels: Uint8Array,
    readonly k: number,
    readonly classes: number,
    readonly name = "dataset",
  ) {
    this.words = rowWords(k);
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`${name}: k must be a positive integer, got ${k}`);
    if (!Number.isInteger(classes) || classes < 2 || classes > 255) throw new RangeError(`${name}: classes must be in [2, 255], got ${classes}`);
    if (bits.length !== labels.length * this.words) {
      throw new RangeError(`${name}: ${bits.length} words of bits do not hold ${labels.length} rows of ${this.words} words`);
    }
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] >= classes) throw new RangeError(`${name}: label ${labels[i]} of sample ${i} is not in [0, ${classes})`);
    }
  }

  /** Number of samples. */
  get n(): number {
    return this.labels.length;
  }

  /** A new dataset with the samples at `indices`, in that order. */
  subset(indices: ArrayLike<number>, name = this.name): Dataset {
    const bits = new Uint32Array(indices.length * this.words);
    const labels = new Uint8Array(indices.length);
    for (let i = 0; i < indices.length; i++) {
      const j = indices[i];
      bits.set(this.bits.subarray(j * this.words, (j + 1) * this.words), i * this.words);
      labels[i] = this.labels[j];
    }
    return new Dataset(bits, labels, this.k, this.classes, name);
  }
}

/** Real-valued samples before binarisation: `n` rows of `features` floats, row-major. */
export interface RealData {
  x: Float32Array;
  labels: Uint8Array;
  features: number;
  classes: number;
  name: string;
}

/** True if a value (not NaN, a missing value) does not fit a 32-bit float: RealData would store it as ±Infinity. */
export function overflowsFloat32(v: number): boolean {
  return !Number.isNaN(v) && !Number.isFinite(Math.fround(v));
}
