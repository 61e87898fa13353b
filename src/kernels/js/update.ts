/** TypeScript twin of assembly/update.ts: winner-per-group selection and sparse row updates. */
import { rowWords } from "../layout.js";

/**
 * Winner-per-group (spec §2.4): among the wrong neurons (sign(z) ≠ a*) of each group of `gamma`
 * consecutive neurons, the one with the smallest |z|, lowest index on ties; −1 if none.
 * WIN is i32 `batch` × ⌈n/gamma⌉.
 */
export function winners(Z: Int32Array, ASTAR: Uint32Array, WIN: Int32Array, batch: number, n: number, gamma: number): void {
  const groups = Math.ceil(n / gamma);
  const words = rowWords(n);
  for (let b = 0; b < batch; b++) {
    for (let g = 0; g < groups; g++) {
      let best = -1;
      let bestAbs = Infinity;
      const end = Math.min(n, (g + 1) * gamma);
      for (let j = g * gamma; j < end; j++) {
        const v = Z[b * n + j];
        const bit = (ASTAR[b * words + (j >>> 5)] >>> (j & 31)) & 1;
        const a = Math.abs(v);
        if ((v >= 0 ? 1 : 0) !== bit && a < bestAbs) {
          best = j;
          bestAbs = a;
        }
      }
      WIN[b * groups + g] = best;
    }
  }
}

/**
 * Sparse update (eqs. 8–9): ΔH[j,:] += a*_bj · a_b for every winner (b, j), then for each touched
 * row H[j,:] ← clamp(H[j,:] + 2·ΔH[j,:], lo, hi), W[j,:] = sign(H[j,:]) and column j of WT
 * (WT null: the layer keeps no Wᵀ). Only rows j ∈ [j0, j1) are updated. Returns the number of
 * rows updated. SCRATCH holds updateScratchWords(...) i32.
 */
export function updateRows(
  H: Int16Array, W: Uint32Array, WT: Uint32Array | null, APREV: Uint32Array, ASTAR: Uint32Array, WIN: Int32Array,
  batch: number, groups: number, n: number, k: number, lo: number, hi: number, j0: number, j1: number, SCRATCH: Int32Array,
): number {
  const start = SCRATCH.subarray(0, n + 1);
  const order = SCRATCH.subarray(n + 1, n + 1 + batch * groups);
  const acc = SCRATCH.subarray(n + 1 + batch * groups);
  start.fill(0);
  const total = batch * groups;
  for (let e = 0; e < total; e++) if (WIN[e] >= j0 && WIN[e] < j1) start[WIN[e] + 1]++;
  for (let j = 0; j < n; j++) start[j + 1] += start[j];
  acc.set(start.subarray(0, n));
  for (let e = 0; e < total; e++) {
    const j = WIN[e];
    if (j >= j0 && j < j1) order[acc[j]++] = (e / groups) | 0;
  }
  const inWords = rowWords(k);
  const outWords = rowWords(n);
  let touched = 0;
  for (let j = j0; j < j1; j++) {
    if (start[j] === start[j + 1]) continue;
    touched++;
    acc.fill(0, 0, k);
    for (let e = start[j]; e < start[j + 1]; e++) {
      const b = order[e];
      const s = ((ASTAR[b * outWords + (j >>> 5)] >>> (j & 31)) & 1) * 2 - 1;
      for (let i = 0; i < k; i++) acc[i] += (((APREV[b * inWords + (i >>> 5)] >>> (i & 31)) & 1) * 2 - 1) * s;
    }
    // W[j,:] = sign(H[j,:]); where a sign changes, flip bit j of that input's row of WT.
    const col = j >>> 5;
    const bit = 1 << (j & 31);
    for (let i = 0; i < k; i++) {
      const v = Math.min(hi, Math.max(lo, H[j * k + i] + 2 * acc[i]));
      H[j * k + i] = v;
      const w = j * inWords + (i >>> 5), m = 1 << (i & 31);
      if (v >= 0 !== ((W[w] & m) !== 0)) {
        W[w] ^= m;
        if (WT !== null) WT[i * outWords + col] ^= bit;
      }
    }
  }
  return touched;
}

/**
 * The time-summed state update of BEP-TT (spec §4), one series: DELTA[ROWS[w], :] += SUMS[w, :]
 * for w < count, or with `vote` its sign (−1, 0 or +1 per weight). DELTA has row stride k.
 */
export function addRowSums(DELTA: Int32Array, ROWS: Int32Array, SUMS: Int32Array, count: number, k: number, vote: boolean): void {
  for (let w = 0; w < count; w++) {
    const d = ROWS[w] * k, s = w * k;
    for (let c = 0; c < k; c++) {
      const v = SUMS[s + c];
      DELTA[d + c] += vote ? Math.sign(v) : v;
    }
  }
}

/**
 * The batch's update of listed rows (eq. 9): each row j = ROWS[r] of H becomes
 * clamp(H[j,:] + 2·DELTA[j,:], lo, hi), W's row j and WT's column j follow (WT null: none kept),
 * and DELTA's row j is zeroed.
 */
export function applyRows(
  H: Int16Array, W: Uint32Array, WT: Uint32Array | null, DELTA: Int32Array, ROWS: Int32Array, count: number, n: number, k: number, lo: number, hi: number,
): void {
  const inWords = rowWords(k), outWords = rowWords(n);
  for (let r = 0; r < count; r++) {
    const j = ROWS[r];
    const col = j >>> 5, bit = 1 << (j & 31);
    for (let i = 0; i < k; i++) {
      const v = Math.min(hi, Math.max(lo, H[j * k + i] + 2 * DELTA[j * k + i]));
      H[j * k + i] = v;
      const w = j * inWords + (i >>> 5), m = 1 << (i & 31);
      if (v >= 0 !== ((W[w] & m) !== 0)) {
        W[w] ^= m;
        if (WT !== null) WT[i * outWords + col] ^= bit;
      }
    }
    DELTA.fill(0, j * k, (j + 1) * k);
  }
}

/**
 * Chooses the state neurons to update for one series, shared by all its steps (spec §4): a
 * neuron is a candidate if sign(z_t) ≠ s*_t at one or more of the steps; per group of γ the
 * candidate wrong at the most steps wins, ties broken by the smallest Σ|z_t| over its wrong
 * steps, then by the lowest index. `wrongSteps[j]` and `wrongAbs[j]` hold those counts and sums
 * for neurons j < n. Writes one winner (or −1) per group into win[at..at+⌈n/γ⌉).
 */
export function sharedMask(wrongSteps: Int32Array, wrongAbs: Int32Array, n: number, gamma: number, win: Int32Array, at: number): void {
  const groups = Math.ceil(n / gamma);
  for (let g = 0; g < groups; g++) {
    let best = -1, bestCount = 0, bestSum = 0;
    for (let j = g * gamma; j < Math.min(n, (g + 1) * gamma); j++) {
      const count = wrongSteps[j], sum = wrongAbs[j];
      if (count > bestCount || (count === bestCount && count > 0 && sum < bestSum)) {
        best = j;
        bestCount = count;
        bestSum = sum;
      }
    }
    win[at + g] = best;
  }
}

/**
 * The time-shared state mask of one series (spec §4; see sharedMask): counts, per neuron j < n, the
 * steps where sign(z_tj) ≠ s*_tj and Σ|z_tj| over them, for the series' `steps` rows of Z (from
 * `zAt`, `zStride` apart) and D (packed, from `dAt`, `dStride` apart); writes the winners, in group
 * order, to WIN and returns their number. SCRATCH holds 2·n i32.
 */
export function sharedWinners(
  Z: Int32Array, zAt: number, D: Uint32Array, dAt: number, WIN: Int32Array, steps: number, zStride: number, dStride: number, n: number, gamma: number, SCRATCH: Int32Array,
): number {
  const counts = SCRATCH.subarray(0, n), sums = SCRATCH.subarray(n, 2 * n);
  counts.fill(0);
  sums.fill(0);
  for (let t = 0; t < steps; t++) {
    const zr = zAt + t * zStride, dr = dAt + t * dStride;
    for (let j = 0; j < n; j++) {
      const v = Z[zr + j];
      if ((v >= 0 ? 1 : 0) !== ((D[dr + (j >>> 5)] >>> (j & 31)) & 1)) {
        counts[j]++;
        sums[j] += v < 0 ? -v : v;
      }
    }
  }
  sharedMask(counts, sums, n, gamma, WIN, 0);
  let m = 0;
  for (let g = 0; g < Math.ceil(n / gamma); g++) if (WIN[g] >= 0) WIN[m++] = WIN[g];
  return m;
}
