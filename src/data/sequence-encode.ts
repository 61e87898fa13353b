/**
 * From real-valued series to packed SequenceDatasets (spec §4): missing-value filling, the
 * last-window crop, per-step encoder fitting data, binarisation and row-sequential images.
 */
import { packThresholds } from "../kernels/js/pack.js";
import { rowWords } from "../kernels/layout.js";
import type { Dataset, RealData } from "./dataset.js";
import { fitDistributiveThermometer, fitMedian, fitThermometer, type Encoder, type EncoderKind } from "./encode.js";
import { SequenceDataset } from "./sequences.js";
import type { RealSequences } from "./ucr.js";

/**
 * A copy of `seq` without missing values. Per series and channel, a missing value takes the last
 * observed value before it, leading missing values take the first observed value, and a channel
 * with no observed value at all becomes 0.
 */
export function fillMissing(seq: RealSequences): RealSequences {
  const { dims } = seq;
  const series = seq.series.map((s) => {
    const out = s.slice();
    for (let d = 0; d < dims; d++) {
      let last = 0;
      for (let i = d; i < out.length; i += dims) {
        if (!Number.isNaN(out[i])) {
          last = out[i];
          break;
        }
      }
      for (let i = d; i < out.length; i += dims) {
        if (Number.isNaN(out[i])) out[i] = last;
        else last = out[i];
      }
    }
    return out;
  });
  return { ...seq, series, labels: seq.labels.slice(), classNames: [...seq.classNames] };
}

/**
 * A copy of `seq` with only the last `window` steps of every series. Series shorter than `window`
 * are kept whole and stay shorter: encodeSequences right-aligns them, so the recurrent model starts them later.
 */
export function lastWindow(seq: RealSequences, window: number): RealSequences {
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`${seq.name}: window must be a positive integer, got ${window}`);
  const keep = window * seq.dims;
  const series = seq.series.map((s) => s.slice(Math.max(0, s.length - keep)));
  return { ...seq, series, labels: seq.labels.slice(), classNames: [...seq.classNames] };
}

/**
 * Every step of the series at `indices` (default: all) as one row of `dims` features, labelled
 * with its series' label: the data to fit per-step encoders on (training folds only).
 */
export function stepRows(seq: RealSequences, indices?: ArrayLike<number>): RealData {
  const chosen = indices ?? Array.from(seq.series, (_, i) => i);
  let values = 0;
  for (let i = 0; i < chosen.length; i++) values += seq.series[chosen[i]].length;
  const x = new Float32Array(values);
  const labels = new Uint8Array(values / seq.dims);
  let at = 0;
  for (let i = 0; i < chosen.length; i++) {
    const s = seq.series[chosen[i]];
    x.set(s, at);
    labels.fill(seq.labels[chosen[i]], at / seq.dims, (at + s.length) / seq.dims);
    at += s.length;
  }
  return { x, labels, features: seq.dims, classes: seq.classes, name: seq.name };
}

/**
 * Binarises every step with `encoder` (bit j = channel feature[j] > threshold[j], as in encode())
 * and right-aligns each series in `steps` steps (default: the longest series), leaving zero
 * words in the padding steps. Missing values are an error: call fillMissing first.
 */
export function encodeSequences(encoder: Encoder, seq: RealSequences, steps?: number): SequenceDataset {
  const { dims } = seq;
  if (dims !== encoder.features) throw new RangeError(`${seq.name}: has ${dims} channels, the encoder expects ${encoder.features} features`);
  const n = seq.series.length;
  const total = steps ?? seq.series.reduce((most, s) => Math.max(most, s.length / dims), 0);
  if (!Number.isInteger(total) || total < 1 || total > 65535) throw new RangeError(`${seq.name}: steps must be an integer in [1, 65535], got ${total}`);
  const k = encoder.feature.length;
  const words = rowWords(k);
  const bits = new Uint32Array(n * total * words);
  const lengths = new Uint16Array(n);
  const row = new Float32Array(k);
  for (let i = 0; i < n; i++) {
    const s = seq.series[i];
    const len = s.length / dims;
    if (len > total) throw new RangeError(`${seq.name}: series ${i} has ${len} steps, more than the ${total} steps to encode`);
    lengths[i] = len;
    for (let t = 0; t < len; t++) {
      for (let d = 0; d < dims; d++) {
        if (Number.isNaN(s[t * dims + d])) throw new RangeError(`${seq.name}: series ${i} step ${t} channel ${d} is missing (NaN); call fillMissing first`);
      }
      for (let j = 0; j < k; j++) row[j] = s[t * dims + encoder.feature[j]];
      const at = (i * total + total - len + t) * words;
      packThresholds(row, encoder.threshold, bits.subarray(at, at + words), 1, k);
    }
  }
  return new SequenceDataset(bits, lengths, seq.labels, total, k, seq.classes, seq.name);
}

/**
 * Row-sequential images: each sample of `k` = rows·cols bits becomes `rows` steps of `cols` bits
 * (step t = bits t·cols .. t·cols + cols − 1, i.e. image row t); every length is `rows`.
 */
export function rowSequences(data: Dataset, rows: number): SequenceDataset {
  if (!Number.isInteger(rows) || rows < 1 || data.k % rows !== 0) {
    throw new RangeError(`${data.name}: ${data.k} bits do not split into ${rows} rows of equal width`);
  }
  const cols = data.k / rows;
  const words = rowWords(cols);
  const used = Math.ceil(cols / 32);
  const bits = new Uint32Array(data.n * rows * words);
  for (let i = 0; i < data.n; i++) {
    const src = i * data.words;
    for (let t = 0; t < rows; t++) {
      const dst = (i * rows + t) * words;
      for (let w = 0; w < used; w++) bits[dst + w] = bitRange(data.bits, src, t * cols + w * 32, Math.min(32, cols - w * 32));
    }
  }
  return new SequenceDataset(bits, new Uint16Array(data.n).fill(rows), data.labels, rows, cols, data.classes, data.name);
}

/** `count` (1..32) bits of the packed row starting at word `row`, from bit `start` on, as the low bits of a u32. */
function bitRange(words: Uint32Array, row: number, start: number, count: number): number {
  const w = row + (start >>> 5), shift = start & 31;
  let v = words[w] >>> shift;
  if (shift + count > 32) v |= words[w + 1] << (32 - shift);
  return count === 32 ? v >>> 0 : v & ((1 << count) - 1);
}

/** How series are binarised: the last-window length (default: whole series) and the per-step encoder. */
export interface SequenceEncoding {
  window?: number;
  kind: EncoderKind;
  /** Bits per channel for the thermometers (default 8). */
  bits?: number;
  /** Use this fitted encoder instead of fitting one (`kind` and `bits` are then ignored). */
  encoder?: Encoder;
}

/**
 * The whole sequence pipeline for a train/test pair: fill missing values, keep the last window,
 * fit the per-step encoder on the training series only (unless one is given), binarise both splits into the same
 * number of steps (the longest series of either).
 */
export function binariseSequences(train: RealSequences, test: RealSequences, how: SequenceEncoding): { train: SequenceDataset; test: SequenceDataset; encoder: Encoder } {
  const crop = (s: RealSequences) => (how.window === undefined ? fillMissing(s) : lastWindow(fillMissing(s), how.window));
  const a = crop(train), b = crop(test);
  const fit = (rows: RealData) => how.kind === "median" ? fitMedian(rows)
    : how.kind === "thermometer" ? fitThermometer(rows, how.bits ?? 8)
    : fitDistributiveThermometer(rows, how.bits ?? 8);
  const encoder = how.encoder ?? fit(stepRows(a));
  const longest = (s: RealSequences) => s.series.reduce((m, x) => Math.max(m, x.length / s.dims), 0);
  const steps = Math.max(longest(a), longest(b));
  return { train: encodeSequences(encoder, a, steps), test: encodeSequences(encoder, b, steps), encoder };
}

/** The series of `seq` at `indices`, in that order, as a new RealSequences named `name`. */
export function pickSeries(seq: RealSequences, indices: ArrayLike<number>, name: string): RealSequences {
  const chosen = Array.from(indices);
  return { ...seq, name, series: chosen.map((i) => seq.series[i]), labels: Uint8Array.from(chosen, (i) => seq.labels[i]), classNames: [...seq.classNames] };
}
