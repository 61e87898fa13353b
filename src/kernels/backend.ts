/**
 * Backends: 'wasm-simd' | 'wasm-scalar' | 'js' behind one interface. Every kernel is checked
 * here once (buffer kinds, owners, lengths, shapes) and then runs unchecked in the chosen
 * implementation; all three give bit-identical results.
 */
import { overlaps, type Buf, type Kind } from "./buffer.js";
import type { BackendMemory, KernelImpl } from "./impl.js";
import { jsKernels } from "./js/index.js";
import {
  attachWasmKernels, sharedWasmKernelsSync, sharedWasmSupported, wasmKernels, wasmKernelsSync, wasmSupported,
  type SharedKernels, type WasmFlavor,
} from "./wasm.js";
import { groupCount, rowWords, updateScratchWords, H_MAX, H_MIN } from "./layout.js";

/** A backend's name. */
export type BackendName = "wasm-simd" | "wasm-scalar" | "js";
/** A backend's name, or "auto": wasm-simd where the engine validates it, else wasm-scalar, else js. */
export type BackendChoice = BackendName | "auto";
/** All backend names, fastest first. */
export const BACKEND_NAMES: readonly BackendName[] = ["wasm-simd", "wasm-scalar", "js"];

/** The kernels of one backend, with their arguments checked. Buffers come from `alloc`. */
export class Backend {
  private scratch: Buf<"i32"> | null = null;

  constructor(readonly name: BackendName, private readonly impl: KernelImpl) {}

  /**
   * Bytes of this backend's buffers that are live now (`live`), and the bytes the engine holds
   * for them (`reserved`: the wasm linear memory with the module's static data; for `js`, the
   * live bytes). Buffers dropped without free() count until they are garbage-collected.
   */
  memory(): BackendMemory {
    return this.impl.memory();
  }

  /** A zeroed buffer of `length` elements of `kind` in this backend's memory. */
  alloc<K extends Kind>(kind: K, length: number): Buf<K> {
    count("alloc", "length", length, 0);
    return this.impl.alloc(kind, length);
  }

  /**
   * Elements offset..offset+length of `buf` as a buffer of their own that shares its memory
   * (e.g. one time step of a batch of sequences). Freeing a view does not free the memory;
   * freeing `buf` makes its views unusable.
   */
  view<K extends Kind>(buf: Buf<K>, offset: number, length: number): Buf<K> {
    count("view", "offset", offset, 0);
    count("view", "length", length, 0);
    this.need("view", "buf", buf, buf.kind, offset + length);
    return this.impl.view(buf, offset, length);
  }

  /** True if this backend's memory is shared with other threads (createSharedBackend, attachBackend). */
  get shared(): boolean {
    return this.impl.shared !== undefined;
  }

  /** The byte address of `buf` in this backend's shared memory, for another thread to adopt(). */
  address(buf: Buf): number {
    this.need("address", "buf", buf, buf.kind, 0);
    return this.sharedImpl("address").address(buf);
  }

  /** A buffer over `length` elements of `kind` at `address` of the shared memory, allocated by another thread (never freed here). */
  adopt<K extends Kind>(kind: K, address: number, length: number): Buf<K> {
    count("adopt", "address", address, 0);
    count("adopt", "length", length, 0);
    return this.sharedImpl("adopt").adopt(kind, address, length);
  }

  private sharedImpl(op: string): NonNullable<KernelImpl["shared"]> {
    if (this.impl.shared === undefined) throw new Error(`${op}: backend '${this.name}' does not use shared memory (see createSharedBackend)`);
    return this.impl.shared;
  }

  /** A buffer of `kind` holding a copy of `values`. */
  from<K extends Kind>(kind: K, values: ArrayLike<number>): Buf<K> {
    const buf = this.alloc(kind, values.length);
    buf.data.set(values);
    return buf;
  }

  /** Fills `out[0..count)` with the next outputs of the xoshiro128** state `state` (4 × u32). */
  prngFill(state: Buf<"u32">, out: Buf<"u32">, n: number): void {
    count("prngFill", "count", n, 0);
    this.need("prngFill", "state", state, "u32", 4);
    this.need("prngFill", "out", out, "u32", n);
    this.impl.prngFill(state, out, n);
  }

  /** A uniform integer in [0, n) from the generator `state`. */
  prngBelow(state: Buf<"u32">, n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 0xffffffff) throw new RangeError(`prngBelow: n must be an integer in [1, 2^32), got ${n}`);
    this.need("prngBelow", "state", state, "u32", 4);
    return this.impl.prngBelow(state, n);
  }

  /** Packs `rows` × `k` ±1 values into packed rows (v ≥ 0 → bit 1). */
  packSigns(src: Buf<"i8">, dst: Buf<"u32">, rows: number, k: number): void {
    count("packSigns", "rows", rows, 0);
    count("packSigns", "k", k, 1);
    this.need("packSigns", "src", src, "i8", rows * k);
    this.need("packSigns", "dst", dst, "u32", rows * rowWords(k));
    this.impl.packSigns(src, dst, rows, k);
  }

  /** Unpacks `rows` packed rows of `k` bits into ±1 values. */
  unpackSigns(src: Buf<"u32">, dst: Buf<"i8">, rows: number, k: number): void {
    count("unpackSigns", "rows", rows, 0);
    count("unpackSigns", "k", k, 1);
    this.need("unpackSigns", "src", src, "u32", rows * rowWords(k));
    this.need("unpackSigns", "dst", dst, "i8", rows * k);
    this.impl.unpackSigns(src, dst, rows, k);
  }

  /** Binarises `rows` × `k` reals against per-feature thresholds (x > t → bit 1). */
  packThresholds(src: Buf<"f32">, thresholds: Buf<"f32">, dst: Buf<"u32">, rows: number, k: number): void {
    count("packThresholds", "rows", rows, 0);
    count("packThresholds", "k", k, 1);
    this.need("packThresholds", "src", src, "f32", rows * k);
    this.need("packThresholds", "thresholds", thresholds, "f32", k);
    this.need("packThresholds", "dst", dst, "u32", rows * rowWords(k));
    this.impl.packThresholds(src, thresholds, dst, rows, k);
  }

  /** Transposes a packed `rows` × `cols` matrix into a packed `cols` × `rows` one (W → Wᵀ). */
  transpose(src: Buf<"u32">, dst: Buf<"u32">, rows: number, cols: number): void {
    count("transpose", "rows", rows, 1);
    count("transpose", "cols", cols, 1);
    this.need("transpose", "src", src, "u32", rows * rowWords(cols));
    this.need("transpose", "dst", dst, "u32", cols * rowWords(rows));
    distinct("transpose", { src, dst });
    this.impl.transpose(src, dst, rows, cols);
  }

  /** Pre-activations z = W a for a batch: Z (`batch` × `n`) from A (`batch` × `k`) and W (`n` × `k`). */
  forward(A: Buf<"u32">, W: Buf<"u32">, Z: Buf<"i32">, batch: number, k: number, n: number): void {
    this.checkForward("forward", A, W, Z, batch, k, n);
    this.impl.forward(A, W, Z, batch, k, n, this.forwardScratch(batch, k, n));
  }

  /** `forward` fused with the activation: also S = sign(Z), packed `batch` × `n`. */
  forwardSign(A: Buf<"u32">, W: Buf<"u32">, Z: Buf<"i32">, S: Buf<"u32">, batch: number, k: number, n: number): void {
    this.checkForward("forwardSign", A, W, Z, batch, k, n);
    this.need("forwardSign", "S", S, "u32", batch * rowWords(n));
    distinct("forwardSign", { A, W, S });
    this.impl.forwardSign(A, W, Z, S, batch, k, n, this.forwardScratch(batch, k, n));
  }

  /**
   * Bytes of scratch `forward` takes from this backend's memory for this shape (wasm-simd: nibble
   * tables for large batches; else 0). It is held by the backend and reused, like updateRows'.
   */
  forwardScratchBytes(batch: number, k: number, n: number): number {
    return this.impl.forwardScratchBytes(batch, k, n);
  }

  private forwardScratch(batch: number, k: number, n: number): Buf<"i32"> | null {
    const bytes = this.impl.forwardScratchBytes(batch, k, n);
    return bytes === 0 ? null : this.scratchFor(Math.ceil(bytes / 4));
  }

  /** Packs sign(Z) of an i32 `rows` × `n` matrix (z ≥ 0 → bit 1). */
  signs(Z: Buf<"i32">, S: Buf<"u32">, rows: number, n: number): void {
    count("signs", "rows", rows, 0);
    count("signs", "n", n, 1);
    this.need("signs", "Z", Z, "i32", rows * n);
    this.need("signs", "S", S, "u32", rows * rowWords(n));
    this.impl.signs(Z, S, rows, n);
  }

  /** Gate: G bit = 1 iff |z| ≤ threshold (threshold = ⌊ν·fan-in⌋), for `rows` × `n` pre-activations. */
  gate(Z: Buf<"i32">, G: Buf<"u32">, rows: number, n: number, threshold: number): void {
    count("gate", "rows", rows, 0);
    count("gate", "n", n, 1);
    count("gate", "threshold", threshold, 0);
    if (threshold > 0x7fffffff) throw new RangeError(`gate: threshold must be ≤ 2^31 − 1 (|z| never exceeds it), got ${threshold}`);
    this.need("gate", "Z", Z, "i32", rows * n);
    this.need("gate", "G", G, "u32", rows * rowWords(n));
    this.impl.gate(Z, G, rows, n, threshold);
  }

  /**
   * Desired activations of the layer below (eqs. 5–7): OUT = sign(Wᵀ(G ⊙ D)) per row, with D and
   * G packed `batch` × `n`, WT the transposed visible weights (`k` × `n`), Y the i32 sums (`batch` × `k`).
   */
  desired(D: Buf<"u32">, G: Buf<"u32">, WT: Buf<"u32">, Y: Buf<"i32">, OUT: Buf<"u32">, batch: number, n: number, k: number): void {
    count("desired", "batch", batch, 0);
    count("desired", "n", n, 1);
    count("desired", "k", k, 1);
    this.need("desired", "D", D, "u32", batch * rowWords(n));
    this.need("desired", "G", G, "u32", batch * rowWords(n));
    this.need("desired", "WT", WT, "u32", k * rowWords(n));
    this.need("desired", "Y", Y, "i32", batch * k);
    this.need("desired", "OUT", OUT, "u32", batch * rowWords(k));
    distinct("desired", { D, G, WT, OUT });
    this.impl.desired(D, G, WT, Y, OUT, batch, n, k);
  }

  /** Winner per group of `gamma` neurons (spec §2.4) into WIN (i32 `batch` × ⌈n/gamma⌉, −1 = none). */
  winners(Z: Buf<"i32">, ASTAR: Buf<"u32">, WIN: Buf<"i32">, batch: number, n: number, gamma: number): void {
    count("winners", "batch", batch, 0);
    count("winners", "n", n, 1);
    if (!Number.isInteger(gamma) || gamma < 1 || gamma > n) throw new RangeError(`winners: gamma must be an integer in [1, n = ${n}], got ${gamma}`);
    this.need("winners", "Z", Z, "i32", batch * n);
    this.need("winners", "ASTAR", ASTAR, "u32", batch * rowWords(n));
    this.need("winners", "WIN", WIN, "i32", batch * groupCount(n, gamma));
    this.impl.winners(Z, ASTAR, WIN, batch, n, gamma);
  }

  /**
   * Sparse update (eqs. 8–9) of a layer with `n` neurons and fan-in `k`: for each winner (b, j)
   * in WIN (from `winners` with the same `gamma`), ΔH[j,:] += a*_bj·APREV_b; then touched rows
   * become clamp(H + 2ΔH, lo, hi) and W, WT follow (WT null for a layer that keeps no Wᵀ, such as
   * the first: nothing propagates a desired activation to the inputs). Only rows [j0, j1) change (j0 a multiple of
   * 32, j1 a multiple of 32 or n): disjoint ranges can be updated by different threads. Returns
   * the number of rows updated. `scratch` (updateScratchWords i32) defaults to the backend's own.
   */
  updateRows(
    H: Buf<"i16">, W: Buf<"u32">, WT: Buf<"u32"> | null, APREV: Buf<"u32">, ASTAR: Buf<"u32">, WIN: Buf<"i32">,
    batch: number, n: number, k: number, gamma: number, lo = H_MIN, hi = H_MAX, j0 = 0, j1 = n, scratch?: Buf<"i32">,
  ): number {
    count("updateRows", "batch", batch, 0);
    count("updateRows", "n", n, 1);
    count("updateRows", "k", k, 1);
    if (!Number.isInteger(gamma) || gamma < 1 || gamma > n) throw new RangeError(`updateRows: gamma must be an integer in [1, n = ${n}], got ${gamma}`);
    bounds("updateRows", lo, hi);
    if (!Number.isInteger(j0) || !Number.isInteger(j1) || j0 < 0 || j0 > j1 || j1 > n || j0 % 32 !== 0 || (j1 % 32 !== 0 && j1 !== n)) {
      throw new RangeError(`updateRows: rows [${j0}, ${j1}) must lie in [0, n = ${n}] with j0 a multiple of 32 and j1 a multiple of 32 or n`);
    }
    const groups = groupCount(n, gamma);
    this.need("updateRows", "H", H, "i16", n * k);
    this.need("updateRows", "W", W, "u32", n * rowWords(k));
    if (WT !== null) this.need("updateRows", "WT", WT, "u32", k * rowWords(n));
    this.need("updateRows", "APREV", APREV, "u32", batch * rowWords(k));
    this.need("updateRows", "ASTAR", ASTAR, "u32", batch * rowWords(n));
    this.need("updateRows", "WIN", WIN, "i32", batch * groups);
    const win = WIN.data;
    for (let e = 0; e < batch * groups; e++) {
      const j = win[e], g = e % groups;
      if (j !== -1 && (j < g * gamma || j >= Math.min(n, (g + 1) * gamma))) {
        throw new RangeError(`updateRows: WIN[${e}] = ${j} is not -1 or a neuron of group ${g} (gamma ${gamma}, n ${n})`);
      }
    }
    const words = updateScratchWords(batch, groups, n, k);
    if (scratch === undefined) scratch = this.scratchFor(words);
    else this.need("updateRows", "scratch", scratch, "i32", words);
    distinct("updateRows", { H, W, ...(WT === null ? {} : { WT }), APREV, ASTAR, WIN, scratch });
    return this.impl.updateRows(H, W, WT, APREV, ASTAR, WIN, batch, groups, n, k, lo, hi, j0, j1, scratch);
  }

  /**
   * Reinforcement (spec §2.6) of the first `n` weights of H: each is chosen with the probability
   * encoded in `table` (geometricTable(p)); a chosen h ≠ 0 becomes clamp(h + 2·sign(h), lo, hi).
   * Returns the number chosen; `state` (xoshiro128**, 4 × u32) advances.
   */
  reinforce(H: Buf<"i16">, n: number, table: Buf<"u32">, state: Buf<"u32">, lo = H_MIN, hi = H_MAX): number {
    count("reinforce", "count", n, 0);
    bounds("reinforce", lo, hi);
    this.need("reinforce", "H", H, "i16", n);
    this.need("reinforce", "table", table, "u32", 1);
    this.need("reinforce", "state", state, "u32", 4);
    return this.impl.reinforce(H, n, table, table.length, state, lo, hi);
  }

  /**
   * The time-summed state update of BEP-TT (spec §4) for one series: DELTA[ROWS[w], :] += SUMS[w, :]
   * for w < length (the spec's "sum"), or with `vote` its sign, −1, 0 or +1 per weight. DELTA is
   * i32 with row stride k; SUMS is i32 length × k (the `desired` kernel's sums over time).
   */
  addRowSums(DELTA: Buf<"i32">, ROWS: Buf<"i32">, SUMS: Buf<"i32">, length: number, k: number, vote: boolean): void {
    count("addRowSums", "length", length, 0);
    count("addRowSums", "k", k, 1);
    this.need("addRowSums", "ROWS", ROWS, "i32", length);
    this.need("addRowSums", "SUMS", SUMS, "i32", length * k);
    this.need("addRowSums", "DELTA", DELTA, "i32", k);
    checkRows("addRowSums", ROWS, length, Math.floor(DELTA.length / k));
    distinct("addRowSums", { DELTA, ROWS, SUMS });
    this.impl.addRowSums(DELTA, ROWS, SUMS, length, k, vote);
  }

  /**
   * The batch's update of the rows ROWS[0..length) of a layer with `n` neurons and fan-in `k` (eq. 9):
   * H[j,:] ← clamp(H[j,:] + 2·DELTA[j,:], lo, hi), W's row j and WT's column j follow (WT null for a
   * layer that keeps no Wᵀ), and DELTA's row j is zeroed for the next batch. DELTA is i32 n × k.
   */
  applyRows(H: Buf<"i16">, W: Buf<"u32">, WT: Buf<"u32"> | null, DELTA: Buf<"i32">, ROWS: Buf<"i32">, length: number, n: number, k: number, lo = H_MIN, hi = H_MAX): void {
    count("applyRows", "length", length, 0);
    count("applyRows", "n", n, 1);
    count("applyRows", "k", k, 1);
    bounds("applyRows", lo, hi);
    this.need("applyRows", "H", H, "i16", n * k);
    this.need("applyRows", "W", W, "u32", n * rowWords(k));
    if (WT !== null) this.need("applyRows", "WT", WT, "u32", k * rowWords(n));
    this.need("applyRows", "DELTA", DELTA, "i32", n * k);
    this.need("applyRows", "ROWS", ROWS, "i32", length);
    checkRows("applyRows", ROWS, length, n);
    distinct("applyRows", { H, W, ...(WT === null ? {} : { WT }), DELTA, ROWS });
    this.impl.applyRows(H, W, WT, DELTA, ROWS, length, n, k, lo, hi);
  }

  /**
   * The time-shared state mask of one series (BEP-TT, spec §4): per group of `gamma` of its `n` state
   * neurons, the one wrong (sign(z_tj) ≠ s*_tj) at the most of its `steps` steps, ties broken by the
   * smallest Σ|z_tj| over those steps, then the lowest index; neurons never wrong are no candidates.
   * Z: the series' z_t, rows of n i32 `zStride` apart from its first step; D: its s*_t, packed rows
   * `dStride` u32 apart. Writes the winners in group order to WIN[0..m) (WIN holds ⌈n/γ⌉) and
   * returns m. `scratch` (2·n i32) defaults to the backend's own.
   */
  sharedWinners(Z: Buf<"i32">, D: Buf<"u32">, WIN: Buf<"i32">, steps: number, zStride: number, dStride: number, n: number, gamma: number, scratch?: Buf<"i32">): number {
    count("sharedWinners", "steps", steps, 1);
    count("sharedWinners", "n", n, 1);
    if (!Number.isInteger(gamma) || gamma < 1 || gamma > n) throw new RangeError(`sharedWinners: gamma must be an integer in [1, n = ${n}], got ${gamma}`);
    count("sharedWinners", "zStride", zStride, n);
    count("sharedWinners", "dStride", dStride, rowWords(n));
    this.need("sharedWinners", "Z", Z, "i32", (steps - 1) * zStride + n);
    this.need("sharedWinners", "D", D, "u32", (steps - 1) * dStride + rowWords(n));
    this.need("sharedWinners", "WIN", WIN, "i32", groupCount(n, gamma));
    if (scratch === undefined) scratch = this.scratchFor(2 * n);
    else this.need("sharedWinners", "scratch", scratch, "i32", 2 * n);
    distinct("sharedWinners", { Z, D, WIN, scratch });
    return this.impl.sharedWinners(Z, D, WIN, steps, zStride, dStride, n, gamma, scratch);
  }

  private checkForward(op: string, A: Buf<"u32">, W: Buf<"u32">, Z: Buf<"i32">, batch: number, k: number, n: number): void {
    count(op, "batch", batch, 0);
    count(op, "k", k, 1);
    count(op, "n", n, 1);
    this.need(op, "A", A, "u32", batch * rowWords(k));
    this.need(op, "W", W, "u32", n * rowWords(k));
    this.need(op, "Z", Z, "i32", batch * n);
  }

  private need(op: string, name: string, buf: Buf, kind: Kind, length: number): void {
    if (buf === null || typeof buf !== "object" || !("kind" in buf)) throw new TypeError(`${op}: ${name} must be a buffer from Backend.alloc`);
    if (buf.freed) throw new Error(`${op}: ${name} was freed`);
    if (buf.owner !== this.impl) throw new TypeError(`${op}: ${name} belongs to another backend (this is '${this.name}')`);
    if (buf.kind !== kind) throw new TypeError(`${op}: ${name} must be a ${kind} buffer, got ${buf.kind}`);
    if (buf.length < length) throw new RangeError(`${op}: ${name} needs at least ${length} ${kind} elements, has ${buf.length}`);
  }

  /** Frees the scratch this backend keeps for forward and updateRows (allocated again when needed). */
  releaseScratch(): void {
    this.scratch?.free();
    this.scratch = null;
  }

  private scratchFor(words: number): Buf<"i32"> {
    if (this.scratch === null || this.scratch.length < words) {
      this.scratch?.free();
      this.scratch = this.impl.alloc("i32", words);
    }
    return this.scratch;
  }
}

function count(op: string, name: string, v: number, min: number): void {
  if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`${op}: ${name} must be an integer ≥ ${min}, got ${v}`);
}

function bounds(op: string, lo: number, hi: number): void {
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < H_MIN || hi > H_MAX || lo > 0 || hi < 0) {
    throw new RangeError(`${op}: clip bounds must be integers with ${H_MIN} ≤ lo ≤ 0 ≤ hi ≤ ${H_MAX}, got [${lo}, ${hi}]`);
  }
}

/** Every ROWS[0..length) must be a row index below `rows`. */
function checkRows(op: string, ROWS: Buf<"i32">, length: number, rows: number): void {
  const r = ROWS.data;
  for (let i = 0; i < length; i++) {
    if (!(r[i] >= 0 && r[i] < rows)) throw new RangeError(`${op}: ROWS[${i}] = ${r[i]} is not a row index in [0, ${rows})`);
  }
}

/** Kernels whose outputs must not alias their inputs (neither the same buffer nor overlapping views). */
function distinct(op: string, bufs: Record<string, Buf>): void {
  const entries = Object.entries(bufs);
  for (let i = 0; i < entries.length; i++) {
    for (let j = 0; j < i; j++) {
      const [a, bufA] = entries[j], [b, bufB] = entries[i];
      if (bufA === bufB) throw new RangeError(`${op}: ${a} and ${b} must be different buffers`);
      if (overlaps(bufA, bufB)) throw new RangeError(`${op}: ${a} and ${b} must not overlap`);
    }
  }
}

const FLAVOR: Record<Exclude<BackendName, "js">, WasmFlavor> = { "wasm-simd": "simd", "wasm-scalar": "scalar" };
const loaded = new Map<BackendName, Backend>();
const loading = new Map<BackendName, Promise<Backend>>();
let defaultChoice: BackendChoice = "auto";

/** Sets the backend that `loadBackend()` / `loadBackendSync()` use when given no name. */
export function setDefaultBackend(choice: BackendChoice): void {
  resolveBackendName(choice);
  defaultChoice = choice;
}

/** The concrete backend `choice` stands for on this engine; throws if it cannot run here. */
export function resolveBackendName(choice: BackendChoice): BackendName {
  if (choice === "auto") {
    if (wasmSupported("simd")) return "wasm-simd";
    return wasmSupported("scalar") ? "wasm-scalar" : "js";
  }
  if (!BACKEND_NAMES.includes(choice)) {
    throw new RangeError(`unknown backend '${String(choice)}'; expected one of auto, ${BACKEND_NAMES.join(", ")}`);
  }
  if (choice !== "js" && !wasmSupported(FLAVOR[choice])) {
    throw new Error(`backend '${choice}' is not supported by this JavaScript engine (WebAssembly${choice === "wasm-simd" ? " SIMD" : ""} missing)`);
  }
  return choice;
}

/**
 * A new, unshared instance of the backend `choice` (its own wasm memory), e.g. to measure a
 * model's memory alone. Most code wants the shared one from loadBackendSync().
 */
export function createBackend(choice: BackendChoice = defaultChoice): Backend {
  const name = resolveBackendName(choice);
  return new Backend(name, name === "js" ? jsKernels() : wasmKernelsSync(FLAVOR[name]));
}

/**
 * A new instance of the WASM backend `choice` ("auto": wasm-simd, else wasm-scalar) over a shared
 * memory, and what other threads need to attach to it (attachBackend). Throws where the engine
 * has no WebAssembly threads or SharedArrayBuffer (e.g. a page that is not cross-origin isolated).
 */
export function createSharedBackend(choice: BackendChoice = defaultChoice): { backend: Backend; shared: SharedKernels } {
  const name = choice === "auto" ? (sharedWasmSupported("simd") ? "wasm-simd" : "wasm-scalar") : resolveBackendName(choice);
  if (name === "js") throw new RangeError("threads need a WebAssembly backend (wasm-simd or wasm-scalar), not 'js'");
  if (!sharedWasmSupported(FLAVOR[name])) throw new Error(`backend '${name}' cannot use shared memory here (WebAssembly threads or SharedArrayBuffer missing, or the page is not cross-origin isolated)`);
  const { impl, shared } = sharedWasmKernelsSync(FLAVOR[name]);
  return { backend: new Backend(name, impl), shared };
}

/** The backend of another thread's shared memory (createSharedBackend), allocating only in [start, end). */
export function attachBackend(shared: SharedKernels, start: number, end: number): Backend {
  return new Backend(shared.flavor === "simd" ? "wasm-simd" : "wasm-scalar", attachWasmKernels(shared, start, end));
}

/** The backend `choice` (default: the one set by setDefaultBackend, else "auto"), created once and shared. */
export function loadBackendSync(choice: BackendChoice = defaultChoice): Backend {
  const name = resolveBackendName(choice);
  let backend = loaded.get(name);
  if (backend === undefined) {
    backend = createBackend(name);
    loaded.set(name, backend);
  }
  return backend;
}

/** Like loadBackendSync, but compiles WebAssembly asynchronously (use this on a browser's main thread). */
export function loadBackend(choice: BackendChoice = defaultChoice): Promise<Backend> {
  let name: BackendName;
  try {
    name = resolveBackendName(choice);
  } catch (e) {
    return Promise.reject(e);
  }
  const ready = loaded.get(name);
  if (ready !== undefined) return Promise.resolve(ready);
  let pending = loading.get(name);
  if (pending === undefined) {
    pending = (name === "js" ? Promise.resolve(jsKernels()) : wasmKernels(FLAVOR[name])).then((impl) => {
      const backend = loaded.get(name) ?? new Backend(name, impl);
      loaded.set(name, backend);
      loading.delete(name);
      return backend;
    });
    loading.set(name, pending);
  }
  return pending;
}
