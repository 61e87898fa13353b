/**
 * Test helpers: the backends under test, a seeded RNG, plain-TS pack/unpack and NAIVE reference
 * implementations of every kernel. The references work on unpacked ±1 Int8Arrays (or plain
 * numbers) and deliberately share no code with src/kernels (neither the twins nor layout.ts),
 * so a bug in the JS twin is caught as well as one in the WASM kernels.
 */
import { expect } from "vitest";
import { loadBackendSync, type Backend, type BackendName } from "../src/index";
import type { Buf, Kind, TypedArrays } from "../src/kernels/buffer";
import { next32, seedState } from "../src/kernels/js/prng";

// ---------------------------------------------------------------------------------------------
// Backends and buffers

/** Every backend, in the order results are compared. */
export const BACKENDS: readonly BackendName[] = ["wasm-simd", "wasm-scalar", "js"];

/** The three backends, loaded synchronously (shared instances). */
export function allBackends(): Backend[] {
  return BACKENDS.map((name) => loadBackendSync(name));
}

/** Batch / row counts and widths the differential tests draw from. */
export const BATCHES: readonly number[] = [1, 2, 3, 5, 17];
export const WIDTHS: readonly number[] = [1, 63, 64, 65, 127, 128, 129, 1000];

/** Tracks the buffers a test allocates on one backend and frees them all at the end. */
export class Scope {
  private bufs: Buf[] = [];
  constructor(readonly be: Backend) {}
  alloc<K extends Kind>(kind: K, length: number): Buf<K> {
    const b = this.be.alloc(kind, length);
    this.bufs.push(b);
    return b;
  }
  from<K extends Kind>(kind: K, values: ArrayLike<number>): Buf<K> {
    const b = this.be.from(kind, values);
    this.bufs.push(b);
    return b;
  }
  /** A buffer of `length` elements pre-filled with garbage, so a kernel must overwrite every element. */
  garbage<K extends Kind>(kind: K, length: number): Buf<K> {
    const b = this.alloc(kind, length);
    const d = b.data as TypedArrays[Kind];
    if (kind === "f32") (d as Float32Array).fill(NaN);
    else d.fill(kind === "u32" ? 0xdeadbeef : -0x5a5a5a5a);
    return b;
  }
  freeAll(): void {
    for (const b of this.bufs) b.free();
    this.bufs = [];
  }
}

/** Runs `fn` on every backend with a fresh Scope (freed afterwards); returns the results by backend. */
export function onEach<T>(fn: (s: Scope, be: Backend) => T): { name: BackendName; value: T }[] {
  return allBackends().map((be) => {
    const s = new Scope(be);
    try {
      return { name: be.name, value: fn(s, be) };
    } finally {
      s.freeAll();
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Assertions

type NumArray = ArrayLike<number>;

/** Index of the first difference of two arrays (-1 if equal, length mismatch counts). */
export function firstDiff(a: NumArray, b: NumArray): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (!Object.is(a[i], b[i])) return i;
  return a.length === b.length ? -1 : n;
}

/** Asserts two arrays are element-wise identical, reporting the first difference compactly. */
export function expectSame(got: NumArray, want: NumArray, label: string): void {
  const i = firstDiff(got, want);
  const msg = i < 0 ? label : `${label}: first difference at [${i}] of ${got.length}/${want.length}: got ${got[i]}, want ${want[i]}`;
  expect(i, msg).toBe(-1);
}

/** Asserts every backend produced identical arrays under each key, and (if given) equal to `want`. */
export function expectAllSame<T extends Record<string, NumArray | number>>(
  results: { name: BackendName; value: T }[], label: string, want?: { [K in keyof T]?: NumArray | number },
): void {
  const first = results[0];
  for (const key of Object.keys(first.value)) {
    for (const r of results) {
      const a = r.value[key], b = first.value[key];
      if (typeof a === "number") expect(a, `${label}: ${key} ${r.name} vs ${first.name}`).toBe(b);
      else expectSame(a as NumArray, b as NumArray, `${label}: ${key} ${r.name} vs ${first.name}`);
      const w = want?.[key];
      if (w === undefined) continue;
      if (typeof w === "number") expect(a, `${label}: ${key} ${r.name} vs reference`).toBe(w);
      else expectSame(a as NumArray, w as NumArray, `${label}: ${key} ${r.name} vs reference`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Seeded RNG for test data (xoshiro128** from the library; its correctness is tested separately)

export class Rng {
  private s: Uint32Array;
  constructor(seed: number, stream = 0) {
    this.s = seedState(seed, stream);
  }
  u32(): number {
    return next32(this.s);
  }
  /** Integer in [0, n) (n ≤ 2^32; modulo bias is irrelevant for test data). */
  int(n: number): number {
    return Math.floor((this.u32() / 0x100000000) * n);
  }
  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  float(): number {
    return this.u32() / 0x100000000;
  }
  bit(): number {
    return this.u32() >>> 31;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  /** Fisher–Yates shuffle in place. */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [xs[i], xs[j]] = [xs[j], xs[i]];
    }
    return xs;
  }
}

/** `len` random ±1 values. */
export function randomSigns(rng: Rng, len: number): Int8Array {
  const out = new Int8Array(len);
  for (let i = 0; i < len; i++) out[i] = rng.bit() ? 1 : -1;
  return out;
}

/** `len` random 0/1 values with P(1) = p. */
export function randomBits(rng: Rng, len: number, p = 0.5): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = rng.float() < p ? 1 : 0;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Packing in plain TS

/** u32 words per packed row of `k` bits: k rounded up to 128 bits (independent of layout.ts). */
export function refRowWords(k: number): number {
  return Math.ceil(k / 128) * 4;
}

/** Packs `rows` × `k` values (v ≥ 0 → bit 1, else 0) with one naive bit loop; padding is zero. */
export function packRef(vals: ArrayLike<number>, rows: number, k: number): Uint32Array {
  const stride = refRowWords(k);
  const out = new Uint32Array(rows * stride);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < k; i++) {
      if (vals[r * k + i] >= 0) out[r * stride + (i >> 5)] |= 1 << (i & 31);
    }
  }
  return out;
}

/** Packs `rows` × `k` 0/1 values (1 → bit 1). */
export function packBitsRef(bits: ArrayLike<number>, rows: number, k: number): Uint32Array {
  const stride = refRowWords(k);
  const out = new Uint32Array(rows * stride);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < k; i++) if (bits[r * k + i]) out[r * stride + (i >> 5)] |= 1 << (i & 31);
  }
  return out;
}

/** Unpacks `rows` packed rows of `k` bits into ±1. */
export function unpackRef(words: ArrayLike<number>, rows: number, k: number): Int8Array {
  const stride = refRowWords(k);
  const out = new Int8Array(rows * k);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < k; i++) out[r * k + i] = (words[r * stride + (i >> 5)] >>> (i & 31)) & 1 ? 1 : -1;
  }
  return out;
}

/** True if every padding bit (bits k.. of each row) is zero. */
export function paddingIsZero(words: ArrayLike<number>, rows: number, k: number): boolean {
  const stride = refRowWords(k);
  for (let r = 0; r < rows; r++) {
    for (let i = k; i < stride * 32; i++) if ((words[r * stride + (i >> 5)] >>> (i & 31)) & 1) return false;
  }
  return true;
}

/** Transposes an unpacked `rows` × `cols` matrix. */
export function transposeRef<T extends Int8Array | Int16Array | Int32Array | Uint8Array>(m: T, rows: number, cols: number): T {
  const out = new (m.constructor as new (n: number) => T)(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c];
  return out;
}

// ---------------------------------------------------------------------------------------------
// Naive references of the kernels

/** sign with sign(0) = +1. */
export function sgn(x: number): number {
  return x >= 0 ? 1 : -1;
}

/** H + 2Δ saturated at ±clip, or at the int16 range without a clip (eq. 9). */
export function saturateRef(h: number, delta: number, clip?: number): number {
  const lo = clip === undefined ? -32768 : -clip, hi = clip ?? 32767;
  return Math.max(lo, Math.min(hi, h + 2 * delta));
}

/** Z[b·n + o] = Σ_i A[b,i]·W[o,i] on unpacked ±1. */
export function forwardRef(A: Int8Array, W: Int8Array, batch: number, k: number, n: number): Int32Array {
  const Z = new Int32Array(batch * n);
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < n; o++) {
      let s = 0;
      for (let i = 0; i < k; i++) s += A[b * k + i] * W[o * k + i];
      Z[b * n + o] = s;
    }
  }
  return Z;
}

/** Gate bits: 1 iff |z| ≤ threshold. */
export function gateRef(Z: ArrayLike<number>, threshold: number): Uint8Array {
  const G = new Uint8Array(Z.length);
  for (let i = 0; i < Z.length; i++) G[i] = Math.abs(Z[i]) <= threshold ? 1 : 0;
  return G;
}

/** Y[b·k + i] = Σ_j g_bj·w_ji·d_bj, OUT = sign(Y), with W unpacked `n` × `k`. */
export function desiredRef(D: Int8Array, G: Uint8Array, W: Int8Array, batch: number, n: number, k: number): { Y: Int32Array; OUT: Int8Array } {
  const Y = new Int32Array(batch * k);
  const OUT = new Int8Array(batch * k);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += G[b * n + j] * W[j * k + i] * D[b * n + j];
      Y[b * k + i] = s;
      OUT[b * k + i] = sgn(s);
    }
  }
  return { Y, OUT };
}

/** Winner per group: wrong = sign(z) ≠ a*, smallest |z|, lowest index on ties, −1 if none. */
export function winnersRef(Z: ArrayLike<number>, ASTAR: Int8Array, batch: number, n: number, gamma: number): Int32Array {
  const groups = Math.ceil(n / gamma);
  const WIN = new Int32Array(batch * groups).fill(-1);
  for (let b = 0; b < batch; b++) {
    for (let g = 0; g < groups; g++) {
      const cands: number[] = [];
      for (let j = g * gamma; j < Math.min(n, g * gamma + gamma); j++) {
        if (sgn(Z[b * n + j]) !== ASTAR[b * n + j]) cands.push(j);
      }
      if (cands.length === 0) continue;
      const best = Math.min(...cands.map((j) => Math.abs(Z[b * n + j])));
      WIN[b * groups + g] = cands.find((j) => Math.abs(Z[b * n + j]) === best)!;
    }
  }
  return WIN;
}

/**
 * Sparse update: ΔH[j,:] = Σ over winners (b, j) of a*_bj·a_prev_b (integers, whole batch), then
 * every touched row becomes clamp(H + 2ΔH, lo, hi) once. Returns the new H and the touched count.
 */
export function updateRowsRef(
  H: Int16Array, APREV: Int8Array, ASTAR: Int8Array, WIN: Int32Array,
  batch: number, n: number, k: number, gamma: number, lo: number, hi: number,
): { H: Int16Array; touched: number } {
  const groups = Math.ceil(n / gamma);
  const dH = new Array<number>(n * k).fill(0);
  const touched = new Set<number>();
  for (let b = 0; b < batch; b++) {
    for (let g = 0; g < groups; g++) {
      const j = WIN[b * groups + g];
      if (j < 0) continue;
      touched.add(j);
      for (let i = 0; i < k; i++) dH[j * k + i] += ASTAR[b * n + j] * APREV[b * k + i];
    }
  }
  const out = H.slice();
  for (const j of touched) {
    for (let i = 0; i < k; i++) out[j * k + i] = Math.min(hi, Math.max(lo, H[j * k + i] + 2 * dH[j * k + i]));
  }
  return { H: out, touched: touched.size };
}

/**
 * Reinforcement reference: the same skip sampling as the kernels (skip = number of table entries
 * above a uniform u32, restarting past the table's tail) but with a linear scan of the table.
 * Mutates copies; returns new H, the final generator state and the number chosen.
 */
export function reinforceRef(
  H0: Int16Array, n: number, table: Uint32Array, state0: Uint32Array, lo: number, hi: number,
): { H: Int16Array; state: Uint32Array; chosen: number } {
  const H = H0.slice();
  const state = state0.slice();
  const len = table.length;
  const skip = (): number => {
    let total = 0;
    for (;;) {
      const u = xoshiroRef(state);
      if (u < table[len - 1]) {
        total += len;
        continue;
      }
      let m = 0;
      while (table[m] > u) m++;
      return total + m;
    }
  };
  let chosen = 0;
  for (let i = skip(); i < n; i += 1 + skip()) {
    const h = H[i];
    if (h !== 0) H[i] = Math.min(hi, Math.max(lo, h + 2 * Math.sign(h)));
    chosen++;
  }
  return { H, state, chosen };
}

/**
 * xoshiro128** written out from the published algorithm (Blackman & Vigna), independently of
 * src/kernels/js/prng.ts: result = rotl(s1·5, 7)·9; t = s1 << 9; s2 ^= s0; s3 ^= s1;
 * s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11).
 */
export function xoshiroRef(s: Uint32Array): number {
  const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;
  const mul = (a: number, b: number) => Number((BigInt(a) * BigInt(b)) & 0xffffffffn);
  const result = mul(rotl(mul(s[1], 5), 7), 9);
  const t = (s[1] << 9) >>> 0;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 11);
  return result;
}

/** IDX bytes: unsigned-byte type, big-endian dims, then `data`. */
export function idx(dims: number[], data: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out.set([0, 0, 8, dims.length]);
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/** mulberry32: a tiny seeded PRNG returning uniform floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
