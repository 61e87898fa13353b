/**
 * `bep predict --model <file> --input <file>`: the class and logits of every sample of an IDX
 * image file, a CSV file or a JSON-lines file (MLPs), or of every series of a UCR/UEA file
 * (recurrent networks), binarised with the encoder saved in the model.
 */
import { loadBackendSync } from "../kernels/backend.js";
import type { RealData } from "../data/dataset.js";
import { encodeSequences, fillMissing, lastWindow, rowSequences } from "../data/sequence-encode.js";
import type { SequenceDataset } from "../data/sequences.js";
import { parseUcrTs, parseUcrTsv } from "../data/ucr.js";
import { encode, type Encoder } from "../data/encode.js";
import { readCsv, readIdxFile, readText } from "../data/sources.js";
import { readModelFile } from "../io/files.js";
import type { DataNames } from "../io/model-file.js";
import type { Mlp } from "../model/mlp.js";
import { Rnn } from "../model/rnn.js";
import { UsageError, parsed } from "./usage.js";

const USAGE = `Usage: bep predict --model <file> --input <file> [options]

Predict the class of every sample of <file>, binarised with the encoder saved in the model.
Prints one line per sample: its index, class and logits (tab-separated, after a header line).

Input formats (--format, or from the file name: .csv, .jsonl/.ndjson/.json, .ts/.tsv, else IDX):
  idx    an IDX unsigned-byte file of n samples (e.g. t10k-images-idx3-ubyte[.gz]),
         scaled to [0, 1] as in training
  csv    a header row and one sample per row; a model trained on CSV data reads its
         feature columns by name (other columns, such as the label, are ignored),
         other models read every column (but --label-column) in order
  jsonl  one sample per line: an array of numbers, or an object of feature names
         (for models trained on CSV data)
  ucr    recurrent networks: a UCR/UEA .ts or .tsv file of series (labels are ignored),
         cropped to the window saved with the model; a recurrent network trained on
         images row by row reads IDX images
A model without an encoder (trained on packed bits) takes one value per input bit: > 0 is +1.

Options:
  --model <file>         a model file from 'bep train --out' or 'bep export'
  --input <file>         the samples
  --format <f>           idx | csv | jsonl | ucr                    [from the file name]
  --label-column <name>  csv: a column to ignore (models without feature names)
  --json                 print one JSON object per sample instead
  -h, --help             show this help

Examples:
  bep predict --model fmnist.bepm --input /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
  bep predict --model iris.bepm --input new-flowers.csv --json
  bep predict --model ering.bepm --input ERing_TEST.ts`;

const FORMATS = ["idx", "csv", "jsonl", "ucr"] as const;
type Format = (typeof FORMATS)[number];

/** `bep predict`. */
export function predict(rest: string[]): number {
  const { values } = parsed(rest, {
    model: { type: "string" }, input: { type: "string" }, format: { type: "string" }, "label-column": { type: "string" },
    json: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.model === undefined) throw new UsageError("predict: --model <file> is required");
  if (values.input === undefined) throw new UsageError("predict: --input <file> is required");
  const format = (values.format ?? formatOf(values.input)) as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format: unknown format '${format}' (expected ${FORMATS.join(", ")})`);
  const { model, encoder, names, window } = readModelFile(values.model, loadBackendSync("auto"));
  let result: { predictions: Uint8Array; logits: Int32Array };
  if (model instanceof Rnn) {
    if (format !== "ucr" && format !== "idx") throw new UsageError(`--format ${format}: ${values.model} holds a recurrent network, which reads UCR/UEA .ts/.tsv series (or IDX images, row by row)`);
    if (encoder === null) throw new Error(`${values.model}: the recurrent network has no encoder to binarise series with (it was trained on packed bits)`);
    result = model.logits(readSeries(values.input, format, model, encoder, window));
  } else {
    if (format === "ucr") throw new UsageError(`--format ucr: ${values.model} holds an MLP, which reads IDX, CSV or JSON lines`);
    const input = inputEncoder(model, encoder);
    const raw = readSamples(values.input, format, input.features, names, values["label-column"]);
    result = model.logits(encode(input, { ...raw, labels: new Uint8Array(raw.labels.length), classes: model.classes }));
  }
  const { predictions, logits } = result;
  const classNames = names?.classes;
  const lines: string[] = values.json ? [] : [["sample", "class", ...(classNames ? ["label"] : []), "logits"].join("\t")];
  for (let i = 0; i < predictions.length; i++) {
    const c = predictions[i], y = Array.from(logits.subarray(i * model.classes, (i + 1) * model.classes));
    lines.push(values.json
      ? JSON.stringify({ sample: i, class: c, ...(classNames ? { label: classNames[c] } : {}), logits: y })
      : [i, c, ...(classNames ? [classNames[c]] : []), y.join(" ")].join("\t"));
  }
  process.stdout.write(lines.join("\n") + "\n");
  return 0;
}

/** The format a file name suggests: .csv, .jsonl/.ndjson/.json, .ts/.tsv (UCR), else IDX. */
function formatOf(file: string): Format {
  if (/\.csv$/i.test(file)) return "csv";
  if (/\.tsv?$/i.test(file)) return "ucr";
  if (/\.(jsonl|ndjson|json)$/i.test(file)) return "jsonl";
  return "idx";
}

/** The encoder that binarises a model's inputs: its own, or for a model trained on packed bits one input value per bit, +1 iff it is > 0. */
export function inputEncoder(model: Mlp, encoder: Encoder | null): Encoder {
  const k = model.sizes[0];
  return encoder ?? { kind: "median", features: k, feature: Int32Array.from({ length: k }, (_, j) => j), threshold: new Float32Array(k) };
}

/** Reads `file` in `format` (not ucr) as samples of `features` reals (unlabelled). */
function readSamples(file: string, format: Format, features: number, names: DataNames | null, labelColumn: string | undefined): RealData {
  const data = format === "idx" ? readIdxImages(file)
    : format === "csv" ? readCsv(file, names?.features ? { labelColumn: null, featureNames: names.features } : { labelColumn: labelColumn ?? null })
    : parseJsonLines(readText(file), file, features, names?.features);
  if (data.features !== features) throw new Error(`${file}: samples have ${data.features} features, the model expects ${features}`);
  return data;
}

/**
 * Series for a recurrent network: a UCR/UEA .ts/.tsv file (missing values carried forward,
 * cropped to the model's window, binarised per step), or IDX images read one row per step.
 */
function readSeries(file: string, format: "ucr" | "idx", model: Rnn, encoder: Encoder, window: number | null): SequenceDataset {
  if (format === "idx") {
    const images = readIdxImages(file);
    if (images.features !== encoder.features) throw new Error(`${file}: images have ${images.features} pixels, the model expects ${encoder.features}`);
    return rowSequences(encode(encoder, images), encoder.feature.length / model.inputs);
  }
  const text = readText(file);
  const series = fillMissing(/\.tsv$/i.test(file) ? parseUcrTsv(text, file) : parseUcrTs(text, file));
  if (series.dims !== encoder.features) throw new Error(`${file}: series have ${series.dims} channels, the model expects ${encoder.features}`);
  return encodeSequences(encoder, window === null ? series : lastWindow(series, window));
}

/** An IDX unsigned-byte file (gzipped or not) of n samples, scaled to [0, 1]. */
function readIdxImages(file: string): RealData {
  const { dims, data: pixels } = readIdxFile(file);
  if (dims.length < 2) throw new Error(`${file}: IDX dimensions [${dims.join(", ")}] hold no samples of features (expected n × features…)`);
  return { x: Float32Array.from(pixels, (v) => v / 255), labels: new Uint8Array(dims[0]), features: pixels.length / dims[0], classes: 2, name: file };
}

/** JSON lines: each non-blank line an array of `features` finite numbers, or an object with a finite number for each of `names`. */
function parseJsonLines(text: string, file: string, features: number, names: readonly string[] | undefined): RealData {
  const rows: number[][] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const at = `${file}:${i + 1}`;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new Error(`${at}: not valid JSON: ${(e as Error).message}`);
    }
    const row = Array.isArray(v) ? v
      : names && typeof v === "object" && v !== null ? names.map((n) => (v as Record<string, unknown>)[n])
      : null;
    const expected = names ? `an array of ${features} numbers or an object with the model's ${features} feature names` : `an array of ${features} numbers`;
    if (row === null || row.length !== features) throw new Error(`${at}: expected ${expected}`);
    const bad = row.findIndex((x) => typeof x !== "number" || !Number.isFinite(x));
    if (bad >= 0) throw new Error(`${at}: ${Array.isArray(v) ? `value ${bad}` : `feature "${names![bad]}"`} is ${JSON.stringify(row[bad]) ?? "missing"}, expected a finite number`);
    rows.push(row as number[]);
  });
  if (rows.length === 0) throw new Error(`${file}: no samples`);
  return { x: Float32Array.from(rows.flat()), labels: new Uint8Array(rows.length), features, classes: 2, name: file };
}
