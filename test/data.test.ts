import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Dataset, encode, fitDistributiveThermometer, fitMedian, fitThermometer, rowWords } from "../src/index";
import { parseCsv } from "../src/data/csv";
import { parseIdx } from "../src/data/idx";
import { randomPrototypes } from "../src/data/prototypes";
import { loadData, loadIdxDir } from "../src/data/sources";

/** IDX bytes: unsigned-byte type, big-endian dims, then `data`. */
function idx(dims: number[], data: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out.set([0, 0, 8, dims.length]);
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

describe("IDX parsing", () => {
  it("reads dims and data", () => {
    const a = parseIdx(idx([2, 3], [1, 2, 3, 4, 5, 6]), "f");
    expect(a.dims).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });
  it.each([
    ["too short", new Uint8Array([0, 0]), /^f: 2 bytes is too short/],
    ["wrong magic", Uint8Array.from([1, 0, 8, 1, 0, 0, 0, 1, 5]), /^f: not an IDX file: bytes 0-1 are 0x01 0x00/],
    ["float data", Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 5, 5, 5, 5]), /^f: IDX data type 0x0d at offset 2 is not supported/],
    ["zero dims", Uint8Array.from([0, 0, 8, 0]), /^f: IDX has 0 dimensions/],
    ["truncated header", Uint8Array.from([0, 0, 8, 2, 0, 0, 0, 1]), /^f: truncated IDX header: 8 bytes, expected 12/],
    ["zero-sized dimension", idx([0, 3], []), /^f: IDX dimension 0 \(offset 4\) is 0/],
    ["truncated data", idx([2, 3], [1, 2, 3]), /^f: IDX dimensions \[2, 3\] need 18 bytes, the file has 15 \(truncated\)/],
    ["trailing bytes", idx([1, 2], [1, 2, 3]), /^f: IDX dimensions \[1, 2\] need 14 bytes, the file has 15$/],
  ])("rejects %s", (_, bytes, message) => {
    expect(() => parseIdx(bytes, "f")).toThrow(message);
  });
});

describe("IDX folders (MNIST layout)", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const folder = (files: Record<string, Uint8Array>) => {
    const d = mkdtempSync(join(tmpdir(), "bep-idx-"));
    dirs.push(d);
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(d, name), bytes);
    return d;
  };
  const images = (n: number) => idx([n, 2, 2], Array.from({ length: 4 * n }, (_, i) => (i * 37) % 256));
  const labels = (n: number) => idx([n], Array.from({ length: n }, (_, i) => i % 3));

  it("loads gzipped and plain files, scales pixels to [0, 1] and counts classes", () => {
    const d = folder({
      "train-images-idx3-ubyte.gz": gzipSync(images(6)), "train-labels-idx1-ubyte.gz": gzipSync(labels(6)),
      "t10k-images-idx3-ubyte": images(3), "t10k-labels-idx1-ubyte": labels(3),
    });
    const { train, test } = loadIdxDir(d);
    expect(train.labels.length).toBe(6);
    expect(test.labels.length).toBe(3);
    expect(train.features).toBe(4);
    expect(train.classes).toBe(3);
    expect(train.x[1]).toBeCloseTo(37 / 255);
    const data = loadData(`idx:${d}`);
    expect(data.train.k).toBe(4);
    expect(data.encoder?.kind).toBe("median");
  });
  it("rejects image/label counts that disagree, a missing file and corrupt gzip, naming the file", () => {
    const mismatch = folder({
      "train-images-idx3-ubyte": images(6), "train-labels-idx1-ubyte": labels(5),
      "t10k-images-idx3-ubyte": images(3), "t10k-labels-idx1-ubyte": labels(3),
    });
    expect(() => loadIdxDir(mismatch)).toThrow(/train-labels-idx1-ubyte: 5 labels for 6 images/);
    const missing = folder({ "train-images-idx3-ubyte": images(6) });
    expect(() => loadIdxDir(missing)).toThrow(/missing train-labels-idx1-ubyte \(or train-labels-idx1-ubyte\.gz\)/);
    const gz = gzipSync(labels(6));
    const corrupt = folder({ "train-images-idx3-ubyte": images(6), "train-labels-idx1-ubyte.gz": gz.subarray(0, gz.length - 9) });
    expect(() => loadIdxDir(corrupt)).toThrow(/train-labels-idx1-ubyte\.gz: corrupt gzip data/);
  });
  it("names unknown data sources", () => {
    expect(() => loadData("cifar")).toThrow(/unknown data source 'cifar'/);
  });
});

describe("CSV parsing", () => {
  it("reads quoted names, numbers and labels", () => {
    const d = parseCsv('a,"b ""x""",label\n1,2e3,cat\r\n-.5,4,dog\n', "f.csv");
    expect(d.featureNames).toEqual(["a", 'b "x"']);
    expect(Array.from(d.x)).toEqual([1, 2000, -0.5, 4]);
    expect(d.classNames).toEqual(["cat", "dog"]);
  });
  // Found by fuzzing (test/fuzz.test.ts):
  it("rejects a value beyond the float32 range instead of storing Infinity", () => {
    expect(() => parseCsv("a,label\n1,x\n3e39,y\n", "f.csv")).toThrow(/^f\.csv:3: column 1 \("a"\) is 3e39, too large for a 32-bit float \(±3\.4e38\)$/);
  });
  it("keeps errors on one line when a quoted column name holds a line break", () => {
    expect(() => parseCsv('"a\nb",label\nx,1\n', "f.csv")).toThrow(/^f\.csv:3: column 1 \("a\\nb"\) is "x", expected a finite number$/);
    expect(() => parseCsv('"a\nb",label\n1,1\n', "f.csv", { featureNames: ["c"] })).toThrow(/^f\.csv:1: no feature column "c" \(columns: a\\nb, label\)$/);
  });
});

describe("median encoder", () => {
  it("thresholds each feature at its training median (mean of the middle two for even n); x > median → +1", () => {
    const raw = { x: Float32Array.from([1, 10, 2, 20, 3, 30, 4, 40]), labels: Uint8Array.from([0, 1, 0, 1]), features: 2, classes: 2, name: "t" };
    const enc = fitMedian(raw);
    expect(Array.from(enc.threshold)).toEqual([2.5, 25]);
    const odd = fitMedian({ ...raw, x: raw.x.subarray(0, 6), labels: raw.labels.subarray(0, 3) });
    expect(Array.from(odd.threshold)).toEqual([2, 20]);
    const data = encode(enc, raw);
    expect(Array.from(data.bits.filter((_, i) => i % rowWords(2) === 0))).toEqual([0, 0, 3, 3]);
    expect(() => encode(enc, { ...raw, features: 3 })).toThrow(/t: has 3 features, the encoder expects 2/);
  });
});

describe("Random Prototypes", () => {
  it("is deterministic for a seed, flips bits at the requested rate and uses every class", () => {
    const a = randomPrototypes({ bits: 300, train: 2000, test: 10, seed: 4 });
    const b = randomPrototypes({ bits: 300, train: 2000, test: 10, seed: 4 });
    expect(a.train.bits).toEqual(b.train.bits);
    expect(a.train.labels).toEqual(b.train.labels);
    expect(randomPrototypes({ bits: 300, train: 2000, test: 10, seed: 5 }).train.bits).not.toEqual(a.train.bits);
    const counts = new Array(10).fill(0);
    a.train.labels.forEach((c) => counts[c]++);
    expect(Math.min(...counts)).toBeGreaterThan(120);
    // Two samples of one class differ where exactly one of them flipped: rate 2·p·(1−p) = 0.4968.
    const w = a.train.words;
    let diff = 0, pairs = 0;
    for (let s = 1; s < 2000 && pairs < 200; s++) {
      if (a.train.labels[s] !== a.train.labels[0]) continue;
      pairs++;
      for (let t = 0; t < w; t++) {
        let x = a.train.bits[t] ^ a.train.bits[s * w + t];
        while (x) { diff++; x &= x - 1; }
      }
    }
    expect(diff / (pairs * 300)).toBeGreaterThan(0.48);
    expect(diff / (pairs * 300)).toBeLessThan(0.515);
  });
  it("rejects bad options", () => {
    expect(() => randomPrototypes({ flip: 2 })).toThrow(/flip must be in \[0, 1\]/);
    expect(() => randomPrototypes({ bits: 0 })).toThrow(/bits must be a positive integer/);
  });
});

describe("Dataset", () => {
  it("validates its shape and labels", () => {
    expect(() => new Dataset(new Uint32Array(4), Uint8Array.from([0, 1]), 10, 2, "d")).toThrow(/d: 4 words of bits do not hold 2 rows of 4 words/);
    expect(() => new Dataset(new Uint32Array(8), Uint8Array.from([0, 2]), 10, 2, "d")).toThrow(/d: label 2 of sample 1 is not in \[0, 2\)/);
    const d = new Dataset(Uint32Array.from([1, 0, 0, 0, 2, 0, 0, 0]), Uint8Array.from([0, 1]), 10, 2, "d");
    const s = d.subset([1, 0]);
    expect(Array.from(s.bits)).toEqual([2, 0, 0, 0, 1, 0, 0, 0]);
    expect(Array.from(s.labels)).toEqual([1, 0]);
  });
});

describe("thermometer encoders (fitted on training data only)", () => {
  // Feature 0: 0, 1, 2, …, 9; feature 1: constant 5; feature 2: NaN except 4 and 8.
  const n = 10;
  const x = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    x[i * 3] = i;
    x[i * 3 + 1] = 5;
    x[i * 3 + 2] = i === 2 ? 4 : i === 7 ? 8 : NaN;
  }
  const raw = { x, labels: new Uint8Array(n), features: 3, classes: 2, name: "t" };

  it("thermometer: B uniform thresholds over the training range, B bits per feature", () => {
    const enc = fitThermometer(raw, 4);
    expect(enc.kind).toBe("thermometer");
    expect(Array.from(enc.feature)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(Array.from(enc.threshold.subarray(0, 4))).toEqual([1.7999999523162842, 3.5999999046325684, 5.400000095367432, 7.199999809265137]);
    expect(Array.from(enc.threshold.subarray(4, 8))).toEqual([5, 5, 5, 5]); // constant feature: every bit −1
    expect(Array.from(enc.threshold.subarray(8))).toEqual([4.800000190734863, 5.599999904632568, 6.400000095367432, 7.199999809265137]); // NaN ignored
    const d = encode(enc, { ...raw, x: Float32Array.from([4, 5, 9]), labels: new Uint8Array(1) });
    // x0 = 4 > 1.8, 3.6 → bits 0,1; x1 = 5 → none; x2 = 9 > all → bits 8..11.
    expect(d.bits[0]).toBe(0b1111_0000_0011);
  });
  it("distributive thermometer: thresholds at the training quantiles b/(B+1)", () => {
    const enc = fitDistributiveThermometer(raw, 3);
    expect(enc.kind).toBe("distributive-thermometer");
    expect(Array.from(enc.threshold.subarray(0, 3))).toEqual([2.25, 4.5, 6.75]);
    expect(Array.from(enc.threshold.subarray(6))).toEqual([5, 6, 7]);
  });
  it("rejects bad bit counts", () => {
    expect(() => fitThermometer(raw, 0)).toThrow(/thermometer: bits per feature must be an integer in \[1, 1024\], got 0/);
    expect(() => fitDistributiveThermometer(raw, 2.5)).toThrow(/bits per feature/);
  });
});
