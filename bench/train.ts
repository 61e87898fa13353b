/**
 * End-to-end training benchmark (issue 5): one BEP epoch on Fashion-MNIST — 50k training
 * samples in mini-batches of 100, then the 10k held-out samples evaluated — for 784-525-525 and
 * 784-35-35-35 MLPs on the wasm-simd, wasm-scalar and js backends and on wasm-simd with 2 threads
 * (a ThreadPool: the calling thread and one worker), configurations interleaved run by
 * run, each run a fresh trainer with the same seed and reproduce:mlp's hyperparameters. Reports per run the epoch wall time, the
 * training, forward-only and evaluation throughput, and the share of each training phase
 * (PhaseClock); the tables quote medians. Every configuration must end its epoch with bit-identical
 * weights (checked, since the ratios only mean something if the work is the same).
 *
 * In the same run, the TF.js baselines of bench/baselines.ts (float MLP on the wasm and cpu
 * backends, QAT binary MLP on wasm) train one epoch on the same split and are evaluated on the
 * same held-out samples.
 *
 *   npx tsx bench/train.ts [--runs N] [--baseline-runs N] [--quick]
 *
 * --quick: one run on a 10k-sample slice, nothing written. Otherwise writes
 * bench/results/train.{json,md}.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { BACKEND_NAMES, PHASES, PhaseClock, ThreadPool, Trainer, createBackend, loadBackendSync, rowWords, validationSplit, type Backend, type Dataset, type Phase } from "../src/index";
import { fashionMnistDir, loadData, loadIdxDir } from "../src/data/sources";
import { trainBaseline, useTf, type BaselineKind, type Split, type TfBackend } from "./baselines";
import { ROOT, machineInfo, machineMarkdown, median, writeAtomic } from "./env";
import { hyper } from "../scripts/mlp-hyper";

const ARCHS: readonly number[][] = [[525, 525], [35, 35, 35]];
const SEED = 1;
/** 10k of Fashion-MNIST's 60k training images are held out and evaluated after the epoch (50k trained on). */
const HELD_OUT = 1 / 6;

interface Run {
  arch: string;
  /** The backend, with the thread count when > 1 (e.g. "wasm-simd, 2 threads"). */
  backend: string;
  threads: number;
  run: number;
  /** runEpoch(): 50k training steps plus the held-out evaluation. */
  epochSeconds: number;
  /** Training samples per second over the step phases (everything but evaluation). */
  trainSamplesPerSecond: number;
  /** Forward-only (prediction) samples per second over the 60k training images. */
  forwardSamplesPerSecond: number;
  /** Samples per second of the held-out evaluation inside the epoch. */
  evaluationSamplesPerSecond: number;
  phaseMs: Record<Phase, number>;
  trainAccuracy: number;
  heldOutAccuracy: number;
  /** FNV-1a of every hidden weight after the epoch: equal across backends. */
  weightsHash: string;
}

/** One TF.js baseline epoch. */
interface BaselineRun {
  arch: string;
  kind: BaselineKind;
  backend: TfBackend;
  run: number;
  trainSeconds: number;
  evalSeconds: number;
  heldOutAccuracy: number;
  parameters: number;
  stateBytes: number;
  peakBytes: number;
}

/** Memory of one BEP trainer after an epoch, alone in a fresh wasm-simd instance. */
interface BepMemory {
  arch: string;
  parameters: number;
  /** Live allocator bytes of the model after the epoch: H, W, Wᵀ from the second layer on, P (what training keeps between batches). */
  stateBytes: number;
  /** Live allocator bytes the trainer and backend held besides the model: per-batch buffers, scratch, nibble tables, reinforcement tables. */
  workspaceBytes: number;
  /** Growth of the wasm linear memory over the epoch (its high-water mark, in 64 KiB pages). */
  peakBytes: number;
}

const { values } = parseArgs({
  options: { runs: { type: "string", default: "3" }, "baseline-runs": { type: "string", default: "1" }, quick: { type: "boolean", default: false } },
  strict: true,
});
const runs = values.quick ? 1 : Number(values.runs);
const baselineRuns = values.quick ? 1 : Number(values["baseline-runs"]);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs expects a positive integer, got ${values.runs}`);
if (!Number.isInteger(baselineRuns) || baselineRuns < 0) throw new Error(`--baseline-runs expects an integer ≥ 0, got ${values["baseline-runs"]}`);
const BASELINES: readonly { kind: BaselineKind; backend: TfBackend }[] = [{ kind: "float", backend: "wasm" }, { kind: "float", backend: "cpu" }, { kind: "qat", backend: "wasm" }];

const data = loadData("fashion-mnist", SEED);
const train: Dataset = values.quick ? data.train.subset(Int32Array.from({ length: 10_000 }, (_, i) => i), "fashion-mnist (10k slice)") : data.train;
/** Threads of the multi-threaded configuration. */
const THREADS = 2;
const pool = new ThreadPool(THREADS, "wasm-simd");
const configs: { label: string; backend: Backend; threads: number }[] = [
  ...BACKEND_NAMES.map((name) => ({ label: name, backend: loadBackendSync(name), threads: 1 })),
  { label: `wasm-simd, ${THREADS} threads`, backend: pool.backend, threads: THREADS },
];
const results: Run[] = [];
const t0 = performance.now();
console.error(`bench:train: ${train.n} images, ${ARCHS.length} architectures × ${configs.length} configurations × ${runs} runs`);

for (const hidden of ARCHS) {
  const arch = [train.k, ...hidden].join("-");
  for (let run = 1; run <= runs; run++) {
    for (const { label, backend, threads } of configs) {
      const { batch: batchSize, ...h } = hyper("fashion-mnist", hidden[0]);
      const where = threads > 1 ? { threads: pool } : { backend };
      const trainer = new Trainer(train, { hidden, ...h, batchSize, epochs: 1, seed: SEED, validationFraction: HELD_OUT, ...where }, null);
      const clock = new PhaseClock();
      trainer.clock = clock;
      const m = trainer.runEpoch();
      const steps = PHASES.filter((p) => p !== "evaluation").reduce((a, p) => a + clock.ms[p], 0);
      const heldOut = Math.round(train.n * HELD_OUT);
      const f0 = performance.now();
      trainer.accuracy(train);
      const forwardMs = performance.now() - f0;
      const r: Run = {
        arch, backend: label, threads, run,
        epochSeconds: m.seconds,
        trainSamplesPerSecond: ((train.n - heldOut) / steps) * 1000,
        forwardSamplesPerSecond: (train.n / forwardMs) * 1000,
        evaluationSamplesPerSecond: (heldOut / clock.ms.evaluation) * 1000,
        phaseMs: { ...clock.ms },
        trainAccuracy: m.trainAccuracy,
        heldOutAccuracy: m.validationAccuracy,
        weightsHash: hashWeights(trainer.model.layers.map((l) => l.H.data)),
      };
      results.push(r);
      console.error(`${arch} ${label} run ${run}: epoch ${r.epochSeconds.toFixed(2)} s, train ${fmt(r.trainSamplesPerSecond)}/s, ` +
        `forward ${fmt(r.forwardSamplesPerSecond)}/s, held-out accuracy ${(100 * r.heldOutAccuracy).toFixed(2)}%`);
      trainer.free();
      trainer.model.free();
    }
  }
}

// Memory: each architecture trains one epoch alone in a fresh wasm-simd instance.
const memory: BepMemory[] = ARCHS.map((hidden) => {
  const backend = createBackend("wasm-simd");
  const m0 = backend.memory();
  const { batch: batchSize, ...h } = hyper("fashion-mnist", hidden[0]);
  const trainer = new Trainer(train, { hidden, ...h, batchSize, epochs: 1, seed: SEED, validationFraction: HELD_OUT, backend }, null);
  trainer.runEpoch();
  const m1 = backend.memory();
  // What stays when the trainer's per-batch workspace and the backend's scratch are freed: the model.
  trainer.free();
  backend.releaseScratch();
  const m2 = backend.memory();
  const r = {
    arch: [train.k, ...hidden].join("-"), parameters: trainer.model.parameters,
    stateBytes: m2.live - m0.live, workspaceBytes: m1.live - m2.live, peakBytes: m1.reserved - m0.reserved,
  };
  trainer.model.free();
  console.error(`${r.arch} memory: state ${r.stateBytes} bytes (${(r.stateBytes / r.parameters).toFixed(2)} per parameter), workspace ${r.workspaceBytes} bytes, wasm memory grew ${r.peakBytes} bytes`);
  return r;
});

// The TF.js baselines: the same fit/held-out split, float pixels in [0, 1] or the ±1 pixels BEP sees.
const baselineResults: BaselineRun[] = [];
const tfFlags: Record<string, Record<string, string | boolean>> = {};
if (baselineRuns > 0) {
  const raw = loadIdxDir(fashionMnistDir()).train;
  const split = validationSplit(train.n, HELD_OUT, SEED);
  const pick = (idx: Int32Array, binary: boolean): Split => {
    const k = train.k, words = rowWords(k), x = new Float32Array(idx.length * k);
    idx.forEach((s, i) => {
      for (let f = 0; f < k; f++) {
        x[i * k + f] = binary ? ((train.bits[s * words + (f >>> 5)] >>> (f & 31)) & 1 ? 1 : -1) : raw.x[s * k + f] / 255;
      }
    });
    return { x, labels: Uint8Array.from(idx, (s) => train.labels[s]), n: idx.length };
  };
  const inputs = { float: [pick(split.fit, false), pick(split.validation, false)], qat: [pick(split.fit, true), pick(split.validation, true)] };
  for (const { kind, backend } of BASELINES) {
    tfFlags[backend] = await useTf(backend);
    // --quick: the small architecture only (TF.js's cpu backend takes minutes for 784-525-525).
    for (const hidden of values.quick ? ARCHS.slice(1) : ARCHS) {
      const arch = [train.k, ...hidden].join("-");
      for (let run = 1; run <= baselineRuns; run++) {
        const [fit, heldOut] = inputs[kind];
        const r = await trainBaseline(kind, hidden, train.k, train.classes, fit, heldOut, hyper("fashion-mnist", hidden[0]).batch, SEED + run);
        baselineResults.push({ arch, kind, backend, run, trainSeconds: r.trainSeconds, evalSeconds: r.evalSeconds, heldOutAccuracy: r.accuracy, parameters: r.parameters, stateBytes: r.stateBytes, peakBytes: r.peakBytes });
        console.error(`${arch} TF.js ${kind} (${backend}) run ${run}: epoch ${r.trainSeconds.toFixed(2)} s + eval ${r.evalSeconds.toFixed(2)} s, held-out accuracy ${(100 * r.accuracy).toFixed(2)}%`);
      }
    }
  }
}

// The same seed must give the same weights on every backend.
for (const hidden of ARCHS) {
  const arch = [train.k, ...hidden].join("-");
  const hashes = new Set(results.filter((r) => r.arch === arch).map((r) => r.weightsHash));
  if (hashes.size !== 1) throw new Error(`${arch}: configurations ended the epoch with different weights (${[...hashes].join(", ")})`);
}

pool.close();
const table = report(results) + baselineReport(results, baselineResults, train.n - Math.round(train.n * HELD_OUT), Math.round(train.n * HELD_OUT)) + memoryReport(memory, baselineResults);
console.log(table);
if (!values.quick) {
  const info = machineInfo();
  const settings = { runs, hyperparameters: Object.fromEntries(ARCHS.map((a) => [a.join(","), hyper("fashion-mnist", a[0])])), seed: SEED, trainSamples: train.n - Math.round(train.n * HELD_OUT), heldOut: Math.round(train.n * HELD_OUT), totalSeconds: (performance.now() - t0) / 1000 };
  writeAtomic(join(ROOT, "bench/results/train.json"), JSON.stringify({ machine: info, tfjs: tfFlags, settings, runs: results, baselines: baselineResults, memory }, null, 2) + "\n");
  const flags = Object.values(tfFlags).map((f) => Object.entries(f).map(([k, v]) => `${k} ${v}`).join(", ")).join("; ");
  writeAtomic(join(ROOT, "bench/results/train.md"), `# bep training benchmark\n\n${machineMarkdown(info)}\n- TF.js: ${flags || "not run"}\n- Method: ${methodText(settings)}\n\n${table}\n`);
  console.error("bench:train: wrote bench/results/train.{json,md}");
}

function methodText(s: { runs: number; trainSamples: number; heldOut: number }): string {
  const hp = ARCHS.map((a) => { const h = hyper("fashion-mnist", a[0]); return `K=${a[0]}: ν ${h.gate}, γ_0 ${h.groupSize}`; }).join("; ");
  return `Fashion-MNIST (median-binarised), one epoch per run: ${s.trainSamples} training samples in batches of ${hyper("fashion-mnist", 525).batch} ` +
    `(forward, trigger, backward, winners, update, reinforcement), then ${s.heldOut} held-out samples evaluated; ` +
    `a fresh trainer (seed ${SEED}; reproduce:mlp's hyperparameters, ${hp}) per run, configurations interleaved, ${s.runs} runs; cells are medians; "wasm-simd, ${THREADS} threads" = a ThreadPool of the calling thread and ${THREADS - 1} worker over shared wasm memory. ` +
    "Forward-only: predicting all 60k training images after the epoch. Every configuration ended with bit-identical weights.";
}

function report(rs: Run[]): string {
  const med = (arch: string, b: string, f: (r: Run) => number) => median(rs.filter((r) => r.arch === arch && r.backend === b).map(f));
  const archs = [...new Set(rs.map((r) => r.arch))];
  const names = [...new Set(rs.map((r) => r.backend))];
  const lines = [
    "| model | backend | epoch (s) | train samples/s | forward samples/s | eval samples/s | epoch vs js | vs wasm-simd | held-out acc. |",
    "|---|---|--:|--:|--:|--:|--:|--:|--:|",
  ];
  for (const a of archs) {
    const js = med(a, "js", (r) => r.epochSeconds), simd = med(a, "wasm-simd", (r) => r.epochSeconds);
    for (const b of names) {
      const e = med(a, b, (r) => r.epochSeconds);
      lines.push(`| ${a} | ${b} | ${e.toFixed(2)} | ${fmt(med(a, b, (r) => r.trainSamplesPerSecond))} | ${fmt(med(a, b, (r) => r.forwardSamplesPerSecond))} | ` +
        `${fmt(med(a, b, (r) => r.evaluationSamplesPerSecond))} | ${(js / e).toFixed(2)}× | ${(simd / e).toFixed(2)}× | ${(100 * med(a, b, (r) => r.heldOutAccuracy)).toFixed(2)}% |`);
    }
  }
  lines.push("", "Share of the epoch per phase (medians of the per-run shares):", "",
    `| model | backend | ${PHASES.join(" | ")} |`, `|---|---|${PHASES.map(() => "--:").join("|")}|`);
  for (const a of archs) {
    for (const b of names) {
      const shares = PHASES.map((p) => med(a, b, (r) => r.phaseMs[p] / PHASES.reduce((s, q) => s + r.phaseMs[q], 0)));
      lines.push(`| ${a} | ${b} | ${shares.map((x) => `${(100 * x).toFixed(1)}%`).join(" | ")} |`);
    }
  }
  lines.push("", "Phases: data = shuffling and gathering batch rows; trigger = eq. 1 and compacting the active rows; " +
    "backward = gates and desired activations; update = ΔH, saturation and refreshing W/Wᵀ rows; evaluation = the held-out forward pass.");
  return lines.join("\n");
}

function baselineReport(rs: Run[], bs: BaselineRun[], fit: number, heldOut: number): string {
  if (bs.length === 0) return "";
  const lines = ["", "", `Side by side with TF.js (bench/baselines.ts), one epoch on the same ${fit} samples and the same ${heldOut} held-out ones; ` +
    "time = training epoch + held-out evaluation (BEP: its runEpoch, medians):", "",
    "| model | trainer | epoch + eval (s) | held-out acc. | BEP wasm-simd is |", "|---|---|--:|--:|--:|"];
  for (const arch of [...new Set(rs.map((r) => r.arch))]) {
    const bep = median(rs.filter((r) => r.arch === arch && r.backend === "wasm-simd").map((r) => r.epochSeconds));
    const acc = median(rs.filter((r) => r.arch === arch && r.backend === "wasm-simd").map((r) => r.heldOutAccuracy));
    lines.push(`| ${arch} | BEP (bep, wasm-simd) | ${bep.toFixed(2)} | ${(100 * acc).toFixed(2)}% | 1× |`);
    for (const { kind, backend } of BASELINES) {
      const mine = bs.filter((b) => b.arch === arch && b.kind === kind && b.backend === backend);
      if (mine.length === 0) continue;
      const t = median(mine.map((b) => b.trainSeconds + b.evalSeconds));
      lines.push(`| ${arch} | TF.js ${kind === "float" ? "float (ReLU, Adam)" : "QAT binary (STE, no BN)"}, ${backend} | ${t.toFixed(2)} | ${(100 * median(mine.map((b) => b.heldOutAccuracy))).toFixed(2)}% | ${(t / bep).toFixed(1)}× faster |`);
    }
  }
  return lines.join("\n");
}

function memoryReport(bep: BepMemory[], bs: BaselineRun[]): string {
  const kb = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
  const lines = ["", "", "Training memory, measured after one epoch in a fresh wasm-simd instance. BEP state = live bytes of the model in its " +
    "backend's allocator (hidden weights H as int16, W and, from the second layer on, Wᵀ packed, P), measured after freeing the trainer and the backend's scratch; " +
    "workspace = what those held besides (the batch's packed inputs, desired activations and winners, i32 pre-activations and sums, " +
    "the forward pass's nibble tables, update scratch, reinforcement tables); peak = growth of the wasm linear memory over the epoch " +
    "(including the held-out evaluation, in 64 KiB pages). TF.js state = tensor bytes held between steps (weights, biases, Adam's two moments); " +
    "its peak during a step (tf.profile) adds activations and gradients:", "",
    "| model | trainer | parameters | state | bytes / parameter | workspace | peak | peak bytes / parameter |", "|---|---|--:|--:|--:|--:|--:|--:|"];
  for (const m of bep) {
    lines.push(`| ${m.arch} | BEP (wasm-simd) | ${m.parameters} | ${kb(m.stateBytes)} | ${(m.stateBytes / m.parameters).toFixed(2)} | ${kb(m.workspaceBytes)} | ${kb(m.peakBytes)} | ${(m.peakBytes / m.parameters).toFixed(2)} |`);
    for (const { kind, backend } of BASELINES) {
      const b = bs.find((x) => x.arch === m.arch && x.kind === kind && x.backend === backend);
      if (b === undefined) continue;
      lines.push(`| ${m.arch} | TF.js ${kind}, ${backend} | ${b.parameters} | ${kb(b.stateBytes)} | ${(b.stateBytes / b.parameters).toFixed(2)} | in peak | ${kb(b.peakBytes)} | ${(b.peakBytes / b.parameters).toFixed(2)} |`);
    }
  }
  return lines.join("\n");
}

function fmt(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0);
}

function hashWeights(arrays: Int16Array[]): string {
  let h = 0x811c9dc5;
  for (const a of arrays) {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}
