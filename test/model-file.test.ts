import { describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rnn, SequenceDataset, Trainer, loadBackendSync, type Mlp } from "../src/index";
import { randomPrototypes } from "../src/data/prototypes";
import { encode, fitDistributiveThermometer, fitMedian } from "../src/data/encode";
import { rowSequences } from "../src/data/sequence-encode";
import { crc32 } from "../src/io/crc32";
import { MODEL_FILE_VERSION, deserializeModel, resumeTrainer, serializeModel } from "../src/io/model-file";
import { readModelFile, writeFileAtomic } from "../src/io/files";

const be = loadBackendSync("wasm-simd");
const { train, test } = randomPrototypes({ bits: 150, train: 500, test: 100, flip: 0.3, seed: 9 });
const options = { hidden: [45, 27], epochs: 4, batchSize: 50, seed: 3, backend: be };
const weights = (t: Trainer) => t.model.layers.map((l) => Array.from(l.H.data));
const noTime = (ms: { seconds: number }[]) => ms.map(({ seconds: _, ...m }) => m);

/** Re-seals `bytes` after an edit (a valid CRC), so the check under test is the one that fires. */
function reseal(bytes: Uint8Array): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(bytes.length - 4, crc32(bytes.subarray(0, bytes.length - 4)), true);
  return bytes;
}

describe("model files", () => {
  it("crc32 matches the standard check value", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("save → load gives the same predictions, prototypes and encoder", () => {
    const raw = { x: Float32Array.from({ length: 40 * 6 }, (_, i) => (i * 7) % 11), labels: Uint8Array.from({ length: 40 }, (_, i) => i % 2), features: 6, classes: 2, name: "r" };
    const encoder = fitMedian(raw);
    const data = encode(encoder, raw);
    const t = new Trainer(data, { hidden: [9], epochs: 2, backend: be });
    t.run();
    const loaded = deserializeModel(serializeModel(t.model, encoder), "m", loadBackendSync("js"));
    expect((loaded.model as Mlp).predict(data)).toEqual(t.model.predict(data));
    expect(loaded.model.prototypes).toEqual(t.model.prototypes);
    expect(loaded.encoder?.threshold).toEqual(encoder.threshold);
    expect(loaded.training).toBeNull();
  });

  it("keeps a thermometer encoder's kind, features and thresholds", () => {
    const raw = { x: Float32Array.from({ length: 30 * 2 }, (_, i) => (i * 13) % 7), labels: Uint8Array.from({ length: 30 }, (_, i) => i % 2), features: 2, classes: 2, name: "r" };
    const encoder = fitDistributiveThermometer(raw, 5);
    const data = encode(encoder, raw);
    const t = new Trainer(data, { hidden: [5], epochs: 1, backend: be });
    t.run();
    const loaded = deserializeModel(serializeModel(t.model, encoder), "m", be).encoder!;
    expect(loaded.kind).toBe("distributive-thermometer");
    expect(loaded.features).toBe(2);
    expect(loaded.feature).toEqual(encoder.feature);
    expect(loaded.threshold).toEqual(encoder.threshold);
  });

  it("save → load → continue equals an uninterrupted run, bit for bit", () => {
    const whole = new Trainer(train, options, test);
    const wholeHistory = noTime(whole.run());

    const first = new Trainer(train, { ...options, epochs: 2 }, test);
    const firstHistory = noTime(first.run());
    const dir = mkdtempSync(join(tmpdir(), "bep-model-"));
    try {
      const file = join(dir, "run.bepm");
      writeFileAtomic(file, serializeModel(first.model, null, first));
      expect(readdirSync(dir)).toEqual(["run.bepm"]); // no temp file left behind
      const resumed = resumeTrainer(train, readModelFile(file, loadBackendSync("wasm-scalar")), test, 4);
      const rest = noTime(resumed.run());
      expect([...firstHistory, ...rest]).toEqual(wholeHistory);
      expect(weights(resumed)).toEqual(weights(whole));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps a clip in a version-5 file, resumes it bit for bit, and refuses it in older versions", () => {
    const clipped = { ...options, clip: 30 };
    const whole = new Trainer(train, clipped, test);
    const wholeHistory = noTime(whole.run());
    const first = new Trainer(train, { ...clipped, epochs: 2 }, test);
    const firstHistory = noTime(first.run());
    const bytes = serializeModel(first.model, null, first);
    expect(new DataView(bytes.buffer).getUint32(4, true)).toBe(5);
    const file = deserializeModel(bytes, "c.bepm", be);
    expect(file.training!.options.clip).toBe(30);
    const resumed = resumeTrainer(train, file, test, 4);
    expect([...firstHistory, ...noTime(resumed.run())]).toEqual(wholeHistory);
    expect(weights(resumed)).toEqual(weights(whole));
    expect(new DataView(serializeModel(first.model, null, null).buffer).getUint32(4, true)).toBe(1); // no training state, no clip
    const old = bytes.slice();
    new DataView(old.buffer).setUint32(4, 4, true);
    expect(() => deserializeModel(reseal(old), "c.bepm", be)).toThrow(/^c\.bepm: header\.training\.options\.clip must be an integer in \[1, 32767\] in a version-5 file \(this is version 4\), got 30$/);
  });

  describe("rejects bad files with the file name and what is wrong", () => {
    const t = new Trainer(train, { ...options, epochs: 1 });
    t.run();
    const good = serializeModel(t.model, null, t);
    const load = (bytes: Uint8Array) => () => deserializeModel(bytes, "f.bepm", be);

    it("accepts the untouched file", () => expect(load(good.slice())).not.toThrow());
    it("wrong magic", () => expect(load(Uint8Array.from([1, 2, 3, 4, ...good.subarray(4)]))).toThrow(/^f\.bepm: not a bep model file/));
    it("too short", () => expect(load(good.subarray(0, 10))).toThrow(/^f\.bepm: 10 bytes is too short/));
    it("truncated", () => expect(load(good.subarray(0, good.length - 100))).toThrow(/^f\.bepm: checksum mismatch .* corrupt or truncated/));
    it("every single bit flip in a sample of positions", () => {
      for (let k = 0; k < 200; k++) {
        const bad = good.slice();
        const pos = (k * 7919) % bad.length;
        bad[pos] ^= 1 << (k % 8);
        expect(load(bad), `flip at ${pos}`).toThrow(/^f\.bepm: /);
      }
    });
    it("a newer version", () => {
      const bad = good.slice();
      new DataView(bad.buffer).setUint32(4, MODEL_FILE_VERSION + 1, true);
      expect(load(reseal(bad))).toThrow(new RegExp(`^f\\.bepm: model file version ${MODEL_FILE_VERSION + 1} is newer than this library reads`));
    });
    it("a header whose shapes disagree with the sections", () => {
      const bad = good.slice();
      const h = new DataView(bad.buffer).getUint32(8, true);
      const text = new TextDecoder().decode(bad.subarray(12, 12 + h)).replace('"sizes":[150,45,27]', '"sizes":[150,45,28]');
      bad.set(new TextEncoder().encode(text), 12);
      expect(load(reseal(bad))).toThrow(/^f\.bepm: section P has 270 values, the header's shapes need 280/);
    });
    /** `good` with its JSON header replaced by `edit(header)`, the header length and CRC updated. */
    const withHeader = (edit: (header: any) => void) => {
      const h = new DataView(good.buffer).getUint32(8, true);
      const header = JSON.parse(new TextDecoder().decode(good.subarray(12, 12 + h)));
      edit(header);
      const json = new TextEncoder().encode(JSON.stringify(header));
      const out = new Uint8Array(good.length - h + json.length);
      out.set(good.subarray(0, 12));
      new DataView(out.buffer).setUint32(8, json.length, true);
      out.set(json, 12);
      out.set(good.subarray(12 + h), 12 + json.length);
      return reseal(out);
    };
    it("a huge hidden width fails on the section lengths before any layer is allocated (found by fuzzing)", () => {
      const started = performance.now();
      expect(load(withHeader((h) => (h.sizes = [150, 1e9, 27])))).toThrow(/^f\.bepm: section H1 has 6750 values, the header's shapes need 150000000000$/);
      expect(load(withHeader((h) => (h.sizes = [150, 1e308, 27])))).toThrow(/^f\.bepm: section H1 has 6750 values, the header's shapes need Infinity$/);
      expect(performance.now() - started).toBeLessThan(1000);
    });
    it("a section type named after an Object property (found by fuzzing)", () => {
      expect(load(withHeader((h) => (h.sections[0].type = "toString")))).toThrow(/^f\.bepm: malformed section entry \{"name":"H1","type":"toString","length":6750\}$/);
    });
    it("line breaks from the file stay escaped: errors are one line (found by fuzzing)", () => {
      expect(load(withHeader((h) => Object.assign(h.sections[0], { name: "a\nb", length: 1e6 })))).toThrow(/^f\.bepm: section a\\nb \(2000000 bytes at offset \d+\) runs past the end of the file$/);
      const bad = good.slice();
      bad[13] = 0x0a; // a raw line break inside the JSON header
      expect(load(reseal(bad))).toThrow(/^f\.bepm: header at offset 12 is not valid JSON: [^\n]*$/);
    });
    it("training state that cannot resume: a schedule of the wrong shape, an error outside [0, 1]", () => {
      const edit = (from: string, to: string) => {
        const h = new DataView(good.buffer).getUint32(8, true);
        const text = new TextDecoder().decode(good.subarray(12, 12 + h));
        expect(text).toContain(from);
        const json = new TextEncoder().encode(text.replace(from, to)), out = new Uint8Array(good.length - h + json.length);
        out.set(good.subarray(0, 12));
        new DataView(out.buffer).setUint32(8, json.length, true);
        out.set(json, 12);
        out.set(good.subarray(12 + h), 12 + json.length);
        return reseal(out);
      };
      const schedule = /"groupSizes":\[\d+,\d+\]/.exec(new TextDecoder().decode(good))![0];
      expect(load(edit(schedule, '"groupSizes":null'))).toThrow(/^f\.bepm: header\.training\.state\.schedule must hold 2 positive group sizes/);
      expect(load(edit('"previousError":', '"previousError":7,"x":'))).toThrow(/^f\.bepm: header\.training\.state\.previousError must be a number in \[0, 1\], got 7/);
    });
    it("a prototype that is not ±1", () => {
      const bad = good.slice();
      const h = new DataView(bad.buffer).getUint32(8, true);
      const pAt = 12 + h + 2 * (150 * 45 + 45 * 27);
      bad[pAt] = 0;
      expect(load(reseal(bad))).toThrow(/^f\.bepm: section P\[0\] = 0 is not ±1/);
    });
  });

  describe("recurrent networks (versions 2 and 4)", () => {
    // 60 series of up to 7 steps of 20 bits, right-aligned, class = parity of a bit pattern.
    let seed = 5;
    const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 8);
    const n = 60, steps = 7, words = 4;
    const bits = new Uint32Array(n * steps * words), lens = new Uint16Array(n), labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      lens[i] = 3 + (i % 5);
      labels[i] = i % 3;
      for (let t = steps - lens[i]; t < steps; t++) bits[(i * steps + t) * words] = (rand() & 0xfffff) | labels[i];
    }
    const seqs = new SequenceDataset(bits, lens, labels, steps, 20, 3, "toy");
    // "sum" and s_0 = +1 are not the defaults: resuming must restore them (s_0 = 0 needs a version-4 file, tested below)
    const rnnOptions = { state: 33, output: 21, expansion: 40, horizon: 4, temporalUpdate: "sum" as const, initialState: "ones" as const, epochs: 4, batchSize: 8, seed: 2, gate: 0.3, backend: be };
    const rnnWeights = (t: Trainer<SequenceDataset>) => t.model.trained.map((l) => Array.from(l.H.data));

    it("save → load gives the same predictions, expansion layer and encoder", () => {
      const t = new Trainer(seqs, { ...rnnOptions, epochs: 2 });
      t.run();
      const encoder = fitDistributiveThermometer({ x: Float32Array.from({ length: 40 }, (_, i) => i % 9), labels: new Uint8Array(20), features: 2, classes: 2, name: "e" }, 10);
      const bytes = serializeModel(t.model, encoder);
      expect(new DataView(bytes.buffer).getUint32(4, true)).toBe(2);
      const loaded = deserializeModel(bytes, "r.bepm", loadBackendSync("js"));
      expect(loaded.model).toBeInstanceOf(Rnn);
      const m = loaded.model as Rnn;
      expect(m.predict(seqs)).toEqual(t.model.predict(seqs));
      expect(Array.from(m.expansion!.H.data)).toEqual(Array.from(t.model.expansion!.H.data));
      expect([m.inputs, m.kx, m.ks, m.ky]).toEqual([20, 40, 33, 21]);
      expect(loaded.encoder?.threshold).toEqual(encoder.threshold);
    });

    it("save → load → continue equals an uninterrupted run, bit for bit", () => {
      const whole = new Trainer(seqs, rnnOptions, seqs);
      const wholeHistory = noTime(whole.run());
      const first = new Trainer(seqs, { ...rnnOptions, epochs: 2 }, seqs);
      const firstHistory = noTime(first.run());
      const resumed = resumeTrainer(seqs, deserializeModel(serializeModel(first.model, null, first), "r.bepm", loadBackendSync("wasm-scalar")), seqs, 4);
      const rest = noTime(resumed.run());
      expect([...firstHistory, ...rest]).toEqual(wholeHistory);
      expect(rnnWeights(resumed)).toEqual(rnnWeights(whole));
    });

    it("keeps the image encoder of a network trained on images row by row (one bit per pixel, steps × bits per step)", () => {
      const raw = { x: Float32Array.from({ length: 40 * 16 }, (_, i) => ((i * 7919) % 13) / 13), labels: Uint8Array.from({ length: 40 }, (_, i) => i % 2), features: 16, classes: 2, name: "img" };
      const encoder = fitMedian(raw);
      const rows = rowSequences(encode(encoder, raw), 4);
      const t = new Trainer(rows, { state: 9, epochs: 1, batchSize: 8, backend: be });
      t.run();
      const loaded = deserializeModel(serializeModel(t.model, encoder, t), "rows.bepm", be);
      expect(loaded.encoder!.feature.length).toBe(16);
      expect((loaded.model as Rnn).predict(rows)).toEqual(t.model.predict(rows));
    });

    it("rejects a recurrent file that claims version 1, and a non-±1 expansion weight", () => {
      const t = new Trainer(seqs, { ...rnnOptions, epochs: 1 });
      const good = serializeModel(t.model, null);
      const v1 = good.slice();
      new DataView(v1.buffer).setUint32(4, 1, true);
      expect(() => deserializeModel(reseal(v1), "r.bepm", be)).toThrow(/^r\.bepm: header\.kind must be "mlp", got "rnn"$/);
      const bad = good.slice();
      const h = new DataView(bad.buffer).getUint32(8, true);
      bad[12 + h + 5] = 3; // R[5]
      expect(() => deserializeModel(reseal(bad), "r.bepm", be)).toThrow(/^r\.bepm: section R\[5\] = 3 is not ±1$/);
    });

    it("keeps the initial state s_0 = 0 in a version-4 file, resumes it bit for bit, and refuses it in older versions", () => {
      const zero = { ...rnnOptions, initialState: "zero" as const };
      const whole = new Trainer(seqs, zero, seqs);
      const wholeHistory = noTime(whole.run());
      const first = new Trainer(seqs, { ...zero, epochs: 2 }, seqs);
      const firstHistory = noTime(first.run());
      const bytes = serializeModel(first.model, null, first);
      expect(new DataView(bytes.buffer).getUint32(4, true)).toBe(4);
      const file = deserializeModel(bytes, "z.bepm", be);
      expect((file.model as Rnn).initialState).toBe("zero");
      expect((file.model as Rnn).predict(seqs)).toEqual(first.model.predict(seqs));
      const resumed = resumeTrainer(seqs, file, seqs, 4);
      expect([...firstHistory, ...noTime(resumed.run())]).toEqual(wholeHistory);
      expect(rnnWeights(resumed)).toEqual(rnnWeights(whole));
      const exported = serializeModel(first.model, null, null, { weights: "sign" });
      expect(new DataView(exported.buffer).getUint32(4, true)).toBe(4);
      expect((deserializeModel(exported, "s.bepm", be).model as Rnn).predict(seqs)).toEqual(first.model.predict(seqs));
      const old = bytes.slice();
      new DataView(old.buffer).setUint32(4, 3, true);
      expect(() => deserializeModel(reseal(old), "z.bepm", be)).toThrow(/^z\.bepm: header\.rnn\.initialState must be "ones" or "zero" in a version-4 file \(this is version 3\), got "zero"$/);
    });
  });
  describe("inference-only files of 1-bit weights (version 3)", () => {
    const full = new Trainer(train, { ...options, epochs: 2 }, test);
    full.run();
    const sign = serializeModel(full.model, null, null, { weights: "sign", names: { classes: Array.from({ length: 10 }, (_, c) => `c${c}`), label: "y" } });
    const load = (bytes: Uint8Array) => () => deserializeModel(bytes, "s.bepm", be);

    it("predicts exactly as the full model, with ±1 hidden weights, no training state, and the names", () => {
      expect(new DataView(sign.buffer).getUint32(4, true)).toBe(3);
      const loaded = deserializeModel(sign, "s.bepm", loadBackendSync("js"));
      expect(loaded.signOnly).toBe(true);
      expect(loaded.training).toBeNull();
      expect(loaded.names).toEqual({ classes: ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"], label: "y" });
      const m = loaded.model as Mlp;
      expect(m.predict(test)).toEqual(full.model.predict(test));
      expect(m.logits(test).logits).toEqual(full.model.logits(test).logits);
      for (const l of m.layers) expect(l.H.data.every((h) => h === 1 || h === -1)).toBe(true);
    });
    it("stores ⌈K/32⌉ words per row: about 16× smaller weights than int16", () => {
      const big = new Trainer(train, { hidden: [525, 525], epochs: 1, backend: be });
      big.run();
      const hidden = serializeModel(big.model, null), bits = serializeModel(big.model, null, null, { weights: "sign" });
      const sections = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + new DataView(bytes.buffer).getUint32(8, true)))).sections;
      expect(sections(bits).slice(0, 2)).toEqual([{ name: "W1", type: "u32", length: 525 * 5 }, { name: "W2", type: "u32", length: 525 * 17 }]);
      expect(bits.length).toBeLessThan(hidden.length / 12);
      expect((deserializeModel(bits, "b", be).model as Mlp).predict(test)).toEqual(big.model.predict(test));
    });
    it("a recurrent network too", () => {
      const n = 30, steps = 5, words = 4;
      const bits = Uint32Array.from({ length: n * steps * words }, (_, i) => (i % words === 0 ? Math.imul(i + 1, 2654435761) >>> 12 : 0));
      const seqs = new SequenceDataset(bits, new Uint16Array(n).fill(steps), Uint8Array.from({ length: n }, (_, i) => i % 2), steps, 20, 2, "toy");
      const t = new Trainer(seqs, { state: 33, expansion: 40, epochs: 2, batchSize: 6, backend: be });
      t.run();
      const loaded = deserializeModel(serializeModel(t.model, null, null, { weights: "sign" }), "r.bepm", be);
      expect(loaded.signOnly).toBe(true);
      expect((loaded.model as Rnn).predict(seqs)).toEqual(t.model.predict(seqs));
    });
    it("refuses training state, bits past K, a weights field in an older version, and names of the wrong count", () => {
      expect(() => serializeModel(full.model, null, full, { weights: "sign" })).toThrow(/inference-only; pass no trainer/);
      const h = new DataView(sign.buffer).getUint32(8, true);
      const spare = sign.slice();
      spare[12 + h + 4 * 4 + 3] |= 0x80; // row 0 of W1 (150 bits): bit 31 of word 4 is bit 159
      expect(load(reseal(spare))).toThrow(/^s\.bepm: section W1: row 0 has bits set past its 150 weights$/);
      const old = sign.slice();
      new DataView(old.buffer).setUint32(4, 1, true);
      expect(load(reseal(old))).toThrow(/^s\.bepm: header\.weights must be "sign" in a version-3 file \(this is version 1\)/);
      const text = new TextDecoder().decode(sign.subarray(12, 12 + h)).replace('"c9"', '"c9","c10"');
      const json = new TextEncoder().encode(text), grown = new Uint8Array(sign.length - h + json.length);
      grown.set(sign.subarray(0, 12));
      new DataView(grown.buffer).setUint32(8, json.length, true);
      grown.set(json, 12);
      grown.set(sign.subarray(12 + h), 12 + json.length);
      expect(load(reseal(grown))).toThrow(/^s\.bepm: header\.names\.classes must be 10 strings \(one per class\)$/);
    });
  });
});
