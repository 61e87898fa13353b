/**
 * Input binarisation (spec §1), fitted on training data only and saved with the model.
 * An encoder maps each output bit j to a feature and a threshold: bit = x[feature_j] > t_j.
 */
import { packThresholds } from "../kernels/js/pack.js";
import { rowWords } from "../kernels/layout.js";
import { Dataset, type RealData } from "./dataset.js";

/** A fitted encoder: output bit j is x[feature[j]] > threshold[j]. */
export interface Encoder {
  readonly kind: "median";
  readonly features: number;
  readonly feature: Int32Array;
  readonly threshold: Float32Array;
}

/** Median thresholding: one bit per feature, +1 iff the value exceeds the feature's training median. */
export function fitMedian(train: RealData): Encoder {
  const { x, features } = train;
  const n = train.labels.length;
  if (n === 0) throw new RangeError(`${train.name}: cannot fit an encoder on 0 samples`);
  const threshold = new Float32Array(features);
  const column = new Float32Array(n);
  for (let f = 0; f < features; f++) {
    for (let i = 0; i < n; i++) column[i] = x[i * features + f];
    column.sort();
    threshold[f] = n % 2 === 1 ? column[(n - 1) >> 1] : (column[n / 2 - 1] + column[n / 2]) / 2;
  }
  return { kind: "median", features, feature: Int32Array.from({ length: features }, (_, f) => f), threshold };
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
