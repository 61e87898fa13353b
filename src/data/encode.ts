/**
 * Input binarisation (spec §1), fitted on training data only and saved with the model.
 * An encoder maps each output bit j to a feature and a threshold: bit = x[feature_j] > t_j.
 */
import { packThresholds } from "../kernels/js/pack.js";
import { rowWords } from "../kernels/layout.js";
import { Dataset, type RealData } from "./dataset.js";

/** The encoder families (spec §1). */
export type EncoderKind = "median" | "thermometer" | "distributive-thermometer";
/** All encoder kinds. */
export const ENCODER_KINDS: readonly EncoderKind[] = ["median", "thermometer", "distributive-thermometer"];

/** A fitted encoder: output bit j is x[feature[j]] > threshold[j]. */
export interface Encoder {
  readonly kind: EncoderKind;
  readonly features: number;
  readonly feature: Int32Array;
  readonly threshold: Float32Array;
}

/** Median thresholding: one bit per feature, +1 iff the value exceeds the feature's training median. */
export function fitMedian(train: RealData): Encoder {
  return fit(train, "median", 1, (sorted) => [quantile(sorted, 0.5)]);
}

/**
 * Thermometer encoding: `bits` bits per feature with uniform thresholds
 * t_b = min + (max − min)·b/(bits + 1), b = 1..bits, over the feature's training range.
 */
export function fitThermometer(train: RealData, bits: number): Encoder {
  return fit(train, "thermometer", bits, (sorted) => {
    const lo = sorted.length ? sorted[0] : 0, hi = sorted.length ? sorted[sorted.length - 1] : 0;
    return Array.from({ length: bits }, (_, b) => lo + ((hi - lo) * (b + 1)) / (bits + 1));
  });
}

/** Distributive thermometer: `bits` bits per feature, thresholds at the training quantiles b/(bits + 1), b = 1..bits. */
export function fitDistributiveThermometer(train: RealData, bits: number): Encoder {
  return fit(train, "distributive-thermometer", bits, (sorted) => Array.from({ length: bits }, (_, b) => quantile(sorted, (b + 1) / (bits + 1))));
}

/** Fits `kind` with `bits` thresholds per feature from each feature's sorted non-NaN training values. */
function fit(train: RealData, kind: EncoderKind, bits: number, thresholds: (sorted: Float32Array) => number[]): Encoder {
  const { x, features } = train;
  const n = train.labels.length;
  if (n === 0) throw new RangeError(`${train.name}: cannot fit an encoder on 0 samples`);
  if (!Number.isInteger(bits) || bits < 1 || bits > 1024) throw new RangeError(`${kind}: bits per feature must be an integer in [1, 1024], got ${bits}`);
  const threshold = new Float32Array(features * bits);
  const feature = new Int32Array(features * bits);
  const column = new Float32Array(n);
  for (let f = 0; f < features; f++) {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i * features + f];
      if (!Number.isNaN(v)) column[m++] = v;
    }
    const t = thresholds(column.subarray(0, m).sort());
    for (let b = 0; b < bits; b++) {
      feature[f * bits + b] = f;
      threshold[f * bits + b] = t[b];
    }
  }
  return { kind, features, feature, threshold };
}

/** The q-quantile of sorted values, interpolating linearly between order statistics (0 if empty). */
function quantile(sorted: Float32Array, q: number): number {
  if (sorted.length === 0) return 0;
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  return lo + 1 < sorted.length ? sorted[lo] + (sorted[lo + 1] - sorted[lo]) * (at - lo) : sorted[lo];
}

/** Binarises real data with a fitted encoder into a packed Dataset. */
export function encode(encoder: Encoder, data: RealData): Dataset {
  if (data.features !== encoder.features) {
    throw new RangeError(`${data.name}: has ${data.features} features, the encoder expects ${encoder.features}`);
  }
  const n = data.labels.length;
  const k = encoder.feature.length;
  const bits = new Uint32Array(n * rowWords(k));
  const row = new Float32Array(k);
  const one = new Uint32Array(rowWords(k));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) row[j] = data.x[i * data.features + encoder.feature[j]];
    packThresholds(row, encoder.threshold, one, 1, k);
    bits.set(one, i * one.length);
  }
  return new Dataset(bits, data.labels, k, data.classes, data.name);
}
