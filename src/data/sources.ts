/**
 * Named data sources for the CLI and scripts (Node only): `mnist`, `fashion-mnist`, `idx:<dir>`,
 * `csv:<file>` and `prototypes`. Real-valued data is binarised (median by default, or a thermometer) with an
 * encoder fitted on the training split only.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { parseCsv, type CsvOptions } from "./csv.js";
import { Dataset, type RealData } from "./dataset.js";
import { encode, fitDistributiveThermometer, fitMedian, fitThermometer, type Encoder, type EncoderKind } from "./encode.js";
import { IDX_FILES, idxImages, idxSplits, parseIdx, type IdxArray } from "./idx.js";
import { loadMnistPackage } from "./mnist.js";
import { randomPrototypes } from "./prototypes.js";
import type { SequenceDataset } from "./sequences.js";
import { binariseSequences, rowSequences } from "./sequence-encode.js";
import { loadUcr } from "./ucr-files.js";
import { stratifiedHoldout } from "./split.js";

/** Train and test sets ready for training, with the encoder that produced them (if any). */
export interface LoadedData {
  name: string;
  train: Dataset;
  test: Dataset;
  encoder: Encoder | null;
  /** CSV data: the feature columns, in feature order. */
  featureNames?: string[];
  /** CSV data: class c's label as written in the file. */
  classNames?: string[];
  /** CSV data: the label column's name. */
  labelName?: string;
}

/** The data source names `loadData` understands. */
export const DATA_SOURCES = ["mnist", "fashion-mnist", "idx:<dir>", "csv:<file>", "prototypes"] as const;

/** True if `source` is one of DATA_SOURCES (`idx:` with any folder). */
export function isDataSource(source: string): boolean {
  return ["mnist", "fashion-mnist", "prototypes"].includes(source) || (/^(idx|csv):./.test(source));
}

/** Where Fashion-MNIST is looked for, in order: $BEP_FASHION_MNIST, ~/.cache/bep/fashion-mnist, the Debian package. */
export function fashionMnistDirs(): string[] {
  const dirs = [join(homedir(), ".cache", "bep", "fashion-mnist"), "/usr/share/datasets/fashion-mnist"];
  return process.env.BEP_FASHION_MNIST ? [process.env.BEP_FASHION_MNIST, ...dirs] : dirs;
}

/** The first of fashionMnistDirs() that holds the IDX files; throws with what to install if none does. */
export function fashionMnistDir(): string {
  const dir = fashionMnistDirs().find((d) => existsSync(join(d, "train-images-idx3-ubyte.gz")) || existsSync(join(d, "train-images-idx3-ubyte")));
  if (dir === undefined) {
    throw new Error(`Fashion-MNIST not found in ${fashionMnistDirs().join(", ")}: install it (apt-get install dataset-fashion-mnist), or set BEP_FASHION_MNIST to a folder with the four IDX files, or use --data idx:<dir>`);
  }
  return dir;
}

/** How real-valued sources are binarised: an encoder kind and its bits per feature (thermometers). */
export interface EncoderChoice {
  kind: EncoderKind;
  bits?: number;
}

/** How a `csv:` source is read and split: its label column (default: the last) and the stratified test fraction (default 0.2). */
export interface CsvSplit {
  labelColumn?: string;
  testFraction?: number;
}

/**
 * Loads a named source (see DATA_SOURCES); `seed` drives generated data and the CSV test split;
 * real-valued data uses `encoder` (a choice to fit on the training split, default median, or an
 * already fitted one).
 */
export function loadData(source: string, seed = 1, encoder: EncoderChoice | Encoder = { kind: "median" }, csv: CsvSplit = {}): LoadedData {
  const binarise = (name: string, raw: { train: RealData; test: RealData }): LoadedData => {
    const fitted = "feature" in encoder ? encoder
      : encoder.kind === "median" ? fitMedian(raw.train)
      : encoder.kind === "thermometer" ? fitThermometer(raw.train, encoder.bits ?? 8)
      : fitDistributiveThermometer(raw.train, encoder.bits ?? 8);
    return { name, train: encode(fitted, raw.train), test: encode(fitted, raw.test), encoder: fitted };
  };
  if (source === "mnist") return binarise("mnist", loadMnistPackage());
  if (source === "prototypes") return { name: source, ...randomPrototypes({ seed }), encoder: null };
  if (source === "fashion-mnist") return binarise(source, loadIdxDir(fashionMnistDir()));
  if (source.startsWith("csv:")) {
    const all = readCsv(source.slice(4), { labelColumn: csv.labelColumn });
    const fraction = csv.testFraction ?? 0.2;
    const { train, test } = stratifiedHoldout(all.labels, fraction, seed);
    if (test.length === 0 || train.length === 0) {
      throw new Error(`${all.name}: a test fraction of ${fraction} of each class leaves ${test.length === 0 ? "no test" : "no training"} sample among ${all.labels.length} rows (${all.classNames.length} classes); pass another --test-fraction`);
    }
    const f = all.features;
    const rows = (indices: Int32Array, part: string): RealData => {
      const x = new Float32Array(indices.length * f);
      indices.forEach((row, i) => x.set(all.x.subarray(row * f, (row + 1) * f), i * f));
      return { x, labels: Uint8Array.from(indices, (i) => all.labels[i]), features: f, classes: all.classes, name: `${all.name} (${part})` };
    };
    return { ...binarise(source, { train: rows(train, "train"), test: rows(test, "test") }), featureNames: all.featureNames, classNames: all.classNames, labelName: all.labelName! };
  }
  if (!isDataSource(source)) throw new Error(`unknown data source '${source}' (expected ${DATA_SOURCES.join(", ")})`);
  return binarise(source, loadIdxDir(source.slice(4)));
}

/** Train and test series ready for a recurrent network, with the per-step encoder (if any). */
export interface LoadedSequences {
  name: string;
  train: SequenceDataset;
  test: SequenceDataset;
  encoder: Encoder;
  /** UCR/UEA data: class c's label as written in the files. */
  classNames?: string[];
}

/** True if `source` names sequence data: `ucr:<dir or _TRAIN file>`, or an image source read row by row. */
export function isSequenceSource(source: string): boolean {
  return source.startsWith("ucr:") || (isDataSource(source) && source !== "prototypes" && !source.startsWith("csv:"));
}

/**
 * Loads sequence data: `ucr:<path>` (UCR/UEA `.ts`/`.tsv`, the last `how.window` steps,
 * binarised per step with `how.encoder`: a choice to fit on the training split, default
 * distributive thermometer, or a fitted encoder), or an image source (mnist, fashion-mnist, idx:<dir>) median-binarised
 * and read row by row, one image row per step.
 */
export function loadSequenceData(source: string, how: { window?: number; encoder?: EncoderChoice | Encoder } = {}): LoadedSequences {
  const encoder = how.encoder;
  if (source.startsWith("ucr:")) {
    const { train, test } = loadUcr(source.slice(4));
    const fitted = encoder !== undefined && "feature" in encoder ? encoder : undefined;
    const choice = encoder !== undefined && !("feature" in encoder) ? encoder : { kind: "distributive-thermometer" as const };
    return { name: source, ...binariseSequences(train, test, { window: how.window, kind: choice.kind, bits: choice.bits, encoder: fitted }), classNames: train.classNames };
  }
  if (!isSequenceSource(source)) throw new Error(`'${source}' is not sequence data (expected ucr:<path>, mnist, fashion-mnist or idx:<dir>)`);
  const images = loadData(source, 1, encoder ?? { kind: "median" });
  const rows = Math.round(Math.sqrt(images.train.k));
  if (rows * rows !== images.train.k) throw new Error(`${source}: images of ${images.train.k} pixels are not square; cannot read them row by row`);
  return { name: source, train: rowSequences(images.train, rows), test: rowSequences(images.test, rows), encoder: images.encoder! };
}

/** Reads and parses a numeric CSV file (see parseCsv). */
export function readCsv(file: string, options: CsvOptions = {}) {
  return parseCsv(readText(file), file, options);
}

/** The UTF-8 text of `file`, with a one-line error naming it if it cannot be read or decoded. */
export function readText(file: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(readFileSync(file));
  } catch (e) {
    throw new Error(`${file}: cannot read as UTF-8 text: ${(e as Error).message}`);
  }
}

/** Reads and parses an IDX file, gunzipping it first if it is gzipped. */
export function readIdxFile(file: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new Error(`${file}: cannot read: ${(e as Error).message}`);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new Error(`${file}: corrupt gzip data: ${(e as Error).message}`);
    }
  }
  return parseIdx(bytes, file);
}

/** Reads the four MNIST-style IDX files (gzipped or not) of `dir`: images scaled to [0, 1]. */
export function loadIdxDir(dir: string): { train: RealData; test: RealData } {
  const split = (part: "train" | "test"): RealData => {
    const images = readIdx(dir, IDX_FILES[part].images);
    const labels = readIdx(dir, IDX_FILES[part].labels);
    return idxImages(images.array, labels.array, images.file, labels.file, `${dir} (${part})`);
  };
  return idxSplits(split("train"), split("test"), dir);
}

function readIdx(dir: string, base: string) {
  for (const file of [join(dir, `${base}.gz`), join(dir, base)]) {
    if (existsSync(file)) return { file, array: readIdxFile(file) };
  }
  throw new Error(`${dir}: missing ${base} (or ${base}.gz)`);
}
