/**
 * The demo's digit asset: the `mnist` package's 10k digits, median-binarised and packed at build
 * time (about 1.1 MB instead of 31 MB of JSON), with the per-pixel thresholds so that a digit
 * drawn on the page is binarised the same way. Layout (little-endian):
 *
 *   "BEPD" | u32 version 1 | u32 train | u32 test | u32 k (784) | f32 thresholds[k]
 *   | u8 labels[train + test] (padded to 4 bytes) | u32 bits[(train + test) · rowWords(k)] | u32 CRC32 of all before
 */
import { Dataset } from "../data/dataset.js";
import { crc32 } from "../io/crc32.js";
import { rowWords } from "../kernels/layout.js";

const MAGIC = 0x44504542; // "BEPD"
const VERSION = 1;
const HEADER = 20;

/** What the asset holds. */
export interface Digits {
  train: Dataset;
  test: Dataset;
  /** Pixel i is +1 iff its value in [0, 1] is > thresholds[i]. */
  thresholds: Float32Array;
}

/** Serialises packed train/test digits and their thresholds. */
export function encodeDigits({ train, test, thresholds }: Digits): Uint8Array {
  const k = train.k, n = train.n + test.n, words = rowWords(k);
  const labelBytes = Math.ceil(n / 4) * 4;
  const size = HEADER + 4 * k + labelBytes + 4 * n * words + 4;
  const out = new Uint8Array(size), view = new DataView(out.buffer);
  [MAGIC, VERSION, train.n, test.n, k].forEach((v, i) => view.setUint32(4 * i, v, true));
  let at = HEADER;
  thresholds.forEach((t, i) => view.setFloat32(at + 4 * i, t, true));
  at += 4 * k;
  out.set(train.labels, at);
  out.set(test.labels, at + train.n);
  at += labelBytes;
  for (const bits of [train.bits, test.bits]) {
    for (let i = 0; i < bits.length; i++, at += 4) view.setUint32(at, bits[i], true);
  }
  view.setUint32(at, crc32(out.subarray(0, at)), true);
  return out;
}

/** Parses and validates a digit asset (magic, version, sizes, checksum, labels). */
export function decodeDigits(bytes: Uint8Array, name = "digits.bin"): Digits {
  const fail = (what: string): never => {
    throw new Error(`${name}: ${what}`);
  };
  if (bytes.length < HEADER + 4) fail(`${bytes.length} bytes is too short for a digit asset`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) fail("not a bep digit asset (bad magic at offset 0)");
  const version = view.getUint32(4, true);
  if (version !== VERSION) fail(`version ${version} at offset 4, expected ${VERSION}`);
  const nTrain = view.getUint32(8, true), nTest = view.getUint32(12, true), k = view.getUint32(16, true);
  if (k < 1 || k > 1 << 20 || nTrain < 1 || nTest < 1) fail(`implausible sizes at offset 8: ${nTrain} train, ${nTest} test, ${k} bits`);
  const n = nTrain + nTest, words = rowWords(k), labelBytes = Math.ceil(n / 4) * 4;
  const size = HEADER + 4 * k + labelBytes + 4 * n * words + 4;
  if (bytes.length !== size) fail(`${bytes.length} bytes, expected ${size} for ${nTrain} + ${nTest} digits of ${k} bits`);
  const crc = view.getUint32(size - 4, true), actual = crc32(bytes.subarray(0, size - 4));
  if (crc !== actual) fail(`checksum mismatch at offset ${size - 4} (stored ${crc}, computed ${actual})`);
  const thresholds = new Float32Array(k);
  for (let i = 0; i < k; i++) thresholds[i] = view.getFloat32(HEADER + 4 * i, true);
  const labelsAt = HEADER + 4 * k, bitsAt = labelsAt + labelBytes;
  const bits = new Uint32Array(n * words);
  for (let i = 0; i < bits.length; i++) bits[i] = view.getUint32(bitsAt + 4 * i, true);
  const labels = bytes.slice(labelsAt, labelsAt + n);
  const part = (from: number, count: number, label: string) =>
    new Dataset(bits.slice(from * words, (from + count) * words), labels.slice(from, from + count), k, 10, `mnist digits (${label})`);
  return { train: part(0, nTrain, "train"), test: part(nTrain, nTest, "test"), thresholds };
}
