import { afterAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseUcrTs, parseUcrTsv, poolSequences, ucrTsvClassNames, type RealSequences } from "../src/data/ucr";
import { loadUcr } from "../src/data/ucr-files";

const UCR = "/work/shared/data/ucr";

/** A `.ts` text from lines. */
const ts = (...lines: string[]) => lines.join("\n") + "\n";

/** Series `i` of `seq` as a plain array (NaN kept). */
const values = (seq: RealSequences, i: number) => Array.from(seq.series[i]);

describe("parseUcrTs", () => {
  it("reads a univariate file with comments, UTF-8, case-insensitive headers and labels 3..8", () => {
    const text = ts(
      "# Ünïcödé comment — with “quotes”",
      "#",
      "@PROBLEMNAME Tiny",
      "@timestamps false",
      "@Missing false",
      "@univariate TRUE",
      "@equalLength true",
      "@seriesLength 3",
      "@classLabel true 3 4 5 6 7 8",
      "",
      "@data",
      "1.5,-2,3e2:8",
      "",
      "0,.25,-1.0E-1:3",
      "4,5,6:5",
    );
    const s = parseUcrTs(text, "tiny.ts");
    expect(s.name).toBe("tiny.ts");
    expect(s.dims).toBe(1);
    expect(s.classes).toBe(6);
    expect(s.classNames).toEqual(["3", "4", "5", "6", "7", "8"]);
    expect(Array.from(s.labels)).toEqual([5, 0, 2]);
    expect(values(s, 0)).toEqual([1.5, -2, 300]);
    expect(values(s, 1)).toEqual([0, 0.25, Math.fround(-0.1)]);
    expect(values(s, 2)).toEqual([4, 5, 6]);
  });

  it("reads multivariate series step-major with ':' channels and 1.0-style labels", () => {
    const text = ts(
      "@problemName Multi",
      "@univariate false",
      "@dimensions 2",
      "@classLabel true 1.0 2.0 10.0",
      "@data",
      "1,2,3:4,5,6:10.0",
      "7,8:9,10:1.0",
    );
    const s = parseUcrTs(text, "multi.ts");
    expect(s.dims).toBe(2);
    expect(s.classNames).toEqual(["1.0", "2.0", "10.0"]);
    expect(Array.from(s.labels)).toEqual([2, 0]);
    expect(values(s, 0)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(values(s, 1)).toEqual([7, 9, 8, 10]);
  });

  it("takes the channel count from the first series when @dimensions is absent", () => {
    const s = parseUcrTs(ts("@univariate false", "@classLabel true a b", "@data", "1:2:3:a", "4:5:6:b"), "f.ts");
    expect(s.dims).toBe(3);
    expect(values(s, 1)).toEqual([4, 5, 6]);
    expect(() => parseUcrTs(ts("@univariate false", "@classLabel true a b", "@data", "1:2:3:a", "4:5:b"), "f.ts"))
      .toThrow(/^f\.ts:5: series has 2 channels, line 4 says 3$/);
  });

  it("reads variable lengths and ? / NaN as missing", () => {
    const text = ts(
      "@univariate true",
      "@equalLength false",
      "@missing true",
      "@classLabel true 0 1",
      "@data",
      "?,1,2,?:1",
      "5,NaN:0",
      "?:0",
    );
    const s = parseUcrTs(text, "var.ts");
    expect(s.series.map((x) => x.length)).toEqual([4, 2, 1]);
    expect(values(s, 0)).toEqual([NaN, 1, 2, NaN]);
    expect(values(s, 1)).toEqual([5, NaN]);
    expect(values(s, 2)).toEqual([NaN]);
    expect(Array.from(s.labels)).toEqual([1, 0, 0]);
  });

  it("gives the same result for CRLF line ends and a byte-order mark", () => {
    const lines = ["# c", "@dimensions 2", "@classLabel true x y", "@data", "1,2:3,4:y", "", "5:6:x"];
    const lf = parseUcrTs(lines.join("\n"), "f.ts");
    const crlf = parseUcrTs("\ufeff" + lines.join("\r\n") + "\r\n", "f.ts");
    expect(crlf).toEqual(lf);
    expect(values(crlf, 0)).toEqual([1, 3, 2, 4]);
    expect(Array.from(crlf.labels)).toEqual([1, 0]);
    expect(() => parseUcrTs(["@classLabel true x y", "@data", "1:z"].join("\r\n"), "f.ts")).toThrow(/^f\.ts:3: unknown class label "z"/);
  });

  const header = ["@problemName E", "@univariate false", "@dimensions 2", "@classLabel true 1 2 3"];
  it.each([
    ["time stamps", ["@timeStamps true", "@classLabel true 1 2", "@data"], /^e\.ts:1: time-stamped series \(@timeStamps true\) are not supported$/],
    ["regression", ["@targetLabel true", "@data"], /^e\.ts:1: regression data \(@targetLabel true\) is not supported/],
    ["unlabelled data", ["@classLabel false", "@data"], /^e\.ts:1: unlabelled data \(@classLabel false\)/],
    ["an unknown label", [...header, "@data", "1,2:3,4:2", "1,2:3,4:4"], /^e\.ts:7: unknown class label "4", @classLabel lists 1 2 3$/],
    ["too few channels", [...header, "@data", "1,2:3,4:1", "1,2:1"], /^e\.ts:7: series has 1 channels, @dimensions says 2$/],
    ["too many channels", [...header, "@data", "1:2:3:1"], /^e\.ts:6: series has 3 channels, @dimensions says 2$/],
    ["channels of different lengths", [...header, "@data", "1,2,3:4,5:1"], /^e\.ts:6: channel 2 has 2 values, channel 1 has 3$/],
    ["a non-numeric value", [...header, "@data", "1,2:3,x4:1"], /^e\.ts:6: value 2 of channel 2 is "x4", expected a number or \?$/],
    ["an empty value", [...header, "@data", "1,,2:3,4,5:1"], /^e\.ts:6: value 2 of channel 1 is "", expected a number/],
    ["Infinity", [...header, "@data", "1,Infinity:3,4:1"], /^e\.ts:6: value 2 of channel 1 is "Infinity"/],
    ["a value beyond the float32 range (found by fuzzing)", [...header, "@data", "1,3e39:3,4:1"], /^e\.ts:6: value 2 of channel 1 is 3e39, too large for a 32-bit float \(±3\.4e38\)$/],
    ["a lone CR inside a value, escaped (found by fuzzing)", [...header, "@data", "1,2\r5:3,4:1"], /^e\.ts:6: value 2 of channel 1 is "2\\r5", expected a number or \?$/],
    ["an empty series", ["@univariate true", "@classLabel true 1 2", "@data", ":1"], /^e\.ts:4: empty series: channel 1 has no values$/],
    ["an empty channel", [...header, "@data", " :3:1"], /^e\.ts:6: empty series: channel 1 has no values$/],
    ["no label separator", ["@univariate true", "@classLabel true 1 2", "@data", "1,2,3"], /^e\.ts:4: expected channel values and a class label separated by ":"/],
    ["a missing @data", ["# x", ...header, "", "# end"], /^e\.ts:7: reached the end of the file without an @data line$/],
    ["a missing @classLabel", ["@dimensions 2", "@data", "1:2:1"], /^e\.ts:2: @data before any @classLabel header/],
    ["more than 255 classes", ["# many", `@classLabel true ${Array.from({ length: 256 }, (_, i) => i).join(" ")}`, "@data"], /^e\.ts:2: @classLabel lists 256 class labels, expected 2 to 255$/],
    ["a single class", ["@classLabel true 1", "@data"], /^e\.ts:1: @classLabel lists 1 class labels, expected 2 to 255$/],
    ["a duplicate class", ["@classLabel true 1 2 1", "@data"], /^e\.ts:1: @classLabel lists "1" twice$/],
    ["a wrong @seriesLength", ["@equalLength true", "@seriesLength 3", "@univariate true", "@classLabel true 1 2", "@data", "1,2,3:1", "1,2:2"], /^e\.ts:7: series has 2 steps, @seriesLength says 3$/],
    ["@univariate true with 2 dimensions", ["@univariate true", "@dimensions 2", "@classLabel true 1 2", "@data"], /^e\.ts:4: @univariate true but @dimensions 2$/],
    ["a univariate file with 2 channels", ["@univariate true", "@classLabel true 1 2", "@data", "1:2:1"], /^e\.ts:4: series has 2 channels, @univariate true says 1$/],
    ["an unknown header", ["@colour blue"], /^e\.ts:1: unknown header @colour/],
    ["a bad boolean", ["@missing maybe"], /^e\.ts:1: expected true or false after @missing, got "maybe"$/],
    ["a bad @dimensions", ["@dimensions 0"], /^e\.ts:1: expected a positive integer after @dimensions, got "0"$/],
    ["data before the headers", ["1,2:1"], /^e\.ts:1: expected a # comment or an @header before @data/],
    ["a header after @data", [...header, "@data", "@dimensions 3"], /^e\.ts:6: header @dimensions after @data \(line 5\)$/],
    ["no series", [...header, "@data", ""], /^e\.ts:5: no series after @data$/],
  ])("rejects %s with file:line", (_, lines, message) => {
    expect(() => parseUcrTs(ts(...lines), "e.ts")).toThrow(message);
  });
});

describe("parseUcrTsv", () => {
  it("reads labels and values, NaN as missing, trailing NaNs as padding, CRLF", () => {
    const text = ["2\t1.5\t-2\t3", "10\t4\tNaN\t5\tNaN\tNaN", "", "-1\t7\t8\t9\r", "2\t0.5\tNaN\tNaN"].join("\r\n");
    const s = parseUcrTsv(text, "t.tsv");
    expect(s.dims).toBe(1);
    expect(s.classNames).toEqual(["-1", "2", "10"]);
    expect(s.classes).toBe(3);
    expect(Array.from(s.labels)).toEqual([1, 2, 0, 1]);
    expect(values(s, 0)).toEqual([1.5, -2, 3]);
    expect(values(s, 1)).toEqual([4, NaN, 5]);
    expect(values(s, 2)).toEqual([7, 8, 9]);
    expect(values(s, 3)).toEqual([0.5]);
  });

  it("orders class names numerically when all are numbers, else lexicographically, or as given", () => {
    expect(ucrTsvClassNames("9\t1\n10\t1\n1.5\t2\n0\t1")).toEqual(["0", "1.5", "9", "10"]);
    expect(ucrTsvClassNames("b\t1\n10\t1\na\t1\n9\t1")).toEqual(["10", "9", "a", "b"]);
    expect(ucrTsvClassNames("3\t1\n", "1\t2\n2\t2")).toEqual(["1", "2", "3"]);
    const s = parseUcrTsv("a\t1\nb\t2\n", "t.tsv", ["b", "c", "a"]);
    expect(Array.from(s.labels)).toEqual([2, 0]);
    expect(s.classNames).toEqual(["b", "c", "a"]);
  });

  it.each([
    ["an unknown label", "1\t1\n3\t2\n", ["1", "2"], /^t\.tsv:2: unknown class label "3", expected one of 1 2$/],
    ["a non-numeric value", "1\t1\n2\t2\t1,5\n", undefined, /^t\.tsv:2: value 2 is "1,5", expected a number or NaN$/],
    ["an all-NaN series", "1\t1\n2\tNaN\tNaN\n", undefined, /^t\.tsv:2: empty series: every value is NaN$/],
    ["a value beyond the float32 range", "1\t1\n2\t1e39\n", undefined, /^t\.tsv:2: value 1 is 1e39, too large for a 32-bit float \(±3\.4e38\)$/],
    ["a line without values", "1\t1\n2\n", undefined, /^t\.tsv:2: expected a class label and values separated by tabs/],
    ["a single class", "1\t1\n1\t2\n", undefined, /^t\.tsv: the class list has 1 class labels, expected 2 to 255$/],
    ["no series", "\n\n", ["1", "2"], /^t\.tsv:2: no series in the file$/],
  ])("rejects %s", (_, text, classNames, message) => {
    expect(() => parseUcrTsv(text, "t.tsv", classNames)).toThrow(message);
  });
});

describe("poolSequences", () => {
  const a = parseUcrTs(ts("@dimensions 2", "@classLabel true p q", "@data", "1,2:3,4:q", "5:6:p"), "a.ts");
  const b = parseUcrTs(ts("@dimensions 2", "@classLabel true p q", "@data", "7:8:q"), "b.ts");
  it("concatenates series and labels", () => {
    const p = poolSequences(a, b, "pool");
    expect(p.name).toBe("pool");
    expect(p.dims).toBe(2);
    expect(p.series.map((s) => Array.from(s))).toEqual([[1, 3, 2, 4], [5, 6], [7, 8]]);
    expect(Array.from(p.labels)).toEqual([1, 0, 1]);
    expect(p.classNames).toEqual(["p", "q"]);
    expect(p.classes).toBe(2);
  });
  it("rejects different channels or classes", () => {
    const c = parseUcrTs(ts("@univariate true", "@classLabel true p q", "@data", "7:q"), "c.ts");
    const d = parseUcrTs(ts("@dimensions 2", "@classLabel true q p", "@data", "7:8:q"), "d.ts");
    expect(() => poolSequences(a, c, "pool")).toThrow(/^pool: cannot pool a\.ts \(2 channels\) with c\.ts \(1 channels\)$/);
    expect(() => poolSequences(a, d, "pool")).toThrow(/^pool: cannot pool a\.ts \(classes p q\) with d\.ts \(classes q p\)$/);
  });
});

describe("loadUcr", () => {
  const root = mkdtempSync(join(tmpdir(), "bep-ucr-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const folder = (name: string, files: Record<string, string>) => {
    const d = join(root, name);
    mkdirSync(d);
    for (const [f, text] of Object.entries(files)) writeFileSync(join(d, f), text);
    return d;
  };
  const tsText = (labels: string, rows: string[]) => ts("@univariate true", `@classLabel true ${labels}`, "@data", ...rows);

  it("prefers the .ts pair in a folder", () => {
    const d = folder("Both", {
      "Both_TRAIN.ts": tsText("1 2", ["1,2:1", "3,4:2"]), "Both_TEST.ts": tsText("1 2", ["5,6:2"]),
      "Both_TRAIN.tsv": "1\t9\t9\n2\t8\n", "Both_TEST.tsv": "1\t9\n",
    });
    const { train, test } = loadUcr(d);
    expect(train.name).toBe("Both_TRAIN.ts");
    expect(test.name).toBe("Both_TEST.ts");
    expect(values(train, 1)).toEqual([3, 4]);
    expect(Array.from(test.labels)).toEqual([1]);
    const tsv = loadUcr(join(d, "Both_TRAIN.tsv"));
    expect(values(tsv.train, 0)).toEqual([9, 9]);
  });

  it("shares one class mapping between .tsv splits (sorted union of labels)", () => {
    const d = folder("Tsv", { "Tsv_TRAIN.tsv": "5\t1\n10\t2\n", "Tsv_TEST.tsv": "3\t1\n10\t3\n" });
    const { train, test } = loadUcr(d + "/");
    expect(train.classNames).toEqual(["3", "5", "10"]);
    expect(test.classNames).toEqual(["3", "5", "10"]);
    expect(Array.from(train.labels)).toEqual([1, 2]);
    expect(Array.from(test.labels)).toEqual([0, 2]);
  });

  it("loads from a _TRAIN file path and rejects mismatched @classLabel lists", () => {
    const d = folder("Mismatch", { "Mismatch_TRAIN.ts": tsText("1 2", ["1:1"]), "Mismatch_TEST.ts": tsText("1 2 3", ["1:3"]) });
    expect(() => loadUcr(join(d, "Mismatch_TRAIN.ts"))).toThrow(/^Mismatch_TEST\.ts: @classLabel lists 1 2 3, Mismatch_TRAIN\.ts lists 1 2$/);
    expect(() => loadUcr(d)).toThrow(/^Mismatch_TEST\.ts: @classLabel lists/);
  });

  it("names missing files and parse errors by file and line", () => {
    const lone = folder("Lone", { "Lone_TRAIN.ts": tsText("1 2", ["1:1"]) });
    expect(() => loadUcr(lone)).toThrow(/Lone: expected Lone_TRAIN\.ts and Lone_TEST\.ts \(or Lone_TRAIN\.tsv and Lone_TEST\.tsv\)/);
    expect(() => loadUcr(join(lone, "Lone_TRAIN.ts"))).toThrow(/Lone_TEST\.ts: missing \(the test split of Lone_TRAIN\.ts\)/);
    expect(() => loadUcr(join(lone, "nothing"))).toThrow(/nothing: no such file or folder/);
    const other = folder("Other", { "notes.txt": "x" });
    expect(() => loadUcr(join(other, "notes.txt"))).toThrow(/notes\.txt: expected a dataset folder or a <Name>_TRAIN\.ts/);
    const bad = folder("Bad", { "Bad_TRAIN.ts": tsText("1 2", ["1:1"]), "Bad_TEST.ts": tsText("1 2", ["1:1", "1,a:2"]) });
    expect(() => loadUcr(bad)).toThrow(/^Bad_TEST\.ts:5: value 2 of channel 1 is "a"/);
  });
});

/** SOURCES.md: train/test counts, length (or min/max), dims, classes, missing values (train, test); label histograms from `cut -f1` of the .tsv files. */
const DATASETS: {
  name: string; train: number; test: number; length: [number, number]; testLength?: [number, number]; dims: number;
  classNames: string[]; missing?: [number, number]; trainCounts?: number[]; testCounts?: number[];
}[] = [
  { name: "ArticularyWordRecognition", train: 275, test: 300, length: [144, 144], dims: 9, classNames: Array.from({ length: 25 }, (_, i) => `${i + 1}.0`) },
  { name: "DistalPhalanxOutlineAgeGroup", train: 400, test: 139, length: [80, 80], dims: 1, classNames: ["1", "2", "3"], trainCounts: [30, 113, 257], testCounts: [15, 59, 65] },
  { name: "ECGFiveDays", train: 23, test: 861, length: [136, 136], dims: 1, classNames: ["1", "2"], trainCounts: [14, 9], testCounts: [428, 433] },
  { name: "ERing", train: 30, test: 270, length: [65, 65], dims: 4, classNames: ["1", "2", "3", "4", "5", "6"] },
  { name: "GunPointAgeSpan", train: 135, test: 316, length: [150, 150], dims: 1, classNames: ["1", "2"], trainCounts: [68, 67], testCounts: [160, 156] },
  { name: "InsectEPGRegularTrain", train: 62, test: 249, length: [601, 601], dims: 1, classNames: ["1", "2", "3"], trainCounts: [22, 30, 10], testCounts: [89, 118, 42] },
  { name: "InsectEPGSmallTrain", train: 17, test: 249, length: [601, 601], dims: 1, classNames: ["1", "2", "3"], trainCounts: [6, 8, 3], testCounts: [89, 118, 42] },
  {
    name: "MelbournePedestrian", train: 1194, test: 2439, length: [24, 24], testLength: [9, 24], dims: 1,
    classNames: ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"], missing: [82, 153],
  },
  { name: "ProximalPhalanxOutlineAgeGroup", train: 400, test: 205, length: [80, 80], dims: 1, classNames: ["1", "2", "3"], trainCounts: [72, 139, 189], testCounts: [17, 88, 100] },
  { name: "ProximalPhalanxOutlineCorrect", train: 600, test: 291, length: [80, 80], dims: 1, classNames: ["0", "1"], trainCounts: [194, 406], testCounts: [92, 199] },
  { name: "SmoothSubspace", train: 150, test: 150, length: [15, 15], dims: 1, classNames: ["1", "2", "3"], trainCounts: [50, 50, 50], testCounts: [50, 50, 50] },
  { name: "SonyAIBORobotSurface1", train: 20, test: 601, length: [70, 70], dims: 1, classNames: ["1", "2"], trainCounts: [6, 14], testCounts: [343, 258] },
];

/** [min, max] series length, number of NaN values and label histogram. */
function stats(seq: RealSequences): { length: [number, number]; missing: number; counts: number[] } {
  let lo = Infinity, hi = 0, missing = 0;
  for (const s of seq.series) {
    lo = Math.min(lo, s.length / seq.dims);
    hi = Math.max(hi, s.length / seq.dims);
    for (const v of s) if (Number.isNaN(v)) missing++;
  }
  const counts = new Array<number>(seq.classes).fill(0);
  for (const l of seq.labels) counts[l]++;
  return { length: [lo, hi], missing, counts };
}

describe("the 12 UCR/UEA datasets in /work/shared/data/ucr", () => {
  it.each(DATASETS)("$name matches SOURCES.md", (d) => {
    const { train, test } = loadUcr(join(UCR, d.name));
    for (const [split, seq, count, length, missing, counts] of [
      ["train", train, d.train, d.length, d.missing?.[0] ?? 0, d.trainCounts],
      ["test", test, d.test, d.testLength ?? d.length, d.missing?.[1] ?? 0, d.testCounts],
    ] as const) {
      const s = stats(seq);
      expect(seq.name, split).toBe(`${d.name}_${split.toUpperCase()}.ts`);
      expect(seq.series.length, split).toBe(count);
      expect(seq.labels.length, split).toBe(count);
      expect(seq.dims, split).toBe(d.dims);
      expect(seq.classNames, split).toEqual(d.classNames);
      expect(seq.classes, split).toBe(d.classNames.length);
      expect(s.length, split).toEqual(length);
      expect(s.missing, split).toBe(missing);
      if (counts) expect(s.counts, split).toEqual(counts);
      else expect(s.counts.every((c) => c > 0), split).toBe(true);
    }
  }, 60_000);

  it("MelbournePedestrian TEST has exactly two short series, of 9 and 21 steps", () => {
    const { test } = loadUcr(join(UCR, "MelbournePedestrian", "MelbournePedestrian_TRAIN.ts"));
    expect(test.series.map((s) => s.length).filter((n) => n !== 24).sort((a, b) => a - b)).toEqual([9, 21]);
  });

  const both = DATASETS.filter((d) => existsSync(join(UCR, d.name, `${d.name}_TRAIN.tsv`)));
  it("has a .tsv copy for the 9 UCR-2018 datasets", () => {
    expect(both.length).toBe(9);
  });
  it.each(both)("$name: .ts and .tsv give identical labels and values", (d) => {
    const fromTs = loadUcr(join(UCR, d.name, `${d.name}_TRAIN.ts`));
    const fromTsv = loadUcr(join(UCR, d.name, `${d.name}_TRAIN.tsv`));
    expect(fromTsv.train.name).toBe(`${d.name}_TRAIN.tsv`);
    for (const split of ["train", "test"] as const) {
      const a = fromTs[split], b = fromTsv[split];
      expect(b.classNames).toEqual(a.classNames);
      expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
      expect(b.series.length).toBe(a.series.length);
      let differing = 0, compared = 0;
      for (let i = 0; i < a.series.length; i++) {
        if (a.series[i].length !== b.series[i].length) differing++;
        for (let j = 0; j < a.series[i].length; j++, compared++) if (!Object.is(a.series[i][j], b.series[i][j])) differing++;
      }
      expect(differing).toBe(0);
      expect(compared).toBe(a.series.length * d.length[0]);
    }
  }, 60_000);
});
