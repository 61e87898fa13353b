/**
 * The fixed output classifier: a Binary Equiangular Frame (spec §1). C prototype rows ρ_c ∈ {±1}^K,
 * never trained. Starting from random rows, greedy coordinate descent flips one random
 * coordinate at a time when that lowers J = Σ_{i<j}⟨ρ_i,ρ_j⟩ + α·Var_{i<j}⟨ρ_i,ρ_j⟩.
 */
import { next32, prngBelow } from "../kernels/js/prng.js";

/** Options of the BEF search. */
export interface BefOptions {
  /** Weight α of the variance term (default 1). */
  alpha?: number;
  /** Number of proposed flips (default 50·C·K). */
  iterations?: number;
}

/** A BEF: `rows` is C × K values ±1 (row-major); `maxAbsInner` the achieved max |⟨ρ_i,ρ_j⟩|, i ≠ j. */
export interface Bef {
  rows: Int8Array;
  maxAbsInner: number;
}

/** Builds a C × K Binary Equiangular Frame, deterministic for the generator state `prng`. */
export function binaryEquiangularFrame(classes: number, k: number, prng: Uint32Array, options: BefOptions = {}): Bef {
  const alpha = options.alpha ?? 1;
  const iterations = options.iterations ?? 50 * classes * k;
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
