/**
 * Seeded fuzzing of every parser that reads untrusted bytes or text: model files, IDX (plain and
 * gzipped), CSV and UCR `.ts`. Each valid input is mutated (bit flips, byte overwrites,
 * truncation, inserted, deleted and duplicated bytes; model files also with the CRC re-sealed
 * and with their JSON header edited) and every mutant must either load into a well-formed
 * result or fail with a clean error: a plain `Error` (not a TypeError/RangeError from deep
 * inside), one line, starting with the name the parser was given, and fast.
 * A failure prints the case's seed and mutation, so it can be replayed.
 *
 * 12,900 mutants in all (7,000 model files, 2,400 IDX, 2,000 CSV, 1,500 UCR); about 3 s.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Dataset, Rnn, SequenceDataset, Trainer, loadBackendSync, rowWords, type Mlp } from "../src/index";
import { randomPrototypes } from "../src/data/prototypes";
import { fitMedian } from "../src/data/encode";
import { parseIdx } from "../src/data/idx";
import { parseCsv, type CsvOptions } from "../src/data/csv";
import { parseUcrTs } from "../src/data/ucr";
import { loadIdxDir } from "../src/data/sources";
import { crc32 } from "../src/io/crc32";
import { deserializeModel, serializeModel, type ModelFileContents } from "../src/io/model-file";
import { idx, mulberry32 } from "./helpers";

const SEED = 0x5eed;
/** A single parse slower than this counts as a hang. */
const SLOW_MS = 1000;

// ---------------------------------------------------------------------------------------------
// Seeded randomness and mutations

class Rand {
  readonly next: () => number;
  constructor(readonly seed: number) {
    this.next = mulberry32(seed);
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** Bytes that often sit on boundaries. */
const INTERESTING = [0x00, 0x01, 0x02, 0x07, 0x08, 0x0a, 0x0d, 0x20, 0x22, 0x2c, 0x3a, 0x7f, 0x80, 0xfe, 0xff];

/** One random byte-level mutation of `bytes` (a new array; `bytes` is left alone) and what it did. */
function mutateBytes(bytes: Uint8Array, r: Rand): { bytes: Uint8Array; what: string } {
  const n = bytes.length;
  const copy = () => new Uint8Array(bytes); // not bytes.slice(): a Node Buffer's slice is a view
  const at = r.int(n + 1);
  const randomBytes = (k: number) => Uint8Array.from({ length: k }, () => (r.int(2) ? r.pick(INTERESTING) : r.int(256)));
  switch (r.int(6)) {
    case 0: {
      const out = copy();
      const flips = 1 + r.int(3);
      const where: number[] = [];
      for (let i = 0; i < flips && n > 0; i++) {
        const p = r.int(n);
        out[p] ^= 1 << r.int(8);
        where.push(p);
      }
      return { bytes: out, what: `bit flips at ${where.join(",")}` };
    }
    case 1: {
      const out = copy();
      const k = Math.min(1 + r.int(4), n - Math.min(at, n));
      out.set(randomBytes(k), Math.min(at, n));
      return { bytes: out, what: `overwrite ${k} bytes at ${at}` };
    }
    case 2: {
      const len = r.int(n);
      return { bytes: copy().subarray(0, len), what: `truncate to ${len}` };
    }
    case 3: {
      const k = 1 + r.int(8);
      return { bytes: concat(bytes.subarray(0, at), randomBytes(k), bytes.subarray(at)), what: `insert ${k} bytes at ${at}` };
    }
    case 4: {
      const k = 1 + r.int(16);
      return { bytes: concat(bytes.subarray(0, at), bytes.subarray(at + k)), what: `delete ${k} bytes at ${at}` };
    }
    default: {
      const from = r.int(n), k = 1 + r.int(Math.min(64, n));
      const chunk = bytes.subarray(from, from + k);
      return { bytes: concat(bytes.subarray(0, at), chunk, bytes.subarray(at)), what: `duplicate ${chunk.length} bytes from ${from} at ${at}` };
    }
  }
}

/** Characters that matter to CSV and `.ts` parsers. */
const CHARS = [",", '"', "\n", "\r", "\r\n", "\\", "\\n", ":", "?", "@", "#", " ", "\t", "0", "1", "9", "-", "+", ".", "e", "E", "x", "NaN", "\uFEFF", "é", "true", "false", "255"];

/** One random text mutation: character-level, or byte-level through UTF-8 (decoded leniently). */
function mutateText(text: string, r: Rand): { text: string; what: string } {
  const n = text.length;
  const at = r.int(n + 1);
  switch (r.int(5)) {
    case 0: {
      const s = r.pick(CHARS);
      return { text: text.slice(0, at) + s + text.slice(at + 1), what: `replace char ${at} by ${JSON.stringify(s)}` };
    }
    case 1: {
      const s = r.pick(CHARS);
      return { text: text.slice(0, at) + s + text.slice(at), what: `insert ${JSON.stringify(s)} at ${at}` };
    }
    case 2: {
      const k = 1 + r.int(12);
      return { text: text.slice(0, at) + text.slice(at + k), what: `delete ${k} chars at ${at}` };
    }
    case 3: {
      const from = r.int(n), k = 1 + r.int(80);
      return { text: text.slice(0, at) + text.slice(from, from + k) + text.slice(at), what: `duplicate ${k} chars from ${from} at ${at}` };
    }
    default: {
      const m = mutateBytes(new TextEncoder().encode(text), r);
      return { text: new TextDecoder().decode(m.bytes), what: `bytes: ${m.what}` };
    }
  }
}

/** One to three text mutations of `text` in a row. */
function mutateTextTimes(text: string, r: Rand): { input: string; what: string } {
  const whats: string[] = [];
  for (let k = 1 + r.int(3); k > 0; k--) {
    const m = mutateText(text, r);
    text = m.text;
    whats.push(m.what);
  }
  return { input: text, what: whats.join("; ") };
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The oracle

/**
 * Runs `count` mutants of `make(rand)` through `parse`; each must throw a clean error naming
 * `name` or return a result that `check` accepts. Returns the failures (at most 10 described)
 * and how many mutants parsed successfully.
 */
function fuzz<I, T>(
  label: string, count: number, name: string,
  make: (r: Rand) => { input: I; what: string },
  parse: (input: I) => T,
  check: (result: T, input: I) => void,
): { failures: string[]; accepted: number } {
  const failures: string[] = [];
  let accepted = 0;
  for (let i = 0; i < count; i++) {
    const seed = (SEED ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0;
    const { input, what } = make(new Rand(seed));
    const fail = (msg: string) => failures.push(`${label} #${i} (seed 0x${seed.toString(16)}, ${what}): ${msg}`);
    const t0 = performance.now();
    let result: T;
    try {
      result = parse(input);
    } catch (e) {
      const ms = performance.now() - t0;
      const err = e as Error;
      if (!(err instanceof Error) || err.constructor !== Error) fail(`unclean ${err?.constructor?.name}: ${err?.message}`);
      else if (!err.message.startsWith(name)) fail(`error does not start with "${name}": ${err.message}`);
      else if (/[\r\n]/.test(err.message)) fail(`multi-line error: ${JSON.stringify(err.message)}`);
      else if (ms > SLOW_MS) fail(`took ${ms.toFixed(0)} ms to fail: ${err.message}`);
      continue;
    }
    const ms = performance.now() - t0;
    if (ms > SLOW_MS) fail(`took ${ms.toFixed(0)} ms to parse`);
    try {
      check(result, input);
      accepted++;
    } catch (e) {
      fail(`accepted, but the result is wrong: ${(e as Error).constructor.name}: ${(e as Error).message}`);
    }
  }
  return { failures: failures.slice(0, 10).concat(failures.length > 10 ? [`… and ${failures.length - 10} more`] : []), accepted };
}

/** Throws unless `cond`. */
function ensure(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

// ---------------------------------------------------------------------------------------------
// Model files

const js = loadBackendSync("js");

/** The JSON header of model-file bytes and the section bytes after it. */
function split(bytes: Uint8Array): { header: unknown; body: Uint8Array } {
  const h = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + h))), body: bytes.subarray(12 + h, bytes.length - 4) };
}

/** Model-file bytes with this version, header text and section bytes, sealed with a valid CRC. */
function assemble(version: number, headerText: string, body: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(headerText);
  const out = new Uint8Array(12 + json.length + body.length + 4);
  const view = new DataView(out.buffer);
  out.set([0x42, 0x45, 0x50, 0x4d]);
  view.setUint32(4, version, true);
  view.setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(body, 12 + json.length);
  return reseal(out);
}

/** Recomputes the trailing CRC-32 (in place), so the checks behind the checksum are reached. */
function reseal(bytes: Uint8Array): Uint8Array {
  if (bytes.length >= 4) new DataView(bytes.buffer, bytes.byteOffset).setUint32(bytes.length - 4, crc32(bytes.subarray(0, bytes.length - 4)), true);
  return bytes;
}

/** Values a header field may be replaced by. */
const JSON_VALUES: unknown[] = [
  0, 1, 2, -1, 3, 255, 256, 1.5, 1e9, 2 ** 31, 2 ** 32, 2 ** 53, 1e308, -1e308, "Infinity", "NaN",
  null, true, false, "", "x", "a\nb", "\u0000", [], {}, [1], [0, 0], { kind: "median", features: 1 },
  "mlp", "rnn", "sign", "hidden", "i8", "i16", "i32", "u32", "f32", "toString", "__proto__", "constructor",
  "P", "R", "H1", "H2", "W1", "Hxs", "Hss", "Hsy", "Wxs", "encoder.feature", "encoder.threshold", "prng.shuffle",
  "median", "thermometer", "distributive-thermometer",
];

/** Every path to a value inside `v` (object keys and array indices). */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (v !== null && typeof v === "object") {
    for (const [k, child] of Object.entries(v)) {
      const p = [...prefix, Array.isArray(v) ? Number(k) : k];
      out.push(p);
      paths(child, p, out);
    }
  }
  return out;
}

/** A structured edit of the parsed header: a replaced, nudged or deleted value, an added key or element. */
function mutateHeader(header: unknown, r: Rand): { header: unknown; what: string } {
  const copy = structuredClone(header) as Record<string, unknown>;
  const all = paths(copy);
  const path = r.pick(all);
  const parent = path.slice(0, -1).reduce<any>((o, k) => o[k], copy);
  const key = path[path.length - 1];
  const old = parent[key];
  const where = path.join(".");
  switch (r.int(5)) {
    case 0:
    case 1: {
      const v = r.pick(JSON_VALUES);
      parent[key] = structuredClone(v);
      return { header: copy, what: `header ${where} = ${JSON.stringify(v)}` };
    }
    case 2: {
      if (typeof old === "number") {
        const v = old + r.pick([-2, -1, 1, 2, 32, -32, 1000]);
        parent[key] = v;
        return { header: copy, what: `header ${where} = ${v}` };
      }
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      return { header: copy, what: `header ${where} deleted` };
    }
    case 3: {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      return { header: copy, what: `header ${where} deleted` };
    }
    default: {
      if (Array.isArray(old)) {
        const v = old.length ? structuredClone(r.pick(old)) : r.pick(JSON_VALUES);
        old.splice(r.int(old.length + 1), 0, v);
        return { header: copy, what: `header ${where} gains ${JSON.stringify(v)}` };
      }
      const extra = r.pick(["weights", "names", "training", "rnn", "sizes", "encoder", "kind"]);
      const v = r.pick(JSON_VALUES);
      (Array.isArray(parent) ? copy : parent)[extra] = structuredClone(v);
      return { header: copy, what: `header ${extra} = ${JSON.stringify(v)} (next to ${where})` };
    }
  }
}

/** Checks a loaded model: consistent shapes, and it predicts a few random samples without throwing. */
function checkModel(file: ModelFileContents): void {
  const { model, encoder } = file;
  const r = new Rand(7);
  const n = 3;
  let predictions: Uint8Array;
  if (model instanceof Rnn) {
    const steps = 4, words = rowWords(model.inputs);
    const bits = Uint32Array.from({ length: n * steps * words }, () => r.int(2 ** 32));
    for (let i = 0; i < n * steps; i++) {
      const spare = model.inputs % 32; // bits past k in a step's last used word must be 0
      const last = i * words + ((model.inputs - 1) >>> 5);
      if (spare) bits[last] &= (1 << spare) - 1;
      bits.fill(0, last + 1, (i + 1) * words);
    }
    predictions = model.predict(new SequenceDataset(bits, Uint16Array.from({ length: n }, (_, i) => 1 + (i % steps)), new Uint8Array(n), steps, model.inputs, model.classes, "fuzz"));
  } else {
    const m = model as Mlp, k = m.sizes[0], words = rowWords(k);
    const bits = new Uint32Array(n * words);
    for (let i = 0; i < n; i++) for (let b = 0; b < k; b++) if (r.int(2)) bits[i * words + (b >>> 5)] |= 1 << (b & 31);
    predictions = m.predict(new Dataset(bits, new Uint8Array(n), k, m.classes, "fuzz"));
  }
  ensure(predictions.length === n && predictions.every((c) => c < model.classes), "predictions out of range");
  const inputs = model instanceof Rnn ? model.inputs : (model as Mlp).sizes[0];
  if (encoder) {
    ensure(encoder.feature.length === inputs && encoder.threshold.length === inputs, "encoder size differs from the model's inputs");
    ensure(encoder.feature.every((f) => f >= 0 && f < encoder.features), "encoder feature index out of range");
  }
  if (file.training) ensure(file.training.state.shuffle.length === 4 && file.training.state.reinforce.length === 4, "PRNG state is not 4 words");
  if (file.signOnly) ensure(file.training === null, "a 1-bit file with training state");
}

describe("fuzzed model files", () => {
  const be = loadBackendSync("wasm-simd");
  const { train } = randomPrototypes({ bits: 40, train: 120, test: 20, flip: 0.3, seed: 4 });
  const mlp = new Trainer(train, { hidden: [19, 11], epochs: 1, batchSize: 40, seed: 2, backend: be });
  mlp.run();
  // An encoder of 40 real features in front of the 40-bit model (thresholds fitted on anything).
  const raw = { x: Float32Array.from({ length: 30 * 40 }, (_, i) => (i * 37) % 101), labels: Uint8Array.from({ length: 30 }, (_, i) => i % 2), features: 40, classes: 2, name: "r" };
  const encoder = fitMedian(raw);
  let seed = 11;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 8);
  const n = 24, steps = 5, words = 4;
  const bits = new Uint32Array(n * steps * words), lens = new Uint16Array(n), labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    lens[i] = 2 + (i % 4);
    labels[i] = i % 3;
    for (let t = steps - lens[i]; t < steps; t++) bits[(i * steps + t) * words] = (rand() & 0x3fff) | labels[i];
  }
  const seqs = new SequenceDataset(bits, lens, labels, steps, 14, 3, "toy");
  const rnn = new Trainer(seqs, { state: 13, output: 9, expansion: 17, epochs: 1, batchSize: 8, seed: 2, backend: be });
  rnn.run();

  const files: [string, Uint8Array][] = [
    ["MLP with training state", serializeModel(mlp.model, null, mlp)],
    ["MLP with encoder and names", serializeModel(mlp.model, encoder, null, { names: { features: Array.from({ length: 40 }, (_, i) => `f${i}`), classes: Array.from({ length: 10 }, (_, i) => `c${i}`) } })],
    ["recurrent network with training state", serializeModel(rnn.model, null, rnn)],
    ["1-bit inference export", serializeModel(mlp.model, encoder, null, { weights: "sign" })],
    ["1-bit recurrent export", serializeModel(rnn.model, null, null, { weights: "sign" })],
  ];
  const load = (bytes: Uint8Array) => deserializeModel(bytes, "fuzz.bepm", js);

  it.each(files)("%s: the unmutated file loads", (_, bytes) => {
    checkModel(load(bytes));
  });

  it.each(files)("%s: raw mutations (caught by the CRC), re-sealed mutations and header edits", (label, good) => {
    const version = new DataView(good.buffer, good.byteOffset).getUint32(4, true);
    const { header, body } = split(good);
    // Without re-sealing, only a mutation that changed nothing may pass the CRC.
    const same = (a: Uint8Array) => a.length === good.length && a.every((b, i) => b === good[i]);
    const raw = fuzz(`${label}, raw`, 200, "fuzz.bepm", (r) => { const m = mutateBytes(good, r); return { input: m.bytes, what: m.what }; }, load, (file, bytes) => {
      ensure(same(bytes), "a changed file passed the CRC");
      checkModel(file);
    });
    const headerText = JSON.stringify(header);
    const sealed = fuzz(`${label}, re-sealed`, 600, "fuzz.bepm", (r) => {
      const where = r.int(3);
      if (where === 2) {
        // The header's text, with the header length at offset 8 kept right.
        const m = mutateText(headerText, r);
        return { input: assemble(version, m.text, body), what: `header text: ${m.what}, re-sealed` };
      }
      // Everything but the CRC, or only the 12-byte prefix and the header; then sealed.
      const target = good.subarray(0, where === 0 ? good.length - 4 : good.length - 4 - body.length);
      const m = mutateBytes(target, r);
      const rest = good.subarray(target.length, good.length - 4);
      return { input: reseal(concat(m.bytes, rest, new Uint8Array(4))), what: `${where === 0 ? "" : "prefix and header: "}${m.what}, re-sealed` };
    }, load, checkModel);
    const edited = fuzz(`${label}, header edits`, 600, "fuzz.bepm", (r) => {
      let h = header, what = "";
      for (let k = 1 + r.int(2); k > 0; k--) {
        const m = mutateHeader(h, r);
        h = m.header;
        what += (what ? "; " : "") + m.what;
      }
      return { input: assemble(r.int(8) === 0 ? r.pick([1, 2, 3]) : version, JSON.stringify(h), body), what };
    }, load, checkModel);
    expect([...raw.failures, ...sealed.failures, ...edited.failures]).toEqual([]);
    expect(edited.accepted, "some header edits are harmless (e.g. a changed training option)").toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------
// IDX

describe("fuzzed IDX files", () => {
  const images = (n: number) => idx([n, 3, 2], Array.from({ length: 6 * n }, (_, i) => (i * 37) % 256));
  const labels = (n: number) => idx([n], Array.from({ length: n }, (_, i) => i % 3));

  it("parseIdx: plain bytes", () => {
    const bases = [images(7), labels(9), idx([2, 2, 2, 2], Array.from({ length: 16 }, (_, i) => i))];
    const { failures, accepted } = fuzz("IDX", 2000, "f.idx", (r) => {
      const base = r.pick(bases);
      const m = mutateBytes(base, r);
      return { input: m.bytes, what: `${base.length}-byte base, ${m.what}` };
    }, (bytes) => parseIdx(bytes, "f.idx"), (a, bytes) => {
      ensure(a.dims.length >= 1 && a.dims.length <= 4 && a.dims.every((d) => Number.isInteger(d) && d >= 1), `dims [${a.dims}]`);
      ensure(a.data.length === a.dims.reduce((p, d) => p * d, 1), `${a.data.length} bytes of data for dims [${a.dims}]`);
      ensure(a.data.length === bytes.length - 4 - 4 * a.dims.length, "data is not the rest of the file");
    });
    expect(failures).toEqual([]);
    expect(accepted).toBeGreaterThan(0);
  });

  describe("loadIdxDir: gzipped files", () => {
    const dir = mkdtempSync(join(tmpdir(), "bep-fuzz-idx-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, "t10k-images-idx3-ubyte"), images(4));
    writeFileSync(join(dir, "t10k-labels-idx1-ubyte"), labels(4));
    const check = ({ train, test }: ReturnType<typeof loadIdxDir>) => {
      for (const d of [train, test]) {
        ensure(d.features === 6, `${d.features} features`);
        ensure(d.x.length === d.labels.length * d.features, `${d.x.length} values for ${d.labels.length} samples`);
        ensure(d.classes >= 2 && d.labels.every((c) => c < d.classes), "labels out of range");
        ensure(d.x.every((v) => v >= 0 && v <= 1), "pixels not in [0, 1]");
      }
      ensure(test.labels.length === 4 && train.classes === test.classes, "test split changed");
    };
    const load = (files: { images: Uint8Array; labels: Uint8Array }) => {
      writeFileSync(join(dir, "train-images-idx3-ubyte.gz"), files.images);
      writeFileSync(join(dir, "train-labels-idx1-ubyte.gz"), files.labels);
      return loadIdxDir(dir);
    };
    const good = { images: gzipSync(images(6)), labels: gzipSync(labels(6)) };

    it("the unmutated files load", () => check(load(good)));
    it("mutated gzip streams, and gzipped mutated IDX", () => {
      const { failures, accepted } = fuzz("IDX .gz", 400, dir, (r) => {
        const which = r.int(2) ? "images" : "labels";
        if (r.int(2)) {
          const m = mutateBytes(good[which], r);
          return { input: { ...good, [which]: m.bytes }, what: `${which}.gz stream: ${m.what}` };
        }
        const m = mutateBytes(which === "images" ? images(6) : labels(6), r);
        return { input: { ...good, [which]: gzipSync(m.bytes) }, what: `${which} before gzip: ${m.what}` };
      }, load, check);
      expect(failures).toEqual([]);
      expect(accepted).toBeGreaterThan(0);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// CSV

describe("fuzzed CSV text", () => {
  const good = [
    "\uFEFFwidth,\"height, cm\",\"say \"\"hi\"\"\",label",
    "1.5,-2,3e2,cat",
    "0,.25,-1.0E-1,dog",
    "",
    "7,8,9,\"cat\"",
    "+4,5.,6,bird\r",
    "10,11,12,dog",
    "1,2,3,cat",
    "4,5,6,dog",
  ].join("\n") + "\n";
  const numeric = good.replace(/cat/g, "1").replace(/dog/g, "2").replace(/bird/g, "3");
  const optionSets: [string, string, CsvOptions][] = [
    ["default", good, {}],
    ["a label column", numeric, { labelColumn: "width" }],
    ["no labels", numeric, { labelColumn: null }],
    ["a model's names", good, { featureNames: ["say \"hi\"", "width"], classNames: ["bird", "cat", "dog"] }],
  ];

  it.each(optionSets)("parseCsv with %s", (_, good, options) => {
    parseCsv(good, "f.csv", options);
    const { failures, accepted } = fuzz("CSV", 500, "f.csv", (r) => mutateTextTimes(good, r), (text) => parseCsv(text, "f.csv", options), (d) => {
      const n = d.labels.length;
      ensure(n >= 1 && d.features >= 1 && d.featureNames.length === d.features, `${n} rows of ${d.features} features`);
      if (options.featureNames) ensure(d.featureNames.join() === options.featureNames.join(), "feature names changed");
      ensure(d.x.length === n * d.features && d.x.every(Number.isFinite), "x is not n × features finite numbers");
      ensure(d.classes >= 2 && d.classes <= 255 && d.labels.every((c) => c < d.classes), "labels out of range");
      if (options.labelColumn !== null) ensure(d.classNames.length === d.classes, "class names do not match classes");
    });
    expect(failures).toEqual([]);
    expect(accepted).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------
// UCR .ts

describe("fuzzed UCR .ts text", () => {
  const univariate = [
    "# a comment",
    "@problemName Tiny",
    "@timeStamps false",
    "@missing true",
    "@univariate true",
    "@equalLength true",
    "@seriesLength 3",
    "@classLabel true 3 4 5",
    "@data",
    "1.5,-2,3e2:4",
    "0,?,-1.0E-1:3",
    "4,5,NaN:5",
    "7,8,9:4",
  ].join("\n") + "\n";
  const multivariate = [
    "@problemName Multi",
    "@univariate false",
    "@dimensions 2",
    "@equalLength false",
    "@classLabel true a b",
    "@data",
    "1,2,3:4,5,6:a",
    "1,2:3,4:b",
    "9:8:a",
  ].join("\r\n");

  it.each([["univariate", univariate], ["multivariate", multivariate]])("parseUcrTs: %s", (_, good) => {
    parseUcrTs(good, "f.ts");
    const { failures, accepted } = fuzz("UCR .ts", 750, "f.ts", (r) => mutateTextTimes(good, r), (text) => parseUcrTs(text, "f.ts"), (s) => {
      ensure(s.dims >= 1 && Number.isInteger(s.dims), `dims ${s.dims}`);
      ensure(s.series.length >= 1 && s.series.length === s.labels.length, `${s.series.length} series, ${s.labels.length} labels`);
      ensure(s.series.every((x) => x.length >= s.dims && x.length % s.dims === 0), "a series is not whole steps of dims channels");
      ensure(s.classes === s.classNames.length && s.classes >= 2 && s.classes <= 255, "class count");
      ensure(s.labels.every((c) => c < s.classes), "labels out of range");
      ensure(s.series.every((x) => x.every((v) => Number.isNaN(v) || Number.isFinite(v))), "a value is ±Infinity");
    });
    expect(failures).toEqual([]);
    expect(accepted).toBeGreaterThan(0);
  });
});
