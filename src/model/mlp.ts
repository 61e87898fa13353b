/** A fully binary MLP (spec §1): binary layers, then the fixed BEF classifier P. */
import type { Backend } from "../kernels/backend.js";
import type { Buf } from "../kernels/buffer.js";
import { rowWords } from "../kernels/layout.js";
import { seedState, STREAM } from "../kernels/js/prng.js";
import type { Dataset } from "../data/dataset.js";
import { Layer } from "./layer.js";
import { fixedClassifier, type BefOptions } from "./bef.js";


/** Shape and initialisation of an MLP. */
export interface MlpOptions {
  /** Input width K_0 in bits. */
  inputs: number;
  /** Hidden widths K_1..K_L. */
  hidden: number[];
  /** Number of classes C. */
  classes: number;
  /** Seed of the init and BEF streams (default 1). */
  seed?: number;
  /** σ of the hidden-weight init (default 64). */
  sigmaInit?: number;
  /** BEF search options. */
  bef?: BefOptions;
  /** Use these C × K_L ±1 prototypes instead of searching a BEF (loading a model file). */
  prototypes?: Int8Array;
}

/**
 * Bytes of i32 scratch (pre-activations, backward sums) that batched passes aim to stay within:
 * 1 MiB keeps them in a core's L2 and gives wide layers chunks of ≥ 32 rows, where the SIMD
 * forward pass switches to nibble tables (chunks of 10 rows made a 784-525-525 epoch about 1.2×
 * slower in `bench:train --quick`, 2026-12-02).
 */
export const SCRATCH_BYTES = 1 << 20;

/** Rows of `bytesPerRow` bytes that fit SCRATCH_BYTES: at least 8, at most `max` (≥ 1). */
export function chunkRows(bytesPerRow: number, max: number): number {
  return Math.max(1, Math.min(max, Math.max(8, Math.floor(SCRATCH_BYTES / bytesPerRow))));
}

/** Σ of `values`. */
export function sum(values: readonly number[]): number {
  return values.reduce((a, v) => a + v, 0);
}

/** What forward passes and training steps read of an MLP: its shape and weight buffers (an Mlp, or another thread's view of one). */
export interface MlpWeights {
  readonly backend: Backend;
  /** Widths K_0..K_L. */
  readonly sizes: readonly number[];
  readonly classes: number;
  readonly layers: readonly Pick<Layer, "H" | "W" | "WT">[];
  /** The BEF prototypes ρ_c, packed C × K_L. */
  readonly P: Buf<"u32">;
}

/** Buffers for a forward pass of up to `batch` samples. */
export class Workspace {
  /** acts[l]: packed activations a_l (acts[0] is the input), batch × K_l. */
  readonly acts: Buf<"u32">[];
  /** z[l]: pre-activations of layer l (z[0] unused), batch × K_l. */
  readonly z: Buf<"i32">[];
  /** Logits ŷ = P a_L, batch × C. */
  readonly logits: Buf<"i32">;

  constructor(readonly model: MlpWeights, readonly batch: number) {
    const { backend, sizes } = model;
    this.acts = sizes.map((k) => backend.alloc("u32", batch * rowWords(k)));
    this.z = sizes.map((k, l) => backend.alloc("i32", l === 0 ? 0 : batch * k));
    this.logits = backend.alloc("i32", batch * model.classes);
  }

  /** Copies samples indices[from..from+count) of `data` (samples from..from+count if null) into the input rows. */
  gather(data: Dataset, indices: ArrayLike<number> | null, from: number, count: number): void {
    const dst = this.acts[0].data;
    const w = data.words;
    for (let i = 0; i < count; i++) {
      const j = indices === null ? from + i : indices[from + i];
      dst.set(data.bits.subarray(j * w, (j + 1) * w), i * w);
    }
  }

  /** Forward pass of the first `count` input rows: z_l, a_l for every layer, then the logits. */
  forward(count: number): void {
    const { backend, layers, sizes } = this.model;
    for (let l = 1; l < sizes.length; l++) {
      backend.forwardSign(this.acts[l - 1], layers[l - 1].W, this.z[l], this.acts[l], count, sizes[l - 1], sizes[l]);
    }
    backend.forward(this.acts[sizes.length - 1], this.model.P, this.logits, count, sizes[sizes.length - 1], this.model.classes);
  }

  free(): void {
    for (const b of [...this.acts, ...this.z, this.logits]) b.free();
  }
}

export class Mlp implements MlpWeights {
  /** Widths K_0..K_L. */
  readonly sizes: number[];
  readonly layers: Layer[];
  /** The BEF prototypes ρ_c, packed C × K_L. */
  readonly P: Buf<"u32">;
  /** The BEF prototypes as ±1 values, C × K_L. */
  readonly prototypes: Int8Array;
  /** max |⟨ρ_i,ρ_j⟩| achieved by the BEF search. */
  readonly befMaxInner: number;

  constructor(readonly backend: Backend, readonly classes: number, options: MlpOptions) {
    const { inputs, hidden } = options;
    if (!Number.isInteger(inputs) || inputs < 1) throw new RangeError(`inputs must be a positive integer, got ${inputs}`);
    if (hidden.length < 1 || hidden.some((k) => !Number.isInteger(k) || k < 1)) {
      throw new RangeError(`hidden widths must be one or more positive integers, got [${hidden.join(", ")}]`);
    }
    const seed = options.seed ?? 1;
    this.sizes = [inputs, ...hidden];
    const init = seedState(seed, STREAM.init);
    this.layers = hidden.map((n, l) => {
      // The first layer keeps no Wᵀ: no desired activation is propagated to the inputs.
      const layer = new Layer(backend, n, this.sizes[l], l > 0);
      layer.initialise(options.sigmaInit ?? 64, init);
      return layer;
    });
    ({ prototypes: this.prototypes, P: this.P, befMaxInner: this.befMaxInner } = fixedClassifier(backend, classes, hidden[hidden.length - 1], seed, options.prototypes, options.bef));
  }

  /**
   * Predicted classes (argmax of the logits, lowest index on ties) for every sample of `data`,
   * `batch` samples at a time (default: as many as fit SCRATCH_BYTES of pre-activations).
   */
  predict(data: Dataset, batch = this.predictRows()): Uint8Array {
    this.checkInputs(data);
    return predictBatches(data, batch, this.classes, (rows) => new Workspace(this, rows));
  }

  /** The logits ŷ = P a_L of every sample of `data` (n × classes, row-major) and the predicted classes (as predict). */
  logits(data: Dataset, batch = this.predictRows()): { predictions: Uint8Array; logits: Int32Array } {
    this.checkInputs(data);
    const logits = new Int32Array(data.n * this.classes);
    const predictions = predictBatches(data, batch, this.classes, (rows) => new Workspace(this, rows), logits);
    return { predictions, logits };
  }

  /** Samples per batch of a forward pass: as many as fit SCRATCH_BYTES of pre-activations. */
  private predictRows(): number {
    return chunkRows(4 * sum(this.sizes.slice(1)), Number.MAX_SAFE_INTEGER);
  }

  /** Fraction of `data` classified correctly. */
  accuracy(data: Dataset): number {
    return fractionCorrect(this.predict(data), data.labels);
  }

  /** Number of trainable (hidden) weights. */
  get parameters(): number {
    return this.layers.reduce((s, l) => s + l.size, 0);
  }

  checkInputs(data: Dataset): void {
    if (data.k !== this.sizes[0]) throw new RangeError(`${data.name}: samples have ${data.k} bits, the model expects ${this.sizes[0]}`);
    if (data.classes > this.classes) throw new RangeError(`${data.name}: has ${data.classes} classes, the model has ${this.classes}`);
  }

  /** Returns all buffers to the backend. */
  free(): void {
    for (const l of this.layers) l.free();
    this.P.free();
  }
}

/** A forward workspace over batches: gather, forward, logits. */
export interface Forward<D> {
  readonly batch: number;
  readonly logits: Buf<"i32">;
  gather(data: D, indices: null, from: number, count: number): void;
  forward(count: number): void;
  free(): void;
}

/** Predicted classes of every sample of `data`, in batches of up to `batch` through a workspace from `workspace(rows)` (and their logits into `logits`, n × classes, if given). */
export function predictBatches<D extends { n: number }>(data: D, batch: number, classes: number, workspace: (rows: number) => Forward<D>, logits?: Int32Array): Uint8Array {
  const out = new Uint8Array(data.n);
  const ws = workspace(Math.min(batch, Math.max(1, data.n)));
  predictRange(ws, data, 0, data.n, classes, out, logits);
  ws.free();
  return out;
}

/** Predicts samples from..from+count of `data` through `ws`, ws.batch at a time, into out[from..from+count) (and their logits into `logits`, if given). */
export function predictRange<D>(ws: Forward<D>, data: D, from: number, count: number, classes: number, out: Uint8Array, logits?: Int32Array): void {
  for (let f = from, end = from + count; f < end; f += ws.batch) {
    const rows = Math.min(ws.batch, end - f);
    ws.gather(data, null, f, rows);
    ws.forward(rows);
    const y = ws.logits.data;
    for (let i = 0; i < rows; i++) out[f + i] = argmax(y, i * classes, classes);
    logits?.set(y.subarray(0, rows * classes), f * classes);
  }
}

/** The fraction of predictions equal to their labels (NaN for none). */
export function fractionCorrect(predictions: Uint8Array, labels: Uint8Array): number {
  if (labels.length === 0) return NaN;
  let correct = 0;
  for (let i = 0; i < labels.length; i++) correct += predictions[i] === labels[i] ? 1 : 0;
  return correct / labels.length;
}

/** Index of the largest of y[at..at+n), lowest index on ties. */
export function argmax(y: Int32Array, at: number, n: number): number {
  let best = 0;
  for (let c = 1; c < n; c++) if (y[at + c] > y[at + best]) best = c;
  return best;
}
