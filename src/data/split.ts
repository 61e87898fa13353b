/**
 * Stratified splits of labelled samples, driven by the PRNG stream "folds": cross-validation
 * folds (the UCR reproduction) and a held-out test fraction (CSV data).
 */
import { prngBelow, seedState, STREAM } from "../kernels/js/prng.js";

/**
 * The cross-validation fold (0..folds−1) of every sample, stratified by label: each class's
 * samples are shuffled (seeded Fisher–Yates) and dealt round-robin to the folds, the rotation
 * continuing across classes in label order, so fold sizes differ by at most 1.
 */
export function stratifiedFolds(labels: Uint8Array, folds: number, seed: number): Int32Array {
  const n = labels.length;
  if (!Number.isInteger(folds) || folds < 2 || folds > n) throw new RangeError(`stratifiedFolds: folds must be an integer in [2, ${n}] (the number of samples), got ${folds}`);
  const { order } = classShuffled(labels, seed);
  const fold = new Int32Array(n);
  for (let r = 0; r < n; r++) fold[order[r]] = r % folds;
  return fold;
}

/**
 * A stratified hold-out: of each class's n_c samples, shuffled as in stratifiedFolds, the first
 * round(n_c·fraction) go to `test`, the rest to `train`; both lists are in ascending sample order.
 */
export function stratifiedHoldout(labels: Uint8Array, fraction: number, seed: number): { train: Int32Array; test: Int32Array } {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`stratifiedHoldout: fraction must be in (0, 1), got ${fraction}`);
  const { order, start } = classShuffled(labels, seed);
  const held = new Uint8Array(labels.length);
  for (let c = 0; c < 256; c++) {
    const take = Math.round((start[c + 1] - start[c]) * fraction);
    for (let r = start[c]; r < start[c] + take; r++) held[order[r]] = 1;
  }
  const pick = (flag: number) => Int32Array.from(held.keys()).filter((i) => held[i] === flag);
  return { train: pick(0), test: pick(1) };
}

/** Sample indices grouped by label (class c at order[start[c]..start[c+1])), each group shuffled by seeded Fisher–Yates. */
function classShuffled(labels: Uint8Array, seed: number): { order: Int32Array; start: Int32Array } {
  const n = labels.length;
  const start = new Int32Array(257);
  for (let i = 0; i < n; i++) start[labels[i] + 1]++;
  for (let c = 0; c < 256; c++) start[c + 1] += start[c];
  const order = new Int32Array(n);
  const next = start.slice(0, 256);
  for (let i = 0; i < n; i++) order[next[labels[i]]++] = i;
  const prng = seedState(seed, STREAM.folds);
  for (let c = 0; c < 256; c++) {
    for (let i = start[c + 1] - 1; i > start[c]; i--) {
      const j = start[c] + prngBelow(prng, i - start[c] + 1);
      const tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
  }
  return { order, start };
}
