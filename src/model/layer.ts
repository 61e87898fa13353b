/** One binary layer: hidden integer weights H (i16, n × k) and visible weights W = sign(H), packed, with Wᵀ where the backward pass reads it. */
import type { Backend } from "../kernels/backend.js";
import type { Buf } from "../kernels/buffer.js";
import { rowWords, H_MAX, H_MIN } from "../kernels/layout.js";
import { next32 } from "../kernels/js/prng.js";

export class Layer {
  /** Hidden weights H (spec §1), row j = neuron j's n × k fan-in, i16. */
  readonly H: Buf<"i16">;
  /** Visible weights W = sign(H), packed n × k. */
  readonly W: Buf<"u32">;
  /**
   * Wᵀ, packed k × n: the binary backward pass (eq. 7) reads columns of W as rows to find the
   * desired activations of this layer's inputs. Null for a layer whose inputs get none (the first
   * layer of an MLP, a recurrent network's input and expansion layers): 1/8 byte per weight saved.
   */
  readonly WT: Buf<"u32"> | null;

  /** A layer of `n` neurons with fan-in `k`, all hidden weights 0 (so W = +1); `transposed`: keep Wᵀ. */
  constructor(readonly backend: Backend, readonly n: number, readonly k: number, transposed = true) {
    this.H = backend.alloc("i16", n * k);
    this.W = backend.alloc("u32", n * rowWords(k));
    this.WT = transposed ? backend.alloc("u32", k * rowWords(n)) : null;
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

  /** Recomputes W = sign(H) (sign(0) = +1) and Wᵀ (if kept) from H. */
  refresh(): void {
    const { n, k } = this;
    const words = rowWords(k);
    const h = this.H.data, w = this.W.data;
    w.fill(0);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < k; i++) if (h[j * k + i] >= 0) w[j * words + (i >>> 5)] |= 1 << (i & 31);
    }
    if (this.WT !== null) this.backend.transpose(this.W, this.WT, n, k);
  }

  /** Clamps H into [lo, hi] (lo ≤ −1, hi ≥ 0, so no sign changes and W stays as it is). */
  clamp(lo: number, hi: number): void {
    if (!(lo <= -1 && hi >= 0)) throw new RangeError(`clamp: bounds must keep every sign (lo ≤ −1, hi ≥ 0), got [${lo}, ${hi}]`);
    const h = this.H.data;
    for (let i = 0; i < h.length; i++) h[i] = Math.max(lo, Math.min(hi, h[i]));
  }

  /** Number of trainable weights. */
  get size(): number {
    return this.n * this.k;
  }

  /** Returns the layer's memory to its backend. */
  free(): void {
    this.H.free();
    this.W.free();
    this.WT?.free();
  }
}

/** The Wᵀ of `layer` for the backward pass of `what`; an error where the layer keeps none. */
export function transposeOf(layer: { readonly WT: Buf<"u32"> | null }, what: string): Buf<"u32"> {
  if (layer.WT === null) throw new Error(`${what}: the layer keeps no Wᵀ (it was made for a layer whose inputs get no desired activations)`);
  return layer.WT;
}
