import { describe, expect, it } from "vitest";
import { loadBackendSync, type Buf, type Kind } from "../src/index";
import { Heap } from "../src/kernels/heap";
import { Rng, forwardRef, packRef, randomSigns, refRowWords, expectSame } from "./helpers";

const WASM = ["wasm-simd", "wasm-scalar"] as const;
const KINDS: Kind[] = ["u32", "i32", "i16", "i8", "f32"];
const BYTES: Record<Kind, number> = { u32: 4, i32: 4, i16: 2, i8: 1, f32: 4 };

/** Bytes of linear memory behind a buffer's backend. */
function memBytes(b: Buf): number {
  return b.data.buffer.byteLength;
}

/** Fills `b` with a pattern derived from `tag`; `check` verifies it. */
function fill(b: Buf, tag: number): void {
  const d = b.data;
  for (let i = 0; i < d.length; i++) d[i] = (tag * 31 + i) % 100;
}
function intact(b: Buf, tag: number): boolean {
  const d = b.data;
  for (let i = 0; i < d.length; i++) if (d[i] !== (tag * 31 + i) % 100) return false;
  return true;
}

describe.each(WASM)("buffers on %s", (name) => {
  const be = loadBackendSync(name);

  it("many alloc/free cycles: aligned, zeroed, non-overlapping, contents intact, no leak", () => {
    const live = new Map<number, Buf>();
    let tag = 0;
    /** The same random sequence of allocations and frees each time. */
    const workload = () => {
      const rng = new Rng(name.length, 50);
      for (let step = 0; step < 3000; step++) {
        if (live.size > 0 && rng.float() < 0.45) {
          const keys = [...live.keys()];
          const t = keys[rng.int(keys.length)];
          const b = live.get(t)!;
          expect(intact(b, t), `buffer ${t} intact before free`).toBe(true);
          b.free();
          live.delete(t);
        } else {
          const kind = rng.pick(KINDS);
          const b = be.alloc(kind, rng.pick([0, 1, 3, 4, 15, 16, 17, 100, rng.int(5000)]));
          expect(b.data.byteOffset % 16, "16-byte aligned").toBe(0);
          expect(Array.from(b.data).every((v) => v === 0), "zeroed").toBe(true);
          fill(b, ++tag);
          live.set(tag, b);
        }
        if (step % 500 === 0) {
          // No two live buffers overlap, and all contents are intact.
          const spans = [...live.values()]
            .filter((b) => b.length > 0)
            .map((b) => [b.data.byteOffset, b.data.byteOffset + b.length * BYTES[b.kind]])
            .sort((a, b) => a[0] - b[0]);
          for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
          for (const [t, b] of live) expect(intact(b, t), `buffer ${t}`).toBe(true);
        }
      }
      for (const [t, b] of live) {
        expect(intact(b, t)).toBe(true);
        b.free();
      }
      live.clear();
    };
    workload();
    const probe = be.alloc("i8", 1);
    const after1 = memBytes(probe);
    probe.free();
    workload();
    workload();
    const probe2 = be.alloc("i8", 1);
    expect(memBytes(probe2), "memory does not keep growing across identical workloads").toBe(after1);
    probe2.free();
    // With everything freed, the free list has coalesced: a block almost as large as memory fits without growth.
    const whole = be.alloc("i8", after1 - 65536);
    expect(memBytes(whole)).toBe(after1);
    whole.free();
  });

  it("memory growth: data written before growth is intact after it (views re-created)", () => {
    const a = be.from("i32", Array.from({ length: 1000 }, (_, i) => i * 7 - 3000));
    const h = be.from("i16", [32767, -32768, 0, 1, -1]);
    const oldView = a.data;
    const before = memBytes(a);
    const big = be.alloc("u32", (before >>> 2) + 1_000_000); // > current memory: forces growth
    expect(memBytes(big)).toBeGreaterThan(before);
    expect(oldView.length, "the pre-growth view is detached").toBe(0);
    expect(a.data === oldView, "a fresh view after growth").toBe(false);
    expect(Array.from(a.data)).toEqual(Array.from({ length: 1000 }, (_, i) => i * 7 - 3000));
    expect(Array.from(h.data)).toEqual([32767, -32768, 0, 1, -1]);
    expect(big.data.every((v) => v === 0), "new memory zeroed").toBe(true);
    big.data[big.length - 1] = 0xffffffff;
    expect(big.data[big.length - 1]).toBe(0xffffffff);
    for (const b of [a, h, big]) b.free();
  });

  it("kernels see buffers allocated before and after a growth", () => {
    const rng = new Rng(3, 51);
    const batch = 5, k = 129, n = 65;
    const A = randomSigns(rng, batch * k), W = randomSigns(rng, n * k);
    const a = be.from("u32", packRef(A, batch, k));
    const big = be.alloc("i8", memBytes(a) + 65536 * 3); // growth
    const w = be.from("u32", packRef(W, n, k));
    const z = be.alloc("i32", batch * n);
    be.forward(a, w, z, batch, k, n);
    expectSame(z.data, forwardRef(A, W, batch, k, n), "forward after growth");
    for (const b of [a, big, w, z]) b.free();
  });

  it("a growth inside a kernel call (updateRows' scratch) leaves the arguments intact", () => {
    // batch·groups = 3·10^6 winners slots: WIN and the scratch are ~12 MB each.
    const batch = 1000, nn = 3000, kk = 64, gamma = 1;
    const H = be.alloc("i16", nn * kk), W = be.alloc("u32", nn * refRowWords(kk)), WT = be.alloc("u32", kk * refRowWords(nn));
    const ap = be.alloc("u32", batch * refRowWords(kk)), as = be.alloc("u32", batch * refRowWords(nn));
    const WIN = be.alloc("i32", batch * nn);
    WIN.data.fill(-1);
    WIN.data[5] = 5; // sample 0 → neuron 5
    WIN.data[999 * nn + 2999] = 2999; // sample 999 → neuron 2999
    // Use up every free block of ≥ 1 MB, so the scratch cannot fit without growing memory.
    const fillers: Buf[] = [];
    const start = memBytes(H);
    while (memBytes(H) === start) fillers.push(be.alloc("i8", 1 << 20));
    const grown = memBytes(H);
    // a* = −1 and a_prev = −1 everywhere (all bits 0) → ΔH = +1 on the two winner rows → H = 2.
    expect(be.updateRows(H, W, WT, ap, as, WIN, batch, nn, kk, gamma)).toBe(2);
    expect(memBytes(H), "memory grew during the call").toBeGreaterThan(grown);
    const h = H.data;
    for (let j = 0; j < nn; j++) {
      const want = j === 5 || j === 2999 ? 2 : 0;
      for (let i = 0; i < kk; i++) if (h[j * kk + i] !== want) expect(`H[${j},${i}] = ${h[j * kk + i]}`).toBe(`H[${j},${i}] = ${want}`);
    }
    expect(W.data[5 * refRowWords(kk)]).toBe(0xffffffff);
    expect(WIN.data[5]).toBe(5);
    for (const b of [H, W, WT, ap, as, WIN, ...fillers]) b.free();
  });

  it("free is idempotent, data after free throws, and a double free does not hand out a block twice", () => {
    const b = be.alloc("u32", 100);
    b.free();
    expect(() => b.free()).not.toThrow();
    expect(() => b.data).toThrow(/used after free/);
    const c = be.alloc("u32", 100), d = be.alloc("u32", 100);
    expect(c.data.byteOffset).not.toBe(d.data.byteOffset);
    fill(c, 1);
    fill(d, 2);
    expect(intact(c, 1) && intact(d, 2)).toBe(true);
    c.free();
    d.free();
  });
});

describe("js buffers", () => {
  it("free is a harmless no-op; alloc zeroes; from copies", () => {
    const be = loadBackendSync("js");
    const b = be.from("i16", [1, -2, 3]);
    b.free();
    b.free();
    expect(be.alloc("f32", 3).data.every((v) => v === 0)).toBe(true);
    const src = [5, 6];
    const c = be.from("i32", src);
    src[0] = 9;
    expect(Array.from(c.data)).toEqual([5, 6]);
  });
});

describe("Heap (allocator unit tests)", () => {
  it("aligns, coalesces freed neighbours on both sides, tracks usage and rejects bad frees", () => {
    const heap = new Heap(new WebAssembly.Memory({ initial: 1 }), 100);
    const a = heap.alloc(1), b = heap.alloc(32), c = heap.alloc(17), d = heap.alloc(0);
    expect([a, b, c, d]).toEqual([112, 128, 160, 192]);
    expect(heap.used).toBe(16 + 32 + 32 + 16);
    heap.free(b);
    heap.free(a); // merges with b on its right
    expect(heap.alloc(48)).toBe(112);
    heap.free(112);
    heap.free(d);
    heap.free(c); // merges with [112, 160) on the left and the tail on the right
    expect(heap.used).toBe(0);
    expect(heap.alloc(65536 - 112)).toBe(112); // the whole memory is one block again
    expect(() => heap.free(113)).toThrow(/not an allocated block/);
    expect(() => heap.free(999999)).toThrow(/not an allocated block/);
  });

  it("grows memory on demand, reuses the tail block, and reports a failed growth", () => {
    const mem = new WebAssembly.Memory({ initial: 1, maximum: 4 });
    const heap = new Heap(mem, 0);
    const a = heap.alloc(60000);
    new Uint8Array(mem.buffer, a, 60000).fill(7);
    const b = heap.alloc(100000); // needs growth: the 5536-byte tail is extended
    expect(b).toBe(60000 + 0);
    expect(mem.buffer.byteLength).toBe(3 * 65536);
    expect(new Uint8Array(mem.buffer, a, 60000).every((v) => v === 7)).toBe(true);
    expect(new Uint8Array(mem.buffer, b, 100000).every((v) => v === 0)).toBe(true);
    expect(() => heap.alloc(200000)).toThrow(/cannot grow WebAssembly memory/);
    heap.free(a);
    heap.free(b);
    expect(heap.alloc(3 * 65536)).toBe(0);
  });
});
