import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCsv } from "../src/data/csv";
import { loadData } from "../src/data/sources";
import { stratifiedHoldout } from "../src/data/split";

describe("CSV parsing", () => {
  it("reads a header, quoted cells (commas, \"\" escapes, line breaks), BOM, CRLF and blank lines", () => {
    const text = '\ufeff"width, cm",label,"the ""height"""\r\n1.5,b,2\r\n\r\n-3e2,a,+.5\n"7",b,"8"\n';
    const d = parseCsv(text, "f.csv", { labelColumn: "label" });
    expect(d.featureNames).toEqual(["width, cm", 'the "height"']);
    expect(d.classNames).toEqual(["a", "b"]);
    expect(Array.from(d.labels)).toEqual([1, 0, 1]);
    expect(Array.from(d.x)).toEqual([1.5, 2, -300, 0.5, 7, 8]);
    expect([d.features, d.classes, d.labelName]).toEqual([2, 2, "label"]);
  });
  it("skips lines of spaces, keeps a quote inside an unquoted cell and trims cells", () => {
    const d = parseCsv('a , b,y\n   \n 1 ,2,x"y\n3,4,z\n', "f.csv");
    expect(d.featureNames).toEqual(["a", "b"]);
    expect(d.classNames).toEqual(['x"y', "z"]);
    expect(Array.from(d.x)).toEqual([1, 2, 3, 4]);
  });
  it("takes the last column as the label by default and sorts numeric labels numerically", () => {
    const d = parseCsv("a,b,y\n1,2,10\n3,4,9\n5,6,2\n", "f.csv");
    expect(d.classNames).toEqual(["2", "9", "10"]);
    expect(Array.from(d.labels)).toEqual([2, 1, 0]);
  });
  it("reads a model's feature columns by name and maps labels to its classes", () => {
    const d = parseCsv("y,b,a,extra\nno,2,1,x\nyes,4,3,y\n", "f.csv", { labelColumn: "y", featureNames: ["a", "b"], classNames: ["yes", "no"] });
    expect(Array.from(d.x)).toEqual([1, 2, 3, 4]);
    expect(Array.from(d.labels)).toEqual([1, 0]);
    const unlabelled = parseCsv("a,b\n1,2\n", "f.csv", { labelColumn: null });
    expect([unlabelled.features, unlabelled.labelName, Array.from(unlabelled.labels)]).toEqual([2, null, [0]]);
  });
  it.each([
    ["a missing cell", "a,b,y\n1,2,p\n3,q\n", /^f\.csv:3: 2 cells, the header has 3 columns$/],
    ["an extra cell", "a,b,y\n1,2,p,9\n", /^f\.csv:2: 4 cells, the header has 3 columns$/],
    ["a non-numeric cell", "a,b,y\n1,2,p\n3,abc,q\n", /^f\.csv:3: column 2 \("b"\) is "abc", expected a finite number$/],
    ["an empty cell", "a,b,y\n1,,p\n", /^f\.csv:2: column 2 \("b"\) is empty, expected a finite number$/],
    ["NaN", "a,b,y\nNaN,1,p\n", /^f\.csv:2: column 1 \("a"\) is "NaN", expected a finite number$/],
    ["Infinity", "a,b,y\n1,-Infinity,p\n", /^f\.csv:2: column 2 \("b"\) is "-Infinity", expected a finite number$/],
    ["hex and trailing junk", "a,b,y\n0x10,1,p\n", /^f\.csv:2: column 1 \("a"\) is "0x10", expected a finite number$/],
    ["a number beyond 32-bit floats (found by fuzzing)", "a,b,y\n1e39,1,p\n", /^f\.csv:2: column 1 \("a"\) is 1e39, too large for a 32-bit float \(±3\.4e38\)$/],
    ["an empty label", "a,b,y\n1,2,p\n3,4, \n", /^f\.csv:3: the label \(column 3, "y"\) is empty$/],
    ["an unterminated quote", 'a,b,y\n1,2,p\n"3,4,q\n', /^f\.csv:3: a quoted cell is not closed before the end of the file$/],
    ["a repeated column name", "a,a,y\n1,2,p\n", /^f\.csv:1: column 2 repeats the name "a" of column 1$/],
    ["one class only", "a,b,y\n1,2,p\n3,4,p\n", /^f\.csv: the label column "y" has 1 distinct value, expected 2 to 255 classes$/],
    ["no rows", "a,b,y\n", /^f\.csv: no data rows after the header$/],
    ["an empty file", "", /^f\.csv: empty file, expected a header row$/],
    ["semicolons", "a;b;y\n1;2;p\n", /^f\.csv:1: no feature columns \(the header has 1 column; is the file comma-separated\?\)$/],
  ])("rejects %s, naming the file, line and column", (_, text, message) => {
    expect(() => parseCsv(text, "f.csv")).toThrow(message);
  });
  it("keeps errors on one line when a quoted column name holds a line break (found by fuzzing)", () => {
    expect(() => parseCsv('"a\nb",label\nx,1\n', "f.csv")).toThrow(/^f\.csv:3: column 1 \("a\\nb"\) is "x", expected a finite number$/);
    expect(() => parseCsv('"a\nb",label\n1,1\n', "f.csv", { featureNames: ["c"] })).toThrow(/^f\.csv:1: no feature column "c" \(columns: a\\nb, label\)$/);
  });
  it("rejects an unknown label or feature column and a label outside the model's classes", () => {
    expect(() => parseCsv("a,b\n1,2\n", "f.csv", { labelColumn: "z" })).toThrow(/^f\.csv:1: no label column "z" \(columns: a, b\)$/);
    expect(() => parseCsv("a,b\n1,2\n", "f.csv", { labelColumn: null, featureNames: ["a", "c"] })).toThrow(/^f\.csv:1: no feature column "c"/);
    expect(() => parseCsv("a,y\n1,p\n2,r\n", "f.csv", { classNames: ["p", "q"] })).toThrow(/^f\.csv:3: label "r" is not one of the model's classes \(p, q\)$/);
  });
});

describe("stratified hold-out", () => {
  const labels = Uint8Array.from({ length: 103 }, (_, i) => (i < 50 ? 0 : i < 90 ? 1 : 2));
  it("holds out round(n_c · fraction) of each class; train and test partition the samples", () => {
    const { train, test } = stratifiedHoldout(labels, 0.2, 7);
    const count = (idx: Int32Array, c: number) => Array.from(idx).filter((i) => labels[i] === c).length;
    expect([0, 1, 2].map((c) => count(test, c))).toEqual([10, 8, 3]);
    expect([...train, ...test].sort((a, b) => a - b)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    expect(Array.from(test)).toEqual([...test].sort((a, b) => a - b));
  });
  it("is deterministic for a seed and differs across seeds", () => {
    expect(stratifiedHoldout(labels, 0.3, 1).test).toEqual(stratifiedHoldout(labels, 0.3, 1).test);
    expect(stratifiedHoldout(labels, 0.3, 1).test).not.toEqual(stratifiedHoldout(labels, 0.3, 2).test);
  });
  it("rejects fractions outside (0, 1)", () => {
    for (const f of [0, 1, -0.5, NaN]) expect(() => stratifiedHoldout(labels, f, 1)).toThrow(/fraction must be in \(0, 1\)/);
  });
});

describe("csv: data source", () => {
  const dir = mkdtempSync(join(tmpdir(), "bep-csv-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it("splits off a stratified test set, fits the encoder on the training rows only, and keeps the names", () => {
    const file = join(dir, "d.csv");
    writeFileSync(file, "x,kind\n" + Array.from({ length: 40 }, (_, i) => `${i},${i % 2 ? "odd" : "even"}`).join("\n"));
    const d = loadData(`csv:${file}`, 3, { kind: "thermometer", bits: 4 }, { labelColumn: "kind", testFraction: 0.25 });
    expect([d.train.n, d.test.n, d.train.k]).toEqual([30, 10, 4]);
    expect([d.featureNames, d.classNames, d.labelName]).toEqual([["x"], ["even", "odd"], "kind"]);
    expect(d.encoder?.kind).toBe("thermometer");
  });
  it("refuses a test fraction that holds out no sample", () => {
    const file = join(dir, "tiny.csv");
    writeFileSync(file, "x,y\n1,a\n2,b\n3,a\n4,b\n");
    expect(() => loadData(`csv:${file}`, 1, { kind: "median" }, { testFraction: 0.1 })).toThrow(/tiny\.csv: a test fraction of 0\.1 of each class leaves no test sample among 4 rows \(2 classes\); pass another --test-fraction/);
  });
});
