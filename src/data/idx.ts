/**
 * The IDX format (MNIST, Fashion-MNIST): magic 0x00 0x00 <type> <ndims>, ndims big-endian u32
 * dimensions, then the data. Only unsigned-byte data (type 0x08) is accepted here. Everything is
 * validated before use: magic, type, dimensions and the exact byte length.
 */

import type { RealData } from "./dataset.js";

/** A parsed unsigned-byte IDX array. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parses IDX bytes; `name` (a file path) prefixes every error. */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  if (bytes.length < 4) throw new Error(`${name}: ${bytes.length} bytes is too short for an IDX header (4 bytes)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`${name}: not an IDX file: bytes 0-1 are 0x${hex(bytes[0])} 0x${hex(bytes[1])}, expected 0x00 0x00`);
  }
  if (bytes[2] !== 0x08) throw new Error(`${name}: IDX data type 0x${hex(bytes[2])} at offset 2 is not supported (expected 0x08, unsigned byte)`);
  const ndims = bytes[3];
  if (ndims < 1 || ndims > 4) throw new Error(`${name}: IDX has ${ndims} dimensions at offset 3, expected 1 to 4`);
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) throw new Error(`${name}: truncated IDX header: ${bytes.length} bytes, expected ${headerBytes}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let size = 1;
  for (let d = 0; d < ndims; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    if (n === 0) throw new Error(`${name}: IDX dimension ${d} (offset ${4 + 4 * d}) is 0`);
    dims.push(n);
    size *= n;
  }
  if (bytes.length !== headerBytes + size) {
    throw new Error(`${name}: IDX dimensions [${dims.join(", ")}] need ${headerBytes + size} bytes, the file has ${bytes.length}${bytes.length < headerBytes + size ? " (truncated)" : ""}`);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** The file names of the four MNIST-style IDX files (each may also end in .gz). */
export const IDX_FILES = {
  train: { images: "train-images-idx3-ubyte", labels: "train-labels-idx1-ubyte" },
  test: { images: "t10k-images-idx3-ubyte", labels: "t10k-labels-idx1-ubyte" },
} as const;

/**
 * Pairs an image IDX array (n × rows × cols) with its label array (n) as real-valued data with
 * pixels scaled to [0, 1]; `imagesName`/`labelsName` (file names) prefix every error.
 */
export function idxImages(images: IdxArray, labels: IdxArray, imagesName: string, labelsName: string, name: string): RealData {
  if (images.dims.length !== 3) throw new Error(`${imagesName}: expected 3 dimensions (n, rows, cols), got [${images.dims.join(", ")}]`);
  if (labels.dims.length !== 1) throw new Error(`${labelsName}: expected 1 dimension (n), got [${labels.dims.join(", ")}]`);
  const [n, rows, cols] = images.dims;
  if (labels.dims[0] !== n) throw new Error(`${labelsName}: ${labels.dims[0]} labels for ${n} images in ${imagesName}`);
  const y = labels.data;
  let classes = 0;
  for (let i = 0; i < n; i++) classes = Math.max(classes, y[i] + 1);
  if (classes < 2) throw new Error(`${labelsName}: fewer than 2 classes`);
  const x = new Float32Array(images.data.length);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i] / 255;
  return { x, labels: y.slice(), features: rows * cols, classes, name };
}

/** Train and test splits from idxImages, with a common class count (their features must agree). */
export function idxSplits(train: RealData, test: RealData, name: string): { train: RealData; test: RealData } {
  if (test.features !== train.features) throw new Error(`${name}: test images have ${test.features} pixels, train images ${train.features}`);
  const classes = Math.max(train.classes, test.classes);
  return { train: { ...train, classes }, test: { ...test, classes } };
}

function hex(b: number | undefined): string {
  return (b ?? 0).toString(16).padStart(2, "0");
}
