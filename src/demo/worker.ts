/**
 * The demo's training thread (a Web Worker): loads the digit asset, trains a binary MLP with BEP
 * epoch by epoch on the chosen backend and posts each epoch's metrics; predicts drawn digits.
 */
import { BACKEND_NAMES, loadBackend, type BackendName } from "../kernels/backend.js";
import { rowWords } from "../kernels/layout.js";
import { encode, fitMedian, type Encoder } from "../data/encode.js";
import { IDX_FILES, idxImages, idxSplits, parseIdx } from "../data/idx.js";
import { serializeModel } from "../io/model-file.js";
import { Trainer } from "../train/trainer.js";
import { decodeDigits, type Digits } from "./digits.js";

/** What the page asks for. */
export type DemoRequest =
  | { type: "start"; hidden: number[]; epochs: number; gate: number; robustness: number; reinforcement: number; groupSize?: number; backend: BackendName }
  | { type: "stop" }
  | { type: "predict"; pixels: number[] }
  | { type: "download" }
  | { type: "compare"; hidden: number[] }
  /** Replace the digits by the four MNIST-style IDX files the user dropped (e.g. Fashion-MNIST; gzipped or not). */
  | { type: "data"; files: { name: string; bytes: Uint8Array }[] };

/** What the worker reports. */
export type DemoReport =
  | { type: "ready"; name: string; train: number; test: number }
  | { type: "epoch"; epoch: number; epochs: number; trainAccuracy: number; validationAccuracy: number; testAccuracy: number; samplesPerSecond: number; modelBytes: number; backend: string }
  | { type: "done"; stopped: boolean }
  | { type: "prediction"; label: number; logits: number[]; pixels: number[] }
  /** The BEF prototypes ρ_c, C × K_L values ±1. */
  | { type: "prototypes"; classes: number; width: number; values: Int8Array }
  /** A model file (loadable by `bep` in Node) and the trained model's predictions of the test digits. */
  | { type: "model"; bytes: Uint8Array; testPredictions: Uint8Array }
  /** One training epoch of the same model on each backend, samples per second. */
  | { type: "speeds"; speeds: { backend: string; samplesPerSecond: number }[] }
  | { type: "error"; message: string };

const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<DemoRequest>) => void) | null; postMessage(m: DemoReport): void };
const post = (m: DemoReport): void => scope.postMessage(m);
let digits: Digits | null = null;
let encoder: Encoder | null = null;
let trainer: Trainer | null = null;
let stopRequested = false;

/** Makes `data` the training and test data, binarised by a median encoder fitted on its training split. */
function useData(data: Digits, name: string): void {
  digits = data;
  const k = data.thresholds.length;
  encoder = { kind: "median", features: k, feature: Int32Array.from({ length: k }, (_, i) => i), threshold: data.thresholds };
  post({ type: "ready", name, train: data.train.n, test: data.test.n });
}

let ready = fetch(new URL("digits.bin", location.href)).then(async (r) => {
  if (!r.ok) throw new Error(`digits.bin: HTTP ${r.status}`);
  useData(decodeDigits(new Uint8Array(await r.arrayBuffer())), "mnist digits");
});

/** Parses four dropped IDX files (validated; gzip detected by its magic bytes). */
async function loadDropped(files: { name: string; bytes: Uint8Array }[]): Promise<void> {
  const find = async (base: string) => {
    const file = files.find((f) => f.name === base || f.name === `${base}.gz`);
    if (file === undefined) throw new Error(`missing ${base} (or ${base}.gz) among the dropped files: ${files.map((f) => f.name).join(", ")}`);
    let bytes = file.bytes;
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      try {
        bytes = new Uint8Array(await new Response(new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
      } catch (e) {
        throw new Error(`${file.name}: corrupt gzip data: ${(e as Error).message}`);
      }
    }
    return { name: file.name, array: parseIdx(bytes, file.name) };
  };
  const split = async (part: "train" | "test") => {
    const images = await find(IDX_FILES[part].images), labels = await find(IDX_FILES[part].labels);
    return idxImages(images.array, labels.array, images.name, labels.name, `dropped files (${part})`);
  };
  const raw = idxSplits(await split("train"), await split("test"), "dropped files");
  const fitted = fitMedian(raw.train);
  useData({ train: encode(fitted, raw.train), test: encode(fitted, raw.test), thresholds: fitted.threshold }, "dropped IDX files");
}

const report = (err: unknown): void => post({ type: "error", message: String((err as Error).message ?? err) });
scope.onmessage = (e) => {
  const m = e.data;
  try {
    if (m.type === "stop") stopRequested = true;
    else if (m.type === "start") void train(m).catch(report);
    else if (m.type === "compare") void compare(m.hidden).catch(report);
    else if (m.type === "data") ready = loadDropped(m.files).catch(report);
    else if (m.type === "predict") predict(m.pixels);
    else if (m.type === "download" && trainer !== null) {
      const bytes = serializeModel(trainer.model, encoder, trainer);
      post({ type: "model", bytes, testPredictions: trainer.model.predict(digits!.test) });
    }
  } catch (err) {
    report(err);
  }
};

async function train(m: Extract<DemoRequest, { type: "start" }>): Promise<void> {
  await ready;
  const { train: trainSet, test } = digits!;
  stopRequested = false;
  trainer?.free();
  const backend = await loadBackend(m.backend);
  trainer = new Trainer(trainSet, { hidden: m.hidden, epochs: m.epochs, gate: m.gate, robustness: m.robustness, reinforcement: m.reinforcement, groupSize: m.groupSize, backend }, test);
  const t = trainer;
  post({ type: "prototypes", classes: t.model.classes, width: m.hidden[m.hidden.length - 1], values: t.model.prototypes.slice() });
  const modelBytes = t.model.layers.reduce((s, l) => s + l.size * 2 + (l.n * rowWords(l.k) + l.k * rowWords(l.n)) * 4, 0);
  while (t.epoch < m.epochs && !stopRequested) {
    const metrics = t.runEpoch();
    post({
      type: "epoch", epoch: metrics.epoch, epochs: m.epochs, trainAccuracy: metrics.trainAccuracy, validationAccuracy: metrics.validationAccuracy,
      testAccuracy: metrics.testAccuracy!, samplesPerSecond: t.fit.n / metrics.seconds, modelBytes, backend: backend.name,
    });
    await new Promise((resolve) => setTimeout(resolve, 0)); // let "stop" and "predict" messages in
  }
  post({ type: "done", stopped: stopRequested });
}

function predict(pixels: number[]): void {
  if (trainer === null || encoder === null) return;
  if (pixels.length !== encoder.features) return post({ type: "error", message: `predict: expected ${encoder.features} pixels, got ${pixels.length}` });
  const drawing = encode(encoder, { x: Float32Array.from(pixels), labels: new Uint8Array(1), features: encoder.features, classes: 10, name: "drawing" });
  const { predictions: [label], logits } = trainer.model.logits(drawing);
  post({ type: "prediction", label, logits: Array.from(logits), pixels });
}

/** One epoch of a fresh model of the same shape and seed on every backend (the same work: bit-identical results). */
async function compare(hidden: number[]): Promise<void> {
  await ready;
  const speeds: { backend: string; samplesPerSecond: number }[] = [];
  for (const name of BACKEND_NAMES) {
    const backend = await loadBackend(name);
    const t = new Trainer(digits!.train, { hidden, epochs: 1, backend }, null);
    const m = t.runEpoch();
    speeds.push({ backend: name, samplesPerSecond: t.fit.n / m.seconds });
    t.free();
    t.model.free();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  post({ type: "speeds", speeds });
}
