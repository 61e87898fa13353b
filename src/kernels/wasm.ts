/**
 * The one place that instantiates the kernel modules (through @assemblyscript/loader), owns
 * their linear memory and re-creates typed views after memory growth. The wasm bytes are
 * inlined (base64) by the build, so no asset path is needed in Node, browsers or workers.
 */
import { instantiate, instantiateSync } from "@assemblyscript/loader";
import type { Buf, Kind, TypedArrays } from "./buffer.js";
import { ARRAY_OF } from "./buffer.js";
import type { KernelImpl } from "./impl.js";
import { Heap } from "./heap.js";
import { SIMD_WASM_BASE64, SCALAR_WASM_BASE64, SIMD_SHARED_WASM_BASE64, SCALAR_SHARED_WASM_BASE64 } from "./wasm-bytes.generated.js";

/** Which compiled module: with 128-bit SIMD or without. */
export type WasmFlavor = "simd" | "scalar";

type Ptr = number;

/** The exports of assembly/index.ts (all addresses are byte offsets in linear memory). */
interface KernelExports {
  memory: WebAssembly.Memory;
  heapBase(): Ptr;
  prngFill(state: Ptr, out: Ptr, count: number): void;
  prngBelow(state: Ptr, n: number): number;
  packSigns(src: Ptr, dst: Ptr, rows: number, k: number): void;
  unpackSigns(src: Ptr, dst: Ptr, rows: number, k: number): void;
  packThresholds(src: Ptr, thresholds: Ptr, dst: Ptr, rows: number, k: number): void;
  transpose(src: Ptr, dst: Ptr, rows: number, cols: number): void;
  tableScratchBytes(batch: number, k: number, n: number): number;
  forward(A: Ptr, W: Ptr, Z: Ptr, batch: number, k: number, n: number, scratch: Ptr): void;
  forwardSign(A: Ptr, W: Ptr, Z: Ptr, S: Ptr, batch: number, k: number, n: number, scratch: Ptr): void;
  signs(Z: Ptr, S: Ptr, rows: number, n: number): void;
  gate(Z: Ptr, G: Ptr, rows: number, n: number, threshold: number): void;
  desired(D: Ptr, G: Ptr, WT: Ptr, Y: Ptr, OUT: Ptr, batch: number, n: number, k: number): void;
  winners(Z: Ptr, ASTAR: Ptr, WIN: Ptr, batch: number, n: number, gamma: number): void;
  updateRows(
    H: Ptr, W: Ptr, WT: Ptr, APREV: Ptr, ASTAR: Ptr, WIN: Ptr,
    batch: number, groups: number, n: number, k: number, lo: number, hi: number, j0: number, j1: number, scratch: Ptr,
  ): number;
  reinforce(H: Ptr, count: number, table: Ptr, len: number, state: Ptr, lo: number, hi: number): number;
  addRowSums(DELTA: Ptr, ROWS: Ptr, SUMS: Ptr, count: number, k: number, vote: number): void;
  applyRows(H: Ptr, W: Ptr, WT: Ptr, DELTA: Ptr, ROWS: Ptr, count: number, n: number, k: number, lo: number, hi: number): void;
  sharedWinners(Z: Ptr, D: Ptr, WIN: Ptr, steps: number, zStride: number, dStride: number, n: number, gamma: number, scratch: Ptr): number;
}

/** Pages (64 KiB) a shared kernel memory can grow to: the shared modules declare this maximum (1 GiB). */
export const SHARED_MAX_PAGES = 16384;

/** The compiled module's bytes; `shared`: the build that imports a shared memory (for threads). */
export function wasmBytes(flavor: WasmFlavor, shared = false): Uint8Array<ArrayBuffer> {
  const b64 = shared
    ? (flavor === "simd" ? SIMD_SHARED_WASM_BASE64 : SCALAR_SHARED_WASM_BASE64)
    : (flavor === "simd" ? SIMD_WASM_BASE64 : SCALAR_WASM_BASE64);
  const bin = atob(b64);
  const bytes = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** True if this engine runs WebAssembly with the module of `flavor` (SIMD support is probed this way). */
export function wasmSupported(flavor: WasmFlavor): boolean {
  return typeof WebAssembly === "object" && WebAssembly.validate(wasmBytes(flavor));
}

/** Instantiates the module of `flavor` synchronously (fine in Node and workers). */
export function wasmKernelsSync(flavor: WasmFlavor): KernelImpl {
  const x = instantiateSync(wasmBytes(flavor)).exports as unknown as KernelExports;
  return wrap(x, new Heap(x.memory, x.heapBase()));
}

/** Instantiates the module of `flavor` asynchronously (needed on a browser's main thread). */
export async function wasmKernels(flavor: WasmFlavor): Promise<KernelImpl> {
  const x = (await instantiate(wasmBytes(flavor))).exports as unknown as KernelExports;
  return wrap(x, new Heap(x.memory, x.heapBase()));
}

/** A shared kernel memory and the compiled module that runs over it: what threads share. */
export interface SharedKernels {
  flavor: WasmFlavor;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
}

/** True if this engine can run the shared-memory module of `flavor` (WebAssembly threads, SharedArrayBuffer). */
export function sharedWasmSupported(flavor: WasmFlavor): boolean {
  if (typeof SharedArrayBuffer !== "function" || typeof Atomics !== "object" || !wasmSupported(flavor)) return false;
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  } catch {
    return false; // e.g. a browser page that is not cross-origin isolated
  }
  return WebAssembly.validate(wasmBytes(flavor, true));
}

/** Compiles the shared module of `flavor` and creates its memory; returns them with kernels that own the memory's heap. */
export function sharedWasmKernelsSync(flavor: WasmFlavor): { impl: KernelImpl; shared: SharedKernels } {
  const shared: SharedKernels = {
    flavor,
    module: new WebAssembly.Module(wasmBytes(flavor, true)),
    memory: new WebAssembly.Memory({ initial: 1, maximum: SHARED_MAX_PAGES, shared: true }),
  };
  const x = instantiateShared(shared);
  return { impl: wrap(x, new Heap(shared.memory, x.heapBase())), shared };
}

/**
 * Kernels over a memory another thread created (sharedWasmKernelsSync), allocating only inside
 * the region [start, end) that thread reserved for this one.
 */
export function attachWasmKernels(shared: SharedKernels, start: number, end: number): KernelImpl {
  return wrap(instantiateShared(shared), new Heap(shared.memory, start, end));
}

function instantiateShared({ module, memory }: SharedKernels): KernelExports {
  return { ...(instantiateSync(module, { env: { memory } }).exports as unknown as KernelExports), memory };
}

class WasmBuf<K extends Kind> implements Buf<K> {
  private view: TypedArrays[K] | null = null;
  constructor(
    readonly owner: object,
    private readonly heap: Heap,
    readonly kind: K,
    readonly length: number,
    readonly ptr: Ptr,
    private readonly onFree: ((buf: WasmBuf<K>) => void) | null,
    private readonly parent: WasmBuf<K> | null = null,
  ) {}
  get data(): TypedArrays[K] {
    if (this.freed) throw new Error("bep: buffer used after free()");
    const buffer = this.heap.memory.buffer;
    if (this.view === null || this.view.buffer !== buffer) this.view = new ARRAY_OF[this.kind](buffer, this.ptr, this.length);
    return this.view;
  }
  get freed(): boolean {
    return this.ptr < 0 || (this.parent !== null && this.parent.freed);
  }
  get root(): object {
    return this.parent?.root ?? this;
  }
  get byteOffset(): number {
    return this.parent === null ? 0 : this.parent.byteOffset + (this.ptr - this.parent.ptr);
  }
  /** A buffer over elements offset..offset+length of this one. */
  slice(offset: number, length: number): WasmBuf<K> {
    return new WasmBuf(this.owner, this.heap, this.kind, length, this.ptr + offset * ARRAY_OF[this.kind].BYTES_PER_ELEMENT, null, this);
  }
  free(): void {
    if (this.ptr < 0) return;
    this.onFree?.(this);
    (this as { ptr: Ptr }).ptr = -1;
    this.view = null;
  }
}

function wrap(x: KernelExports, heap: Heap): KernelImpl {
  const registry = typeof FinalizationRegistry === "function" ? new FinalizationRegistry<Ptr>((ptr) => heap.free(ptr)) : null;
  const p = (b: Buf): Ptr => (b as WasmBuf<Kind>).ptr;
  const impl: KernelImpl = {
    alloc(kind, length) {
      const ptr = heap.alloc(length * ARRAY_OF[kind].BYTES_PER_ELEMENT);
      const buf = new WasmBuf(impl, heap, kind, length, ptr, (b) => {
        registry?.unregister(b);
        heap.free(b.ptr);
      });
      registry?.register(buf, ptr, buf);
      return buf;
    },
    memory: () => ({ live: heap.used, reserved: heap.memory.buffer.byteLength }),
    shared: x.memory.buffer instanceof ArrayBuffer ? undefined : {
      address: p,
      adopt: (kind, address, length) => new WasmBuf(impl, heap, kind, length, address, null),
    },
    view: (buf, offset, length) => (buf as WasmBuf<typeof buf.kind>).slice(offset, length) as typeof buf,
    prngFill: (s, out, count) => x.prngFill(p(s), p(out), count),
    prngBelow: (s, n) => x.prngBelow(p(s), n) >>> 0,
    packSigns: (src, dst, rows, k) => x.packSigns(p(src), p(dst), rows, k),
    unpackSigns: (src, dst, rows, k) => x.unpackSigns(p(src), p(dst), rows, k),
    packThresholds: (src, t, dst, rows, k) => x.packThresholds(p(src), p(t), p(dst), rows, k),
    transpose: (src, dst, rows, cols) => x.transpose(p(src), p(dst), rows, cols),
    forwardScratchBytes: (batch, k, n) => x.tableScratchBytes(batch, k, n) >>> 0,
    forward: (A, W, Z, batch, k, n, scratch) => x.forward(p(A), p(W), p(Z), batch, k, n, scratch === null ? 0 : p(scratch)),
    forwardSign: (A, W, Z, S, batch, k, n, scratch) => x.forwardSign(p(A), p(W), p(Z), p(S), batch, k, n, scratch === null ? 0 : p(scratch)),
    signs: (Z, S, rows, n) => x.signs(p(Z), p(S), rows, n),
    gate: (Z, G, rows, n, t) => x.gate(p(Z), p(G), rows, n, t),
    desired: (D, G, WT, Y, OUT, batch, n, k) => x.desired(p(D), p(G), p(WT), p(Y), p(OUT), batch, n, k),
    winners: (Z, ASTAR, WIN, batch, n, gamma) => x.winners(p(Z), p(ASTAR), p(WIN), batch, n, gamma),
    updateRows: (H, W, WT, APREV, ASTAR, WIN, batch, groups, n, k, lo, hi, j0, j1, scratch) =>
      x.updateRows(p(H), p(W), WT === null ? 0 : p(WT), p(APREV), p(ASTAR), p(WIN), batch, groups, n, k, lo, hi, j0, j1, p(scratch)),
    reinforce: (H, count, table, len, state, lo, hi) => x.reinforce(p(H), count, p(table), len, p(state), lo, hi),
    addRowSums: (DELTA, ROWS, SUMS, count, k, vote) => x.addRowSums(p(DELTA), p(ROWS), p(SUMS), count, k, vote ? 1 : 0),
    applyRows: (H, W, WT, DELTA, ROWS, count, n, k, lo, hi) => x.applyRows(p(H), p(W), WT === null ? 0 : p(WT), p(DELTA), p(ROWS), count, n, k, lo, hi),
    sharedWinners: (Z, D, WIN, steps, zStride, dStride, n, gamma, scratch) => x.sharedWinners(p(Z), p(D), p(WIN), steps, zStride, dStride, n, gamma, p(scratch)),
  };
  return impl;
}
