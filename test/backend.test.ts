import { describe, expect, it, vi } from "vitest";
import type { Backend, BackendName, Buf, Kind } from "../src/index";
import { BACKENDS, allBackends, refRowWords } from "./helpers";

describe("backend selection", () => {
  /** A fresh copy of the backend module (its backend cache and default choice start empty). */
  async function freshModule() {
    vi.resetModules();
    return import("../src/kernels/backend");
  }

  it("lists the backends fastest first; 'auto' resolves to wasm-simd on this Node", async () => {
    const m = await freshModule();
    expect([...m.BACKEND_NAMES]).toEqual(["wasm-simd", "wasm-scalar", "js"]);
    expect(m.resolveBackendName("auto")).toBe("wasm-simd");
    for (const name of BACKENDS) expect(m.resolveBackendName(name)).toBe(name);
    expect(m.loadBackendSync().name).toBe("wasm-simd");
    expect(m.loadBackendSync("auto")).toBe(m.loadBackendSync("wasm-simd"));
  });

  it.each(["wasm", "JS", "", "cuda", "WASM-SIMD", "auto "])("rejects unknown backend name %j", async (bad) => {
    const m = await freshModule();
    const name = bad as BackendName;
    expect(() => m.resolveBackendName(name)).toThrow(/unknown backend/);
    expect(() => m.loadBackendSync(name)).toThrow(/unknown backend/);
    await expect(m.loadBackend(name)).rejects.toThrow(/unknown backend/);
    expect(() => m.setDefaultBackend(name)).toThrow(/unknown backend/);
  });

  it("loadBackend (async) returns the same instance as loadBackendSync, in either order and concurrently", async () => {
    const m = await freshModule();
    // async first
    const a1 = await m.loadBackend("wasm-scalar");
    expect(m.loadBackendSync("wasm-scalar")).toBe(a1);
    // sync first
    const s2 = m.loadBackendSync("wasm-simd");
    expect(await m.loadBackend("wasm-simd")).toBe(s2);
    // concurrent async calls, then sync
    const [j1, j2] = await Promise.all([m.loadBackend("js"), m.loadBackend("js")]);
    expect(j1).toBe(j2);
    expect(m.loadBackendSync("js")).toBe(j1);
    // sync while an async load is pending
    const m2 = await freshModule();
    const pending = m2.loadBackend("wasm-simd");
    const sync = m2.loadBackendSync("wasm-simd");
    expect(await pending).toBe(sync);
    for (const name of BACKENDS) expect((await m.loadBackend(name)).name).toBe(name);
  });

  it("setDefaultBackend changes what loadBackend()/loadBackendSync() return", async () => {
    const m = await freshModule();
    m.setDefaultBackend("js");
    expect(m.loadBackendSync().name).toBe("js");
    expect((await m.loadBackend()).name).toBe("js");
    m.setDefaultBackend("auto");
    expect(m.loadBackendSync().name).toBe("wasm-simd");
  });
});

// ---------------------------------------------------------------------------------------------
// Argument checking: every kernel, every buffer argument.

interface ArgSpec {
  name: string;
  kind: Kind;
  length: number;
  /** Initial contents (default zeros). */
  init?: ArrayLike<number>;
  /** False if a shorter buffer is not an error (the length is taken from the buffer itself). */
  shortCheck?: boolean;
  /** True if null is a valid value (updateRows' WT: a layer that keeps no Wᵀ). */
  nullable?: boolean;
}
interface KernelSpec {
  op: string;
  args: ArgSpec[];
  call: (be: Backend, b: Record<string, Buf>) => unknown;
}

const batch = 2, k = 70, n = 5, gamma = 2, groups = 3;
const rw = refRowWords;

const KERNELS: KernelSpec[] = [
  {
    op: "prngFill",
    args: [{ name: "state", kind: "u32", length: 4, init: [1, 2, 3, 4] }, { name: "out", kind: "u32", length: 9 }],
    call: (be, b) => be.prngFill(b.state as Buf<"u32">, b.out as Buf<"u32">, 9),
  },
  {
    op: "prngBelow",
    args: [{ name: "state", kind: "u32", length: 4, init: [1, 2, 3, 4] }],
    call: (be, b) => be.prngBelow(b.state as Buf<"u32">, 10),
  },
  {
    op: "packSigns",
    args: [{ name: "src", kind: "i8", length: batch * k }, { name: "dst", kind: "u32", length: batch * rw(k) }],
    call: (be, b) => be.packSigns(b.src as Buf<"i8">, b.dst as Buf<"u32">, batch, k),
  },
  {
    op: "unpackSigns",
    args: [{ name: "src", kind: "u32", length: batch * rw(k) }, { name: "dst", kind: "i8", length: batch * k }],
    call: (be, b) => be.unpackSigns(b.src as Buf<"u32">, b.dst as Buf<"i8">, batch, k),
  },
  {
    op: "packThresholds",
    args: [
      { name: "src", kind: "f32", length: batch * k }, { name: "thresholds", kind: "f32", length: k },
      { name: "dst", kind: "u32", length: batch * rw(k) },
    ],
    call: (be, b) => be.packThresholds(b.src as Buf<"f32">, b.thresholds as Buf<"f32">, b.dst as Buf<"u32">, batch, k),
  },
  {
    op: "transpose",
    args: [{ name: "src", kind: "u32", length: n * rw(k) }, { name: "dst", kind: "u32", length: k * rw(n) }],
    call: (be, b) => be.transpose(b.src as Buf<"u32">, b.dst as Buf<"u32">, n, k),
  },
  {
    op: "forward",
    args: [
      { name: "A", kind: "u32", length: batch * rw(k) }, { name: "W", kind: "u32", length: n * rw(k) },
      { name: "Z", kind: "i32", length: batch * n },
    ],
    call: (be, b) => be.forward(b.A as Buf<"u32">, b.W as Buf<"u32">, b.Z as Buf<"i32">, batch, k, n),
  },
  {
    op: "forwardSign",
    args: [
      { name: "A", kind: "u32", length: batch * rw(k) }, { name: "W", kind: "u32", length: n * rw(k) },
      { name: "Z", kind: "i32", length: batch * n }, { name: "S", kind: "u32", length: batch * rw(n) },
    ],
    call: (be, b) => be.forwardSign(b.A as Buf<"u32">, b.W as Buf<"u32">, b.Z as Buf<"i32">, b.S as Buf<"u32">, batch, k, n),
  },
  {
    op: "signs",
    args: [{ name: "Z", kind: "i32", length: batch * n }, { name: "S", kind: "u32", length: batch * rw(n) }],
    call: (be, b) => be.signs(b.Z as Buf<"i32">, b.S as Buf<"u32">, batch, n),
  },
  {
    op: "gate",
    args: [{ name: "Z", kind: "i32", length: batch * n }, { name: "G", kind: "u32", length: batch * rw(n) }],
    call: (be, b) => be.gate(b.Z as Buf<"i32">, b.G as Buf<"u32">, batch, n, 3),
  },
  {
    op: "desired",
    args: [
      { name: "D", kind: "u32", length: batch * rw(n) }, { name: "G", kind: "u32", length: batch * rw(n) },
      { name: "WT", kind: "u32", length: k * rw(n) }, { name: "Y", kind: "i32", length: batch * k },
      { name: "OUT", kind: "u32", length: batch * rw(k) },
    ],
    call: (be, b) => be.desired(b.D as Buf<"u32">, b.G as Buf<"u32">, b.WT as Buf<"u32">, b.Y as Buf<"i32">, b.OUT as Buf<"u32">, batch, n, k),
  },
  {
    op: "winners",
    args: [
      { name: "Z", kind: "i32", length: batch * n }, { name: "ASTAR", kind: "u32", length: batch * rw(n) },
      { name: "WIN", kind: "i32", length: batch * groups },
    ],
    call: (be, b) => be.winners(b.Z as Buf<"i32">, b.ASTAR as Buf<"u32">, b.WIN as Buf<"i32">, batch, n, gamma),
  },
  {
    op: "updateRows",
    args: [
      { name: "H", kind: "i16", length: n * k }, { name: "W", kind: "u32", length: n * rw(k) },
      { name: "WT", kind: "u32", length: k * rw(n), nullable: true }, { name: "APREV", kind: "u32", length: batch * rw(k) },
      { name: "ASTAR", kind: "u32", length: batch * rw(n) },
      { name: "WIN", kind: "i32", length: batch * groups, init: [0, 3, 4, -1, -1, -1] },
    ],
    call: (be, b) =>
      be.updateRows(b.H as Buf<"i16">, b.W as Buf<"u32">, b.WT as Buf<"u32"> | null, b.APREV as Buf<"u32">, b.ASTAR as Buf<"u32">, b.WIN as Buf<"i32">, batch, n, k, gamma),
  },
  {
    op: "reinforce",
    args: [
      { name: "H", kind: "i16", length: 50 }, { name: "table", kind: "u32", length: 8, init: [3e9, 2e9, 1e9, 5e8, 1e8, 1e7, 1e6, 0], shortCheck: false },
      { name: "state", kind: "u32", length: 4, init: [1, 2, 3, 4] },
    ],
    call: (be, b) => be.reinforce(b.H as Buf<"i16">, 50, b.table as Buf<"u32">, b.state as Buf<"u32">),
  },
];

function make(be: Backend, a: ArgSpec, kind: Kind = a.kind, length: number = a.length): Buf {
  const buf = be.alloc(kind, length);
  if (a.init) (buf.data as Uint32Array).set(Array.from(a.init).slice(0, length));
  return buf;
}

function validArgs(be: Backend, spec: KernelSpec): Record<string, Buf> {
  return Object.fromEntries(spec.args.map((a) => [a.name, make(be, a)]));
}

function freeAll(bufs: Record<string, Buf>): void {
  for (const b of Object.values(bufs)) b.free();
}

const CASES = BACKENDS.flatMap((name) => KERNELS.map((spec) => ({ name, op: spec.op, spec })));

describe("argument checks", () => {
  it.each(CASES)("$op on $name: valid call passes; wrong kind / too short / foreign / non-buffer throw naming kernel and argument", ({ name, spec }) => {
    const be = allBackends().find((b) => b.name === name)!;
    const other = allBackends().find((b) => b.name !== name)!;
    const ok = validArgs(be, spec);
    expect(() => spec.call(be, ok)).not.toThrow();
    const made: Record<string, Buf>[] = [];
    for (const a of spec.args) {
      const op = spec.op;
      /** The valid call with argument `a` replaced by `buf`. */
      const swap = (buf: unknown) => {
        const args = validArgs(be, spec);
        made.push(args, { buf: buf as Buf });
        return () => spec.call(be, { ...args, [a.name]: buf as Buf });
      };
      // wrong kind
      const wrongKind: Kind = a.kind === "u32" ? "i32" : "u32";
      const wk = make(be, { ...a, init: undefined }, wrongKind);
      expect(swap(wk), `${op} ${a.name} wrong kind`).toThrow(new RegExp(`^${op}: ${a.name} must be a ${a.kind} buffer, got ${wrongKind}$`));
      expect(swap(wk)).toThrow(TypeError);
      // too short
      if (a.shortCheck !== false && a.length > 0) {
        const short = make(be, a, a.kind, a.length - 1);
        expect(swap(short), `${op} ${a.name} too short`).toThrow(
          new RegExp(`^${op}: ${a.name} needs at least ${a.length} ${a.kind} elements, has ${a.length - 1}$`),
        );
        expect(swap(short)).toThrow(RangeError);
      }
      // from another backend
      const foreign = make(other, a);
      expect(swap(foreign), `${op} ${a.name} foreign`).toThrow(new RegExp(`^${op}: ${a.name} belongs to another backend \\(this is '${name}'\\)$`));
      // not a Buf at all
      const Ctor = { i8: Int8Array, i16: Int16Array, i32: Int32Array, u32: Uint32Array, f32: Float32Array }[a.kind];
      const notBuf = new RegExp(`^${op}: ${a.name} must be a buffer from Backend.alloc$`);
      expect(swap(new Ctor(a.length)), `${op} ${a.name} plain typed array`).toThrow(notBuf);
      expect(swap({ length: a.length }), `${op} ${a.name} plain object`).toThrow(notBuf);
      // null: reinforce reads table.length before checking it (reported), so only a TypeError there.
      if (a.nullable) expect(swap(null), `${op} ${a.name} null`).not.toThrow();
      else expect(swap(null), `${op} ${a.name} null`).toThrow(op === "reinforce" && a.name === "table" ? TypeError : notBuf);
    }
    for (const bufs of made) for (const b of Object.values(bufs)) (b as Partial<Buf>)?.free?.();
    freeAll(ok);
  });

  it.each(BACKENDS.map((name) => ({ name })))("aliasing outputs and inputs throws ($name)", ({ name }) => {
    const be = allBackends().find((b) => b.name === name)!;
    const big = be.alloc("u32", 4096);
    const Z = be.alloc("i32", 4096);
    const f = validArgs(be, KERNELS.find((s) => s.op === "forwardSign")!);
    expect(() => be.forwardSign(big, f.W as Buf<"u32">, Z, big, batch, k, n)).toThrow(/^forwardSign: A and S must be different buffers$/);
    expect(() => be.forwardSign(f.A as Buf<"u32">, big, Z, big, batch, k, n)).toThrow(/^forwardSign: W and S must be different buffers$/);
    const d = validArgs(be, KERNELS.find((s) => s.op === "desired")!);
    const Y = d.Y as Buf<"i32">;
    expect(() => be.desired(big, d.G as Buf<"u32">, d.WT as Buf<"u32">, Y, big, batch, n, k)).toThrow(/^desired: D and OUT must be different buffers$/);
    expect(() => be.desired(d.D as Buf<"u32">, big, d.WT as Buf<"u32">, Y, big, batch, n, k)).toThrow(/^desired: G and OUT must be different buffers$/);
    expect(() => be.desired(d.D as Buf<"u32">, d.G as Buf<"u32">, big, Y, big, batch, n, k)).toThrow(/^desired: WT and OUT must be different buffers$/);
    expect(() => be.transpose(big, big, n, k)).toThrow(/^transpose: src and dst must be different buffers$/);
    const u = validArgs(be, KERNELS.find((s) => s.op === "updateRows")!);
    expect(() =>
      be.updateRows(u.H as Buf<"i16">, big, big, u.APREV as Buf<"u32">, u.ASTAR as Buf<"u32">, u.WIN as Buf<"i32">, batch, n, k, gamma),
    ).toThrow(/^updateRows: W and WT must be different buffers$/);
    expect(() =>
      be.updateRows(u.H as Buf<"i16">, u.W as Buf<"u32">, big, big, u.ASTAR as Buf<"u32">, u.WIN as Buf<"i32">, batch, n, k, gamma),
    ).toThrow(/^updateRows: WT and APREV must be different buffers$/);
    big.free();
    Z.free();
    freeAll(f);
    freeAll(d);
    freeAll(u);
  });

  it.each(BACKENDS.map((name) => ({ name })))("gamma, WIN entries, counts, bounds and n are range-checked ($name)", ({ name }) => {
    const be = allBackends().find((b) => b.name === name)!;
    const w = validArgs(be, KERNELS.find((s) => s.op === "winners")!);
    for (const g of [0, -1, n + 1, 1.5, NaN, Infinity]) {
      expect(() => be.winners(w.Z as Buf<"i32">, w.ASTAR as Buf<"u32">, w.WIN as Buf<"i32">, batch, n, g)).toThrow(
        new RegExp(`^winners: gamma must be an integer in \\[1, n = ${n}\\], got ${g}$`),
      );
    }
    const u = validArgs(be, KERNELS.find((s) => s.op === "updateRows")!);
    const call = (WIN: Buf<"i32">, g = gamma, lo?: number, hi?: number) => () =>
      be.updateRows(u.H as Buf<"i16">, u.W as Buf<"u32">, u.WT as Buf<"u32">, u.APREV as Buf<"u32">, u.ASTAR as Buf<"u32">, WIN, batch, n, k, g, lo, hi);
    for (const g of [0, n + 1, 2.5]) expect(call(u.WIN as Buf<"i32">, g)).toThrow(/^updateRows: gamma must be an integer in \[1, n = 5\]/);
    // WIN entries outside their group (n = 5, gamma = 2: groups {0,1} {2,3} {4}).
    const H0 = (u.H.data as Int16Array).slice();
    for (const [e, j] of [[0, 2], [1, 1], [1, 4], [2, 3], [2, 5], [3, -2], [5, 99]]) {
      const WIN = be.from("i32", [0, 2, 4, -1, -1, -1]);
      WIN.data[e] = j;
      expect(call(WIN), `WIN[${e}] = ${j}`).toThrow(
        new RegExp(`^updateRows: WIN\\[${e}\\] = ${j} is not -1 or a neuron of group ${e % groups} \\(gamma ${gamma}, n ${n}\\)$`),
      );
      WIN.free();
    }
    expect(Array.from(u.H.data), "H untouched by rejected calls").toEqual(Array.from(H0));
    // clip bounds
    for (const [lo, hi] of [[1, 5], [-5, -1], [-32769, 0], [0, 32768], [-1.5, 3], [NaN, 3]]) {
      expect(call(u.WIN as Buf<"i32">, gamma, lo, hi)).toThrow(/^updateRows: clip bounds must be integers/);
    }
    expect(call(u.WIN as Buf<"i32">, gamma, 0, 0)).not.toThrow();
    const r = validArgs(be, KERNELS.find((s) => s.op === "reinforce")!);
    const H = r.H as Buf<"i16">, table = r.table as Buf<"u32">, state = r.state as Buf<"u32">;
    for (const [lo, hi] of [[1, 5], [-32769, 0]]) expect(() => be.reinforce(H, 50, table, state, lo, hi)).toThrow(/^reinforce: clip bounds/);
    expect(() => be.reinforce(H, -1, table, state)).toThrow(/^reinforce: count must be an integer ≥ 0, got -1$/);
    expect(() => be.reinforce(H, 51, table, state)).toThrow(/^reinforce: H needs at least 51 i16 elements, has 50$/);
    const empty = be.alloc("u32", 0);
    expect(() => be.reinforce(H, 50, empty, state)).toThrow(/^reinforce: table needs at least 1 u32 elements, has 0$/);
    // counts of the other kernels
    const f = validArgs(be, KERNELS.find((s) => s.op === "forward")!);
    const fwd = (bt: number, kk: number, nn: number) => () => be.forward(f.A as Buf<"u32">, f.W as Buf<"u32">, f.Z as Buf<"i32">, bt, kk, nn);
    expect(fwd(-1, k, n)).toThrow(/^forward: batch must be an integer ≥ 0, got -1$/);
    expect(fwd(batch, 0, n)).toThrow(/^forward: k must be an integer ≥ 1, got 0$/);
    expect(fwd(batch, k, 1.5)).toThrow(/^forward: n must be an integer ≥ 1, got 1.5$/);
    expect(fwd(batch, NaN, n)).toThrow(/^forward: k must be an integer/);
    expect(fwd(batch, k + 100, n)).toThrow(/^forward: A needs at least/);
    const g = validArgs(be, KERNELS.find((s) => s.op === "gate")!);
    expect(() => be.gate(g.Z as Buf<"i32">, g.G as Buf<"u32">, batch, n, -1)).toThrow(/^gate: threshold must be an integer ≥ 0, got -1$/);
    expect(() => be.gate(g.Z as Buf<"i32">, g.G as Buf<"u32">, batch, n, 0.5)).toThrow(/^gate: threshold must be an integer ≥ 0/);
    expect(() => be.transpose(f.W as Buf<"u32">, f.A as Buf<"u32">, 0, k)).toThrow(/^transpose: rows must be an integer ≥ 1, got 0$/);
    expect(() => be.packSigns(be.alloc("i8", 1), be.alloc("u32", 4), 1, 0)).toThrow(/^packSigns: k must be an integer ≥ 1, got 0$/);
    const st = be.from("u32", [1, 2, 3, 4]);
    for (const nn of [0, -1, 2 ** 32, 1.5, NaN]) expect(() => be.prngBelow(st, nn)).toThrow(/^prngBelow: n must be an integer in \[1, 2\^32\)/);
    expect(() => be.prngFill(st, be.alloc("u32", 1), -1)).toThrow(/^prngFill: count must be an integer ≥ 0, got -1$/);
    for (const len of [-1, 1.5, NaN]) expect(() => be.alloc("u32", len)).toThrow(/^alloc: length must be an integer ≥ 0/);
    for (const bufs of [w, u, r, f, g]) freeAll(bufs);
    empty.free();
    st.free();
  });

  // The WASM kernels take the threshold as i32: thresholds ≥ 2^31 are rejected on every backend.
  it("gate with threshold ≥ 2^32 is rejected on all backends", () => {
    const outs = allBackends().map((be) => {
      const Z = be.from("i32", [0, 5, -7, 100]);
      const G = be.alloc("u32", 4);
      try {
        be.gate(Z, G, 1, 4, 2 ** 32);
        return G.data[0];
      } catch {
        return "rejected";
      } finally {
        Z.free();
        G.free();
      }
    });
    expect(outs).toEqual(["rejected", "rejected", "rejected"]);
  });

  it("reinforce with a null table names the kernel and argument", () => {
    const be = allBackends()[0];
    const H = be.alloc("i16", 4), state = be.from("u32", [1, 2, 3, 4]);
    expect(() => be.reinforce(H, 4, null as unknown as Buf<"u32">, state)).toThrow(/^reinforce: table /);
  });

  it("passing a freed buffer to a kernel throws an error naming kernel and argument", () => {
    for (const be of allBackends()) {
      const Z = be.from("i32", [0, 5, -7, 100]);
      const G = be.alloc("u32", 4);
      Z.free();
      expect(() => be.gate(Z, G, 1, 4, 1)).toThrow(/^gate: Z /);
      G.free();
    }
  });
});

describe("views", () => {
  it.each(BACKENDS.map((name) => ({ name })))("share memory, follow their buffer's lifetime and are bounds-checked ($name)", ({ name }) => {
    const be = allBackends().find((b) => b.name === name)!;
    const buf = be.from("i32", [10, 11, 12, 13, 14, 15]);
    const v = be.view(buf, 2, 3);
    expect(Array.from(v.data)).toEqual([12, 13, 14]);
    v.data[0] = -1;
    expect(buf.data[2]).toBe(-1);
    const vv = be.view(v, 1, 2);
    expect(Array.from(vv.data)).toEqual([13, 14]);
    expect(vv.root).toBe(buf.root);
    expect(vv.byteOffset).toBe(12);
    expect(() => be.view(buf, 4, 3)).toThrow(/^view: buf needs at least 7 i32 elements, has 6$/);
    expect(() => be.view(buf, -1, 1)).toThrow(/^view: offset must be an integer ≥ 0, got -1$/);
    v.free();
    expect(v.freed).toBe(true);
    expect(buf.freed).toBe(false);
    buf.free();
    expect(vv.freed).toBe(true);
    expect(() => vv.data).toThrow(/used after free/);
    expect(() => be.signs(vv, be.alloc("u32", 4), 1, 2)).toThrow(/^signs: Z was freed$/);
  });

  it.each(BACKENDS.map((name) => ({ name })))("kernels on views equal kernels on copies; overlapping views are rejected ($name)", ({ name }) => {
    const be = allBackends().find((b) => b.name === name)!;
    const k = 70, n = 33, rows = 3, words = refRowWords(k);
    const A = be.alloc("u32", 2 * rows * words);
    for (let i = 0; i < A.length; i++) A.data[i] = (Math.imul(i + 1, 2654435761) >>> 0) & (i % words < 3 ? 0xffffffff : 0x3f);
    const W = be.alloc("u32", n * words);
    for (let i = 0; i < W.length; i++) W.data[i] = (Math.imul(i + 7, 40503) >>> 0) & (i % words < 2 ? 0xffffffff : i % words === 2 ? 0x3f : 0);
    const Z = be.alloc("i32", 2 * rows * n);
    // second half of A through a view, into the second half of Z through a view
    be.forward(be.view(A, rows * words, rows * words), W, be.view(Z, rows * n, rows * n), rows, k, n);
    const A2 = be.from("u32", A.data.subarray(rows * words));
    const Z2 = be.alloc("i32", rows * n);
    be.forward(A2, W, Z2, rows, k, n);
    expect(Array.from(Z.data.subarray(rows * n))).toEqual(Array.from(Z2.data));
    expect(Array.from(Z.data.subarray(0, rows * n)).every((z) => z === 0)).toBe(true);
    const S = be.alloc("u32", 4 * rows * words);
    expect(() => be.forwardSign(be.view(S, 0, rows * words), W, Z2, be.view(S, words, rows * refRowWords(n)), rows, k, n)).toThrow(/^forwardSign: A and S must not overlap$/);
    be.forwardSign(be.view(S, 0, rows * words), W, Z2, be.view(S, rows * words, rows * refRowWords(n)), rows, k, n);
    for (const b of [A, W, Z, A2, Z2, S]) b.free();
  });
});
