/**
 * What a backend implements: the raw kernels, with no argument checking (Backend in
 * backend.ts validates first). Buffers are the backend's own: typed arrays for `js`,
 * addresses in linear memory for the WASM backends.
 */
import type { Buf, Kind } from "./buffer.js";

/** A backend's memory use in bytes: live buffers, and what the engine has reserved for them. */
export interface BackendMemory {
  live: number;
  reserved: number;
}

export interface KernelImpl {
  alloc<K extends Kind>(kind: K, length: number): Buf<K>;
  /** Shared-memory backends: the byte address of `buf`, and a buffer over `length` elements at an address another thread allocated. */
  shared?: {
    address(buf: Buf): number;
    adopt<K extends Kind>(kind: K, address: number, length: number): Buf<K>;
  };
  /** Bytes of live buffers, and the bytes reserved for them (wasm: the whole linear memory). */
  memory(): BackendMemory;
  /** Elements offset..offset+length of `buf`, sharing its memory (bounds already checked). */
  view<K extends Kind>(buf: Buf<K>, offset: number, length: number): Buf<K>;
  prngFill(state: Buf<"u32">, out: Buf<"u32">, count: number): void;
  prngBelow(state: Buf<"u32">, n: number): number;
  packSigns(src: Buf<"i8">, dst: Buf<"u32">, rows: number, k: number): void;
  unpackSigns(src: Buf<"u32">, dst: Buf<"i8">, rows: number, k: number): void;
  packThresholds(src: Buf<"f32">, thresholds: Buf<"f32">, dst: Buf<"u32">, rows: number, k: number): void;
  transpose(src: Buf<"u32">, dst: Buf<"u32">, rows: number, cols: number): void;
  /** Bytes of scratch `forward` can use for this shape (0: none; only the SIMD build has nibble tables). */
  forwardScratchBytes(batch: number, k: number, n: number): number;
  /** `scratch`: forwardScratchBytes(batch, k, n) bytes, or null when that is 0. */
  forward(A: Buf<"u32">, W: Buf<"u32">, Z: Buf<"i32">, batch: number, k: number, n: number, scratch: Buf<"i32"> | null): void;
  forwardSign(A: Buf<"u32">, W: Buf<"u32">, Z: Buf<"i32">, S: Buf<"u32">, batch: number, k: number, n: number, scratch: Buf<"i32"> | null): void;
  signs(Z: Buf<"i32">, S: Buf<"u32">, rows: number, n: number): void;
  gate(Z: Buf<"i32">, G: Buf<"u32">, rows: number, n: number, threshold: number): void;
  desired(D: Buf<"u32">, G: Buf<"u32">, WT: Buf<"u32">, Y: Buf<"i32">, OUT: Buf<"u32">, batch: number, n: number, k: number): void;
  winners(Z: Buf<"i32">, ASTAR: Buf<"u32">, WIN: Buf<"i32">, batch: number, n: number, gamma: number): void;
  /** WT null: the layer keeps no Wᵀ (nothing to flip). */
  updateRows(
    H: Buf<"i16">, W: Buf<"u32">, WT: Buf<"u32"> | null, APREV: Buf<"u32">, ASTAR: Buf<"u32">, WIN: Buf<"i32">,
    batch: number, groups: number, n: number, k: number, lo: number, hi: number, j0: number, j1: number, scratch: Buf<"i32">,
  ): number;
  reinforce(H: Buf<"i16">, count: number, table: Buf<"u32">, len: number, state: Buf<"u32">, lo: number, hi: number): number;
  addRowSums(DELTA: Buf<"i32">, ROWS: Buf<"i32">, SUMS: Buf<"i32">, count: number, k: number, vote: boolean): void;
  /** WT null: the layer keeps no Wᵀ (nothing to flip). */
  applyRows(H: Buf<"i16">, W: Buf<"u32">, WT: Buf<"u32"> | null, DELTA: Buf<"i32">, ROWS: Buf<"i32">, count: number, n: number, k: number, lo: number, hi: number): void;
  /** Z and D start at the series' first step; `scratch` holds 2·n i32. */
  sharedWinners(Z: Buf<"i32">, D: Buf<"u32">, WIN: Buf<"i32">, steps: number, zStride: number, dStride: number, n: number, gamma: number, scratch: Buf<"i32">): number;
}
