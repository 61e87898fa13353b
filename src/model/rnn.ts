/**
 * A fully binary recurrent network for many-to-one classification (spec §4, BEP-TT):
 * s_t = sign(W_xs a_t + W_ss s_{t−1}), s_y = sign(W_sy s_T), ŷ = P s_y with the fixed BEF
 * classifier P, from the initial state s_0 = +1 (the spec) or s_0 = 0 (see InitialState).
 * Inputs may pass through a fixed random ±1 expansion layer first, a_t = sign(R·bits_t).
 */
import type { Backend } from "../kernels/backend.js";
import type { Buf } from "../kernels/buffer.js";
import { rowWords } from "../kernels/layout.js";
import { next32, seedState, STREAM } from "../kernels/js/prng.js";
import type { SequenceDataset } from "../data/sequences.js";
import { Layer } from "./layer.js";
import { fixedClassifier, type BefOptions } from "./bef.js";
import { fractionCorrect, predictBatches } from "./mlp.js";

/**
 * The state before a series' first step: "zero" (the default) is s_0 = 0, so the first step is
 * z_1 = W_xs a_1 and H_ss learns nothing from it; "ones" is the spec's s_0 = +1. With "ones",
 * s_0 is the same K_s bits for every series, so H_ss's updates from the first step act as a
 * learned bias as wide as the state, which can pin neurons to one sign (docs/results/ablations.md:
 * MNIST digits as one step train to 11% with "ones" and 84% with "zero"; on UCR/UEA the mean
 * validation accuracy is about equal, MelbournePedestrian's 12-step windows gain 6.8 points).
 */
export type InitialState = "ones" | "zero";

/** Shape and initialisation of a recurrent network. */
export interface RnnOptions {
  /** Bits per input step (after encoding). */
  inputs: number;
  /** State width K_s. */
  state: number;
  /** Output width K_y (default: K_s). */
  output?: number;
  /** Width K_0 of the fixed random ±1 expansion layer a_t = sign(R·bits_t); 0 = none (default). */
  expansion?: number;
  /** The initial state s_0 (default "zero"; "ones" is the spec's). */
  initialState?: InitialState;
  /** Seed of the init, expansion and BEF streams (default 1). */
  seed?: number;
  /** σ of the hidden-weight init (default 64). */
  sigmaInit?: number;
  /** BEF search options. */
  bef?: BefOptions;
  /** Use these C × K_y ±1 prototypes instead of searching a BEF (loading a model file). */
  prototypes?: Int8Array;
}

/** Buffers for the forward pass of up to `batch` series of `steps` steps, time-major (row t·batch + i). */
/** Rows per call of the input terms (W_xs a_t and the expansion layer) of several steps. */
const INPUT_ROWS = 256;

export class RnnWorkspace {
  /** Input bits of every step, (steps·batch) × K_in. */
  readonly input: Buf<"u32">;
  /** a_t: the input after the expansion layer (the same buffer as `input` without one). */
  readonly x: Buf<"u32">;
  /** States s_0..s_T, ((steps + 1)·batch) × K_s; block 0 and the steps before a series starts hold +1 (unused with s_0 = 0). */
  readonly states: Buf<"u32">;
  /** Pre-activations z_t of steps 1..T, (steps·batch) × K_s. */
  readonly z: Buf<"i32">;
  /** z_y = W_sy s_T, batch × K_y. */
  readonly zy: Buf<"i32">;
  /** s_y = sign(z_y), batch × K_y. */
  readonly sy: Buf<"u32">;
  /** Logits ŷ = P s_y, batch × C. */
  readonly logits: Buf<"i32">;
  /** First real step (0-based) of each row: steps − length. */
  readonly start: Int32Array;
  /** Steps whose input terms W_xs a_t (and expansions) one call computes: they do not depend on the state. */
  private readonly chunk: number;
  /** W_xs a_t of `chunk` steps, (chunk·batch) × K_s, and the expansion layer's pre-activations, (chunk·batch) × K_0. */
  private readonly zin: Buf<"i32">;
  private readonly zexp: Buf<"i32"> | null;

  constructor(readonly model: Rnn, readonly batch: number, readonly steps: number) {
    const { backend, inputs, kx, ks, ky, classes } = model;
    this.chunk = Math.max(1, Math.min(steps, Math.floor(INPUT_ROWS / batch)));
    this.input = backend.alloc("u32", steps * batch * rowWords(inputs));
    this.x = model.expansion ? backend.alloc("u32", steps * batch * rowWords(kx)) : this.input;
    this.zexp = model.expansion ? backend.alloc("i32", this.chunk * batch * kx) : null;
    this.states = backend.alloc("u32", (steps + 1) * batch * rowWords(ks));
    this.z = backend.alloc("i32", steps * batch * ks);
    this.zin = backend.alloc("i32", this.chunk * batch * ks);
    this.zy = backend.alloc("i32", batch * ky);
    this.sy = backend.alloc("u32", batch * rowWords(ky));
    this.logits = backend.alloc("i32", batch * classes);
    this.start = new Int32Array(batch);
    const s0 = this.states.data, ws = rowWords(ks);
    for (let i = 0; i < batch; i++) fillOnes(s0, i * ws, ks);
  }

  /** Copies series indices[from..from+count) of `data` (series from..from+count if null) into the input rows. */
  gather(data: SequenceDataset, indices: ArrayLike<number> | null, from: number, count: number): void {
    if (data.steps !== this.steps) throw new RangeError(`${data.name}: series have ${data.steps} steps, the workspace ${this.steps}`);
    const dst = this.input.data, w = data.words, T = this.steps, B = this.batch;
    for (let i = 0; i < count; i++) {
      const j = indices === null ? from + i : indices[from + i];
      for (let t = 0; t < T; t++) {
        const src = (j * T + t) * w;
        dst.set(data.bits.subarray(src, src + w), (t * B + i) * w);
      }
      this.start[i] = T - data.lengths[j];
    }
  }

  /** Views of block t (rows t·batch .. t·batch + rows) of a time-major buffer of `width` elements per row. */
  block<K extends "u32" | "i32">(buf: Buf<K>, t: number, width: number, rows = this.batch): Buf<K> {
    return this.model.backend.view(buf, t * this.batch * width, rows * width);
  }

  /** Forward pass of the first `count` rows over all steps: s_1..s_T, z_y, s_y and the logits. */
  forward(count: number): void {
    const { backend, inputs, kx, ks, ky, classes, expansion, xs, ss, sy } = this.model;
    const wi = rowWords(inputs), wx = rowWords(kx), ws = rowWords(ks);
    const zero = this.model.initialState === "zero";
    for (let t = 0; t < this.steps; t++) {
      const c = t % this.chunk;
      if (c === 0) {
        // a_t and W_xs a_t of the next `chunk` steps in one call each: whole blocks of `batch` rows, so
        // that the calls are large enough for the forward pass's nibble tables (rows past `count` are unused).
        const rows = Math.min(this.chunk, this.steps - t) * this.batch;
        const xc = this.block(this.x, t, wx, rows);
        if (expansion) backend.forwardSign(this.block(this.input, t, wi, rows), expansion.W, this.zexp!, xc, rows, inputs, kx);
        backend.forward(xc, xs.W, this.zin, rows, kx, ks);
      }
      const zt = this.block(this.z, t, ks, count);
      const at = c * this.batch * ks;
      if (!(zero && t === 0)) backend.forward(this.block(this.states, t, ws, count), ss.W, zt, count, ks, ks);
      const z = zt.data, zin = this.zin.data;
      if (zero && t === 0) {
        // s_0 = 0 and no series has a state yet: z = W_xs a_t (rows that start later are overwritten below).
        z.set(zin.subarray(at, at + count * ks));
      } else {
        for (let e = 0; e < count * ks; e++) z[e] += zin[at + e];
        // With s_0 = 0 a series' first step has no recurrent input: z = W_xs a_t.
        if (zero) for (let i = 0; i < count; i++) if (t === this.start[i]) z.set(zin.subarray(at + i * ks, at + (i + 1) * ks), i * ks);
      }
      const st = this.block(this.states, t + 1, ws, count);
      backend.signs(zt, st, count, ks);
      // Steps before a series starts keep s = +1 (s_0, or a placeholder that s_0 = 0 never reads).
      const s = st.data;
      for (let i = 0; i < count; i++) if (t < this.start[i]) fillOnes(s, i * ws, ks);
    }
    backend.forwardSign(this.block(this.states, this.steps, ws, count), sy.W, this.zy, this.sy, count, ks, ky);
    backend.forward(this.sy, this.model.P, this.logits, count, ky, classes);
  }

  free(): void {
    const own = [this.input, this.states, this.z, this.zin, this.zy, this.sy, this.logits];
    if (this.x !== this.input) own.push(this.x);
    if (this.zexp) own.push(this.zexp);
    for (const b of own) b.free();
  }
}

export class Rnn {
  /** Bits per input step. */
  readonly inputs: number;
  /** Width of a_t: K_0 with an expansion layer, else `inputs`. */
  readonly kx: number;
  /** State width K_s. */
  readonly ks: number;
  /** Output width K_y. */
  readonly ky: number;
  /** The fixed expansion layer R (K_0 × inputs, ±1, never trained), or null. */
  readonly expansion: Layer | null;
  /** Input-to-state weights H_xs (K_s × K_x). */
  readonly xs: Layer;
  /** State-to-state weights H_ss (K_s × K_s). */
  readonly ss: Layer;
  /** State-to-output weights H_sy (K_y × K_s). */
  readonly sy: Layer;
  /** The BEF prototypes ρ_c, packed C × K_y. */
  readonly P: Buf<"u32">;
  /** The BEF prototypes as ±1 values, C × K_y. */
  readonly prototypes: Int8Array;
  /** max |⟨ρ_i,ρ_j⟩| achieved by the BEF search. */
  readonly befMaxInner: number;
  /** The initial state s_0. */
  readonly initialState: InitialState;

  constructor(readonly backend: Backend, readonly classes: number, options: RnnOptions) {
    const { inputs, state } = options;
    const output = options.output ?? state;
    const k0 = options.expansion ?? 0;
    for (const [name, v, min] of [["inputs", inputs, 1], ["state", state, 1], ["output", output, 1], ["expansion", k0, 0]] as const) {
      if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${v}`);
    }
    const initialState = options.initialState ?? "zero";
    if (initialState !== "ones" && initialState !== "zero") throw new RangeError(`initialState must be "ones" or "zero", got ${JSON.stringify(initialState)}`);
    this.initialState = initialState;
    const seed = options.seed ?? 1;
    this.inputs = inputs;
    this.kx = k0 > 0 ? k0 : inputs;
    this.ks = state;
    this.ky = output;
    if (k0 > 0) {
      this.expansion = new Layer(backend, k0, inputs, false);
      const prng = seedState(seed, STREAM.expansion);
      const h = this.expansion.H.data;
      for (let i = 0; i < h.length; i++) h[i] = next32(prng) >>> 31 ? 1 : -1;
      this.expansion.refresh();
    } else {
      this.expansion = null;
    }
    const init = seedState(seed, STREAM.init);
    const sigma = options.sigmaInit ?? 64;
    // Only H_ss and H_sy keep Wᵀ: desired states go back through them, never to the inputs.
    this.xs = new Layer(backend, state, this.kx, false);
    this.ss = new Layer(backend, state, state);
    this.sy = new Layer(backend, output, state);
    for (const l of [this.xs, this.ss, this.sy]) l.initialise(sigma, init);
    ({ prototypes: this.prototypes, P: this.P, befMaxInner: this.befMaxInner } = fixedClassifier(backend, classes, output, seed, options.prototypes, options.bef));
  }

  /** Predicted classes (argmax of the logits, lowest index on ties) for every series of `data`. */
  predict(data: SequenceDataset, batch = 256): Uint8Array {
    this.checkInputs(data);
    return predictBatches(data, batch, this.classes, (rows) => new RnnWorkspace(this, rows, data.steps));
  }

  /** The logits ŷ = P s_y of every series of `data` (n × classes, row-major) and the predicted classes (as predict). */
  logits(data: SequenceDataset, batch = 256): { predictions: Uint8Array; logits: Int32Array } {
    this.checkInputs(data);
    const logits = new Int32Array(data.n * this.classes);
    const predictions = predictBatches(data, batch, this.classes, (rows) => new RnnWorkspace(this, rows, data.steps), logits);
    return { predictions, logits };
  }

  /** Fraction of `data` classified correctly. */
  accuracy(data: SequenceDataset): number {
    return fractionCorrect(this.predict(data), data.labels);
  }

  /** The trained weight matrices (the expansion layer is fixed). */
  get trained(): Layer[] {
    return [this.xs, this.ss, this.sy];
  }

  /** Number of trainable (hidden) weights. */
  get parameters(): number {
    return this.trained.reduce((s, l) => s + l.size, 0);
  }

  checkInputs(data: SequenceDataset): void {
    if (data.k !== this.inputs) throw new RangeError(`${data.name}: steps have ${data.k} bits, the model expects ${this.inputs}`);
    if (data.classes > this.classes) throw new RangeError(`${data.name}: has ${data.classes} classes, the model has ${this.classes}`);
  }

  /** Returns all buffers to the backend. */
  free(): void {
    for (const l of this.trained) l.free();
    this.expansion?.free();
    this.P.free();
  }
}

/** Sets bits 0..k−1 of the packed row at word `at` (the all-+1 state s_0); padding stays 0. */
export function fillOnes(row: Uint32Array, at: number, k: number): void {
  const words = rowWords(k);
  for (let w = 0; w < words; w++) {
    const bits = Math.min(32, Math.max(0, k - w * 32));
    row[at + w] = bits === 32 ? 0xffffffff : bits === 0 ? 0 : (1 << bits) - 1;
  }
}
