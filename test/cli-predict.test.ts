import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Rng, idx } from "./helpers";

// `bep train` on CSV data, `bep eval`/`predict`/`export`/`bench`, as users run them (the built dist/cli.js).
const cli = join(__dirname, "..", "dist", "cli.js");
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
const lastJson = (out: string) => JSON.parse(out.trim().split("\n").at(-1)!);

const SPECIES = ["setosa", "versicolor", "virginica"];
const COLUMNS = ["sepal length", "sepal width", "petal length", "petal width"];

/** `n` rows of three Gaussian clusters in 4 features (class c centred at 2c per feature, σ 0.6). */
function flowers(rng: Rng, n: number): { x: number[][]; y: number[] } {
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.float())) * Math.cos(2 * Math.PI * rng.float());
  const y = Array.from({ length: n }, (_, i) => i % 3);
  return { x: y.map((c) => COLUMNS.map((_, f) => +(2 * c + (f % 2 ? 0.5 : 0) + 0.6 * gauss()).toFixed(3))), y };
}

/** CSV text with a quoted header; the label column sits at `labelAt` among the features. */
function csv({ x, y }: { x: number[][]; y: number[] }, order: number[], labelAt: number): string {
  const head = order.map((f) => `"${COLUMNS[f]}"`);
  head.splice(labelAt, 0, "species");
  const rows = x.map((r, i) => {
    const cells = order.map((f) => String(r[f]));
    cells.splice(labelAt, 0, SPECIES[y[i]]);
    return cells.join(",");
  });
  return [head.join(","), ...rows].join("\r\n") + "\r\n";
}

describe.skipIf(!existsSync(cli) && !process.env.CI)("bep CLI: CSV data, eval, predict, export, bench", () => {
  const dir = mkdtempSync(join(tmpdir(), "bep-predict-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string) => join(dir, name);
  const rng = new Rng(11);
  const trainSet = flowers(rng, 300), newSet = flowers(rng, 90);
  writeFileSync(file("iris.csv"), csv(trainSet, [0, 1, 2, 3], 2));
  // Unseen rows with the columns in another order: read by name.
  writeFileSync(file("new.csv"), csv(newSet, [3, 1, 0, 2], 0));
  const model = file("iris.bepm");

  it("train --data csv: with --label-column trains with a thermometer encoder and reports test accuracy on a held-out split", () => {
    const r = run("train", "--data", `csv:${file("iris.csv")}`, "--label-column", "species", "--layers", "60", "--epochs", "10", "--thermometer", "8",
      "--out", model, "--json");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/216 train, 24 validation, 60 test samples of 32 bits, 3 classes/);
    const summary = lastJson(r.stdout);
    expect(summary.testAccuracy).toBeGreaterThanOrEqual(0.9);
    const info = JSON.parse(run("info", "--model", model, "--json").stdout);
    expect(info).toMatchObject({ encoder: { kind: "distributive-thermometer", features: 4, bits: 32 }, names: { features: COLUMNS, classes: SPECIES, label: "species" } });
  });

  it("eval --data csv: scores every row of a new file by column name; predict gives the same classes as CSV and JSON lines", () => {
    const e = run("eval", "--model", model, "--data", `csv:${file("new.csv")}`, "--json");
    expect(e.status, e.stderr).toBe(0);
    const evaluated = JSON.parse(e.stdout);
    expect(evaluated.samples).toBe(90);
    expect(evaluated.testAccuracy).toBeGreaterThanOrEqual(0.85);

    const p = run("predict", "--model", model, "--input", file("new.csv"));
    expect(p.status, p.stderr).toBe(0);
    const [header, ...lines] = p.stdout.trim().split("\n");
    expect(header).toBe("sample\tclass\tlabel\tlogits");
    const labels = lines.map((l) => l.split("\t")[2]);
    const correct = labels.filter((l, i) => l === SPECIES[newSet.y[i]]).length;
    expect(correct / 90).toBe(evaluated.testAccuracy);

    writeFileSync(file("new.jsonl"), newSet.x.map((r, i) => (i % 2
      ? JSON.stringify(Object.fromEntries(COLUMNS.map((c, f) => [c, r[f]])))
      : JSON.stringify(r))).join("\n") + "\n");
    const j = run("predict", "--model", model, "--input", file("new.jsonl"), "--json");
    expect(j.status, j.stderr).toBe(0);
    const objects = j.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(objects.map((o) => o.label)).toEqual(labels);
    expect(objects[0].logits).toHaveLength(3);
  });

  it("export writes a smaller file of 1-bit weights that predicts exactly as the full model", () => {
    const out = file("iris-1bit.bepm");
    const x = run("export", "--model", model, "--out", out, "--json");
    expect(x.status, x.stderr).toBe(0);
    // 1 bit instead of 16 per weight; the header (names, encoder) dominates a model this small.
    expect(statSync(out).size).toBeLessThan(statSync(model).size / 2);
    const full = run("predict", "--model", model, "--input", file("new.csv")).stdout;
    expect(run("predict", "--model", out, "--input", file("new.csv")).stdout).toBe(full);
    const info = run("info", "--model", out);
    expect(info.stdout).toMatch(/H1: 60 × 32 1-bit weights W = sign\(H\)/);
    expect(info.stdout).toMatch(/training state: none \(inference only\)/);
    const resume = run("train", "--data", `csv:${file("iris.csv")}`, "--label-column", "species", "--resume", out, "--epochs", "12");
    expect(resume.status).toBe(2);
    expect(resume.stderr).toMatch(/iris-1bit\.bepm holds no training state \(an inference-only export of 1-bit weights\)/);
  });

  it("predict on an IDX image file agrees with eval on the same IDX folder", () => {
    // Four classes of 6×6 images: a bright quadrant per class, noisy.
    const images = (n: number, rngI: Rng) => {
      const y = Array.from({ length: n }, (_, i) => i % 4);
      const px = y.flatMap((c) => Array.from({ length: 36 }, (_, p) => {
        const inQuadrant = (Math.floor(p / 6) < 3 ? 0 : 2) + (p % 6 < 3 ? 0 : 1) === c;
        return Math.max(0, Math.min(255, Math.round((inQuadrant ? 170 : 70) + 60 * (rngI.float() - 0.5) * 2)));
      }));
      return { images: idx([n, 6, 6], px), labels: idx([n], y) };
    };
    const d = file("idx");
    mkdirSync(d);
    const tr = images(400, new Rng(5)), te = images(100, new Rng(6));
    writeFileSync(join(d, "train-images-idx3-ubyte.gz"), gzipSync(tr.images));
    writeFileSync(join(d, "train-labels-idx1-ubyte"), tr.labels);
    writeFileSync(join(d, "t10k-images-idx3-ubyte"), te.images);
    writeFileSync(join(d, "t10k-labels-idx1-ubyte"), te.labels);
    const m = file("quad.bepm");
    expect(run("train", "--data", `idx:${d}`, "--layers", "30", "--epochs", "3", "--out", m).status).toBe(0);
    const evaluated = JSON.parse(run("eval", "--model", m, "--data", `idx:${d}`, "--json").stdout);
    const p = run("predict", "--model", m, "--input", join(d, "t10k-images-idx3-ubyte"));
    expect(p.status, p.stderr).toBe(0);
    const classes = p.stdout.trim().split("\n").slice(1).map((l) => Number(l.split("\t")[1]));
    const y = Array.from(te.labels.subarray(8));
    expect(classes).toHaveLength(100);
    expect(classes.filter((c, i) => c === y[i]).length / 100).toBe(evaluated.testAccuracy);
    expect(evaluated.testAccuracy).toBeGreaterThan(0.8);
  });

  it("bench times every backend and checks that they train the same model", () => {
    const r = run("bench", "--data", "prototypes", "--layers", "45", "--runs", "1", "--json");
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const backends = lines.filter((l) => l.type === "backend");
    expect(backends.map((b) => b.backend)).toEqual(["wasm-simd", "wasm-scalar", "js"]);
    for (const b of backends) expect(b.trainSamplesPerSecond).toBeGreaterThan(0);
    expect(lines.at(-1)).toMatchObject({ type: "summary", identicalModels: true, machine: { node: process.version } });
  });

  it("bad input: one line naming the file, line or field; exit 1 for bad files, 2 for usage; nothing written", () => {
    const bad = file("bad.csv");
    writeFileSync(bad, "a,b,y\n1,2,p\n3,x4,q\n5,6,p\n");
    const out = file("never.bepm");
    for (const [args, status, message] of [
      [["train", "--data", `csv:${bad}`, "--out", out], 1, /^bep: .*bad\.csv:3: column 2 \("b"\) is "x4", expected a finite number$/m],
      [["train", "--data", `csv:${file("iris.csv")}`, "--label-column", "kind"], 1, /iris\.csv:1: no label column "kind" \(columns: sepal length, sepal width, species, petal length, petal width\)/],
      [["train", "--data", `csv:${file("iris.csv")}`, "--test-fraction", "1"], 2, /--test-fraction expects a number in \(0, 1\), got 1/],
      [["train", "--data", "mnist", "--label-column", "y"], 2, /--label-column applies to csv: data only/],
      [["predict", "--model", model], 2, /predict: --input <file> is required/],
      [["predict", "--model", model, "--input", file("new.csv"), "--format", "xml"], 2, /--format: unknown format 'xml' \(expected idx, csv, jsonl, ucr\)/],
      [["predict", "--model", model, "--input", join(dir, "idx", "t10k-images-idx3-ubyte")], 1, /t10k-images-idx3-ubyte: samples have 36 features, the model expects 4/],
      [["export", "--model", model], 2, /export: --out <file> is required/],
      [["bench", "--runs", "0"], 2, /--runs expects a positive integer, got '0'/],
      [["bench", "--backends", "wasm-simd,gpu"], 2, /--backends: unknown backend 'gpu'/],
    ] as const) {
      const r = run(...args);
      expect(r.status, args.join(" ")).toBe(status);
      expect(r.stderr, args.join(" ")).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(out)).toBe(false);

    const jsonl = file("bad.jsonl");
    writeFileSync(jsonl, "[1, 2, 3, 4]\n\n[1, 2, null, 4]\n");
    const j = run("predict", "--model", model, "--input", jsonl);
    expect(j.status).toBe(1);
    expect(j.stderr).toMatch(/bad\.jsonl:3: value 2 is null, expected a finite number/);
    writeFileSync(jsonl, '{"sepal length": 1}\n');
    expect(run("predict", "--model", model, "--input", jsonl).stderr).toMatch(/bad\.jsonl:1: feature "sepal width" is missing, expected a finite number/);

    const truncated = file("truncated.bepm");
    writeFileSync(truncated, readFileSync(model).subarray(0, 500));
    const t = run("predict", "--model", truncated, "--input", file("new.csv"));
    expect(t.status).toBe(1);
    expect(t.stderr).toMatch(/truncated\.bepm: checksum mismatch/);
  });
});
