/**
 * The demo's training thread (a Web Worker): loads the digit asset, trains a binary MLP with BEP
 * epoch by epoch on the chosen backend and posts each epoch's metrics; predicts drawn digits.
 */
import { loadBackend, type BackendName } from "../kernels/backend.js";
import { rowWords } from "../kernels/layout.js";
import { Dataset } from "../data/dataset.js";
import { argmax, Workspace } from "../model/mlp.js";
import { Trainer } from "../train/trainer.js";
import { decodeDigits, type Digits } from "./digits.js";

/** What the page asks for. */
export type DemoRequest =
  | { type: "start"; hidden: number[]; epochs: number; gate: number; robustness: number; reinforcement: number; backend: BackendName }
  | { type: "stop" }
  | { type: "predict"; pixels: number[] };

/** What the worker reports. */
export type DemoReport =
  | { type: "ready"; train: number; test: number }
  | { type: "epoch"; epoch: number; epochs: number; trainAccuracy: number; validationAccuracy: number; testAccuracy: number; samplesPerSecond: number; modelBytes: number; backend: string }
  | { type: "done"; stopped: boolean }
  | { type: "prediction"; label: number; logits: number[] }
  | { type: "error"; message: string };

const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<DemoRequest>) => void) | null; postMessage(m: DemoReport): void };
const post = (m: DemoReport): void => scope.postMessage(m);
let digits: Digits | null = null;
let trainer: Trainer | null = null;
let stopRequested = false;

const ready = fetch(new URL("digits.bin", location.href)).then(async (r) => {
  if (!r.ok) throw new Error(`digits.bin: HTTP ${r.status}`);
  digits = decodeDigits(new Uint8Array(await r.arrayBuffer()));
  post({ type: "ready", train: digits.train.n, test: digits.test.n });
});

scope.onmessage = (e) => {
  const m = e.data;
  if (m.type === "stop") stopRequested = true;
  else if (m.type === "start") void train(m).catch((err: unknown) => post({ type: "error", message: String((err as Error).message ?? err) }));
  else if (m.type === "predict") predict(m.pixels);
};

async function train(m: Extract<DemoRequest, { type: "start" }>): Promise<void> {
  await ready;
  const { train: trainSet, test } = digits!;
  stopRequested = false;
  trainer?.free();
  const backend = await loadBackend(m.backend);
  trainer = new Trainer(trainSet, { hidden: m.hidden, epochs: m.epochs, gate: m.gate, robustness: m.robustness, reinforcement: m.reinforcement, backend }, test);
  const t = trainer;
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
  if (trainer === null || digits === null) return;
  const k = digits.thresholds.length, words = rowWords(k);
  if (pixels.length !== k) return post({ type: "error", message: `predict: expected ${k} pixels, got ${pixels.length}` });
  const bits = new Uint32Array(words);
  for (let i = 0; i < k; i++) if (pixels[i] > digits.thresholds[i]) bits[i >>> 5] |= 1 << (i & 31);
  const model = trainer.model;
  const ws = new Workspace(model, 1);
  ws.gather(new Dataset(bits, new Uint8Array(1), k, model.classes, "drawing"), null, 0, 1);
  ws.forward(1);
  const logits = Array.from(ws.logits.data.subarray(0, model.classes));
  ws.free();
  post({ type: "prediction", label: argmax(Int32Array.from(logits), 0, logits.length), logits });
}
