import { describe, expect, it } from "vitest";
import { GEOMETRIC_TABLE_LENGTH, H_MAX, H_MIN, geometricTable, seedState } from "../src/index";
import { Rng, expectAllSame, onEach, reinforceRef } from "./helpers";

describe("geometricTable", () => {
  it.each([0.5, 0.1, 0.01, 0.001, 1e-6, 0.999, 1])("T[0] = floor((1-p)·2^32), non-increasing, exact recurrence (p = %s)", (p) => {
    const T = geometricTable(p);
    expect(T.length).toBe(GEOMETRIC_TABLE_LENGTH);
    expect(T[0]).toBe(Math.floor((1 - p) * 2 ** 32));
    for (let m = 1; m < T.length; m++) expect(T[m] <= T[m - 1], `T[${m}] <= T[${m - 1}]`).toBe(true);
    // T_{m+1} = floor(T_m·q / 2^32), checked with BigInt.
    const q = BigInt(T[0]);
    let t = q;
    for (let m = 0; m < T.length; m++) {
      if (BigInt(T[m]) !== t) expect(`T[${m}] = ${T[m]}`).toBe(`T[${m}] = ${t}`);
      t = (t * q) >> 32n;
    }
  });

  it("p = 1 gives an all-zero table; tiny p saturates T[0] at 2^32 − 1", () => {
    expect(geometricTable(1).every((v) => v === 0)).toBe(true);
    expect(geometricTable(1e-12)[0]).toBe(0xffffffff);
    expect(geometricTable(0.25, 5).length).toBe(5);
  });

  it("is close to 2^32·(1−p)^m at p = 0.01", () => {
    const p = 0.01;
    const T = geometricTable(p);
    for (let m = 1; m <= 1000; m++) {
      const exact = 2 ** 32 * (1 - p) ** m;
      const err = Math.abs(T[m - 1] - exact);
      // Each floor loses < 1 and earlier losses shrink by (1−p) per step: |error| < 1/p overall.
      expect(err, `m = ${m}`).toBeLessThan(1 / p);
      // Where the entries are large (≥ 2·10^8, m ≤ 300) that is a relative error < 1e-6.
      if (m <= 300) expect(err / exact, `m = ${m}`).toBeLessThan(1e-6);
    }
  });

  it.each([0, -0.1, -1, 1.0000001, 2, NaN, Infinity])("rejects p = %s", (p) => {
    expect(() => geometricTable(p)).toThrow(/probability must be in \(0, 1\]/);
  });

  it.each([0, -1, 1.5, NaN])("rejects table length %s", (len) => {
    expect(() => geometricTable(0.5, len)).toThrow(/table length/);
  });
});

describe("reinforce", () => {
  function randomH(rng: Rng, n: number, withExtremes: boolean): Int16Array {
    const H = new Int16Array(n);
    const pool = withExtremes ? [0, 1, -1, 2, -2, H_MAX, H_MAX - 1, H_MAX - 2, H_MIN, H_MIN + 1, H_MIN + 2] : [0, 1, -1];
    for (let i = 0; i < n; i++) H[i] = rng.float() < 0.3 ? rng.pick(pool) : rng.range(-500, 500);
    return H;
  }

  const CASES = [
    { n: 0, p: 0.5, len: 4096 }, { n: 1, p: 0.5, len: 4096 }, { n: 1, p: 1, len: 4096 }, { n: 100, p: 0.5, len: 4096 },
    { n: 5000, p: 0.1, len: 4096 }, { n: 20000, p: 0.01, len: 4096 }, { n: 20000, p: 0.001, len: 4096 },
    { n: 3000, p: 1, len: 4096 }, { n: 20000, p: 0.01, len: 1 }, { n: 20000, p: 0.01, len: 3 },
    { n: 20000, p: 0.05, len: 16 }, { n: 50000, p: 0.0005, len: 100 }, { n: 7, p: 0.3, len: 2 },
  ];
  const CLIPS = [
    { label: "default bounds", lo: undefined, hi: undefined }, { label: "clip ±100", lo: -100, hi: 100 },
    { label: "clip [-3, 32767]", lo: -3, hi: H_MAX },
  ];

  it.each(CASES.flatMap((c, i) => [0, 1].map((d) => ({ ...c, ...CLIPS[(i + d) % CLIPS.length], seed: i * 2 + d }))))(
    "equal across backends and vs the linear-scan reference (n $n, p $p, table length $len, $label)",
    ({ n, p, len, lo, hi, seed }) => {
      const rng = new Rng(seed, 40);
      const H0 = randomH(rng, n, lo === undefined);
      const table = geometricTable(p, len);
      const state0 = seedState(seed, 3);
      const LO = lo ?? H_MIN, HI = hi ?? H_MAX;
      const ref = reinforceRef(H0, n, table, state0, LO, HI);
      const results = onEach((s, be) => {
        // Spare room after the first n weights: they must not be touched.
        const H = s.from("i16", [...H0, 1234, -1234, 5]);
        const st = s.from("u32", state0);
        const tb = s.from("u32", table);
        const chosen = lo === undefined ? be.reinforce(H, n, tb, st) : be.reinforce(H, n, tb, st, LO, HI);
        expect(Array.from(H.data.subarray(n)), `${be.name}: beyond n`).toEqual([1234, -1234, 5]);
        expect(Array.from(tb.data), `${be.name}: table unchanged`).toEqual(Array.from(table));
        return { H: H.data.slice(0, n), state: st.data.slice(), chosen };
      });
      expectAllSame(results, `reinforce n=${n} p=${p} len=${len}`, { H: ref.H, state: ref.state, chosen: ref.chosen });
      // h = 0 untouched, signs never change, moved weights move by ≤ 2 away from 0, within bounds.
      const H = results[0].value.H;
      let moved = 0;
      for (let i = 0; i < n; i++) {
        const h0 = H0[i], h = H[i];
        if (h0 === 0) expect(h).toBe(0);
        else expect(Math.sign(h)).toBe(Math.sign(h0));
        if (h !== h0) {
          moved++;
          const want = Math.min(HI, Math.max(LO, h0 + 2 * Math.sign(h0)));
          expect(h).toBe(want);
        }
      }
      expect(moved).toBeLessThanOrEqual(ref.chosen);
      if (p === 1) expect(ref.chosen).toBe(n);
    },
  );

  it("saturates at hi / lo and leaves 0 alone (p = 1)", () => {
    const H0 = new Int16Array([H_MAX, H_MAX - 1, H_MAX - 2, H_MIN, H_MIN + 1, H_MIN + 2, 0, 1, -1, 100, -100]);
    const wantDefault = [H_MAX, H_MAX, H_MAX, H_MIN, H_MIN, H_MIN, 0, 3, -3, 102, -102];
    const clipH0 = new Int16Array([9, 10, 8, -9, -10, -8, 0, 1, -1]);
    const wantClip = [10, 10, 10, -10, -10, -10, 0, 3, -3];
    const results = onEach((s, be) => {
      const table = s.from("u32", geometricTable(1));
      const st = s.from("u32", seedState(1));
      const H = s.from("i16", H0);
      const c1 = be.reinforce(H, H0.length, table, st);
      const Hc = s.from("i16", clipH0);
      const c2 = be.reinforce(Hc, clipH0.length, table, st, -10, 10);
      return { H: H.data.slice(), Hc: Hc.data.slice(), c1, c2 };
    });
    expectAllSame(results, "saturation", {
      H: new Int16Array(wantDefault), Hc: new Int16Array(wantClip), c1: H0.length, c2: clipH0.length,
    });
  });

  it("the chosen fraction ≈ p (n = 200000, p = 0.01, within 5σ), every chosen nonzero weight moves", () => {
    const n = 200000, p = 0.01;
    const H0 = new Int16Array(n);
    const rng = new Rng(5, 41);
    for (let i = 0; i < n; i++) H0[i] = rng.bit() ? rng.range(1, 1000) : -rng.range(1, 1000);
    const results = onEach((s, be) => {
      const H = s.from("i16", H0);
      const st = s.from("u32", seedState(2026, 4));
      const chosen = be.reinforce(H, n, s.from("u32", geometricTable(p)), st);
      let moved = 0;
      for (let i = 0; i < n; i++) if (H.data[i] !== H0[i]) moved++;
      return { chosen, moved, state: st.data.slice() };
    });
    expectAllSame(results, "fraction");
    const { chosen, moved } = results[0].value;
    expect(moved).toBe(chosen);
    const sigma = Math.sqrt(n * p * (1 - p));
    expect(Math.abs(chosen - n * p), `chosen ${chosen}, expected ${n * p} ± ${sigma}`).toBeLessThan(5 * sigma);
  });

  it.each([
    { p: 0.3, len: 1 }, { p: 0.3, len: 4 }, { p: 0.02, len: 10 }, { p: 0.5, len: 4096 }, { p: 0.001, len: 4096 },
  ])("rate and gap distribution hold with short tables (p $p, table length $len)", ({ p, len }) => {
    const n = 100000;
    const H0 = new Int16Array(n).fill(7);
    const results = onEach((s, be) => {
      const H = s.from("i16", H0);
      const chosen = be.reinforce(H, n, s.from("u32", geometricTable(p, len)), s.from("u32", seedState(len, 5)));
      return { chosen, H: H.data.slice() };
    });
    expectAllSame(results, "short table");
    const { chosen, H } = results[0].value;
    const sigma = Math.sqrt(n * p * (1 - p));
    expect(Math.abs(chosen - n * p), `chosen ${chosen} vs ${n * p} ± ${sigma}`).toBeLessThan(5 * sigma);
    // Memorylessness: P(next weight chosen | this one chosen) ≈ p as well.
    let pairs = 0, both = 0;
    for (let i = 0; i + 1 < n; i++) {
      if (H[i] !== 7) {
        pairs++;
        if (H[i + 1] !== 7) both++;
      }
    }
    const s2 = Math.sqrt(pairs * p * (1 - p));
    expect(Math.abs(both - pairs * p), `both ${both} of ${pairs}`).toBeLessThan(5 * s2 + 1);
  });
});
