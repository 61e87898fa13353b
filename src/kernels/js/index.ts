/** The `js` backend: the TypeScript twins over plain typed arrays. */
import type { Buf, Kind, TypedArrays } from "../buffer.js";
import { ARRAY_OF } from "../buffer.js";
import type { KernelImpl } from "../impl.js";
import { prngBelow, prngFill } from "./prng.js";
import { packSigns, unpackSigns, packThresholds, transpose } from "./pack.js";
import { forward, forwardSign, signs } from "./forward.js";
import { gate, desired } from "./backward.js";
import { winners, updateRows, addRowSums, applyRows, sharedWinners } from "./update.js";
import { reinforce } from "./reinforce.js";

class JsBuf<K extends Kind> implements Buf<K> {
  private view: TypedArrays[K] | null;
  /** Called once when a root buffer is freed (memory accounting). */
  onFree: (() => void) | null = null;
  readonly root: object;
  readonly byteOffset: number;
  constructor(readonly owner: object, readonly kind: K, readonly length: number, private readonly parent: JsBuf<K> | null = null, offset = 0) {
    const Ctor = ARRAY_OF[kind];
    this.root = parent?.root ?? this;
    this.byteOffset = parent === null ? 0 : parent.byteOffset + offset * Ctor.BYTES_PER_ELEMENT;
    this.view = parent === null
      ? new Ctor(new ArrayBuffer(length * Ctor.BYTES_PER_ELEMENT), 0, length)
      : new Ctor(parent.data.buffer, parent.data.byteOffset + offset * Ctor.BYTES_PER_ELEMENT, length);
  }
  get data(): TypedArrays[K] {
    if (this.view === null || this.freed) throw new Error("bep: buffer used after free()");
    return this.view;
  }
  get freed(): boolean {
    return this.view === null || (this.parent !== null && this.parent.freed);
  }
  free(): void {
    if (this.view === null) return;
    this.view = null;
    this.onFree?.();
  }
}

/** Creates the kernel implementation of the `js` backend. */
export function jsKernels(): KernelImpl {
  let live = 0;
  const registry = typeof FinalizationRegistry === "function" ? new FinalizationRegistry<number>((bytes) => (live -= bytes)) : null;
  const impl: KernelImpl = {
    alloc(kind, length) {
      const buf = new JsBuf(impl, kind, length);
      const bytes = length * ARRAY_OF[kind].BYTES_PER_ELEMENT;
      live += bytes;
      registry?.register(buf, bytes, buf);
      buf.onFree = () => {
        registry?.unregister(buf);
        live -= bytes;
      };
      return buf;
    },
    memory: () => ({ live, reserved: live }),
    view: (buf, offset, length) => new JsBuf(impl, buf.kind, length, buf as JsBuf<typeof buf.kind>, offset) as typeof buf,
    prngFill: (s, out, count) => prngFill(s.data, out.data, count),
    prngBelow: (s, n) => prngBelow(s.data, n),
    packSigns: (src, dst, rows, k) => packSigns(src.data, dst.data, rows, k),
    unpackSigns: (src, dst, rows, k) => unpackSigns(src.data, dst.data, rows, k),
    packThresholds: (src, t, dst, rows, k) => packThresholds(src.data, t.data, dst.data, rows, k),
    transpose: (src, dst, rows, cols) => transpose(src.data, dst.data, rows, cols),
    forwardScratchBytes: () => 0,
    forward: (A, W, Z, batch, k, n) => forward(A.data, W.data, Z.data, batch, k, n),
    forwardSign: (A, W, Z, S, batch, k, n) => forwardSign(A.data, W.data, Z.data, S.data, batch, k, n),
    signs: (Z, S, rows, n) => signs(Z.data, S.data, rows, n),
    gate: (Z, G, rows, n, t) => gate(Z.data, G.data, rows, n, t),
    desired: (D, G, WT, Y, OUT, batch, n, k) => desired(D.data, G.data, WT.data, Y.data, OUT.data, batch, n, k),
    winners: (Z, ASTAR, WIN, batch, n, gamma) => winners(Z.data, ASTAR.data, WIN.data, batch, n, gamma),
    updateRows: (H, W, WT, APREV, ASTAR, WIN, batch, groups, n, k, lo, hi, j0, j1, scratch) =>
      updateRows(H.data, W.data, WT === null ? null : WT.data, APREV.data, ASTAR.data, WIN.data, batch, groups, n, k, lo, hi, j0, j1, scratch.data),
    reinforce: (H, count, table, len, state, lo, hi) => reinforce(H.data, count, table.data, len, state.data, lo, hi),
    addRowSums: (DELTA, ROWS, SUMS, count, k, vote) => addRowSums(DELTA.data, ROWS.data, SUMS.data, count, k, vote),
    applyRows: (H, W, WT, DELTA, ROWS, count, n, k, lo, hi) => applyRows(H.data, W.data, WT === null ? null : WT.data, DELTA.data, ROWS.data, count, n, k, lo, hi),
    sharedWinners: (Z, D, WIN, steps, zStride, dStride, n, gamma, scratch) => sharedWinners(Z.data, 0, D.data, 0, WIN.data, steps, zStride, dStride, n, gamma, scratch.data),
  };
  return impl;
}
