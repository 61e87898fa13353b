/**
 * What a JS user would train instead of BEP, for `npm run bench:train` (issue 5): TensorFlow.js
 * MLPs of the same shape on the same Fashion-MNIST split.
 *
 * - float: Dense + ReLU hidden layers, softmax output, Adam (lr 0.001), categorical
 *   cross-entropy, on the pixels scaled to [0, 1].
 * - qat: the paper's QAT baseline without batch norm — latent float weights W, binary forward
 *   with sign(W) and sign activations (sign(0) = +1), straight-through estimators (identity for
 *   the weights, hard-tanh window |x| ≤ 1 for the activations), pre-activations scaled by
 *   1/√fan-in, latent weights clipped to [−1, 1] after each Adam (lr 0.01) step; inputs are the
 *   same median-binarised ±1 pixels BEP sees.
 *
 * Both train one epoch in mini-batches of the same size and report the held-out accuracy, and
 * the tensor bytes they hold between steps and at the peak of a step.
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { performance } from "node:perf_hooks";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

export type TfBackend = "wasm" | "cpu";
export type BaselineKind = "float" | "qat";

/** Selects a TF.js backend (the wasm binaries from node_modules) and returns its flags. */
export async function useTf(backend: TfBackend): Promise<Record<string, string | boolean>> {
  if (backend === "wasm") {
    const require = createRequire(import.meta.url);
    setWasmPaths(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm")) + "/");
  }
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} failed to initialise`);
  await tf.ready();
  const flags: Record<string, string | boolean> = { backend: tf.getBackend(), tfjs: tf.version.tfjs };
  if (backend === "wasm") {
    flags.WASM_HAS_SIMD_SUPPORT = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
    flags.WASM_HAS_MULTITHREAD_SUPPORT = tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT");
  }
  return flags;
}

/** Inputs (n × features, row-major) and labels of one split. */
export interface Split {
  x: Float32Array;
  labels: Uint8Array;
  n: number;
}

/** One epoch of a baseline: seconds of training, seconds of evaluating `test`, and its accuracy. */
export interface BaselineResult {
  trainSeconds: number;
  evalSeconds: number;
  accuracy: number;
  /** Trainable parameters (weights, and biases for the float MLP). */
  parameters: number;
  /** Tensor bytes (tf.memory()) held between steps after the first one: weights, biases, Adam's moments. */
  stateBytes: number;
  /** Peak tensor bytes during the second training step (tf.profile): state plus activations and gradients. */
  peakBytes: number;
}

/** Trains a `kind` MLP with `hidden` widths for one epoch on `train` and evaluates it on `test`. */
export async function trainBaseline(kind: BaselineKind, hidden: number[], features: number, classes: number, train: Split, test: Split, batch: number, seed: number): Promise<BaselineResult> {
  const before = tf.memory().numBytes;
  const net = kind === "float" ? floatMlp(hidden, features, classes, seed) : qatMlp(hidden, features, classes, seed);
  let stateBytes = 0, peakBytes = 0;
  const t0 = performance.now();
  for (let from = 0, step = 0; from < train.n; from += batch, step++) {
    const count = Math.min(batch, train.n - from);
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor2d(train.x.subarray(from * features, (from + count) * features), [count, features]);
        const y = tf.oneHot(tf.tensor1d(train.labels.subarray(from, from + count), "int32"), classes) as tf.Tensor2D;
        net.step(x, y);
      });
    if (step === 1) {
      stateBytes = tf.memory().numBytes - before;
      peakBytes = (await tf.profile(run)).peakBytes - before;
    } else {
      run();
    }
  }
  await tf.ready();
  const trainSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  let correct = 0;
  for (let from = 0; from < test.n; from += 1000) {
    const count = Math.min(1000, test.n - from);
    const predicted = tf.tidy(() => net.logits(tf.tensor2d(test.x.subarray(from * features, (from + count) * features), [count, features])).argMax(1));
    const p = await predicted.data();
    predicted.dispose();
    for (let i = 0; i < count; i++) correct += p[i] === test.labels[from + i] ? 1 : 0;
  }
  const evalSeconds = (performance.now() - t1) / 1000;
  net.dispose();
  return { trainSeconds, evalSeconds, accuracy: correct / test.n, parameters: net.parameters, stateBytes, peakBytes };
}

interface Net {
  parameters: number;
  step(x: tf.Tensor2D, y: tf.Tensor2D): void;
  logits(x: tf.Tensor2D): tf.Tensor2D;
  dispose(): void;
}

/** A variable holding a copy of `init` (tf.variable copies; the initial tensor is disposed). */
function variableOf(init: tf.Tensor): tf.Variable {
  const v = tf.variable(init);
  init.dispose();
  return v;
}

/** Glorot-uniform weights (fan-in × fan-out) from a seed. */
function glorot(fanIn: number, fanOut: number, seed: number): tf.Variable {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return variableOf(tf.randomUniform([fanIn, fanOut], -limit, limit, "float32", seed));
}

function floatMlp(hidden: number[], features: number, classes: number, seed: number): Net {
  const widths = [features, ...hidden, classes];
  const weights = widths.slice(1).map((w, l) => glorot(widths[l], w, seed + l));
  const biases = widths.slice(1).map((w) => variableOf(tf.zeros([w])));
  const optimizer = tf.train.adam(0.001);
  const logits = (x: tf.Tensor2D) => {
    let a: tf.Tensor2D = x;
    weights.forEach((w, l) => {
      const z = a.matMul(w).add(biases[l]) as tf.Tensor2D;
      a = l < weights.length - 1 ? tf.relu(z) : z;
    });
    return a;
  };
  return {
    parameters: [...weights, ...biases].reduce((a, v) => a + v.size, 0),
    step: (x, y) => optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, logits(x)) as tf.Scalar),
    logits,
    dispose: () => [...weights, ...biases, optimizer].forEach((v) => v.dispose()),
  };
}

/** sign(x) with sign(0) = +1, and a gradient that passes where |x| ≤ 1 (hard-tanh STE). */
const signActivation = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  return { value: tf.where(tf.greaterEqual(x, 0), tf.onesLike(x), tf.onesLike(x).neg()), gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => dy.mul(tf.lessEqual(tf.abs(saved), 1).toFloat()) };
}) as unknown as Parameters<typeof tf.customGrad>[0]);
/** sign(w) with sign(0) = +1, and the identity gradient (BinaryConnect STE). */
const signWeights = tf.customGrad(((w: tf.Tensor) => ({ value: tf.where(tf.greaterEqual(w, 0), tf.onesLike(w), tf.onesLike(w).neg()), gradFunc: (dy: tf.Tensor) => dy })) as unknown as Parameters<typeof tf.customGrad>[0]);

function qatMlp(hidden: number[], features: number, classes: number, seed: number): Net {
  const widths = [features, ...hidden, classes];
  const weights = widths.slice(1).map((w, l) => glorot(widths[l], w, seed + l));
  const optimizer = tf.train.adam(0.01);
  const logits = (x: tf.Tensor2D) => {
    let a: tf.Tensor2D = x;
    weights.forEach((w, l) => {
      const z = a.matMul(signWeights(w) as tf.Tensor2D).div(Math.sqrt(widths[l])) as tf.Tensor2D;
      a = l < weights.length - 1 ? (signActivation(z) as tf.Tensor2D) : z;
    });
    return a;
  };
  return {
    parameters: weights.reduce((a, v) => a + v.size, 0),
    step: (x, y) => {
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, logits(x)) as tf.Scalar);
      for (const w of weights) w.assign(tf.clipByValue(w, -1, 1));
    },
    logits,
    dispose: () => [...weights, optimizer].forEach((v) => v.dispose()),
  };
}
