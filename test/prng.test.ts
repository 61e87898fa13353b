import { describe, expect, it } from "vitest";
import { seedState } from "../src/index";
import { next32 } from "../src/kernels/js/prng";
import { BACKENDS, allBackends, expectAllSame, expectSame, onEach, xoshiroRef } from "./helpers";

describe("xoshiro128**", () => {
  it("known answer from state [1, 2, 3, 4]: 11520, 0, 5927040", () => {
    const ref = new Uint32Array([1, 2, 3, 4]);
    expect([xoshiroRef(ref), xoshiroRef(ref), xoshiroRef(ref)]).toEqual([11520, 0, 5927040]);
    const twin = new Uint32Array([1, 2, 3, 4]);
    expect([next32(twin), next32(twin), next32(twin)]).toEqual([11520, 0, 5927040]);
    const results = onEach((s, be) => {
      const state = s.from("u32", [1, 2, 3, 4]);
      const out = s.garbage("u32", 3);
      be.prngFill(state, out, 3);
      return { out: out.data.slice(), state: state.data.slice() };
    });
    expectAllSame(results, "KAT", { out: new Uint32Array([11520, 0, 5927040]), state: ref });
  });

  it("the independent reference and the JS twin agree over a long stream", () => {
    const a = seedState(12345, 7), b = a.slice();
    for (let i = 0; i < 10000; i++) expect(next32(a)).toBe(xoshiroRef(b));
    expectSame(a, b, "state");
  });

  it.each([
    { seed: 0, stream: 0 }, { seed: 1, stream: 0 }, { seed: 1, stream: 1 }, { seed: 42, stream: 3 },
    { seed: 0xffffffff, stream: 2 }, { seed: 0x9e3779b9, stream: 0 }, { seed: 123456789, stream: 1000 },
  ])("prngFill streams equal across backends and the reference (seed $seed, stream $stream)", ({ seed, stream }) => {
    const init = seedState(seed, stream);
    expect(init.some((w) => w !== 0)).toBe(true);
    const ref = init.slice();
    const want = new Uint32Array(1000);
    for (let i = 0; i < want.length; i++) want[i] = xoshiroRef(ref);
    const results = onEach((s, be) => {
      const state = s.from("u32", init);
      const out = s.garbage("u32", 1000);
      // In pieces, including an empty fill: the stream must continue seamlessly.
      be.prngFill(state, out, 0);
      expect(out.data[0]).toBe(0xdeadbeef);
      const part = s.alloc("u32", 1000);
      be.prngFill(state, part, 1);
      be.prngFill(state, out, 999);
      const joined = new Uint32Array(1000);
      joined[0] = part.data[0];
      joined.set(out.data.subarray(0, 999), 1);
      return { out: joined, state: state.data.slice() };
    });
    expectAllSame(results, `seed ${seed} stream ${stream}`, { out: want, state: ref });
  });

  it("different streams (and seeds) give different sequences", () => {
    const be = allBackends()[0];
    const seqs: string[] = [];
    for (const [seed, stream] of [[7, 0], [7, 1], [7, 2], [8, 0], [8, 1]]) {
      const state = be.from("u32", seedState(seed, stream));
      const out = be.alloc("u32", 16);
      be.prngFill(state, out, 16);
      seqs.push(Array.from(out.data).join(","));
      state.free();
      out.free();
    }
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(Array.from(seedState(7, 0))).not.toEqual(Array.from(seedState(7, 1)));
    // seedState is deterministic.
    expect(Array.from(seedState(7, 1))).toEqual(Array.from(seedState(7, 1)));
  });
});

describe("prngBelow", () => {
  const NS = [1, 2, 3, 7, 10, 1000, 65537, 0x7fffffff, 0x80000000, 0x80000001, 0xc0000000, 0xffffffff];

  /** Naive rejection reference: reject u < 2^32 mod n, return u mod n. */
  function belowRef(state: Uint32Array, n: number): number {
    const reject = 2 ** 32 % n;
    for (;;) {
      const u = xoshiroRef(state);
      if (u >= reject) return u % n;
    }
  }

  it.each(NS.map((n) => ({ n })))("in range, equal across backends and the reference (n = $n)", ({ n }) => {
    const init = seedState(99, n % 1000);
    const ref = init.slice();
    const want = Array.from({ length: 300 }, () => belowRef(ref, n));
    const results = onEach((s, be) => {
      const state = s.from("u32", init);
      const got = Array.from({ length: 300 }, () => be.prngBelow(state, n));
      for (const v of got) {
        expect(Number.isInteger(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThan(n);
      }
      return { got, state: state.data.slice() };
    });
    expectAllSame(results, `below(${n})`, { got: want, state: ref });
  });

  it("below(1) is always 0 and still advances the state", () => {
    for (const be of allBackends()) {
      const state = be.from("u32", seedState(5));
      const before = state.data.slice();
      for (let i = 0; i < 100; i++) expect(be.prngBelow(state, 1)).toBe(0);
      expect(Array.from(state.data)).not.toEqual(Array.from(before));
      state.free();
    }
  });

  it.each(BACKENDS.map((name) => ({ name })))("is roughly uniform ($name)", ({ name }) => {
    const be = allBackends().find((b) => b.name === name)!;
    const state = be.from("u32", seedState(2024, 9));
    const n = 10, draws = 50000;
    const counts = new Array(n).fill(0);
    for (let i = 0; i < draws; i++) counts[be.prngBelow(state, n)]++;
    const e = draws / n;
    const chi2 = counts.reduce((acc, c) => acc + (c - e) ** 2 / e, 0);
    expect(chi2, `chi² = ${chi2}, counts ${counts}`).toBeLessThan(35); // df 9: p ≈ 7e-5
    // Large n exercising the rejection range: the top bit must be about half set.
    let high = 0;
    for (let i = 0; i < 20000; i++) if (be.prngBelow(state, 0xc0000000) >= 0x60000000) high++;
    expect(Math.abs(high - 10000)).toBeLessThan(5 * Math.sqrt(5000));
    state.free();
  });
});
