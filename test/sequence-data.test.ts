import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { Dataset } from "../src/data/dataset";
import { encode, fitThermometer, type Encoder } from "../src/data/encode";
import { encodeSequences, fillMissing, lastWindow, rowSequences, stepRows } from "../src/data/sequence-encode";
import { stratifiedFolds } from "../src/data/split";
import { poolSequences, type RealSequences } from "../src/data/ucr";
import { loadUcr } from "../src/data/ucr-files";
import { next32, seedState } from "../src/kernels/js/prng";

/** RealSequences from per-series arrays of steps (each step an array of `dims` values). */
function sequences(steps: number[][][], labels: number[], classes = 2, name = "s"): RealSequences {
  return {
    name, dims: steps[0][0].length, series: steps.map((s) => Float32Array.from(s.flat())), labels: Uint8Array.from(labels),
    classes, classNames: Array.from({ length: classes }, (_, c) => `c${c}`),
  };
}

/** Bit `b` of packed row data starting at word `at`. */
const bit = (words: Uint32Array, at: number, b: number) => (words[at + (b >>> 5)] >>> (b & 31)) & 1;

/** A hand-built encoder: output bit j is channel feature[j] > threshold[j]. */
const encoder = (features: number, feature: number[], threshold: number[]): Encoder => ({
  kind: "thermometer", features, feature: Int32Array.from(feature), threshold: Float32Array.from(threshold),
});

describe("fillMissing", () => {
  it("carries the last observed value forward, back-fills leading gaps, zeroes empty channels, copies", () => {
    const N = NaN;
    const seq = sequences([[[N, N], [1, N], [N, N], [3, N], [N, N]], [[N, 7], [2, N]]], [0, 1]);
    const filled = fillMissing(seq);
    expect(Array.from(filled.series[0])).toEqual([1, 0, 1, 0, 1, 0, 3, 0, 3, 0]);
    expect(Array.from(filled.series[1])).toEqual([2, 7, 2, 7]);
    expect(Array.from(seq.series[0].subarray(0, 4))).toEqual([N, N, 1, N]);
    expect(filled.series[1]).not.toBe(seq.series[1]);
    expect(filled.labels).toEqual(seq.labels);
    expect({ ...filled, series: [] }).toEqual({ ...seq, series: [] });
  });

  it("leaves no NaN in MelbournePedestrian and keeps every observed value", () => {
    const { train } = loadUcr(join("/work/shared/data/ucr", "MelbournePedestrian"));
    const filled = fillMissing(train);
    let nan = 0, changed = 0;
    train.series.forEach((s, i) => s.forEach((v, t) => {
      if (Number.isNaN(filled.series[i][t])) nan++;
      if (!Number.isNaN(v) && v !== filled.series[i][t]) changed++;
    }));
    expect(nan).toBe(0);
    expect(changed).toBe(0);
  });
});

describe("lastWindow", () => {
  it("keeps the last `window` steps and leaves shorter series whole", () => {
    const seq = sequences([[[1, 10], [2, 20], [3, 30], [4, 40], [5, 50]], [[6, 60], [7, 70]], [[8, 80], [9, 90], [0, 0]]], [0, 1, 1]);
    const w = lastWindow(seq, 3);
    expect(w.series.map((s) => Array.from(s))).toEqual([[3, 30, 4, 40, 5, 50], [6, 60, 7, 70], [8, 80, 9, 90, 0, 0]]);
    expect(Array.from(w.labels)).toEqual([0, 1, 1]);
    expect(seq.series[0].length).toBe(10);
    expect(lastWindow(seq, 1).series.map((s) => Array.from(s))).toEqual([[5, 50], [7, 70], [0, 0]]);
    expect(() => lastWindow(seq, 0)).toThrow(/^s: window must be a positive integer, got 0$/);
  });
});

describe("stepRows", () => {
  const seq = sequences([[[1, 2], [3, 4]], [[5, 6]], [[7, 8], [9, 10], [11, 12]]], [1, 0, 1]);
  it("turns every step of the chosen series into a row labelled with its series", () => {
    const all = stepRows(seq);
    expect(all.features).toBe(2);
    expect(all.classes).toBe(2);
    expect(Array.from(all.x)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(Array.from(all.labels)).toEqual([1, 1, 0, 1, 1, 1]);
    const some = stepRows(seq, [2, 1]);
    expect(Array.from(some.x)).toEqual([7, 8, 9, 10, 11, 12, 5, 6]);
    expect(Array.from(some.labels)).toEqual([1, 1, 1, 0]);
  });
  it("fits a per-step encoder on the chosen series only", () => {
    const enc = fitThermometer(stepRows(seq, [0, 1]), 3);
    // channel 0 range [1, 5], channel 1 range [2, 6]: thresholds at 1/4, 2/4, 3/4 of the range
    expect(Array.from(enc.threshold)).toEqual([2, 3, 4, 3, 4, 5]);
    expect(Array.from(enc.feature)).toEqual([0, 0, 0, 1, 1, 1]);
  });
});

describe("encodeSequences", () => {
  // bit 0: channel 0 > 0; bit 1: channel 0 > 1; bit 2: channel 1 > 5
  const enc = encoder(2, [0, 0, 1], [0, 1, 5]);
  const seq = sequences([[[0.5, 6], [2, 5], [-1, 9]], [[1, 5.5]]], [1, 0]);

  it("binarises each step and right-aligns series, padding with zero words", () => {
    const d = encodeSequences(enc, seq, 4);
    expect(d.n).toBe(2);
    expect(d.steps).toBe(4);
    expect(d.k).toBe(3);
    expect(d.words).toBe(4);
    expect(d.classes).toBe(2);
    expect(Array.from(d.lengths)).toEqual([3, 1]);
    expect(Array.from(d.labels)).toEqual([1, 0]);
    const firstWord = (i: number, t: number) => d.bits[(i * 4 + t) * 4];
    // series 0: padding, then 0.5,6 → 0b101; 2,5 → 0b011; -1,9 → 0b100
    expect([0, 1, 2, 3].map((t) => firstWord(0, t))).toEqual([0, 0b101, 0b011, 0b100]);
    // series 1: three padding steps, then 1,5.5 → 0b101
    expect([0, 1, 2, 3].map((t) => firstWord(1, t))).toEqual([0, 0, 0, 0b101]);
    const nonFirst = d.bits.filter((_, w) => w % 4 !== 0);
    expect(nonFirst.every((w) => w === 0)).toBe(true);
  });

  it("defaults to the longest series", () => {
    const d = encodeSequences(enc, seq);
    expect(d.steps).toBe(3);
    expect(Array.from(d.bits.filter((_, w) => w % 4 === 0))).toEqual([0b101, 0b011, 0b100, 0, 0, 0b101]);
  });

  it("matches encode() on the same steps for a wide encoder (k > 32)", () => {
    const rng = seedState(11, 0);
    const real = (): number => (next32(rng) % 2001) / 100 - 10;
    const lengths = [7, 3, 10, 1, 10];
    const raw = sequences(lengths.map((len) => Array.from({ length: len }, () => [real(), real(), real()])), [0, 1, 2, 1, 0], 3);
    const wide = fitThermometer(stepRows(raw), 15);
    const d = encodeSequences(wide, raw, 12);
    expect(d.k).toBe(45);
    const flat = encode(wide, stepRows(raw));
    let row = 0;
    for (let i = 0; i < raw.series.length; i++) {
      for (let t = 0; t < 12; t++) {
        const at = (i * 12 + t) * d.words;
        const step = t - (12 - lengths[i]);
        const expected = step < 0 ? new Uint32Array(d.words) : flat.bits.subarray((row + step) * flat.words, (row + step + 1) * flat.words);
        expect(Array.from(d.bits.subarray(at, at + d.words)), `series ${i} step ${t}`).toEqual(Array.from(expected));
      }
      row += lengths[i];
    }
    expect(d.bits.some((w) => w !== 0)).toBe(true);
  });

  it("rejects missing values, over-long series and a channel mismatch", () => {
    const gap = sequences([[[1, 2]], [[3, 4], [5, NaN]]], [0, 1], 2, "gap");
    expect(() => encodeSequences(enc, gap)).toThrow(/^gap: series 1 step 1 channel 1 is missing \(NaN\); call fillMissing first$/);
    expect(() => encodeSequences(enc, seq, 2)).toThrow(/^s: series 0 has 3 steps, more than the 2 steps to encode$/);
    expect(() => encodeSequences(encoder(3, [2], [0]), seq)).toThrow(/^s: has 2 channels, the encoder expects 3 features$/);
    expect(() => encodeSequences(enc, seq, 0)).toThrow(/^s: steps must be an integer in \[1, 65535\], got 0$/);
  });
});

describe("rowSequences", () => {
  it.each([
    [28, 28],
    [3, 45],
    [5, 7],
    [1, 70],
    [4, 32],
    [2, 129],
  ])("splits %i rows of %i bits bit-exactly", (rows, cols) => {
    const k = rows * cols, n = 6;
    const rng = seedState(rows * 1000 + cols, 0);
    const plain = Array.from({ length: n }, () => Array.from({ length: k }, () => next32(rng) & 1));
    const words = ((k + 127) >>> 7) << 2;
    const packed = new Uint32Array(n * words);
    plain.forEach((r, i) => r.forEach((b, j) => { packed[i * words + (j >>> 5)] |= b << (j & 31); }));
    const labels = Uint8Array.from({ length: n }, (_, i) => i % 3);
    const seq = rowSequences(new Dataset(packed, labels, k, 3, "img"), rows);
    expect(seq.steps).toBe(rows);
    expect(seq.k).toBe(cols);
    expect(seq.name).toBe("img");
    expect(Array.from(seq.lengths)).toEqual(new Array(n).fill(rows));
    expect(Array.from(seq.labels)).toEqual(Array.from(labels));
    const stepBits = seq.words * 32;
    let mismatches = 0, ones = 0;
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < rows; t++) {
        const at = (i * rows + t) * seq.words;
        for (let c = 0; c < stepBits; c++) {
          const want = c < cols ? plain[i][t * cols + c] : 0;
          if (bit(seq.bits, at, c) !== want) mismatches++;
          ones += want;
        }
      }
    }
    expect(mismatches).toBe(0);
    expect(ones).toBeGreaterThan(0);
  });

  it("rejects a width that does not split into the rows", () => {
    const d = new Dataset(new Uint32Array(4), new Uint8Array(1), 10, 2, "img");
    expect(() => rowSequences(d, 3)).toThrow(/^img: 10 bits do not split into 3 rows of equal width$/);
    expect(() => rowSequences(d, 0)).toThrow(/^img: 10 bits do not split into 0 rows/);
  });
});

describe("stratifiedFolds", () => {
  // classes of 10, 7, 3 and 1 samples, interleaved
  const labels = Uint8Array.from([0, 1, 0, 2, 0, 1, 0, 3, 0, 1, 0, 2, 1, 0, 0, 1, 0, 2, 1, 0, 1]);

  /** count[fold][class]. */
  function table(fold: Int32Array, folds: number, classes: number): number[][] {
    const count = Array.from({ length: folds }, () => new Array<number>(classes).fill(0));
    fold.forEach((f, i) => count[f][labels[i]]++);
    return count;
  }

  it("balances every class across folds and fold sizes within 1", () => {
    for (const folds of [2, 3, 4, 5]) {
      for (let seed = 0; seed < 20; seed++) {
        const fold = stratifiedFolds(labels, folds, seed);
        expect(fold.length).toBe(labels.length);
        expect(fold.every((f) => f >= 0 && f < folds)).toBe(true);
        const count = table(fold, folds, 4);
        for (let c = 0; c < 4; c++) {
          const perFold = count.map((row) => row[c]);
          expect(Math.max(...perFold) - Math.min(...perFold), `class ${c}, ${folds} folds`).toBeLessThanOrEqual(1);
        }
        const sizes = count.map((row) => row.reduce((a, b) => a + b, 0));
        expect(Math.max(...sizes) - Math.min(...sizes), `${folds} folds`).toBeLessThanOrEqual(1);
      }
    }
  });

  it("continues the rotation across classes", () => {
    // three classes of one sample each: without the continued rotation all would land in fold 0
    const fold = stratifiedFolds(Uint8Array.from([2, 0, 1]), 3, 5);
    expect(Array.from(fold).sort()).toEqual([0, 1, 2]);
  });

  it("shuffles uniformly within a class (all 6 orders of 3 samples, about equally often)", () => {
    const seen = new Map<string, number>();
    for (let seed = 0; seed < 600; seed++) {
      const key = Array.from(stratifiedFolds(new Uint8Array(3), 3, seed)).join();
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect(seen.size).toBe(6);
    for (const count of seen.values()) {
      expect(count).toBeGreaterThan(70);
      expect(count).toBeLessThan(130);
    }
  });

  it("is deterministic for a seed and differs between seeds", () => {
    const a = stratifiedFolds(labels, 3, 42);
    expect(Array.from(stratifiedFolds(labels, 3, 42))).toEqual(Array.from(a));
    const distinct = new Set(Array.from({ length: 10 }, (_, s) => Array.from(stratifiedFolds(labels, 3, s)).join()));
    expect(distinct.size).toBeGreaterThan(5);
    expect(Array.from(stratifiedFolds(labels, 3, 43))).not.toEqual(Array.from(a));
  });

  it("stratifies pooled MelbournePedestrian into 3 balanced folds", () => {
    const { train, test } = loadUcr(join("/work/shared/data/ucr", "MelbournePedestrian"));
    const pooled = poolSequences(train, test, "MelbournePedestrian");
    expect(pooled.series.length).toBe(1194 + 2439);
    const fold = stratifiedFolds(pooled.labels, 3, 1);
    const sizes = [0, 1, 2].map((f) => fold.filter((x) => x === f).length);
    expect(sizes.reduce((a, b) => a + b)).toBe(3633);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBe(0);
  });

  it("rejects fold counts outside [2, n]", () => {
    expect(() => stratifiedFolds(labels, 1, 0)).toThrow(/^stratifiedFolds: folds must be an integer in \[2, 21\] \(the number of samples\), got 1$/);
    expect(() => stratifiedFolds(labels, 22, 0)).toThrow(/got 22$/);
  });
});
