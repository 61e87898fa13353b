import { describe, expect, it } from "vitest";
import {
  BATCHES, WIDTHS, Rng, expectAllSame, expectSame, forwardRef, onEach, packRef, paddingIsZero, randomSigns, refRowWords,
} from "./helpers";

/** Shapes on both sides of wasm-simd's nibble-table thresholds (batch 32, n 64, k 8192). */
const TABLE_SHAPES = [
  { batch: 32, k: 1, n: 64 }, { batch: 33, k: 63, n: 65 }, { batch: 40, k: 129, n: 127 }, { batch: 31, k: 1000, n: 200 },
  { batch: 64, k: 1000, n: 129 }, { batch: 35, k: 8192, n: 70 }, { batch: 32, k: 8193, n: 64 }, { batch: 100, k: 784, n: 63 },
  { batch: 100, k: 784, n: 525 },
];

/** Every (k, n) pair of WIDTHS with two batch sizes cycling through BATCHES, plus a few extra. */
const SHAPES = [
  ...WIDTHS.flatMap((k, i) =>
    WIDTHS.flatMap((n, j) => [0, 2].map((d) => ({ batch: BATCHES[(i * 3 + j + d) % BATCHES.length], k, n }))),
  ),
  { batch: 17, k: 1000, n: 129 }, { batch: 17, k: 129, n: 1000 }, { batch: 4, k: 8000, n: 3 },
  { batch: 6, k: 4000, n: 7 }, { batch: 8, k: 300, n: 9 }, { batch: 9, k: 2, n: 2 },
  // Batches of ≥ 32 rows and ≥ 64 neurons run on nibble tables in wasm-simd: full and partial
  // blocks of 64 neurons, k around the 128-bit row padding and at the tables' limit (8192).
  ...TABLE_SHAPES,
];

describe("forward / forwardSign", () => {
  it.each(SHAPES)("vs naive dot products (batch $batch, k $k, n $n)", ({ batch, k, n }) => {
    const rng = new Rng(batch * 1_000_003 + k * 1009 + n, 10);
    const A = randomSigns(rng, batch * k);
    const W = randomSigns(rng, n * k);
    // Make some rows all +1 / all −1 to hit z = ±k.
    if (n > 1) W.fill(1, 0, k);
    if (batch > 1) A.fill(-1, 0, k);
    const Z = forwardRef(A, W, batch, k, n);
    const S = packRef(Z, batch, n);
    const results = onEach((s, be) => {
      const a = s.from("u32", packRef(A, batch, k));
      const w = s.from("u32", packRef(W, n, k));
      const z1 = s.garbage("i32", batch * n);
      be.forward(a, w, z1, batch, k, n);
      const z2 = s.garbage("i32", batch * n);
      const s2 = s.garbage("u32", batch * refRowWords(n));
      be.forwardSign(a, w, z2, s2, batch, k, n);
      expect(paddingIsZero(s2.data, batch, n), `${be.name}: S padding`).toBe(true);
      return { Z: z1.data.slice(), Zs: z2.data.slice(), S: s2.data.slice() };
    });
    expectAllSame(results, `forward ${batch}x${k}x${n}`, { Z, Zs: Z, S });
  });

  it.each([
    { batch: 1, k: 2, n: 1 }, { batch: 3, k: 64, n: 5 }, { batch: 5, k: 128, n: 17 }, { batch: 2, k: 130, n: 3 },
    { batch: 17, k: 1000, n: 65 }, { batch: 4, k: 62, n: 129 }, { batch: 40, k: 130, n: 70 }, { batch: 33, k: 1000, n: 129 },
  ])("forced ties z = 0 give sign bit 1 (batch $batch, k $k, n $n)", ({ batch, k, n }) => {
    const rng = new Rng(batch * 31 + k * 7 + n, 11);
    const A = randomSigns(rng, batch * k);
    const W = randomSigns(rng, n * k);
    // Row o of W = row (o mod batch) of A with exactly k/2 bits flipped, so z[o mod batch, o] = 0.
    for (let o = 0; o < n; o++) {
      const b = o % batch;
      const idx = rng.shuffle(Array.from({ length: k }, (_, i) => i)).slice(0, k / 2);
      for (let i = 0; i < k; i++) W[o * k + i] = A[b * k + i];
      for (const i of idx) W[o * k + i] = -W[o * k + i];
    }
    const Z = forwardRef(A, W, batch, k, n);
    for (let o = 0; o < n; o++) expect(Z[(o % batch) * n + o]).toBe(0);
    const S = packRef(Z, batch, n);
    const results = onEach((s, be) => {
      const z = s.garbage("i32", batch * n);
      const sg = s.garbage("u32", batch * refRowWords(n));
      be.forwardSign(s.from("u32", packRef(A, batch, k)), s.from("u32", packRef(W, n, k)), z, sg, batch, k, n);
      for (let o = 0; o < n; o++) {
        const b = o % batch;
        expect((sg.data[b * refRowWords(n) + (o >> 5)] >>> (o & 31)) & 1, `${be.name}: S bit of tie (${b}, ${o})`).toBe(1);
      }
      return { Z: z.data.slice(), S: sg.data.slice() };
    });
    expectAllSame(results, `ties ${batch}x${k}x${n}`, { Z, S });
  });

  it("batch = 0 writes nothing", () => {
    onEach((s, be) => {
      const z = s.garbage("i32", 3);
      const sg = s.garbage("u32", 4);
      const w = s.from("u32", packRef(new Int8Array(3 * 5).fill(1), 3, 5));
      be.forward(s.alloc("u32", 0), w, z, 0, 5, 3);
      be.forwardSign(s.alloc("u32", 0), w, z, sg, 0, 5, 3);
      expect(Array.from(z.data)).toEqual([-0x5a5a5a5a, -0x5a5a5a5a, -0x5a5a5a5a]);
      expect(Array.from(sg.data)).toEqual([0xdeadbeef, 0xdeadbeef, 0xdeadbeef, 0xdeadbeef]);
    });
  });
});

describe("signs", () => {
  const SIGN_SHAPES = WIDTHS.flatMap((n, i) => [
    { rows: BATCHES[i % BATCHES.length], n },
    { rows: BATCHES[(i + 3) % BATCHES.length], n },
  ]);

  it.each(SIGN_SHAPES)("vs naive, sign(0) = +1, padding zero (rows $rows, n $n)", ({ rows, n }) => {
    const rng = new Rng(rows * 5003 + n, 12);
    const Z = new Int32Array(rows * n);
    for (let i = 0; i < Z.length; i++) {
      Z[i] = rng.pick([0, 0, 1, -1, 2147483647, -2147483648, rng.range(-1000, 1000), rng.u32() | 0]);
    }
    const want = new Uint32Array(rows * refRowWords(n));
    for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) if (Z[r * n + j] >= 0) want[r * refRowWords(n) + (j >> 5)] |= 1 << (j & 31);
    expectSame(want, packRef(Z, rows, n), "helper");
    const results = onEach((s, be) => {
      const S = s.garbage("u32", rows * refRowWords(n));
      be.signs(s.from("i32", Z), S, rows, n);
      return { S: S.data.slice() };
    });
    expectAllSame(results, `signs ${rows}x${n}`, { S: want });
  });
});
