/** One binary layer: hidden integer weights H (i16, n × k) and visible weights W = sign(H), packed, with Wᵀ. */
import type { Backend } from "../kernels/backend.js";
import type { Buf } from "../kernels/buffer.js";
import { rowWords, H_MAX, H_MIN } from "../kernels/layout.js";
import { next32 } from "../kernels/js/prng.js";

export class Layer {
  /** Hidden weights H (spec §1), row j = neuron j's n × k fan-in, i16. */
  readonly H: Buf<"i16">;
  /** Visible weights W = sign(H), packed n × k. */
  readonly W: Buf<"u32">;
  /** Wᵀ, packed k × n: the binary backward pass reads columns of W as rows. */
  readonly WT: Buf<"u32">;

  /** A layer of `n` neurons with fan-in `k`, all hidden weights 0 (so W = +1). */
  constructor(readonly backend: Backend, readonly n: number, readonly k: number) {
    this.H = backend.alloc("i16", n * k);
    this.W = backend.alloc("u32", n * rowWords(k));
    this.WT = backend.alloc("u32", k * rowWords(n));
    this.refresh();
  }

  /**
   * H ~ round(σ·N(0,1)), clipped to i16 (spec §1). The normal draw is Irwin–Hall with twelve
   * 16-bit uniforms, integer until one multiply by σ, so it is identical on every engine.
   */
  initialise(sigma: number, prng: Uint32Array): void {
    const h = this.H.data;
    for (let i = 0; i < h.length; i++) {
      let s = 0;
      for (let u = 0; u < 12; u++) s += next32(prng) >>> 16;
      h[i] = Math.max(H_MIN, Math.min(H_MAX, Math.round((sigma * (s - 393210)) / 65536)));
    }
    this.refresh();
  }

  /** Recomputes W = sign(H) (sign(0) = +1) and Wᵀ from H. */
  refresh(): void {
    const { n, k } = this;
    const words = rowWords(k);
    const h = this.H.data, w = this.W.data;
    w.fill(0);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < k; i++) if (h[j * k + i] >= 0) w[j * words + (i >>> 5)] |= 1 << (i & 31);
    }
    this.backend.transpose(this.W, this.WT, n, k);
  }

  /**
   * Adds 2·Δ to the rows `rows` of H, saturating at [lo, hi] (eq. 9), and refreshes those rows of
   * W and columns of Wᵀ. Δ is an i32 n × k matrix; only the listed rows are read.
   */
  addRows(delta: Int32Array, rows: ArrayLike<number>, count: number, lo = H_MIN, hi = H_MAX): void {
    const { n, k } = this;
    const words = rowWords(k), tWords = rowWords(n);
    const h = this.H.data, w = this.W.data, wt = this.WT.data;
    for (let r = 0; r < count; r++) {
      const j = rows[r];
      const col = j >>> 5, bit = 1 << (j & 31);
      w.fill(0, j * words, (j + 1) * words);
      for (let i = 0; i < k; i++) {
        const v = Math.min(hi, Math.max(lo, h[j * k + i] + 2 * delta[j * k + i]));
        h[j * k + i] = v;
        const t = i * tWords + col;
        if (v >= 0) {
          w[j * words + (i >>> 5)] |= 1 << (i & 31);
          wt[t] |= bit;
        } else {
          wt[t] &= ~bit;
        }
      }
    }
  }

  /** Number of trainable weights. */
  get size(): number {
    return this.n * this.k;
  }

  /** Returns the layer's memory to its backend. */
  free(): void {
    this.H.free();
    this.W.free();
    this.WT.free();
  }
}
