/**
 * `bep info --model <file>` (shapes, encoder, options, parameter count, bytes) and
 * `bep eval --model <file> --data <source>` (test accuracy of a saved model on a data source,
 * binarised with the encoder saved in the file) and `bep export --model <file> --out <file>` (an
 * inference-only copy of 1-bit weights).
 */
import { statSync } from "node:fs";
import { loadBackendSync } from "../kernels/backend.js";
import type { Dataset } from "../data/dataset.js";
import { encode, type Encoder } from "../data/encode.js";
import { isDataSource, isSequenceSource, loadData, loadSequenceData, readCsv } from "../data/sources.js";
import { readModelFile, writeFileAtomic } from "../io/files.js";
import { serializeModel, type DataNames } from "../io/model-file.js";
import { Mlp } from "../model/mlp.js";
import { Rnn } from "../model/rnn.js";
import { inputEncoder } from "./predict.js";
import { pct } from "./report.js";
import { UsageError, parsed, positive } from "./usage.js";

const INFO_USAGE = `Usage: bep info --model <file> [--json]

Describe a saved model: architecture, parameter count, encoder, training options and state.

Examples:
  bep info --model fmnist.bepm
  bep info --model fmnist.bepm --json`;

const EVAL_USAGE = `Usage: bep eval --model <file> --data <source> [--window <W>] [--label-column <name>] [--json]

Test accuracy of a saved model on the test split of <source> (mnist, fashion-mnist, idx:<dir>,
prototypes, ucr:<path>), or on every row of a CSV file (csv:<file>: columns and labels are read
by the names saved with the model), binarised with the encoder saved in the model file.

Examples:
  bep eval --model fmnist.bepm --data fashion-mnist
  bep eval --model iris.bepm --data csv:more-flowers.csv
  bep eval --model ering.bepm --data ucr:/path/to/ERing --window 17 --json`;

const COMMON = { json: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } } as const;

const EXPORT_USAGE = `Usage: bep export --model <file> --out <file> [--json]

Write an inference-only copy of a saved model: its visible weights W = sign(H) at 1 bit each
(about 16× smaller than the int16 hidden weights), the encoder and the data's names, without
training state. 'bep predict', 'bep eval' and 'bep info' read it; training cannot resume from it.

Examples:
  bep export --model fmnist.bepm --out fmnist-1bit.bepm
  bep predict --model fmnist-1bit.bepm --input t10k-images-idx3-ubyte.gz`;

/** `bep export`. */
export function exportModel(rest: string[]): number {
  const { values } = parsed(rest, { model: { type: "string" }, out: { type: "string" }, ...COMMON });
  if (values.help) {
    console.log(EXPORT_USAGE);
    return 0;
  }
  if (typeof values.model !== "string") throw new UsageError("export: --model <file> is required");
  if (typeof values.out !== "string") throw new UsageError("export: --out <file> is required");
  const { model, encoder, names, window } = readModelFile(values.model, loadBackendSync("auto"));
  const bytes = serializeModel(model, encoder, null, { names, weights: "sign", window: window ?? undefined });
  writeFileAtomic(values.out, bytes);
  const summary = { type: "export", model: values.model, out: values.out, bytes: bytes.length, fromBytes: statSync(values.model).size };
  if (values.json) console.log(JSON.stringify(summary));
  else console.log(`bep: wrote ${values.out}: ${summary.bytes} bytes of 1-bit weights (${values.model}: ${summary.fromBytes} bytes, ${(summary.fromBytes / summary.bytes).toFixed(1)}× larger)`);
  return 0;
}

/** `bep info`. */
export function info(rest: string[]): number {
  const { values } = parsed(rest, { model: { type: "string" }, ...COMMON });
  if (values.help) {
    console.log(INFO_USAGE);
    return 0;
  }
  if (typeof values.model !== "string") throw new UsageError("info: --model <file> is required");
  const file = values.model;
  const { model, encoder, training, names, signOnly, window } = readModelFile(file, loadBackendSync("auto"));
  const layers = model instanceof Mlp
    ? model.layers.map((l, i) => ({ name: `H${i + 1}`, neurons: l.n, fanIn: l.k }))
    : [{ name: "Hxs", neurons: model.xs.n, fanIn: model.xs.k }, { name: "Hss", neurons: model.ss.n, fanIn: model.ss.k }, { name: "Hsy", neurons: model.sy.n, fanIn: model.sy.k }];
  const parameters = layers.reduce((s, l) => s + l.neurons * l.fanIn, 0);
  const summary = {
    file,
    bytes: statSync(file).size,
    kind: model instanceof Rnn ? "rnn" : "mlp",
    architecture: model instanceof Mlp
      ? [...model.sizes, model.classes].join("-")
      : `${model.inputs} bits/step${model.expansion ? ` → expansion ${model.kx}` : ""} → state ${model.ks} → output ${model.ky} → ${model.classes}`,
    classes: model.classes,
    layers,
    parameters,
    weights: signOnly ? "sign" : "hidden",
    hiddenWeightBytes: signOnly ? 0 : 2 * parameters,
    encoder: encoder === null ? null : { kind: encoder.kind, features: encoder.features, bits: encoder.feature.length },
    names,
    window,
    initialState: model instanceof Rnn ? model.initialState : null,
    training: training === null ? null : { epoch: training.state.epoch, options: training.options },
  };
  if (values.json) {
    console.log(JSON.stringify(summary));
    return 0;
  }
  console.log(`${file}: ${summary.kind === "rnn" ? "binary RNN" : "binary MLP"} ${summary.architecture} (${summary.bytes} bytes)`);
  for (const l of layers) console.log(`  ${l.name}: ${l.neurons} × ${l.fanIn} ${signOnly ? "1-bit weights W = sign(H)" : "int16 hidden weights"}`);
  console.log(signOnly
    ? `  parameters: ${parameters} (1 bit each: an inference-only export)`
    : `  parameters: ${parameters} (${summary.hiddenWeightBytes} bytes of hidden weights; 1 bit each when exported)`);
  console.log(`  encoder: ${summary.encoder === null ? "none (inputs are packed bits)" : `${summary.encoder.kind}, ${summary.encoder.features} features → ${summary.encoder.bits} bits`}`);
  if (window !== null) console.log(`  window: the last ${window} steps of each series`);
  if (model instanceof Rnn) console.log(`  initial state: s_0 = ${model.initialState === "zero" ? "0 (no recurrent input at a series' first step)" : "+1"}`);
  if (names?.classes) console.log(`  classes: ${names.classes.join(", ")}`);
  if (names?.features) console.log(`  features: ${names.features.join(", ")}`);
  if (summary.training === null) console.log("  training state: none (inference only)");
  else console.log(`  trained for ${summary.training.epoch} epochs with ${Object.entries(summary.training.options).map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(",") : v}`).join(", ")}`);
  return 0;
}

/**
 * Every row of a CSV file as test data for `model`, read by the model's column and class names
 * (a model without names: every column but the label's, labels 0..classes−1).
 */
function csvRows(file: string, model: Mlp, encoder: Encoder | null, names: DataNames | null, labelColumn: string | undefined): Dataset {
  const raw = readCsv(file, {
    labelColumn: labelColumn ?? names?.label,
    featureNames: names?.features,
    classNames: names?.classes ?? Array.from({ length: model.classes }, (_, c) => String(c)),
  });
  const input = inputEncoder(model, encoder);
  if (raw.features !== input.features) throw new Error(`${file}: rows have ${raw.features} features, the model expects ${input.features}`);
  return encode(input, { ...raw, classes: model.classes });
}

/** `bep eval`. */
export function evaluate(rest: string[]): number {
  const { values } = parsed(rest, { model: { type: "string" }, data: { type: "string" }, window: { type: "string" }, "label-column": { type: "string" }, ...COMMON });
  if (values.help) {
    console.log(EVAL_USAGE);
    return 0;
  }
  if (typeof values.model !== "string") throw new UsageError("eval: --model <file> is required");
  if (typeof values.data !== "string") throw new UsageError("eval: --data <source> is required");
  const source = values.data;
  const windowFlag = values.window === undefined ? undefined : positive("window", values.window);
  const t0 = performance.now();
  if (values["label-column"] !== undefined && !source.startsWith("csv:")) throw new UsageError("--label-column applies to csv: data only");
  const { model, encoder, training, names, window: saved } = readModelFile(values.model, loadBackendSync("auto"));
  // A recurrent model crops series to the window saved with it, unless --window says otherwise.
  const window = windowFlag ?? saved ?? undefined;
  let accuracy: number, n: number;
  if (model instanceof Rnn) {
    if (!isSequenceSource(source)) throw new UsageError(`--data: '${source}' is not sequence data for the recurrent network in ${values.model} (expected ucr:<path>, mnist, fashion-mnist or idx:<dir>)`);
    const { test } = loadSequenceData(source, { window, encoder: encoder ?? undefined });
    [accuracy, n] = [model.accuracy(test), test.n];
  } else {
    if (!isDataSource(source)) throw new UsageError(`--data: unknown data source '${source}'`);
    if (windowFlag !== undefined) throw new UsageError("--window applies to recurrent models and ucr: data only");
    // Random Prototypes are generated from the seed the model was trained with.
    const test = source.startsWith("csv:")
      ? csvRows(source.slice(4), model, encoder, names, values["label-column"])
      : loadData(source, training?.options.seed ?? 1, encoder ?? undefined).test;
    [accuracy, n] = [model.accuracy(test), test.n];
  }
  const seconds = (performance.now() - t0) / 1000;
  if (values.json) console.log(JSON.stringify({ type: "eval", model: values.model, data: source, samples: n, testAccuracy: accuracy, seconds }));
  else console.log(`bep: ${values.model} on ${source}: test accuracy ${pct(accuracy)} on ${n} samples (${seconds.toFixed(1)} s)`);
  return 0;
}
