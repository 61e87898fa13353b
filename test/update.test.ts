import { describe, expect, it } from "vitest";
import { H_MAX, H_MIN } from "../src/index";
import { updateScratchWords } from "../src/kernels/layout";
import {
  BATCHES, WIDTHS, Rng, expectAllSame, forwardRef, onEach, packRef, randomSigns, refRowWords, sgn, transposeRef,
  updateRowsRef, winnersRef,
} from "./helpers";

/** Group sizes for `n`: 1, n, a divisor, a non-divisor (last group partial) and a few others. */
function gammas(n: number): number[] {
  const g = new Set([1, n, Math.max(1, Math.floor(n / 2)), Math.min(n, 3), Math.min(n, 7), Math.max(1, Math.ceil(n / 15))]);
  if (n >= 64) g.add(64);
  return [...g].sort((a, b) => a - b);
}

describe("winners", () => {
  const SHAPES = WIDTHS.concat([2, 3, 10]).flatMap((n, i) =>
    gammas(n).map((gamma, j) => ({ batch: BATCHES[(i + j) % BATCHES.length], n, gamma })),
  );

  it.each(SHAPES)("vs naive with many |z| ties (batch $batch, n $n, gamma $gamma)", ({ batch, n, gamma }) => {
    const rng = new Rng(batch * 1009 + n * 17 + gamma, 30);
    const Z = new Int32Array(batch * n);
    for (let i = 0; i < Z.length; i++) Z[i] = rng.pick([0, 1, -1, 2, -2, 3, -3, 2147483647, -2147483648, rng.range(-50, 50)]);
    const ASTAR = randomSigns(rng, batch * n);
    if (batch >= 2) for (let j = 0; j < n; j++) ASTAR[j] = sgn(Z[j]); // row 0: nothing wrong → all −1
    const want = winnersRef(Z, ASTAR, batch, n, gamma);
    const groups = Math.ceil(n / gamma);
    if (batch >= 2) for (let g = 0; g < groups; g++) expect(want[g]).toBe(-1);
    const results = onEach((s, be) => {
      const win = s.garbage("i32", batch * groups);
      be.winners(s.from("i32", Z), s.from("u32", packRef(ASTAR, batch, n)), win, batch, n, gamma);
      return { WIN: win.data.slice() };
    });
    expectAllSame(results, `winners ${batch}x${n} γ=${gamma}`, { WIN: want });
  });

  it.each([
    { batch: 5, k: 129, n: 1000, gamma: 64 }, { batch: 17, k: 65, n: 127, gamma: 10 }, { batch: 3, k: 1000, n: 65, gamma: 65 },
    { batch: 1, k: 63, n: 128, gamma: 1 },
  ])("on pre-activations from forward (batch $batch, k $k, n $n, gamma $gamma)", ({ batch, k, n, gamma }) => {
    const rng = new Rng(batch + k + n + gamma, 31);
    const A = randomSigns(rng, batch * k);
    const W = randomSigns(rng, n * k);
    const Z = forwardRef(A, W, batch, k, n);
    const ASTAR = randomSigns(rng, batch * n);
    const want = winnersRef(Z, ASTAR, batch, n, gamma);
    const results = onEach((s, be) => {
      const z = s.alloc("i32", batch * n);
      be.forward(s.from("u32", packRef(A, batch, k)), s.from("u32", packRef(W, n, k)), z, batch, k, n);
      const win = s.garbage("i32", batch * Math.ceil(n / gamma));
      be.winners(z, s.from("u32", packRef(ASTAR, batch, n)), win, batch, n, gamma);
      return { WIN: win.data.slice() };
    });
    expectAllSame(results, "winners from forward", { WIN: want });
  });

  it("directed: smallest |z| wins, lowest index on ties, sign(0) = +1, partial last group", () => {
    // n = 7, gamma = 3 → groups {0,1,2} {3,4,5} {6}
    const Z = [5, -2, 2, 0, -1, 1, -4];
    const A = [-1, 1, -1, -1, 1, -1, -1];
    // wrong: 0 (sign +1 vs −1), 1 (−1 vs +1), 2 (+1 vs −1), 3 (0 → +1 vs −1), 4 (−1 vs +1), 5 (+1 vs −1); 6 right
    // group 0: |z| 5, 2, 2 → index 1 (tie, lowest); group 1: |z| 0, 1, 1 → 3; group 2: none → −1
    const results = onEach((s, be) => {
      const win = s.garbage("i32", 3);
      be.winners(s.from("i32", Z), s.from("u32", packRef(A, 1, 7)), win, 1, 7, 3);
      return { WIN: win.data.slice() };
    });
    expectAllSame(results, "winners directed", { WIN: new Int32Array([1, 3, -1]) });
    expect(Array.from(winnersRef(Z, new Int8Array(A), 1, 7, 3))).toEqual([1, 3, -1]);
  });
});

describe("updateRows", () => {
  /** H near the int16 limits (and around 0) so that saturation and sign changes happen. */
  function initH(rng: Rng, len: number, lo: number, hi: number): Int16Array {
    const H = new Int16Array(len);
    const pool = [H_MAX, H_MAX - 1, H_MAX - 5, H_MIN, H_MIN + 1, H_MIN + 6, 0, -1, 1, -2, 2, lo, hi, lo + 1, hi - 1, -3, 3];
    for (let i = 0; i < len; i++) H[i] = rng.float() < 0.7 ? rng.pick(pool) : rng.range(-40, 40);
    return H;
  }

  const SHAPES = [
    ...WIDTHS.flatMap((n, i) =>
      [WIDTHS[(i + 2) % WIDTHS.length], WIDTHS[(i + 5) % WIDTHS.length]].map((k, j) => {
        const gs = gammas(n);
        return { batch: BATCHES[(i + j * 2) % BATCHES.length], n, k, gamma: gs[(i + j) % gs.length] };
      }),
    ),
    { batch: 1, n: 1, k: 1, gamma: 1 }, { batch: 1, n: 129, k: 1000, gamma: 1 }, { batch: 17, n: 10, k: 65, gamma: 10 },
    { batch: 17, n: 3, k: 300, gamma: 1 }, { batch: 40, n: 5, k: 129, gamma: 2 }, { batch: 2, n: 1000, k: 64, gamma: 7 },
    // > 127 samples on one row (the SIMD build's byte counters spill into i16), and > 16383 (its scalar fallback).
    { batch: 300, n: 3, k: 100, gamma: 1 }, { batch: 260, n: 2, k: 33, gamma: 1 }, { batch: 23000, n: 1, k: 20, gamma: 1 },
  ];
  const CLIPS: { label: string; lo?: number; hi?: number }[] = [
    { label: "default bounds" }, { label: "clip ±5", lo: -5, hi: 5 }, { label: "clip ±1000", lo: -1000, hi: 1000 },
    { label: "clip [-32768, 100]", lo: H_MIN, hi: 100 },
  ];
  const CASES = SHAPES.flatMap((sh, i) => [0, 1].map((d) => ({ ...sh, ...CLIPS[(i + d) % CLIPS.length], win: d ? "random" : "kernel" })));

  it.each(CASES)(
    "vs naive ΔH, W = sign(H), WT = Wᵀ or none (batch $batch, n $n, k $k, gamma $gamma, $label, WIN $win)",
    ({ batch, n, k, gamma, lo, hi, win }) => {
      const rng = new Rng(batch * 65537 + n * 257 + k * 3 + gamma, 32 + (lo ?? 0));
      const LO = lo ?? H_MIN, HI = hi ?? H_MAX;
      const groups = Math.ceil(n / gamma);
      const H0 = initH(rng, n * k, LO, HI);
      const W0 = packRef(H0, n, k);
      const WT0 = packRef(transposeRef(H0, n, k), k, n);
      const APREV = randomSigns(rng, batch * k);
      const ASTAR = randomSigns(rng, batch * n);
      let WIN: Int32Array;
      if (win === "kernel") {
        // Winners of a realistic forward pass with the current visible weights.
        const Z = forwardRef(APREV, new Int8Array(Array.from(H0, sgn)), batch, k, n);
        WIN = winnersRef(Z, ASTAR, batch, n, gamma);
      } else {
        // Random winners: many samples hit the same row, some groups have none.
        WIN = new Int32Array(batch * groups);
        for (let b = 0; b < batch; b++) {
          for (let g = 0; g < groups; g++) {
            const size = Math.min(n, (g + 1) * gamma) - g * gamma;
            WIN[b * groups + g] = rng.float() < 0.25 ? -1 : g * gamma + rng.int(Math.min(size, 2));
          }
        }
      }
      const ref = updateRowsRef(H0, APREV, ASTAR, WIN, batch, n, k, gamma, LO, HI);
      const Wwant = packRef(ref.H, n, k);
      const WTwant = packRef(transposeRef(ref.H, n, k), k, n);
      const results = onEach((s, be) => {
        const H = s.from("i16", H0), W = s.from("u32", W0), WT = s.from("u32", WT0);
        const winBuf = s.alloc("i32", batch * groups);
        if (win === "kernel") {
          const z = s.alloc("i32", batch * n);
          be.forward(s.from("u32", packRef(APREV, batch, k)), W, z, batch, k, n);
          be.winners(z, s.from("u32", packRef(ASTAR, batch, n)), winBuf, batch, n, gamma);
        } else {
          winBuf.data.set(WIN);
        }
        const winUsed = winBuf.data.slice();
        const touched = lo === undefined
          ? be.updateRows(H, W, WT, s.from("u32", packRef(APREV, batch, k)), s.from("u32", packRef(ASTAR, batch, n)), winBuf, batch, n, k, gamma)
          : be.updateRows(H, W, WT, s.from("u32", packRef(APREV, batch, k)), s.from("u32", packRef(ASTAR, batch, n)), winBuf, batch, n, k, gamma, LO, HI);
        // The same update as two row ranges (what two threads do), the upper range first, each with its own scratch.
        const H2 = s.from("i16", H0), W2 = s.from("u32", W0), WT2 = s.from("u32", WT0);
        const cut = 32 * Math.floor(n / 64), words = updateScratchWords(batch, groups, n, k);
        const split = [[cut, n], [0, cut]].reduce((t, [j0, j1]) =>
          t + be.updateRows(H2, W2, WT2, s.from("u32", packRef(APREV, batch, k)), s.from("u32", packRef(ASTAR, batch, n)), winBuf, batch, n, k, gamma, LO, HI, j0, j1, s.alloc("i32", words)), 0);
        // The same update of a layer that keeps no Wᵀ (WT null, as an MLP's first layer).
        const H3 = s.from("i16", H0), W3 = s.from("u32", W0);
        const touchedNoT = be.updateRows(H3, W3, null, s.from("u32", packRef(APREV, batch, k)), s.from("u32", packRef(ASTAR, batch, n)), winBuf, batch, n, k, gamma, LO, HI);
        // The kernel must leave WIN unchanged.
        return {
          WIN: winUsed, WINafter: winBuf.data.slice(), H: H.data.slice(), W: W.data.slice(), WT: WT.data.slice(), touched,
          Hsplit: H2.data.slice(), Wsplit: W2.data.slice(), WTsplit: WT2.data.slice(), touchedSplit: split,
          HnoT: H3.data.slice(), WnoT: W3.data.slice(), touchedNoT,
        };
      });
      expectAllSame(results, `updateRows ${batch}x${n}x${k} γ=${gamma}`, {
        WIN, WINafter: WIN, H: ref.H, W: Wwant, WT: WTwant, touched: ref.touched,
        Hsplit: ref.H, Wsplit: Wwant, WTsplit: WTwant, touchedSplit: ref.touched,
        HnoT: ref.H, WnoT: Wwant, touchedNoT: ref.touched,
      });
    },
  );

  it("saturation and clamping happen once per batch, after the whole ΔH is accumulated", () => {
    // n = 1, k = 4, batch = 3, gamma = 1: every sample updates row 0.
    // Contributions a*·a_prev per column: col 0: +1 +1 −1 → +1; col 1: +1 −1 +1 → +1; col 2: −1 −1 −1 → −3; col 3: +1 +1 +1 → +3
    const APREV = new Int8Array([1, 1, -1, 1, /**/ 1, -1, -1, 1, /**/ -1, 1, -1, 1]);
    const ASTAR = new Int8Array([1, 1, 1]);
    const H0 = new Int16Array([H_MAX, H_MAX - 1, H_MIN + 1, H_MAX - 5]);
    // col 0: 32767 + 2 → 32767 (a per-sample clamp would give 32767 → 32767 → 32765)
    // col 1: 32766 + 2 → 32767 (per-sample: 32767 → 32765 → 32767 … depends on order; whole-batch is unique)
    // col 2: −32767 − 6 → −32768; col 3: 32762 + 6 → 32767 (saturates)
    const want = new Int16Array([H_MAX, H_MAX, H_MIN, H_MAX]);
    const WIN = new Int32Array([0, 0, 0]);
    expect(Array.from(updateRowsRef(H0, APREV, ASTAR, WIN, 3, 1, 4, 1, H_MIN, H_MAX).H)).toEqual(Array.from(want));
    const results = onEach((s, be) => {
      const H = s.from("i16", H0), W = s.from("u32", packRef(H0, 1, 4)), WT = s.from("u32", packRef(H0, 4, 1));
      const touched = be.updateRows(H, W, WT, s.from("u32", packRef(APREV, 3, 4)), s.from("u32", packRef(ASTAR, 3, 1)), s.from("i32", WIN), 3, 1, 4, 1);
      return { H: H.data.slice(), touched };
    });
    expectAllSame(results, "saturation", { H: want, touched: 1 });
  });

  it("sign flips refresh W and WT, sign(0) = +1, untouched rows keep their (stale) bits", () => {
    // n = 3, k = 2, gamma = 1, batch 1; winners rows 0 and 2.
    const H0 = new Int16Array([-1, 1, /**/ 5, -5, /**/ -2, 2]);
    const APREV = new Int8Array([1, -1]);
    const ASTAR = new Int8Array([1, -1, -1]);
    // row 0: [-1 + 2, 1 - 2] = [1, -1]; row 2: a* = −1 → Δ = [-1, +1] → [-4, 4]
    const wantH = new Int16Array([1, -1, 5, -5, -4, 4]);
    // Deliberately stale W/WT for untouched row 1: all ones.
    const W0 = packRef(H0, 3, 2);
    W0[refRowWords(2)] = 0b11;
    const WT0 = packRef(transposeRef(H0, 3, 2), 2, 3);
    WT0[0] |= 0b010;
    WT0[refRowWords(3)] |= 0b010;
    const WIN = new Int32Array([0, -1, 2]);
    const results = onEach((s, be) => {
      const H = s.from("i16", H0), W = s.from("u32", W0), WT = s.from("u32", WT0);
      const touched = be.updateRows(H, W, WT, s.from("u32", packRef(APREV, 1, 2)), s.from("u32", packRef(ASTAR, 1, 3)), s.from("i32", WIN), 1, 3, 2, 1);
      return { H: H.data.slice(), W: W.data.slice(), WT: WT.data.slice(), touched };
    });
    const wantW = packRef(wantH, 3, 2);
    wantW[refRowWords(2)] = 0b11;
    const wantWT = new Uint32Array(2 * refRowWords(3));
    wantWT[0] = 0b011; // column 0 of rows 0..2: +1 (1), stale +1, −1 (−4)
    wantWT[refRowWords(3)] = 0b110; // column 1: −1, stale +1, +1 (4)
    expectAllSame(results, "sign flips", { H: wantH, W: wantW, WT: wantWT, touched: 2 });
  });

  it("an H entry of exactly 0 after the update packs as +1", () => {
    const H0 = new Int16Array([-2, 2]);
    const APREV = new Int8Array([1, -1]);
    const ASTAR = new Int8Array([1]);
    const results = onEach((s, be) => {
      const H = s.from("i16", H0), W = s.alloc("u32", 4), WT = s.alloc("u32", 8);
      be.updateRows(H, W, WT, s.from("u32", packRef(APREV, 1, 2)), s.from("u32", packRef(ASTAR, 1, 1)), s.from("i32", [0]), 1, 1, 2, 1);
      return { H: H.data.slice(), W: W.data.slice(), WT: WT.data.slice() };
    });
    expectAllSame(results, "zero", { H: new Int16Array([0, 0]), W: new Uint32Array([0b11, 0, 0, 0]), WT: new Uint32Array([1, 0, 0, 0, 1, 0, 0, 0]) });
  });

  it.each([200, 300, 16383, 16384, 17000])("a row chosen by %s samples that all agree: ΔH = ±count, saturated once", (batch) => {
    // n = 1, k = 40, gamma = 1: every sample updates row 0 with a*·a = +1 on the first 24 columns, −1 on the rest.
    const k = 40;
    const APREV = new Int8Array(batch * k);
    for (let b = 0; b < batch; b++) for (let i = 0; i < k; i++) APREV[b * k + i] = (i < 24) === (b % 2 === 0) ? 1 : -1;
    const ASTAR = Int8Array.from({ length: batch }, (_, b) => (b % 2 === 0 ? 1 : -1));
    const H0 = Int16Array.from({ length: k }, (_, i) => (i % 3) * 1000 - 1000);
    const want = Int16Array.from(H0, (h, i) => Math.max(H_MIN, Math.min(H_MAX, h + 2 * (i < 24 ? batch : -batch))));
    const results = onEach((s, be) => {
      const H = s.from("i16", H0), W = s.from("u32", packRef(H0, 1, k)), WT = s.from("u32", packRef(H0, k, 1));
      const touched = be.updateRows(H, W, WT, s.from("u32", packRef(APREV, batch, k)), s.from("u32", packRef(ASTAR, batch, 1)), s.alloc("i32", batch), batch, 1, k, 1);
      return { H: H.data.slice(), W: W.data.slice(), WT: WT.data.slice(), touched };
    });
    expectAllSame(results, `agreeing ${batch}`, { H: want, W: packRef(want, 1, k), WT: packRef(want, k, 1), touched: 1 });
  });

  it("no winners: nothing changes and 0 rows are reported", () => {
    const rng = new Rng(77, 33);
    const n = 65, k = 129, batch = 5, gamma = 8;
    const H0 = initH(rng, n * k, H_MIN, H_MAX);
    const results = onEach((s, be) => {
      const H = s.from("i16", H0), W = s.from("u32", packRef(H0, n, k)), WT = s.from("u32", packRef(transposeRef(H0, n, k), k, n));
      const WIN = s.from("i32", new Int32Array(batch * Math.ceil(n / gamma)).fill(-1));
      const touched = be.updateRows(H, W, WT, s.alloc("u32", batch * refRowWords(k)), s.alloc("u32", batch * refRowWords(n)), WIN, batch, n, k, gamma);
      return { H: H.data.slice(), touched };
    });
    expectAllSame(results, "no winners", { H: H0, touched: 0 });
  });
});

describe("addRowSums and applyRows (the time-summed state update of BEP-TT, spec §4)", () => {
  const sign3 = (v: number) => (v > 0 ? 1 : v < 0 ? -1 : 0);
  /** Sums over time with ties at 0 and values far beyond the int16 range. */
  const sumValue = (rng: Rng) => rng.pick([0, 0, 1, -1, 2, -3, 70000, -70000, 1 << 20, rng.range(-50, 50)]);
  const SHAPES = [
    { rows: 1, k: 1, count: 1 }, { rows: 3, k: 63, count: 2 }, { rows: 17, k: 65, count: 5 }, { rows: 10, k: 127, count: 0 },
    { rows: 64, k: 128, count: 9 }, { rows: 65, k: 129, count: 65 }, { rows: 129, k: 1000, count: 7 }, { rows: 5, k: 16, count: 3 },
    { rows: 1000, k: 35, count: 40 }, { rows: 2, k: 48, count: 2 },
  ];

  it.each(SHAPES.flatMap((sh) => [true, false].map((vote) => ({ ...sh, vote }))))(
    "addRowSums vs naive, repeated rows included (rows $rows, k $k, count $count, vote $vote)",
    ({ rows, k, count, vote }) => {
      const rng = new Rng(rows * 31 + k * 7 + count, 40);
      const DELTA0 = Int32Array.from({ length: rows * k }, () => rng.range(-1000, 1000));
      const ROWS = Int32Array.from({ length: count }, (_, w) => (w === 1 ? 0 : rng.int(rows))); // row 0 may come twice
      const SUMS = Int32Array.from({ length: count * k }, () => sumValue(rng));
      const want = DELTA0.slice();
      for (let w = 0; w < count; w++) for (let c = 0; c < k; c++) want[ROWS[w] * k + c] += vote ? sign3(SUMS[w * k + c]) : SUMS[w * k + c];
      const results = onEach((s, be) => {
        const DELTA = s.from("i32", DELTA0);
        be.addRowSums(DELTA, s.from("i32", ROWS), s.from("i32", SUMS), count, k, vote);
        return { DELTA: DELTA.data.slice() };
      });
      expectAllSame(results, `addRowSums ${rows}x${k} count ${count}`, { DELTA: want });
    },
  );

  const CLIPS = [{ lo: H_MIN, hi: H_MAX }, { lo: -5, hi: 5 }, { lo: -1000, hi: 1000 }];
  it.each(SHAPES.flatMap((sh, i) => [{ ...sh, ...CLIPS[i % 3], label: `[${CLIPS[i % 3].lo}, ${CLIPS[i % 3].hi}]` }]))(
    "applyRows vs naive: clamp(H + 2Δ), W = sign(H), WT = Wᵀ or none, Δ's rows zeroed (rows $rows, k $k, count $count, $label)",
    ({ rows, k, count, lo, hi }) => {
      const rng = new Rng(rows * 13 + k * 5 + count, 41);
      const H0 = Int16Array.from({ length: rows * k }, () => (rng.float() < 0.5 ? rng.pick([H_MAX, H_MAX - 1, H_MIN, H_MIN + 1, 0, -1, 1, lo, hi, lo + 1, hi - 1]) : rng.range(-40, 40)));
      const DELTA0 = Int32Array.from({ length: rows * k }, () => rng.pick([0, 1, -1, 20000, -20000, 40000, -40000, rng.range(-30, 30)]));
      const ROWS = Int32Array.from({ length: count }, () => rng.int(rows));
      const H = H0.slice(), DELTA = DELTA0.slice();
      for (const j of ROWS) {
        for (let i = 0; i < k; i++) H[j * k + i] = Math.max(lo, Math.min(hi, H[j * k + i] + 2 * DELTA[j * k + i]));
        DELTA.fill(0, j * k, (j + 1) * k);
      }
      const want = { H, DELTA, W: packRef(H, rows, k), WT: packRef(transposeRef(H, rows, k), k, rows) };
      const results = onEach((s, be) => {
        const h = s.from("i16", H0), w = s.from("u32", packRef(H0, rows, k)), wt = s.from("u32", packRef(transposeRef(H0, rows, k), k, rows)), d = s.from("i32", DELTA0);
        be.applyRows(h, w, wt, d, s.from("i32", ROWS), count, rows, k, lo, hi);
        const h2 = s.from("i16", H0), w2 = s.from("u32", packRef(H0, rows, k));
        be.applyRows(h2, w2, null, s.from("i32", DELTA0), s.from("i32", ROWS), count, rows, k, lo, hi);
        return { H: h.data.slice(), W: w.data.slice(), WT: wt.data.slice(), DELTA: d.data.slice(), HnoT: h2.data.slice(), WnoT: w2.data.slice() };
      });
      expectAllSame(results, `applyRows ${rows}x${k} count ${count}`, { ...want, HnoT: want.H, WnoT: want.W });
    },
  );

  it("reject a row index outside the matrix and overlapping buffers", () => {
    onEach((s, be) => {
      const DELTA = s.alloc("i32", 4 * 10), SUMS = s.alloc("i32", 10);
      expect(() => be.addRowSums(DELTA, s.from("i32", [4]), SUMS, 1, 10, true)).toThrow(/^addRowSums: ROWS\[0\] = 4 is not a row index in \[0, 4\)$/);
      expect(() => be.addRowSums(DELTA, s.from("i32", [0]), DELTA, 1, 10, true)).toThrow(/^addRowSums: DELTA and SUMS must be different buffers$/);
      const H = s.alloc("i16", 40), W = s.alloc("u32", 4 * 4);
      expect(() => be.applyRows(H, W, null, DELTA, s.from("i32", [-1]), 1, 4, 10)).toThrow(/^applyRows: ROWS\[0\] = -1 is not a row index in \[0, 4\)$/);
      expect(() => be.applyRows(H, W, null, DELTA, s.from("i32", [0]), 1, 4, 10, 1, 5)).toThrow(/^applyRows: clip bounds/);
    });
  });
});

describe("sharedWinners (the time-shared state mask of BEP-TT, spec §4)", () => {
  /** Naive: per neuron the wrong steps and Σ|z| over them; per group the most wrong steps, then the smallest sum, then the lowest index. */
  function ref(Z: Int32Array[], D: Int8Array[], n: number, gamma: number): number[] {
    const count = new Array<number>(n).fill(0), sum = new Array<number>(n).fill(0);
    Z.forEach((z, t) => z.forEach((v, j) => {
      if (sgn(v) !== D[t][j]) {
        count[j]++;
        sum[j] += Math.abs(v);
      }
    }));
    const out: number[] = [];
    for (let g = 0; g < n; g += gamma) {
      const cands = Array.from({ length: Math.min(n, g + gamma) - g }, (_, i) => g + i).filter((j) => count[j] > 0);
      cands.sort((a, b) => count[b] - count[a] || sum[a] - sum[b] || a - b);
      if (cands.length > 0) out.push(cands[0]);
    }
    return out;
  }
  const CASES = [
    { n: 1, gamma: 1, steps: 1 }, { n: 3, gamma: 2, steps: 4 }, { n: 35, gamma: 5, steps: 7 }, { n: 63, gamma: 63, steps: 2 },
    { n: 65, gamma: 7, steps: 3 }, { n: 129, gamma: 15, steps: 17 }, { n: 1035, gamma: 15, steps: 5 }, { n: 100, gamma: 1, steps: 1 },
  ];
  it.each(CASES)("vs naive with ties and gaps between the series' rows (n $n, gamma $gamma, steps $steps)", ({ n, gamma, steps }) => {
    const rng = new Rng(n * 7 + gamma + steps, 50);
    const B = 3, i = 1; // rows of one series inside a time-major batch of 3
    const zs = Array.from({ length: steps }, () => Int32Array.from({ length: n }, () => rng.pick([0, 1, -1, 3, -3, rng.range(-40, 40)])));
    const ds = Array.from({ length: steps }, () => randomSigns(rng, n));
    const Zall = new Int32Array(steps * B * n).fill(77), Dall = new Uint32Array(steps * B * refRowWords(n)).fill(0xffffffff);
    zs.forEach((z, t) => Zall.set(z, (t * B + i) * n));
    ds.forEach((d, t) => Dall.set(packRef(d, 1, n), (t * B + i) * refRowWords(n)));
    const want = ref(zs, ds, n, gamma);
    const results = onEach((s, be) => {
      const Z = s.from("i32", Zall), D = s.from("u32", Dall), WIN = s.garbage("i32", Math.ceil(n / gamma));
      const m = be.sharedWinners(be.view(Z, i * n, ((steps - 1) * B + 1) * n), be.view(D, i * refRowWords(n), ((steps - 1) * B + 1) * refRowWords(n)), WIN, steps, B * n, B * refRowWords(n), n, gamma);
      return { m, WIN: WIN.data.slice(0, m) };
    });
    expectAllSame(results, `sharedWinners n ${n} γ ${gamma}`, { m: want.length, WIN: Int32Array.from(want) });
    if (n >= 35) expect(want.length).toBeGreaterThan(0);
  });

  it("rejects a gamma above n and rows that do not fit Z", () => {
    onEach((s, be) => {
      const Z = s.alloc("i32", 10), D = s.alloc("u32", 4), WIN = s.alloc("i32", 10);
      expect(() => be.sharedWinners(Z, D, WIN, 1, 10, 4, 10, 11)).toThrow(/^sharedWinners: gamma must be an integer in \[1, n = 10\], got 11$/);
      expect(() => be.sharedWinners(Z, D, WIN, 2, 10, 4, 10, 5)).toThrow(/^sharedWinners: Z needs at least 20 i32 elements, has 10$/);
    });
  });
});
