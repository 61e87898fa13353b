import { rowBytes, rowWords, getBit } from "./layout";

/**
 * Winner-per-group selection (spec §2.4). Neuron j of row b is wrong iff sign(z_bj) ≠ a*_bj.
 * Neurons are split into consecutive groups of `gamma` (the last may be shorter); in each
 * group the wrong neuron with the smallest |z| wins, lowest index on ties. WIN (i32 `batch` ×
 * ⌈n/gamma⌉) receives the winner's index, or −1 where a group has no wrong neuron.
 *
 * The SIMD build ranks 4 neurons at a time by the key |z|·2¹⁶ + (index in group), taking the
 * unsigned minimum (a right neuron's key is 2³² − 1); a group whose |z| or size reaches 2¹⁶
 * is ranked again by the scalar loop.
 */
export function winners(Z: usize, ASTAR: usize, WIN: usize, batch: i32, n: i32, gamma: i32): void {
  const groups = (n + gamma - 1) / gamma;
  for (let b = 0; b < batch; b++) {
    const z = Z + ((<usize>b * n) << 2);
    const t = ASTAR + <usize>b * rowBytes(n);
    const win = WIN + ((<usize>b * groups) << 2);
    for (let g = 0; g < groups; g++) {
      const start = g * gamma, end = min(n, start + gamma);
      let best = -1;
      if (ASC_FEATURE_SIMD && gamma < 0x10000) best = winnerByKeys(z, t, start, end);
      if (best == -2 || !ASC_FEATURE_SIMD || gamma >= 0x10000) best = winnerScalar(z, t, start, end);
      store<i32>(win + (<usize>g << 2), best);
    }
  }
}

/** The winner among neurons [start, end) of one row (z at `z`, a* bits at `t`), or −1: one neuron at a time. */
// @ts-ignore: decorator
@inline
function winnerScalar(z: usize, t: usize, start: i32, end: i32): i32 {
  let best = -1;
  let bestAbs: u32 = <u32>-1;
  for (let j = start; j < end; j++) {
    const v: i32 = load<i32>(z + (<usize>j << 2));
    const positive: u32 = v >= 0 ? 1 : 0;
    const a: u32 = <u32>abs(v);
    if (positive != getBit(t, j) && a < bestAbs) {
      best = j;
      bestAbs = a;
    }
  }
  return best;
}

/** As winnerScalar, 4 neurons per step by unsigned-min keys; −2 if a wrong neuron's |z| ≥ 2¹⁶ (rank it with winnerScalar). */
// @ts-ignore: decorator
@inline
function winnerByKeys(z: usize, t: usize, start: i32, end: i32): i32 {
  const laneBit = i32x4(1, 2, 4, 8), laneIndex = i32x4(0, 1, 2, 3), limit = i32x4.splat(0xffff);
  let keys = i32x4.splat(-1), over = i32x4.splat(0);
  let j = start;
  for (; j + 4 <= end; j += 4) {
    const v = v128.load(z + (<usize>j << 2));
    const a = i32x4.abs(v);
    // The 4 a* bits of neurons j..j+3 (they may straddle two words).
    let bits = load<u32>(t + (<usize>(j >> 5) << 2)) >>> (j & 31);
    if ((j & 31) > 28) bits |= load<u32>(t + (<usize>((j >> 5) + 1) << 2)) << (32 - (j & 31));
    const target = i32x4.ne(v128.and(i32x4.splat(bits), laneBit), i32x4.splat(0));
    const wrong = v128.xor(i32x4.ge_s(v, i32x4.splat(0)), target);
    over = v128.or(over, v128.and(wrong, i32x4.gt_u(a, limit)));
    const key = v128.or(i32x4.shl(a, 16), i32x4.add(laneIndex, i32x4.splat(j - start)));
    keys = i32x4.min_u(keys, v128.bitselect(key, i32x4.splat(-1), wrong));
  }
  if (v128.any_true(over)) return -2;
  let key = min(min(i32x4.extract_lane(keys, 0) as u32, i32x4.extract_lane(keys, 1) as u32), min(i32x4.extract_lane(keys, 2) as u32, i32x4.extract_lane(keys, 3) as u32));
  for (; j < end; j++) {
    const v: i32 = load<i32>(z + (<usize>j << 2));
    const a: u32 = <u32>abs(v);
    if ((v >= 0 ? 1 : 0) != getBit(t, j)) {
      if (a > 0xffff) return -2;
      key = min(key, (a << 16) | <u32>(j - start));
    }
  }
  return key == <u32>-1 ? -1 : start + <i32>(key & 0xffff);
}

/**
 * For i in [i0, k): H[j,i] ← clamp(H[j,i] + 2·ACC[i], lo, hi) and bit i of W's row j (at `wrow`)
 * becomes sign(H[j,i]), flipping Wᵀ's bit where it changes (flipTransposed; none if `wtcol` is 0);
 * W's bits below i0 are kept.
 */
// @ts-ignore: decorator
@inline
function writeBack(h: usize, wrow: usize, wtcol: usize, outRow: usize, bit: u32, acc: usize, i0: i32, k: i32, lo: i32, hi: i32): void {
  for (let w = i0 >> 5, words = (k + 31) >> 5; w < words; w++) {
    const base = w << 5;
    const first = max(i0, base), end = min(k, base + 32);
    const wp = wrow + (<usize>w << 2);
    const old = load<u32>(wp);
    let word: u32 = old & ((<u32>1 << <u32>(first - base)) - 1);
    for (let i = first; i < end; i++) {
      const p = h + (<usize>i << 1);
      const v: i32 = min(hi, max(lo, <i32>load<i16>(p) + 2 * load<i32>(acc + (<usize>i << 2))));
      store<i16>(p, <i16>v);
      word |= <u32>(v >= 0) << (i - base);
    }
    store<u32>(wp, word);
    if (wtcol != 0) flipTransposed(wtcol, outRow, bit, base, old ^ word);
  }
}

/**
 * Keeps Wᵀ equal to W after row j's signs changed: for each set bit c of `changed` (the XOR of the
 * old and new W word holding inputs base..base+31), flips bit j (`bit`, in the column word at
 * `wtcol`) of Wᵀ row base + c. Sign changes are few, so this writes far less of Wᵀ than
 * re-transposing the touched 32-row blocks of W did, in the same time.
 */
// @ts-ignore: decorator
@inline
function flipTransposed(wtcol: usize, outRow: usize, bit: u32, base: i32, changed: u32): void {
  while (changed != 0) {
    const p = wtcol + <usize>(base + <i32>ctz(changed)) * outRow;
    store<u32>(p, load<u32>(p) ^ bit);
    changed &= changed - 1;
  }
}

/**
 * Stores 16 new hidden weights (v0, v1: weights base..base+15 of row j) at `p`, their signs into
 * W's row (at `wrow`) and, where a sign changed, flips Wᵀ's bit (flipTransposed; none if `wtcol` is 0).
 */
// @ts-ignore: decorator
@inline
function store16(p: usize, v0: v128, v1: v128, wrow: usize, wtcol: usize, outRow: usize, bit: u32, base: i32): void {
  v128.store(p, v0);
  v128.store(p, v1, 16);
  const wp = wrow + (<usize>base >> 3);
  const signs = <u16>(~(i16x8.bitmask(v0) | (i16x8.bitmask(v1) << 8)));
  if (wtcol != 0) flipTransposed(wtcol, outRow, bit, base, <u32>(load<u16>(wp) ^ signs));
  store<u16>(wp, signs);
}

/** Lane i of an i8x16 holds bit i mod 8: the bit each lane tests in its byte. */
// @ts-ignore: decorator
@lazy
const LANE_BITS = i8x16(1, 2, 4, 8, 16, 32, 64, -128, 1, 2, 4, 8, 16, 32, 64, -128);
/** Swizzle indices that spread the low byte of a u16 over lanes 0–7 and its high byte over lanes 8–15. */
// @ts-ignore: decorator
@lazy
const BYTE_OF_LANE = i8x16(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);

/**
 * Sparse hidden-weight update (paper eqs. 8–9, spec §2.5): for every winner (b, j) in WIN,
 * ΔH[j,:] += a*_bj · a_b (a_b = APREV row b, the layer's input), then for every touched row
 * H[j,:] ← clamp(H[j,:] + 2·ΔH[j,:], lo, hi) and the visible weights W[j,:] = sign(H[j,:]) and the
 * transposed copy's column j are refreshed (WT must equal Wᵀ on entry: each sign that changes
 * flips its bit of WT; WT = 0 for a layer that keeps no Wᵀ). H is i16 `n` × `k` (row stride k),
 * W packed `n` × `k`, WT packed `k` × `n`. Only rows j ∈ [j0, j1) are updated (j0 a multiple of 32, j1 a multiple of 32 or n), so
 * threads can update disjoint row ranges of one layer at once. Returns the number of rows updated.
 * SCRATCH: 4·(n + 1 + batch·groups + max(n, k)) bytes.
 */
export function updateRows(
  H: usize, W: usize, WT: usize, APREV: usize, ASTAR: usize, WIN: usize,
  batch: i32, groups: i32, n: i32, k: i32, lo: i32, hi: i32, j0: i32, j1: i32, SCRATCH: usize
): i32 {
  // Counting sort of the winners by row: start[j] .. start[j+1] index the samples in ORDER.
  const start = SCRATCH;
  const order = start + (<usize>(n + 1) << 2);
  const acc = order + ((<usize>batch * groups) << 2);
  memory.fill(start, 0, <usize>(n + 1) << 2);
  const total = batch * groups;
  for (let e = 0; e < total; e++) {
    const j = load<i32>(WIN + (<usize>e << 2));
    if (j >= j0 && j < j1) {
      const p = start + (<usize>(j + 1) << 2);
      store<i32>(p, load<i32>(p) + 1);
    }
  }
  for (let j = 0; j < n; j++) {
    const p = start + (<usize>(j + 1) << 2);
    store<i32>(p, load<i32>(p) + load<i32>(p - 4));
  }
  // Fill ORDER using acc's first n words as per-row cursors.
  memory.copy(acc, start, <usize>n << 2);
  for (let e = 0; e < total; e++) {
    const j = load<i32>(WIN + (<usize>e << 2));
    if (j >= j0 && j < j1) {
      const p = acc + (<usize>j << 2);
      const at = load<i32>(p);
      store<i32>(p, at + 1);
      store<i32>(order + (<usize>at << 2), e / groups);
    }
  }
  const inRow = rowBytes(k);
  const outRow = rowBytes(n);
  const words = rowWords(k);
  // ORDER entries become b | (a*_bj = −1) << 31 for their row j, so the loops below read a*_bj with no lookup.
  for (let j = j0; j < j1; j++) {
    const to = load<i32>(start + (<usize>(j + 1) << 2));
    for (let e = load<i32>(start + (<usize>j << 2)); e < to; e++) {
      const p = order + (<usize>e << 2);
      const b = load<i32>(p);
      store<i32>(p, b | (<i32>(1 - getBit(ASTAR + <usize>b * outRow, j)) << 31));
    }
  }
  let touched = 0;
  for (let j = j0; j < j1; j++) {
    const from = load<i32>(start + (<usize>j << 2));
    const to = load<i32>(start + (<usize>(j + 1) << 2));
    if (from == to) continue;
    touched++;
    const h = H + ((<usize>j * k) << 1);
    const wrow = W + <usize>j * inRow;
    const wtcol: usize = WT == 0 ? 0 : WT + (<usize>(j >> 5) << 2);
    const bit: u32 = 1 << (j & 31);
    if (ASC_FEATURE_SIMD && to - from <= 16383) {
      // 16 weights at a time: per sample, the 16 input bits (flipped where a*_bj = −1) become
      // i8 lanes of −1/0 that count the samples with a*_bj·a_bi = +1 (read unsigned, up to 255);
      // the counts move to i16 lanes every 255 samples. 2·ΔH fits i16 with at most 16383 samples per row.
      const simdEnd = k & ~15;
      const twiceCount = i16x8.splat(<i16>(2 * (to - from)));
      const low = i16x8.splat(<i16>lo), high = i16x8.splat(<i16>hi);
      for (let base = 0; base < simdEnd; base += 16) {
        let posLow = i16x8.splat(0), posHigh = i16x8.splat(0);
        for (let e0 = from; e0 < to; e0 += 255) {
          let pos = i8x16.splat(0);
          for (let e = e0, e1 = min(to, e0 + 255); e < e1; e++) {
            const entry = load<i32>(order + (<usize>e << 2));
            const bits = load<u16>(APREV + <usize>(entry & 0x7fffffff) * inRow + (<usize>base >> 3)) ^ <u16>(entry >> 31);
            const bytes = i8x16.swizzle(i16x8.splat(bits), BYTE_OF_LANE);
            pos = i8x16.sub(pos, i8x16.eq(v128.and(bytes, LANE_BITS), LANE_BITS));
          }
          posLow = i16x8.add(posLow, i16x8.extend_low_i8x16_u(pos));
          posHigh = i16x8.add(posHigh, i16x8.extend_high_i8x16_u(pos));
        }
        // H ← clamp(H + 2ΔH) with ΔH = 2·pos − count; 2ΔH wraps correctly in i16 (its value fits).
        const p = h + (<usize>base << 1);
        const v0 = i16x8.min_s(high, i16x8.max_s(low, i16x8.add_sat_s(v128.load(p), i16x8.sub(i16x8.shl(posLow, 2), twiceCount))));
        const v1 = i16x8.min_s(high, i16x8.max_s(low, i16x8.add_sat_s(v128.load(p, 16), i16x8.sub(i16x8.shl(posHigh, 2), twiceCount))));
        store16(p, v0, v1, wrow, wtcol, outRow, bit, base);
      }
      // The last k mod 16 weights, one at a time.
      for (let i = simdEnd; i < k; i++) {
        let d = 0;
        for (let e = from; e < to; e++) {
          const entry = load<i32>(order + (<usize>e << 2));
          d += ((<i32>getBit(APREV + <usize>(entry & 0x7fffffff) * inRow, i) ^ (entry >>> 31)) << 1) - 1;
        }
        store<i32>(acc + (<usize>i << 2), d);
      }
      writeBack(h, wrow, wtcol, outRow, bit, acc, simdEnd, k, lo, hi);
      continue;
    }
    // Scalar build: ΔH[j,:] accumulated word by word into ACC, then written back.
    memory.fill(acc, 0, <usize>k << 2);
    for (let e = from; e < to; e++) {
      const entry = load<i32>(order + (<usize>e << 2));
      // a*_bj ∈ {±1} as a sign mask: flip = 0 for +1, all ones for −1.
      const flip = <u32>(entry >> 31);
      const a = APREV + <usize>(entry & 0x7fffffff) * inRow;
      for (let w = 0; w < words; w++) {
        const word = load<u32>(a + (<usize>w << 2)) ^ flip;
        const base = w << 5;
        const m = min(32, k - base);
        for (let i = 0; i < m; i++) {
          const p = acc + (<usize>(base + i) << 2);
          store<i32>(p, load<i32>(p) + (<i32>((word >>> i) & 1) << 1) - 1);
        }
      }
    }
    writeBack(h, wrow, wtcol, outRow, bit, acc, 0, k, lo, hi);
  }
  return touched;
}

/**
 * The time-summed state update of BEP-TT (spec §4), one series: for each w < count,
 * DELTA[ROWS[w], :] += SUMS[w, :] (the spec's "sum" of s*_tj·a_t over the steps), or with vote ≠ 0
 * its sign, −1, 0 or +1 per weight. DELTA is i32 (row stride k), SUMS i32 count × k.
 */
export function addRowSums(DELTA: usize, ROWS: usize, SUMS: usize, count: i32, k: i32, vote: i32): void {
  for (let w = 0; w < count; w++) {
    const d = DELTA + ((<usize>load<i32>(ROWS + (<usize>w << 2)) * <usize>k) << 2);
    const s = SUMS + ((<usize>w * <usize>k) << 2);
    let c = 0;
    if (ASC_FEATURE_SIMD) {
      const zero = i32x4.splat(0);
      for (; c + 4 <= k; c += 4) {
        const at = <usize>c << 2;
        let v = v128.load(s + at);
        // sign(v) = (v < 0 mask) − (v > 0 mask): the masks are −1 where true.
        if (vote != 0) v = i32x4.sub(i32x4.lt_s(v, zero), i32x4.gt_s(v, zero));
        v128.store(d + at, i32x4.add(v128.load(d + at), v));
      }
    }
    for (; c < k; c++) {
      const at = <usize>c << 2;
      const v = load<i32>(s + at);
      store<i32>(d + at, load<i32>(d + at) + (vote != 0 ? <i32>(v > 0) - <i32>(v < 0) : v));
    }
  }
}

/**
 * The batch's update of listed rows (eq. 9): for each r < count, row j = ROWS[r] of H (i16 `n` × `k`)
 * becomes clamp(H[j,:] + 2·DELTA[j,:], lo, hi), W's row j and Wᵀ's column j follow (WT = 0 for a
 * layer that keeps no Wᵀ; WT must equal Wᵀ on entry), and DELTA's row j is zeroed for the next batch.
 */
export function applyRows(H: usize, W: usize, WT: usize, DELTA: usize, ROWS: usize, count: i32, n: i32, k: i32, lo: i32, hi: i32): void {
  const inRow = rowBytes(k), outRow = rowBytes(n);
  for (let r = 0; r < count; r++) {
    const j = load<i32>(ROWS + (<usize>r << 2));
    const h = H + ((<usize>j * <usize>k) << 1);
    const delta = DELTA + ((<usize>j * <usize>k) << 2);
    const wrow = W + <usize>j * inRow;
    const wtcol: usize = WT == 0 ? 0 : WT + (<usize>(j >> 5) << 2);
    const bit: u32 = 1 << (j & 31);
    let simdEnd = 0;
    if (ASC_FEATURE_SIMD) {
      // 16 weights at a time, in i32 lanes so that 2·ΔH cannot overflow before the clamp.
      simdEnd = k & ~15;
      const low = i32x4.splat(lo), high = i32x4.splat(hi);
      for (let base = 0; base < simdEnd; base += 16) {
        const p = h + (<usize>base << 1), q = delta + (<usize>base << 2);
        const h0 = v128.load(p), h1 = v128.load(p, 16);
        const v0 = i32x4.min_s(high, i32x4.max_s(low, i32x4.add(i32x4.extend_low_i16x8_s(h0), i32x4.shl(v128.load(q), 1))));
        const v1 = i32x4.min_s(high, i32x4.max_s(low, i32x4.add(i32x4.extend_high_i16x8_s(h0), i32x4.shl(v128.load(q, 16), 1))));
        const v2 = i32x4.min_s(high, i32x4.max_s(low, i32x4.add(i32x4.extend_low_i16x8_s(h1), i32x4.shl(v128.load(q, 32), 1))));
        const v3 = i32x4.min_s(high, i32x4.max_s(low, i32x4.add(i32x4.extend_high_i16x8_s(h1), i32x4.shl(v128.load(q, 48), 1))));
        store16(p, i16x8.narrow_i32x4_s(v0, v1), i16x8.narrow_i32x4_s(v2, v3), wrow, wtcol, outRow, bit, base);
      }
    }
    writeBack(h, wrow, wtcol, outRow, bit, delta, simdEnd, k, lo, hi);
    memory.fill(delta, 0, <usize>k << 2);
  }
}

/**
 * The time-shared state mask of one series (BEP-TT, spec §4): neuron j < n is a candidate if
 * sign(z_tj) ≠ s*_tj at one or more of its `steps` steps; per group of `gamma` the candidate wrong at
 * the most steps wins, ties broken by the smallest Σ|z_tj| over its wrong steps, then by the lowest
 * index. Z holds the series' z_t (i32 rows of n, `zStride` i32 apart), D its s*_t (packed rows,
 * `dStride` u32 apart). Writes the winners, in group order, to WIN and returns their number.
 * SCRATCH: 8·n bytes (wrong-step counts and Σ|z| per neuron).
 */
export function sharedWinners(Z: usize, D: usize, WIN: usize, steps: i32, zStride: i32, dStride: i32, n: i32, gamma: i32, SCRATCH: usize): i32 {
  const counts = SCRATCH, sums = SCRATCH + (<usize>n << 2);
  memory.fill(SCRATCH, 0, <usize>n << 3);
  for (let t = 0; t < steps; t++) {
    const z = Z + ((<usize>t * <usize>zStride) << 2), d = D + ((<usize>t * <usize>dStride) << 2);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      // Four neurons at a time (j is a multiple of 4, so their a* bits never straddle two words).
      const laneBit = i32x4(1, 2, 4, 8), zero = i32x4.splat(0);
      for (; j + 4 <= n; j += 4) {
        const v = v128.load(z + (<usize>j << 2));
        const bits = load<u32>(d + (<usize>(j >> 5) << 2)) >>> (j & 31);
        const target = i32x4.ne(v128.and(i32x4.splat(bits), laneBit), zero);
        const wrong = v128.xor(i32x4.ge_s(v, zero), target);
        const pc = counts + (<usize>j << 2), ps = sums + (<usize>j << 2);
        v128.store(pc, i32x4.sub(v128.load(pc), wrong));
        v128.store(ps, i32x4.add(v128.load(ps), v128.and(i32x4.abs(v), wrong)));
      }
    }
    for (; j < n; j++) {
      const v = load<i32>(z + (<usize>j << 2));
      if (<u32>(v >= 0) != getBit(d, j)) {
        const pc = counts + (<usize>j << 2), ps = sums + (<usize>j << 2);
        store<i32>(pc, load<i32>(pc) + 1);
        store<i32>(ps, load<i32>(ps) + abs(v));
      }
    }
  }
  let m = 0;
  for (let start = 0; start < n; start += gamma) {
    const end = min(n, start + gamma);
    let best = -1, bestCount = 0, bestSum = 0;
    for (let j = start; j < end; j++) {
      const c = load<i32>(counts + (<usize>j << 2)), s = load<i32>(sums + (<usize>j << 2));
      if (c > bestCount || (c == bestCount && c > 0 && s < bestSum)) {
        best = j;
        bestCount = c;
        bestSum = s;
      }
    }
    if (best >= 0) store<i32>(WIN + (<usize>(m++) << 2), best);
  }
  return m;
}
