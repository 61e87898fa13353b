/**
 * The model file (docs/format.md): a trained MLP or recurrent network with its encoder and, optionally, the full
 * training state, so that `Trainer` can resume bit-identically. Platform-neutral bytes in,
 * bytes out; src/io/files.ts reads and writes them on disk.
 *
 *   0      "BEPM"                         magic
 *   4      u32 LE  version (1: MLP; 2: adds the recurrent kind; 3: adds inference-only files of
 *                  1-bit weights; 4: adds the recurrent initial state s_0 = 0; 5: adds the
 *                  training option clip)
 *   8      u32 LE  header length h
 *   12     h bytes of UTF-8 JSON header   shapes, options, section table
 *   12+h   sections, in header order, little-endian, no padding
 *   end−4  u32 LE  CRC-32 of every byte before it
 */
import type { Backend } from "../kernels/backend.js";
import { H_MAX, H_MIN, rowWords } from "../kernels/layout.js";
import { ENCODER_KINDS, type Encoder, type EncoderKind } from "../data/encode.js";
import { oneLine } from "../data/text.js";
import { Mlp } from "../model/mlp.js";
import { Rnn, type InitialState } from "../model/rnn.js";
import type { Layer } from "../model/layer.js";
import { Trainer, type ModelFor, type TrainData, type TrainerState, type TrainOptions } from "../train/trainer.js";
import type { ThreadPool } from "../parallel/pool.js";
import { crc32 } from "./crc32.js";

/**
 * The newest version this library reads and writes; newer files are refused. Each file is written
 * with the oldest version that can hold it: 1 (an MLP), 2 (a recurrent network), 3 (1-bit
 * weights), 4 (a recurrent network with s_0 = 0, which older readers would run with s_0 = +1),
 * 5 (a training state with a clip ±c, which older readers would resume without it).
 */
export const MODEL_FILE_VERSION = 5;
const MAGIC = [0x42, 0x45, 0x50, 0x4d]; // "BEPM"

type SectionType = "i8" | "i16" | "i32" | "u32" | "f32";
const BYTES: Record<SectionType, number> = { i8: 1, i16: 2, i32: 4, u32: 4, f32: 4 };
type Section = { name: string; type: SectionType; values: ArrayLike<number> };

interface Header {
  kind: "mlp" | "rnn";
  /** MLP: K_0..K_L. */
  sizes?: number[];
  /** Recurrent network: bits per step, expansion width (0 = none), state and output widths, the window W of its data (absent: all steps) and the initial state (version 4; absent: "ones"). */
  rnn?: { inputs: number; expansion: number; state: number; output: number; window?: number; initialState?: InitialState };
  classes: number;
  encoder: { kind: EncoderKind; features: number } | null;
  /** "sign" (version 3): the layers are stored as their packed visible weights W = sign(H) only. */
  weights?: "sign";
  names?: DataNames;
  training: { options: TrainOptions; state: Omit<TrainerState, "shuffle" | "reinforce"> } | null;
  sections: { name: string; type: SectionType; length: number }[];
}

/** Names from the training data (CSV files): the encoder's input features and the classes. */
export interface DataNames {
  /** Feature f's column name (one per encoder feature). */
  features?: string[];
  /** Class c's label as written in the data. */
  classes?: string[];
  /** The name of the column that held the labels. */
  label?: string;
}

/** How serializeModel stores a model. */
export interface SerializeOptions {
  /** Names to keep with the model (CSV columns and labels). */
  names?: DataNames | null;
  /**
   * "sign": an inference-only file of 1-bit visible weights W = sign(H) (version 3, or 4 with
   * s_0 = 0; about 16× smaller; it loads as a model whose hidden weights are ±1 and has no
   * training state).
   * Default "hidden": the int16 hidden weights.
   */
  weights?: "hidden" | "sign";
  /** Recurrent network: the data's "last W steps" window, kept so that eval and predict crop new series the same way. */
  window?: number;
}

/** What a model file holds. */
export interface ModelFileContents {
  model: Mlp | Rnn;
  encoder: Encoder | null;
  /** Names from the training data, if the file has them. */
  names: DataNames | null;
  /** True for an inference-only file of 1-bit weights (its hidden weights are ±1). */
  signOnly: boolean;
  /** Recurrent network: the window W its data was cropped to (null: all steps). */
  window: number | null;
  /** Present when the file was saved from a Trainer: its options and state. */
  training: { options: TrainOptions; state: TrainerState } | null;
}

/** Serialises `model` (with its `encoder`; with `trainer`'s state when given) into model-file bytes. */
export function serializeModel<D extends TrainData>(model: ModelFor<D>, encoder: Encoder | null, trainer: Trainer<D> | null = null, options: SerializeOptions = {}): Uint8Array {
  const m = model as Mlp | Rnn;
  const sign = options.weights === "sign";
  if (sign && trainer) throw new Error("serializeModel: a file of 1-bit weights is inference-only; pass no trainer");
  const names = options.names ?? null;
  if (names?.features && names.features.length !== encoder?.features) throw new Error(`serializeModel: ${names.features.length} feature names for an encoder of ${encoder?.features ?? 0} features`);
  if (names?.classes && names.classes.length !== m.classes) throw new Error(`serializeModel: ${names.classes.length} class names for ${m.classes} classes`);
  if (options.window !== undefined && !(m instanceof Rnn && Number.isInteger(options.window) && options.window >= 1)) throw new Error(`serializeModel: a window applies to recurrent networks only and must be a positive integer, got ${options.window}`);
  const layerSection = ([name, l]: [string, Layer]): Section => sign
    ? { name: `W${name.slice(1)}`, type: "u32", values: signWords(l) }
    : { name, type: "i16", values: l.H.data };
  const sections: Section[] = [
    ...(m instanceof Rnn && m.expansion ? [{ name: "R", type: "i8" as const, values: m.expansion.H.data }] : []),
    ...trainedLayers(m).map(layerSection),
  ];
  sections.push({ name: "P", type: "i8", values: m.prototypes });
  if (encoder) {
    sections.push({ name: "encoder.feature", type: "i32", values: encoder.feature }, { name: "encoder.threshold", type: "f32", values: encoder.threshold });
  }
  let training: Header["training"] = null;
  if (trainer) {
    const { shuffle, reinforce, ...state } = trainer.state();
    training = { options: { ...trainer.shape, ...trainer.options, groupSize: state.schedule.groupSizes }, state };
    sections.push({ name: "prng.shuffle", type: "u32", values: shuffle }, { name: "prng.reinforce", type: "u32", values: reinforce });
  }
  const header: Header = {
    ...(m instanceof Rnn
      ? { kind: "rnn" as const, rnn: { inputs: m.inputs, expansion: m.expansion ? m.kx : 0, state: m.ks, output: m.ky, ...(options.window ? { window: options.window } : {}), ...(m.initialState === "zero" ? { initialState: m.initialState } : {}) } }
      : { kind: "mlp" as const, sizes: m.sizes }),
    classes: m.classes,
    encoder: encoder ? { kind: encoder.kind, features: encoder.features } : null,
    ...(sign ? { weights: "sign" as const } : {}),
    ...(names ? { names } : {}),
    training,
    sections: sections.map((s) => ({ name: s.name, type: s.type, length: s.values.length })),
  };
  const version = training?.options.clip !== undefined ? 5 : m instanceof Rnn && m.initialState === "zero" ? 4 : sign ? 3 : m instanceof Rnn ? 2 : 1;
  const json = new TextEncoder().encode(JSON.stringify(header, (_, v) => (v === Infinity ? "Infinity" : v)));
  const body = sections.reduce((n, s) => n + s.values.length * BYTES[s.type], 0);
  const out = new Uint8Array(12 + json.length + body + 4);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(4, version, true);
  view.setUint32(8, json.length, true);
  out.set(json, 12);
  let at = 12 + json.length;
  for (const s of sections) {
    for (let i = 0; i < s.values.length; i++, at += BYTES[s.type]) write(view, at, s.type, s.values[i]);
  }
  view.setUint32(at, crc32(out.subarray(0, at)), true);
  return out;
}

/** Parses and validates model-file bytes (`name` prefixes every error) into a model on `backend`. */
export function deserializeModel(bytes: Uint8Array, name: string, backend: Backend): ModelFileContents {
  const fail = (msg: string): never => {
    throw new Error(`${name}: ${msg}`);
  };
  if (bytes.length < 16) fail(`${bytes.length} bytes is too short for a bep model file`);
  if (MAGIC.some((m, i) => bytes[i] !== m)) fail("not a bep model file (bytes 0-3 are not \"BEPM\")");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version > MODEL_FILE_VERSION) fail(`model file version ${version} is newer than this library reads (${MODEL_FILE_VERSION}); upgrade bep`);
  if (version < 1) fail(`invalid model file version ${version} at offset 4`);
  const stored = view.getUint32(bytes.length - 4, true);
  const actual = crc32(bytes.subarray(0, bytes.length - 4));
  if (stored !== actual) fail(`checksum mismatch (stored CRC-32 ${hex(stored)}, computed ${hex(actual)}): the file is corrupt or truncated`);
  const h = view.getUint32(8, true);
  if (12 + h > bytes.length - 4) fail(`header length ${h} at offset 8 runs past the end of the file`);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(12, 12 + h)), (_, v) => (v === "Infinity" ? Infinity : v));
  } catch (e) {
    return fail(`header at offset 12 is not valid JSON: ${oneLine((e as Error).message)}`);
  }
  const isInt = (v: unknown, min: number) => Number.isInteger(v) && (v as number) >= min;
  if (header?.kind !== "mlp" && !(header?.kind === "rnn" && version >= 2)) fail(`header.kind must be "mlp"${version >= 2 ? ' or "rnn"' : ""}, got ${JSON.stringify(header?.kind)}`);
  if (header.kind === "mlp" && (!Array.isArray(header.sizes) || header.sizes.length < 2 || !header.sizes.every((k) => isInt(k, 1)))) fail(`header.sizes must be 2 or more positive integers`);
  const r = header.rnn;
  if (header.kind === "rnn" && (!r || !isInt(r.inputs, 1) || !isInt(r.expansion, 0) || !isInt(r.state, 1) || !isInt(r.output, 1))) {
    fail("header.rnn must hold integers inputs ≥ 1, expansion ≥ 0, state ≥ 1, output ≥ 1");
  }
  if (header.kind === "rnn" && r!.window !== undefined && !(isInt(r!.window, 1) && r!.window <= 65535)) fail(`header.rnn.window must be an integer in [1, 65535], got ${JSON.stringify(r!.window)}`);
  if (header.kind === "rnn" && r!.initialState !== undefined && !(version >= 4 && (r!.initialState === "ones" || r!.initialState === "zero"))) {
    fail(`header.rnn.initialState must be "ones" or "zero"${version < 4 ? ` in a version-4 file (this is version ${version})` : ""}, got ${JSON.stringify(r!.initialState)}`);
  }
  if (!isInt(header.classes, 2) || header.classes > 255) fail(`header.classes must be an integer in [2, 255]`);
  if (!Array.isArray(header.sections)) fail("header.sections is missing");

  const sections = new Map<string, ArrayLike<number>>();
  let at = 12 + h;
  for (const s of header.sections) {
    if (typeof s?.name !== "string" || !Object.hasOwn(BYTES, s.type) || !isInt(s.length, 0)) fail(`malformed section entry ${JSON.stringify(s)}`);
    const size = s.length * BYTES[s.type];
    if (at + size > bytes.length - 4) fail(`section ${oneLine(s.name)} (${size} bytes at offset ${at}) runs past the end of the file`);
    sections.set(s.name, read(view, at, s.type, s.length));
    at += size;
  }
  if (at !== bytes.length - 4) fail(`${bytes.length - 4 - at} unexpected bytes after the last section (offset ${at})`);
  const need = (key: string, length: number, check?: (v: number) => boolean, what?: string) => {
    const v = sections.get(key) ?? fail(`section ${key} is missing`);
    if (v.length !== length) fail(`section ${key} has ${v.length} values, the header's shapes need ${length}`);
    if (check) for (let i = 0; i < v.length; i++) if (!check(v[i])) fail(`section ${key}[${i}] = ${v[i]} is not ${what}`);
    return v;
  };
  const { classes } = header;
  if (header.weights !== undefined && (header.weights !== "sign" || version < 3)) fail(`header.weights must be "sign"${version < 3 ? ` in a version-3 file (this is version ${version})` : ""}, got ${JSON.stringify(header.weights)}`);
  const sign = header.weights === "sign";
  if (sign && header.training) fail("a file of 1-bit weights (header.weights \"sign\") cannot hold training state");
  // Every section is checked against the header's shapes before a layer is allocated, so a
  // corrupt width fails here instead of allocating (or running out of memory on) a huge layer.
  const sizes = header.sizes!, rnn = header.rnn!;
  const P = Int8Array.from(need("P", classes * (header.kind === "rnn" ? rnn.output : sizes[sizes.length - 1]), (v) => v === 1 || v === -1, "±1"));
  const shapes: [string, number, number][] = header.kind === "rnn"
    ? [...(rnn.expansion ? [["R", rnn.expansion, rnn.inputs] as [string, number, number]] : []), ["Hxs", rnn.state, rnn.expansion || rnn.inputs], ["Hss", rnn.state, rnn.state], ["Hsy", rnn.output, rnn.state]]
    : sizes.slice(1).map((n, l) => [`H${l + 1}`, n, sizes[l]]);
  for (const [key, n, k] of shapes) {
    if (sign && key !== "R") need(`W${key.slice(1)}`, n * signRowWords(k));
    else need(key, n * k);
  }
  // The layers start at zero (σ_init 0, no init draw): their weights are read below.
  let model: Mlp | Rnn, inputs: number;
  if (header.kind === "rnn") {
    const { inputs: kin, expansion, state, output, initialState } = rnn;
    model = new Rnn(backend, classes, { inputs: kin, expansion, state, output, initialState: initialState ?? "ones", sigmaInit: 0, prototypes: P });
    if (model.expansion) {
      model.expansion.H.data.set(need("R", model.expansion.size, (v) => v === 1 || v === -1, "±1"));
      model.expansion.refresh();
    }
    inputs = kin;
  } else {
    model = new Mlp(backend, classes, { inputs: sizes[0], hidden: sizes.slice(1), classes, sigmaInit: 0, prototypes: P });
    inputs = sizes[0];
  }
  for (const [name, layer] of trainedLayers(model)) {
    if (sign) {
      // H = ±1 with the stored signs; bits past k in a row's last word must be 0.
      const words = signRowWords(layer.k), spare = layer.k % 32 === 0 ? 0 : ~0 << layer.k % 32;
      const W = need(`W${name.slice(1)}`, layer.n * words);
      const h = layer.H.data;
      for (let j = 0; j < layer.n; j++) {
        if ((W[j * words + words - 1] & spare) !== 0) fail(`section W${name.slice(1)}: row ${j} has bits set past its ${layer.k} weights`);
        for (let i = 0; i < layer.k; i++) h[j * layer.k + i] = (W[j * words + (i >>> 5)] >>> (i & 31)) & 1 ? 1 : -1;
      }
    } else {
      layer.H.data.set(need(name, layer.size, (v) => v >= H_MIN && v <= H_MAX, "an int16"));
    }
    layer.refresh();
  }
  let encoder: Encoder | null = null;
  if (header.encoder) {
    // One encoder bit per input bit; a recurrent network read images row by row has one per
    // pixel of the whole image (steps × bits per step).
    const bits = (sections.get("encoder.feature") ?? fail("section encoder.feature is missing")).length;
    if (bits !== inputs && !(header.kind === "rnn" && bits % inputs === 0)) {
      fail(`section encoder.feature has ${bits} values, expected ${inputs}${header.kind === "rnn" ? " (bits per step) or a multiple of it (images read row by row)" : " (input bits)"}`);
    }
    if (!ENCODER_KINDS.includes(header.encoder.kind) || !isInt(header.encoder.features, 1) || header.encoder.features > bits) {
      fail(`unsupported encoder ${JSON.stringify(header.encoder)} (expected a kind of ${ENCODER_KINDS.join(", ")} and 1 to ${bits} features)`);
    }
    const features = header.encoder.features;
    const feature = Int32Array.from(need("encoder.feature", bits, (v) => v >= 0 && v < features, `a feature index below ${features}`));
    const threshold = Float32Array.from(need("encoder.threshold", bits, (v) => !Number.isNaN(v), "a number"));
    encoder = { kind: header.encoder.kind, features, feature, threshold };
  }
  let training: ModelFileContents["training"] = null;
  if (header.training) {
    const { options, state } = header.training;
    if (!options || typeof options !== "object" || !state || !isInt(state.epoch, 0)) fail("header.training is malformed (expected options and a state with an epoch count)");
    if (options.clip !== undefined && !(version >= 5 && isInt(options.clip, 1) && options.clip <= H_MAX)) {
      fail(`header.training.options.clip must be an integer in [1, ${H_MAX}]${version < 5 ? ` in a version-5 file (this is version ${version})` : ""}, got ${JSON.stringify(options.clip)}`);
    }
    const { schedule, previousError } = state;
    const layerCount = header.kind === "rnn" ? 2 : sizes.length - 1;
    if (typeof previousError !== "number" || !(previousError >= 0 && previousError <= 1)) fail(`header.training.state.previousError must be a number in [0, 1], got ${JSON.stringify(previousError)}`);
    if (!schedule || !Array.isArray(schedule.groupSizes) || schedule.groupSizes.length !== layerCount || !schedule.groupSizes.every((g) => isInt(g, 1))
      || typeof schedule.best !== "number" || !(schedule.best >= 0) || !isInt(schedule.waited, 0)) {
      fail(`header.training.state.schedule must hold ${layerCount} positive group sizes, a best error ≥ 0 and an epoch count`);
    }
    training = {
      options,
      state: { ...state, shuffle: Uint32Array.from(need("prng.shuffle", 4)), reinforce: Uint32Array.from(need("prng.reinforce", 4)) },
    };
  }
  let names: DataNames | null = null;
  if (header.names !== undefined) {
    const { features, classes: labels, label } = header.names ?? {};
    const strings = (v: unknown, n: number) => Array.isArray(v) && v.length === n && v.every((x) => typeof x === "string");
    if (features !== undefined && !strings(features, encoder?.features ?? -1)) fail(`header.names.features must be ${encoder ? `${encoder.features} strings (one per encoder feature)` : "absent in a file without an encoder"}`);
    if (labels !== undefined && !strings(labels, classes)) fail(`header.names.classes must be ${classes} strings (one per class)`);
    if (label !== undefined && typeof label !== "string") fail("header.names.label must be a string");
    names = { ...(features ? { features } : {}), ...(labels ? { classes: labels } : {}), ...(label !== undefined ? { label } : {}) };
  }
  return { model, encoder, names, signOnly: sign, window: header.kind === "rnn" ? header.rnn!.window ?? null : null, training };
}

function write(view: DataView, at: number, type: SectionType, v: number): void {
  if (type === "i8") view.setInt8(at, v);
  else if (type === "i16") view.setInt16(at, v, true);
  else if (type === "i32") view.setInt32(at, v, true);
  else if (type === "u32") view.setUint32(at, v, true);
  else view.setFloat32(at, v, true);
}

function read(view: DataView, at: number, type: SectionType, n: number): number[] {
  const out = new Array<number>(n);
  const size = BYTES[type];
  for (let i = 0; i < n; i++, at += size) {
    out[i] = type === "i8" ? view.getInt8(at) : type === "i16" ? view.getInt16(at, true) : type === "i32" ? view.getInt32(at, true) : type === "u32" ? view.getUint32(at, true) : view.getFloat32(at, true);
  }
  return out;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}

/** u32 words per row of `k` 1-bit weights in a file: ⌈k/32⌉ (no 32-bit wrap for a corrupt, huge k). */
function signRowWords(k: number): number {
  return Math.ceil(k / 32);
}

/** A layer's visible weights W = sign(H) as ⌈K/32⌉ u32 words per row (bit i of a row: 1 = +1), without the 128-bit row padding of the packed layout. */
function signWords(layer: Layer): Uint32Array {
  const words = signRowWords(layer.k), stride = rowWords(layer.k), W = layer.W.data;
  const out = new Uint32Array(layer.n * words);
  for (let j = 0; j < layer.n; j++) out.set(W.subarray(j * stride, j * stride + words), j * words);
  return out;
}

/** The trained layers of a model with their hidden-weight section names (H1..HL; Hxs, Hss, Hsy). */
function trainedLayers(m: Mlp | Rnn): [string, Layer][] {
  return m instanceof Rnn ? [["Hxs", m.xs], ["Hss", m.ss], ["Hsy", m.sy]] : m.layers.map((l, i) => [`H${i + 1}`, l]);
}

/**
 * A Trainer that continues the run saved in `file` on `train` (the same data it was saved
 * with, encoded with the file's encoder), bit-identically to a run that was never interrupted.
 * `epochs` may extend the run; `threads`: a ThreadPool whose backend the file was read onto.
 */
export function resumeTrainer<D extends TrainData>(train: D, file: ModelFileContents, test: D | null = null, epochs?: number, threads?: ThreadPool): Trainer<D> {
  if (!file.training) throw new Error("this model file has no training state (it was not saved from a Trainer)");
  const trainer = new Trainer<D>(train, { ...file.training.options, epochs: epochs ?? file.training.options.epochs, model: file.model, threads }, test);
  trainer.restore(file.training.state);
  return trainer;
}
