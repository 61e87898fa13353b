import { describe, expect, it } from "vitest";
import {
  BATCHES, WIDTHS, Rng, desiredRef, expectAllSame, expectSame, forwardRef, gateRef, onEach, packBitsRef, packRef,
  paddingIsZero, randomBits, randomSigns, refRowWords, transposeRef,
} from "./helpers";

describe("gate", () => {
  const THRESHOLDS = [0, 1, 6, 100, 2147483647];
  const SHAPES = WIDTHS.flatMap((n, i) =>
    THRESHOLDS.slice(0, 4).map((threshold, t) => ({ rows: BATCHES[(i + t) % BATCHES.length], n, threshold })),
  ).concat(THRESHOLDS.map((threshold) => ({ rows: 3, n: 129, threshold })));

  it.each(SHAPES)("vs naive, boundary |z| = t gated (rows $rows, n $n, threshold $threshold)", ({ rows, n, threshold }) => {
    const rng = new Rng(rows * 7 + n * 131 + threshold, 20);
    const t = threshold;
    const Z = new Int32Array(rows * n);
    for (let i = 0; i < Z.length; i++) {
      Z[i] = rng.pick([t, -t, t + 1, -t - 1, t - 1, 1 - t, 0, 2147483647, -2147483648, rng.range(-3 * t - 3, 3 * t + 3)]);
    }
    const G = gateRef(Z, t);
    const want = packBitsRef(G, rows, n);
    const results = onEach((s, be) => {
      const g = s.garbage("u32", rows * refRowWords(n));
      be.gate(s.from("i32", Z), g, rows, n, t);
      expect(paddingIsZero(g.data, rows, n), `${be.name}: G padding`).toBe(true);
      return { G: g.data.slice() };
    });
    expectAllSame(results, `gate ${rows}x${n} t=${t}`, { G: want });
  });

  it("directed boundaries", () => {
    const cases: [number, number[], number[]][] = [
      // threshold, z values, expected gate bits
      [0, [0, 1, -1, 2, -2147483648], [1, 0, 0, 0, 0]],
      [5, [5, -5, 6, -6, 4, 0], [1, 1, 0, 0, 1, 1]],
      [2147483647, [2147483647, -2147483647, -2147483648, 0], [1, 1, 0, 1]],
    ];
    for (const [t, z, bits] of cases) {
      const results = onEach((s, be) => {
        const g = s.garbage("u32", 4);
        be.gate(s.from("i32", z), g, 1, z.length, t);
        return { G: g.data.slice() };
      });
      expectAllSame(results, `gate t=${t}`, { G: packBitsRef(bits, 1, z.length) });
    }
  });
});

describe("desired", () => {
  /** (n, k): n the width of the layer above (D, G), k the layer below (Y, OUT). */
  const SHAPES = [
    ...WIDTHS.flatMap((n, i) =>
      WIDTHS.map((k, j) => ({ batch: BATCHES[(i * 2 + j) % BATCHES.length], n, k, p: [0.5, 0.2, 0.9][(i + j) % 3] })),
    ),
    { batch: 17, n: 1000, k: 129, p: 0.1 }, { batch: 4, n: 8000, k: 5, p: 0.5 }, { batch: 6, n: 2, k: 300, p: 0.7 },
  ];

  it.each(SHAPES)("vs naive with WT from transpose and built independently (batch $batch, n $n, k $k, gate p $p)", ({ batch, n, k, p }) => {
    const rng = new Rng(batch * 100003 + n * 1013 + k, 21);
    const D = randomSigns(rng, batch * n);
    const G = randomBits(rng, batch * n, p);
    if (batch >= 2) G.fill(0, (batch - 1) * n, batch * n); // last row: all gates off → Y = 0, OUT = +1
    const W = randomSigns(rng, n * k);
    const { Y, OUT } = desiredRef(D, G, W, batch, n, k);
    const wantOut = packRef(OUT, batch, k);
    const WTref = packRef(transposeRef(W, n, k), k, n);
    const results = onEach((s, be) => {
      const d = s.from("u32", packRef(D, batch, n));
      const g = s.from("u32", packBitsRef(G, batch, n));
      // WT from the transpose kernel …
      const wt = s.garbage("u32", k * refRowWords(n));
      be.transpose(s.from("u32", packRef(W, n, k)), wt, n, k);
      expectSame(wt.data, WTref, `${be.name}: transpose kernel WT vs independent WT`);
      const y1 = s.garbage("i32", batch * k);
      const o1 = s.garbage("u32", batch * refRowWords(k));
      be.desired(d, g, wt, y1, o1, batch, n, k);
      // … and built independently.
      const y2 = s.garbage("i32", batch * k);
      const o2 = s.garbage("u32", batch * refRowWords(k));
      be.desired(d, g, s.from("u32", WTref), y2, o2, batch, n, k);
      expect(paddingIsZero(o1.data, batch, k), `${be.name}: OUT padding`).toBe(true);
      return { Y: y1.data.slice(), OUT: o1.data.slice(), Y2: y2.data.slice(), OUT2: o2.data.slice() };
    });
    expectAllSame(results, `desired ${batch}x${n}x${k}`, { Y, OUT: wantOut, Y2: Y, OUT2: wantOut });
    if (batch >= 2) for (let i = 0; i < k; i++) expect(Y[(batch - 1) * k + i]).toBe(0);
  });

  it.each([
    { batch: 5, n: 8000, k: 3 }, { batch: 2, n: 3969, k: 2 }, { batch: 7, n: 4000, k: 5 }, { batch: 1, n: 1000, k: 1 },
  ])("extreme sums ±n with every gate on (long popcount runs; batch $batch, n $n, k $k)", ({ batch, n, k }) => {
    // Row b: D = (−1)^b everywhere, G all ones; W column i = +1 for even i, −1 for odd i → Y = ±n.
    const D = new Int8Array(batch * n);
    for (let b = 0; b < batch; b++) D.fill(b % 2 ? -1 : 1, b * n, (b + 1) * n);
    const G = new Uint8Array(batch * n).fill(1);
    const W = new Int8Array(n * k);
    for (let j = 0; j < n; j++) for (let i = 0; i < k; i++) W[j * k + i] = i % 2 ? -1 : 1;
    const { Y, OUT } = desiredRef(D, G, W, batch, n, k);
    for (let b = 0; b < batch; b++) for (let i = 0; i < k; i++) expect(Math.abs(Y[b * k + i])).toBe(n);
    const results = onEach((s, be) => {
      const y = s.garbage("i32", batch * k);
      const o = s.garbage("u32", batch * refRowWords(k));
      be.desired(
        s.from("u32", packRef(D, batch, n)), s.from("u32", packBitsRef(G, batch, n)),
        s.from("u32", packRef(transposeRef(W, n, k), k, n)), y, o, batch, n, k,
      );
      return { Y: y.data.slice(), OUT: o.data.slice() };
    });
    expectAllSame(results, `desired extremes ${batch}x${n}x${k}`, { Y, OUT: packRef(OUT, batch, k) });
  });

  it.each([
    { batch: 5, n: 2, k: 64 }, { batch: 3, n: 4, k: 129 }, { batch: 17, n: 64, k: 65 }, { batch: 2, n: 1, k: 10 },
  ])("ties: sums of 0 give +1 (batch $batch, n $n, k $k)", ({ batch, n, k }) => {
    const rng = new Rng(batch + n * 3 + k * 5, 22);
    const D = randomSigns(rng, batch * n);
    const G = randomBits(rng, batch * n, 0.5);
    G.fill(0, 0, n); // row 0: every gate off
    const W = randomSigns(rng, n * k);
    const { Y, OUT } = desiredRef(D, G, W, batch, n, k);
    const zeros = Array.from(Y).filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThanOrEqual(k);
    const results = onEach((s, be) => {
      const y = s.garbage("i32", batch * k);
      const o = s.garbage("u32", batch * refRowWords(k));
      be.desired(
        s.from("u32", packRef(D, batch, n)), s.from("u32", packBitsRef(G, batch, n)),
        s.from("u32", packRef(transposeRef(W, n, k), k, n)), y, o, batch, n, k,
      );
      for (let b = 0; b < batch; b++) {
        for (let i = 0; i < k; i++) {
          if (Y[b * k + i] === 0) expect((o.data[b * refRowWords(k) + (i >> 5)] >>> (i & 31)) & 1, `${be.name}: tie bit`).toBe(1);
        }
      }
      return { Y: y.data.slice(), OUT: o.data.slice() };
    });
    expectAllSame(results, `desired ties ${batch}x${n}x${k}`, { Y, OUT: packRef(OUT, batch, k) });
  });

  it.each([
    { batch: 5, k: 129, n: 65, nu: 0.1 }, { batch: 17, k: 1000, n: 127, nu: 0.05 }, { batch: 3, k: 64, n: 1000, nu: 0.2 },
  ])("pipeline forward → gate → desired vs naive chain (batch $batch, k $k, n $n, ν $nu)", ({ batch, k, n, nu }) => {
    const rng = new Rng(batch * 11 + k * 13 + n, 23);
    const A = randomSigns(rng, batch * k);
    const W = randomSigns(rng, n * k);
    const DST = randomSigns(rng, batch * n);
    const t = Math.floor(nu * k);
    const Z = forwardRef(A, W, batch, k, n);
    const G = gateRef(Z, t);
    expect(G.some((g) => g === 1)).toBe(true);
    const { Y, OUT } = desiredRef(DST, G, W, batch, n, k);
    const results = onEach((s, be) => {
      const w = s.from("u32", packRef(W, n, k));
      const wt = s.alloc("u32", k * refRowWords(n));
      be.transpose(w, wt, n, k);
      const z = s.alloc("i32", batch * n);
      be.forward(s.from("u32", packRef(A, batch, k)), w, z, batch, k, n);
      const g = s.alloc("u32", batch * refRowWords(n));
      be.gate(z, g, batch, n, t);
      const y = s.alloc("i32", batch * k);
      const o = s.alloc("u32", batch * refRowWords(k));
      be.desired(s.from("u32", packRef(DST, batch, n)), g, wt, y, o, batch, n, k);
      return { Z: z.data.slice(), G: g.data.slice(), Y: y.data.slice(), OUT: o.data.slice() };
    });
    expectAllSame(results, "pipeline", { Z, G: packBitsRef(G, batch, n), Y, OUT: packRef(OUT, batch, k) });
  });
});
