import { describe, expect, it } from "vitest";
import { rowWords } from "../src/index";
import {
  BATCHES, WIDTHS, Rng, expectAllSame, expectSame, onEach, packRef, paddingIsZero, randomSigns, refRowWords,
  transposeRef, unpackRef,
} from "./helpers";

/** Every width with a batch size cycling through BATCHES (plus a few extra small widths). */
const ROW_SHAPES = [...WIDTHS, 2, 31, 32, 33, 255, 256, 257].flatMap((k, i) => [
  { rows: BATCHES[i % BATCHES.length], k },
  { rows: BATCHES[(i + 2) % BATCHES.length], k },
]);

describe("helpers self-check", () => {
  it("packRef / unpackRef / refRowWords follow the layout", () => {
    for (let k = 1; k <= 1100; k++) expect(refRowWords(k)).toBe(rowWords(k));
    expect(refRowWords(128)).toBe(4);
    expect(refRowWords(129)).toBe(8);
    expect(Array.from(packRef([1, -1, 1], 1, 3))).toEqual([0b101, 0, 0, 0]);
    const v = new Int8Array(64).fill(-1);
    v[31] = 1;
    v[32] = 1;
    expect(Array.from(packRef(v, 1, 64))).toEqual([0x80000000, 1, 0, 0]);
    expect(Array.from(packRef([-1, 1, 1, -1], 2, 2))).toEqual([0b10, 0, 0, 0, 0b01, 0, 0, 0]);
    expect(Array.from(unpackRef([0b10, 0, 0, 0, 0b01, 0, 0, 0], 2, 2))).toEqual([-1, 1, 1, -1]);
    expect(paddingIsZero([0b101, 0, 0, 0], 1, 3)).toBe(true);
    expect(paddingIsZero([0b1101, 0, 0, 0], 1, 3)).toBe(false);
    expect(paddingIsZero([0, 0, 0, 1], 1, 3)).toBe(false);
  });
});

describe("packSigns / unpackSigns", () => {
  it.each(ROW_SHAPES)("packSigns of arbitrary i8 vs naive (rows $rows, k $k)", ({ rows, k }) => {
    const rng = new Rng(rows * 1000 + k, 1);
    const src = new Int8Array(rows * k);
    for (let i = 0; i < src.length; i++) src[i] = rng.pick([0, 0, 1, -1, 127, -128, rng.range(-128, 127)]);
    const want = packRef(src, rows, k);
    expect(paddingIsZero(want, rows, k)).toBe(true);
    const results = onEach((s, be) => {
      const dst = s.garbage("u32", rows * refRowWords(k));
      be.packSigns(s.from("i8", src), dst, rows, k);
      expect(paddingIsZero(dst.data, rows, k), `${be.name}: padding`).toBe(true);
      return { dst: dst.data.slice() };
    });
    expectAllSame(results, `packSigns ${rows}x${k}`, { dst: want });
  });

  it.each(ROW_SHAPES)("unpackSigns vs naive and round trip (rows $rows, k $k)", ({ rows, k }) => {
    const rng = new Rng(rows * 1000 + k, 2);
    const signs = randomSigns(rng, rows * k);
    const packed = packRef(signs, rows, k);
    const results = onEach((s, be) => {
      const p = s.from("u32", packed);
      const out = s.garbage("i8", rows * k);
      be.unpackSigns(p, out, rows, k);
      const back = s.garbage("u32", rows * refRowWords(k));
      be.packSigns(out, back, rows, k);
      return { unpacked: out.data.slice(), repacked: back.data.slice() };
    });
    expectAllSame(results, `unpackSigns ${rows}x${k}`, { unpacked: signs, repacked: packed });
    expectSame(unpackRef(packed, rows, k), signs, "helper round trip");
  });

  it("sign(0) = +1: a 0 in the i8 input packs as bit 1", () => {
    const src = new Int8Array([0, -1, 1, 0, -128, 127, 0, -2]);
    const want = 0b01101101; // bits of values >= 0: indices 0, 2, 3, 5, 6
    const results = onEach((s, be) => {
      const dst = s.garbage("u32", 4);
      be.packSigns(s.from("i8", src), dst, 1, src.length);
      return { dst: dst.data.slice() };
    });
    expectAllSame(results, "sign(0)", { dst: new Uint32Array([want, 0, 0, 0]) });
  });

  it("rows = 0 writes nothing", () => {
    onEach((s, be) => {
      const dst = s.garbage("u32", 4);
      be.packSigns(s.alloc("i8", 0), dst, 0, 5);
      be.unpackSigns(s.alloc("u32", 0), s.alloc("i8", 0), 0, 5);
      expect(Array.from(dst.data)).toEqual([0xdeadbeef, 0xdeadbeef, 0xdeadbeef, 0xdeadbeef]);
    });
  });
});

describe("packThresholds", () => {
  const SPECIAL = [0, -0, 1, -1, 0.5, -0.5, Infinity, -Infinity, NaN, 3.4e38, -3.4e38, 1e-45, -1e-45];

  it.each(ROW_SHAPES)("vs naive with ties, NaN, ±0, ±∞ and negative thresholds (rows $rows, k $k)", ({ rows, k }) => {
    const rng = new Rng(rows * 7919 + k, 3);
    const t = new Float32Array(k);
    for (let i = 0; i < k; i++) t[i] = rng.float() < 0.2 ? rng.pick(SPECIAL) : (rng.float() - 0.6) * 4;
    const x = new Float32Array(rows * k);
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < k; i++) {
        const u = rng.float();
        x[r * k + i] = u < 0.25 ? t[i] : u < 0.35 ? rng.pick(SPECIAL) : u < 0.4 ? Math.fround(t[i] + 1e-6) : (rng.float() - 0.5) * 4;
      }
    }
    // Naive reference on the f32 values themselves: x > t → 1, else 0 (so x == t → 0, NaN → 0).
    const want = new Uint32Array(rows * refRowWords(k));
    let ties = 0, nans = 0;
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < k; i++) {
        const xi = x[r * k + i], ti = t[i];
        if (xi === ti) ties++;
        if (Number.isNaN(xi) || Number.isNaN(ti)) nans++;
        if (xi > ti) want[r * refRowWords(k) + (i >> 5)] |= 1 << (i & 31);
      }
    }
    if (rows * k >= 16) expect(ties).toBeGreaterThan(0);
    const results = onEach((s, be) => {
      const dst = s.garbage("u32", rows * refRowWords(k));
      be.packThresholds(s.from("f32", x), s.from("f32", t), dst, rows, k);
      return { dst: dst.data.slice() };
    });
    expectAllSame(results, `packThresholds ${rows}x${k} (ties ${ties}, NaN ${nans})`, { dst: want });
  });

  it("directed cases", () => {
    const x = new Float32Array([1, 1, 1.5, NaN, 0, -0, 0, -2, -3, Infinity, NaN, -Infinity]);
    const t = new Float32Array([1, 0.5, NaN, 0, -0, 0, 0, -2.5, -2.5, Infinity, NaN, -Infinity]);
    // x > t:                  0  1    0    0   0   0  0  1     0     0        0    0
    const want = 0b000010000010;
    const results = onEach((s, be) => {
      const dst = s.garbage("u32", 4);
      be.packThresholds(s.from("f32", x), s.from("f32", t), dst, 1, x.length);
      return { dst: dst.data.slice() };
    });
    expectAllSame(results, "packThresholds directed", { dst: new Uint32Array([want, 0, 0, 0]) });
  });
});

describe("transpose", () => {
  const SHAPES = [
    ...WIDTHS.flatMap((rows, i) => [
      { rows, cols: WIDTHS[(i + 3) % WIDTHS.length] },
      { rows, cols: WIDTHS[(i + 5) % WIDTHS.length] },
      { rows, cols: BATCHES[i % BATCHES.length] },
    ]),
    { rows: 1, cols: 1 }, { rows: 1000, cols: 1000 }, { rows: 129, cols: 129 }, { rows: 33, cols: 300 },
  ];

  it.each(SHAPES)("vs naive, and twice = identity (rows $rows, cols $cols)", ({ rows, cols }) => {
    const rng = new Rng(rows * 4099 + cols, 4);
    const m = randomSigns(rng, rows * cols);
    const src = packRef(m, rows, cols);
    const want = packRef(transposeRef(m, rows, cols), cols, rows);
    const results = onEach((s, be) => {
      const a = s.from("u32", src);
      const t = s.garbage("u32", cols * refRowWords(rows));
      be.transpose(a, t, rows, cols);
      const tt = s.garbage("u32", rows * refRowWords(cols));
      be.transpose(t, tt, cols, rows);
      return { t: t.data.slice(), tt: tt.data.slice() };
    });
    expectAllSame(results, `transpose ${rows}x${cols}`, { t: want, tt: src });
  });

  it("all-ones and all-zero matrices", () => {
    for (const [rows, cols] of [[65, 129], [128, 64], [1000, 3]]) {
      for (const fill of [1, -1]) {
        const m = new Int8Array(rows * cols).fill(fill);
        const results = onEach((s, be) => {
          const t = s.garbage("u32", cols * refRowWords(rows));
          be.transpose(s.from("u32", packRef(m, rows, cols)), t, rows, cols);
          return { t: t.data.slice() };
        });
        expectAllSame(results, `transpose ${rows}x${cols} fill ${fill}`, { t: packRef(new Int8Array(rows * cols).fill(fill), cols, rows) });
      }
    }
  });
});
