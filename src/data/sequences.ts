/**
 * Packed-bit sequence datasets for recurrent models (spec §4): every sample is a series of up
 * to `steps` packed ±1 rows of `k` bits. Series are right-aligned: a series of length len
 * occupies steps steps−len .. steps−1, and the steps before it are padding (zero words) that
 * the recurrent model skips (its state stays s_0 until the series starts).
 */
import { rowWords } from "../kernels/layout.js";

/** `n` series of at most `steps` steps of `k` bits, with labels in [0, classes). */
export class SequenceDataset {
  /** u32 words per packed step. */
  readonly words: number;

  /**
   * @param bits packed steps, sample-major: sample i, step t starts at word (i·steps + t)·words
   * @param lengths real steps per sample, each in [1, steps]
   */
  constructor(
    readonly bits: Uint32Array,
    readonly lengths: Uint16Array,
    readonly labels: Uint8Array,
    readonly steps: number,
    readonly k: number,
    readonly classes: number,
    readonly name = "sequences",
  ) {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`${name}: k must be a positive integer, got ${k}`);
    if (!Number.isInteger(steps) || steps < 1 || steps > 65535) throw new RangeError(`${name}: steps must be an integer in [1, 65535], got ${steps}`);
    if (!Number.isInteger(classes) || classes < 2 || classes > 255) throw new RangeError(`${name}: classes must be in [2, 255], got ${classes}`);
    this.words = rowWords(k);
    if (lengths.length !== labels.length) throw new RangeError(`${name}: ${lengths.length} lengths for ${labels.length} labels`);
    if (bits.length !== labels.length * steps * this.words) {
      throw new RangeError(`${name}: ${bits.length} words of bits do not hold ${labels.length} series of ${steps} steps of ${this.words} words`);
    }
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] >= classes) throw new RangeError(`${name}: label ${labels[i]} of series ${i} is not in [0, ${classes})`);
      if (lengths[i] < 1 || lengths[i] > steps) throw new RangeError(`${name}: series ${i} has length ${lengths[i]}, expected 1..${steps}`);
    }
  }

  /** Number of series. */
  get n(): number {
    return this.labels.length;
  }

  /** A new dataset with the series at `indices`, in that order. */
  subset(indices: ArrayLike<number>, name = this.name): SequenceDataset {
    const per = this.steps * this.words;
    const bits = new Uint32Array(indices.length * per);
    const lengths = new Uint16Array(indices.length);
    const labels = new Uint8Array(indices.length);
    for (let i = 0; i < indices.length; i++) {
      const j = indices[i];
      bits.set(this.bits.subarray(j * per, (j + 1) * per), i * per);
      lengths[i] = this.lengths[j];
      labels[i] = this.labels[j];
    }
    return new SequenceDataset(bits, lengths, labels, this.steps, this.k, this.classes, name);
  }
}
