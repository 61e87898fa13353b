/**
 * The fixed output classifier: a Binary Equiangular Frame (spec §1). C prototype rows ρ_c ∈ {±1}^K,
 * never trained. Starting from random rows, greedy coordinate descent flips one random
 * coordinate at a time when that lowers J = Σ_{i<j}⟨ρ_i,ρ_j⟩ + α·Var_{i<j}⟨ρ_i,ρ_j⟩.
 */
import type { Backend } from "../kernels/backend.js";
import type { Buf } from "../kernels/buffer.js";
import { rowWords } from "../kernels/layout.js";
import { next32, prngBelow, seedState, STREAM } from "../kernels/js/prng.js";

/**
 * Default weight α of the variance term, chosen on validation accuracy (docs/results/ablations.md):
 * with α = 1 the search stops at frames whose inner products spread from −15 to +5 at K = 35;
 * α = 4 keeps them near −K/(C−1) (−7 to −1), which helped small widths and hurt none.
 */
export const BEF_ALPHA = 4;

/** Options of the BEF search. */
export interface BefOptions {
  /** Weight α of the variance term (default BEF_ALPHA). */
  alpha?: number;
  /** Number of proposed flips (default 50·C·K). */
  iterations?: number;
}

/** A BEF: `rows` is C × K values ±1 (row-major); `maxAbsInner` the achieved max |⟨ρ_i,ρ_j⟩|, i ≠ j. */
export interface Bef {
  rows: Int8Array;
  maxAbsInner: number;
}

/** A model's fixed classifier: the prototypes ±1 (C × K), packed on a backend, and the BEF's max |⟨ρ_i,ρ_j⟩|. */
export interface Classifier {
  prototypes: Int8Array;
  P: Buf<"u32">;
  befMaxInner: number;
}

/**
 * The classifier of a model with `classes` classes over a last layer of width `k`: the given
 * `prototypes` (loading a model file), else a BEF searched with the BEF stream of `seed`.
 */
export function fixedClassifier(backend: Backend, classes: number, k: number, seed: number, prototypes?: Int8Array, options?: BefOptions): Classifier {
  const bef = prototypes
    ? { rows: prototypes, maxAbsInner: maxAbsInner(prototypes, classes, k) }
    : binaryEquiangularFrame(classes, k, seedState(seed, STREAM.bef), options);
  if (bef.rows.length !== classes * k) throw new RangeError(`prototypes: expected ${classes} × ${k} values, got ${bef.rows.length}`);
  const P = backend.alloc("u32", classes * rowWords(k));
  const i8 = backend.from("i8", bef.rows);
  backend.packSigns(i8, P, classes, k);
  i8.free();
  return { prototypes: bef.rows, P, befMaxInner: bef.maxAbsInner };
}

/** Builds a C × K Binary Equiangular Frame, deterministic for the generator state `prng`. */
export function binaryEquiangularFrame(classes: number, k: number, prng: Uint32Array, options: BefOptions = {}): Bef {
  const alpha = options.alpha ?? BEF_ALPHA;
  const iterations = options.iterations ?? 50 * classes * k;
  if (!(alpha >= 0 && Number.isFinite(alpha))) throw new RangeError(`bef.alpha must be a finite number ≥ 0, got ${alpha}`);
  if (!Number.isSafeInteger(iterations) || iterations < 0) throw new RangeError(`bef.iterations must be an integer ≥ 0, got ${iterations}`);
  const rows = new Int8Array(classes * k);
  for (let i = 0; i < rows.length; i++) rows[i] = next32(prng) >>> 31 ? 1 : -1;
  const gram = new Int32Array(classes * classes);
  for (let i = 0; i < classes; i++) {
    for (let j = 0; j < classes; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += rows[i * k + t] * rows[j * k + t];
      gram[i * classes + j] = s;
    }
  }
  const pairs = (classes * (classes - 1)) / 2;
  let sum = 0, squares = 0;
  for (let i = 0; i < classes; i++) for (let j = i + 1; j < classes; j++) {
    sum += gram[i * classes + j];
    squares += gram[i * classes + j] ** 2;
  }
  // J·pairs² = sum·pairs² + α·(pairs·squares − sum²): compared without division.
  const scaled = (s: number, q: number) => s * pairs * pairs + alpha * (pairs * q - s * s);
  let current = scaled(sum, squares);
  for (let it = 0; it < iterations; it++) {
    const c = prngBelow(prng, classes);
    const t = prngBelow(prng, k);
    const v = rows[c * k + t];
    let dSum = 0, dSquares = 0;
    for (let j = 0; j < classes; j++) {
      if (j === c) continue;
      const d = -2 * v * rows[j * k + t];
      const g = gram[c * classes + j];
      dSum += d;
      dSquares += 2 * g * d + d * d;
    }
    const next = scaled(sum + dSum, squares + dSquares);
    if (next < current) {
      rows[c * k + t] = -v;
      for (let j = 0; j < classes; j++) {
        if (j === c) continue;
        const d = -2 * v * rows[j * k + t];
        gram[c * classes + j] += d;
        gram[j * classes + c] += d;
      }
      sum += dSum;
      squares += dSquares;
      current = next;
    }
  }
  return { rows, maxAbsInner: maxAbsInner(rows, classes, k) };
}

/** max |⟨ρ_i, ρ_j⟩| over i ≠ j for C × K ±1 rows. */
export function maxAbsInner(rows: Int8Array, classes: number, k: number): number {
  let max = 0;
  for (let i = 0; i < classes; i++) for (let j = i + 1; j < classes; j++) {
    let s = 0;
    for (let t = 0; t < k; t++) s += rows[i * k + t] * rows[j * k + t];
    max = Math.max(max, Math.abs(s));
  }
  return max;
}
