/** Typed buffers that kernels read and write; a backend owns the memory behind each one. */

/** The element types kernels use, by name. */
export interface TypedArrays {
  u32: Uint32Array;
  i32: Int32Array;
  i16: Int16Array;
  i8: Int8Array;
  f32: Float32Array;
}

/** Name of an element type: packed bits are `u32`, z and winners `i32`, hidden weights `i16`. */
export type Kind = keyof TypedArrays;

/** Constructors of the element types. */
export const ARRAY_OF: { [K in Kind]: { new (buffer: ArrayBufferLike, offset: number, length: number): TypedArrays[K]; BYTES_PER_ELEMENT: number } } = {
  u32: Uint32Array,
  i32: Int32Array,
  i16: Int16Array,
  i8: Int8Array,
  f32: Float32Array,
};

/**
 * A zero-initialised array of `length` elements of `kind`, owned by one backend. On a WASM
 * backend it lives in linear memory: read `data` afresh after anything that may allocate,
 * since memory growth replaces the underlying ArrayBuffer. Keep the Buf (not only its `data`)
 * alive while in use; `free()` returns its memory early.
 */
export interface Buf<K extends Kind = Kind> {
  readonly kind: K;
  readonly length: number;
  /** The current view of the contents. */
  readonly data: TypedArrays[K];
  /** The backend that owns the memory (buffers cannot be mixed across backends). */
  readonly owner: object;
  /** True once `free()` has been called (on this buffer or, for a view, on the buffer it views). */
  readonly freed: boolean;
  /** The allocation this buffer is (a view shares its root's memory). */
  readonly root: object;
  /** Where this buffer starts in its root, in bytes. */
  readonly byteOffset: number;
  /** Releases the memory (a view only stops being usable); the buffer must not be used afterwards. Idempotent. */
  free(): void;
}

/** True if two buffers share bytes of memory. */
export function overlaps(a: Buf, b: Buf): boolean {
  if (a.root !== b.root) return false;
  const aEnd = a.byteOffset + a.length * ARRAY_OF[a.kind].BYTES_PER_ELEMENT;
  const bEnd = b.byteOffset + b.length * ARRAY_OF[b.kind].BYTES_PER_ELEMENT;
  return a.byteOffset < bEnd && b.byteOffset < aEnd;
}
