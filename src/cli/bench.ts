/**
 * `bep bench`: how fast this machine trains and runs a binary MLP with each backend — one epoch
 * of BEP training (with its validation pass) and inference over the test split, median of
 * --runs runs — and a check that every backend trained the same model. The kernel and
 * end-to-end benchmarks with float baselines are `npm run bench:kernels` and `npm run bench:train`
 * in the repository (bench/).
 */
import os from "node:os";
import { BACKEND_NAMES, loadBackendSync, resolveBackendName, type BackendName } from "../kernels/backend.js";
import { isDataSource, loadData } from "../data/sources.js";
import { crc32 } from "../io/crc32.js";
import { serializeModel } from "../io/model-file.js";
import { median } from "../train/phases.js";
import { Trainer } from "../train/trainer.js";
import { UsageError, parsed, positive } from "./usage.js";

const USAGE = `Usage: bep bench [options]

Time one epoch of BEP training and inference over the test split with each backend on this
machine (median of --runs runs), and check that all backends train the same model.

Options:
  --data <source>     mnist | fashion-mnist | idx:<dir> | csv:<file> | prototypes  [mnist]
  --layers <K1,..>    hidden widths                                              [525,525]
  --batch <n>         mini-batch size                                            [100]
  --backends <list>   comma-separated: ${BACKEND_NAMES.join(", ")}  [all this runtime supports]
  --runs <n>          timed runs per backend (after one warm-up epoch)           [3]
  --json              print one JSON object per backend and a summary
  -h, --help          show this help

Examples:
  bep bench
  bep bench --data fashion-mnist --layers 525,525 --backends wasm-simd,js --runs 5`;

/** Result of one backend. */
interface BackendResult {
  backend: BackendName;
  /** Median seconds of one training epoch (steps, reinforcement and the validation pass). */
  epochSeconds: number;
  /** Training samples per second in that epoch. */
  trainSamplesPerSecond: number;
  /** Test samples per second of inference (forward pass and prediction). */
  inferenceSamplesPerSecond: number;
  /** CRC-32 of the model file after the first epoch: equal across backends. */
  modelCrc: number;
}

/** `bep bench`. */
export function bench(rest: string[]): number {
  const { values } = parsed(rest, {
    data: { type: "string", default: "mnist" }, layers: { type: "string", default: "525,525" }, batch: { type: "string", default: "100" },
    backends: { type: "string" }, runs: { type: "string", default: "3" },
    json: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!isDataSource(values.data)) {
    throw new UsageError(`--data: '${values.data}' is not a data source 'bep bench' trains on (expected mnist, fashion-mnist, idx:<dir>, csv:<file> or prototypes)`);
  }
  const hidden = values.layers.split(",").map((s) => positive("layers", s.trim()));
  const batchSize = positive("batch", values.batch);
  const runs = positive("runs", values.runs);
  const available = BACKEND_NAMES.filter((b) => {
    try {
      return resolveBackendName(b) === b;
    } catch {
      return false;
    }
  });
  const backends = values.backends === undefined ? available : values.backends.split(",").map((s) => s.trim());
  for (const b of backends) {
    if (!(BACKEND_NAMES as readonly string[]).includes(b)) throw new UsageError(`--backends: unknown backend '${b}' (expected ${BACKEND_NAMES.join(", ")})`);
    if (!available.includes(b as BackendName)) throw new UsageError(`--backends: ${b} is not supported by this runtime`);
  }
  const machine = { cpu: os.cpus()[0]?.model.trim() ?? "unknown", cores: os.cpus().length, node: process.version, v8: process.versions.v8 };
  const log = (s: string) => (values.json ? process.stderr.write(s + "\n") : console.log(s));
  log(`bep bench: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, V8 ${machine.v8}`);
  const { train, test } = loadData(values.data, 1);
  log(`bep bench: ${values.data}: ${train.n} train, ${test.n} test samples; ${[train.k, ...hidden, train.classes].join("-")} binary MLP, bs ${batchSize}, ${runs} runs`);

  const results: BackendResult[] = [];
  for (const name of backends as BackendName[]) {
    const backend = loadBackendSync(name);
    const epochs: number[] = [], inference: number[] = [];
    let modelCrc = 0, fitN = 0;
    // Run 0 warms the backend up and is not timed.
    for (let run = 0; run <= runs; run++) {
      let trainer: Trainer;
      try {
        trainer = new Trainer(train, { hidden, epochs: 1, batchSize, seed: 1, backend });
      } catch (e) {
        if (e instanceof RangeError) throw new UsageError(e.message);
        throw e;
      }
      fitN = trainer.fit.n;
      const t0 = performance.now();
      trainer.runEpoch();
      const t1 = performance.now();
      trainer.model.predict(test);
      const t2 = performance.now();
      if (run === 0) modelCrc = crc32(serializeModel(trainer.model, null));
      else {
        epochs.push((t1 - t0) / 1000);
        inference.push((t2 - t1) / 1000);
      }
      trainer.free();
      trainer.model.free();
    }
    const epochSeconds = median(epochs);
    const result: BackendResult = { backend: name, epochSeconds, trainSamplesPerSecond: fitN / epochSeconds, inferenceSamplesPerSecond: test.n / median(inference), modelCrc };
    results.push(result);
    if (values.json) console.log(JSON.stringify({ type: "backend", ...result }));
    else log(`  ${name.padEnd(11)}  epoch ${epochSeconds.toFixed(3)} s  train ${Math.round(result.trainSamplesPerSecond).toLocaleString("en")} samples/s  inference ${Math.round(result.inferenceSamplesPerSecond).toLocaleString("en")} samples/s`);
  }
  const identical = results.every((r) => r.modelCrc === results[0].modelCrc);
  const fastest = results.reduce((a, b) => (b.epochSeconds < a.epochSeconds ? b : a));
  const slowest = results.reduce((a, b) => (b.epochSeconds > a.epochSeconds ? b : a));
  if (values.json) console.log(JSON.stringify({ type: "summary", data: values.data, hidden, batchSize, runs, machine, identicalModels: identical }));
  else {
    if (results.length > 1) log(`bep bench: ${fastest.backend} trains ${(slowest.epochSeconds / fastest.epochSeconds).toFixed(1)}× faster than ${slowest.backend}`);
    log(`bep bench: ${identical ? "every backend trained the bit-identical model" : "BACKENDS DISAGREE: the trained models differ"}`);
  }
  return identical ? 0 : 1;
}
