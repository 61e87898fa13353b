/**
 * `bep info --model <file>` (shapes, encoder, options, parameter count, bytes) and
 * `bep eval --model <file> --data <source>` (test accuracy of a saved model on a data source,
 * binarised with the encoder saved in the file).
 */
import { statSync } from "node:fs";
import { parseArgs } from "node:util";
import { loadBackendSync } from "../kernels/backend.js";
import { isDataSource, isSequenceSource, loadData, loadSequenceData } from "../data/sources.js";
import { readModelFile } from "../io/files.js";
import { Mlp } from "../model/mlp.js";
import { Rnn } from "../model/rnn.js";
import { UsageError } from "./usage.js";

const INFO_USAGE = `Usage: bep info --model <file> [--json]

Describe a saved model: architecture, parameter count, encoder, training options and state.

Examples:
  bep info --model fmnist.bepm
  bep info --model fmnist.bepm --json`;

const EVAL_USAGE = `Usage: bep eval --model <file> --data <source> [--window <W>] [--json]

Test accuracy of a saved model on the test split of <source> (mnist, fashion-mnist, idx:<dir>,
prototypes, ucr:<path>), binarised with the encoder saved in the model file.

Examples:
  bep eval --model fmnist.bepm --data fashion-mnist
  bep eval --model ering.bepm --data ucr:/path/to/ERing --window 17 --json`;

/** Runs parseArgs, turning its errors (unknown flags, missing values) into usage errors. */
function parsed<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

const COMMON = { json: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } } as const;

/** `bep info`. */
export function info(rest: string[]): number {
  const { values } = parsed(() => parseArgs({ args: rest, options: { model: { type: "string" }, ...COMMON }, strict: true }));
  if (values.help) {
    console.log(INFO_USAGE);
    return 0;
  }
  if (typeof values.model !== "string") throw new UsageError("info: --model <file> is required");
  const file = values.model;
  const { model, encoder, training } = readModelFile(file, loadBackendSync("auto"));
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
    hiddenWeightBytes: 2 * parameters,
    encoder: encoder === null ? null : { kind: encoder.kind, features: encoder.features, bits: encoder.feature.length },
    training: training === null ? null : { epoch: training.state.epoch, options: training.options },
  };
  if (values.json) {
    console.log(JSON.stringify(summary));
    return 0;
  }
  console.log(`${file}: ${summary.kind === "rnn" ? "binary RNN" : "binary MLP"} ${summary.architecture} (${summary.bytes} bytes)`);
  for (const l of layers) console.log(`  ${l.name}: ${l.neurons} × ${l.fanIn} int16 hidden weights`);
  console.log(`  parameters: ${parameters} (${summary.hiddenWeightBytes} bytes of hidden weights; 1 bit each when deployed)`);
  console.log(`  encoder: ${summary.encoder === null ? "none (inputs are packed bits)" : `${summary.encoder.kind}, ${summary.encoder.features} features → ${summary.encoder.bits} bits`}`);
  if (summary.training === null) console.log("  training state: none (inference only)");
  else console.log(`  trained for ${summary.training.epoch} epochs with ${Object.entries(summary.training.options).map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(",") : v}`).join(", ")}`);
  return 0;
}

/** `bep eval`. */
export function evaluate(rest: string[]): number {
  const { values } = parsed(() => parseArgs({ args: rest, options: { model: { type: "string" }, data: { type: "string" }, window: { type: "string" }, ...COMMON }, strict: true }));
  if (values.help) {
    console.log(EVAL_USAGE);
    return 0;
  }
  if (typeof values.model !== "string") throw new UsageError("eval: --model <file> is required");
  if (typeof values.data !== "string") throw new UsageError("eval: --data <source> is required");
  const source = values.data;
  const window = values.window === undefined ? undefined : Number(values.window);
  if (window !== undefined && (!Number.isInteger(window) || window < 1)) throw new UsageError(`--window expects a positive integer, got '${values.window}'`);
  const t0 = performance.now();
  const { model, encoder, training } = readModelFile(values.model, loadBackendSync("auto"));
  let accuracy: number, n: number;
  if (model instanceof Rnn) {
    if (!isSequenceSource(source)) throw new UsageError(`--data: '${source}' is not sequence data for the recurrent network in ${values.model} (expected ucr:<path>, mnist, fashion-mnist or idx:<dir>)`);
    const { test } = loadSequenceData(source, { window, encoder: encoder ?? undefined });
    [accuracy, n] = [model.accuracy(test), test.n];
  } else {
    if (!isDataSource(source)) throw new UsageError(`--data: unknown data source '${source}'`);
    if (window !== undefined) throw new UsageError("--window applies to recurrent models and ucr: data only");
    // Random Prototypes are generated from the seed the model was trained with.
    const { test } = loadData(source, training?.options.seed ?? 1, encoder ?? undefined);
    [accuracy, n] = [model.accuracy(test), test.n];
  }
  const seconds = (performance.now() - t0) / 1000;
  if (values.json) console.log(JSON.stringify({ type: "eval", model: values.model, data: source, samples: n, testAccuracy: accuracy, seconds }));
  else console.log(`bep: ${values.model} on ${source}: test accuracy ${(100 * accuracy).toFixed(2)}% on ${n} samples (${seconds.toFixed(1)} s)`);
  return 0;
}
