import { rowBytes, rowWords, getBit } from "./layout";

/**
 * Winner-per-group selection (spec §2.4). Neuron j of row b is wrong iff sign(z_bj) ≠ a*_bj.
 * Neurons are split into consecutive groups of `gamma` (the last may be shorter); in each
 * group the wrong neuron with the smallest |z| wins, lowest index on ties. WIN (i32 `batch` ×
 * ⌈n/gamma⌉) receives the winner's index, or −1 where a group has no wrong neuron.
 */
export function winners(Z: usize, ASTAR: usize, WIN: usize, batch: i32, n: i32, gamma: i32): void {
  const groups = (n + gamma - 1) / gamma;
  for (let b = 0; b < batch; b++) {
    const z = Z + ((<usize>b * n) << 2);
    const t = ASTAR + <usize>b * rowBytes(n);
    const win = WIN + ((<usize>b * groups) << 2);
    for (let g = 0; g < groups; g++) {
      let best = -1;
      let bestAbs: u32 = <u32>-1;
      const end = min(n, (g + 1) * gamma);
      for (let j = g * gamma; j < end; j++) {
        const v: i32 = load<i32>(z + (<usize>j << 2));
        const positive: u32 = v >= 0 ? 1 : 0;
        const wrong = positive != getBit(t, j);
        const a: u32 = <u32>abs(v);
        if (wrong && a < bestAbs) {
          best = j;
          bestAbs = a;
        }
      }
      store<i32>(win + (<usize>g << 2), best);
    }
  }
}

/**
 * Sparse hidden-weight update (paper eqs. 8–9, spec §2.5): for every winner (b, j) in WIN,
 * ΔH[j,:] += a*_bj · a_b (a_b = APREV row b, the layer's input), then for every touched row
 * H[j,:] ← clamp(H[j,:] + 2·ΔH[j,:], lo, hi) and the visible weights W[j,:] = sign(H[j,:]) and the
 * transposed copy's column j are refreshed. H is i16 `n` × `k` (row stride k), W packed `n` × `k`,
 * WT packed `k` × `n`. Returns the number of rows updated. SCRATCH: 4·(n + 1 + batch·groups + max(n, k)) bytes.
 */
export function updateRows(
  H: usize, W: usize, WT: usize, APREV: usize, ASTAR: usize, WIN: usize,
  batch: i32, groups: i32, n: i32, k: i32, lo: i32, hi: i32, SCRATCH: usize
): i32 {
  // Counting sort of the winners by row: start[j] .. start[j+1] index the samples in ORDER.
  const start = SCRATCH;
  const order = start + (<usize>(n + 1) << 2);
  const acc = order + ((<usize>batch * groups) << 2);
  memory.fill(start, 0, <usize>(n + 1) << 2);
  const total = batch * groups;
  for (let e = 0; e < total; e++) {
    const j = load<i32>(WIN + (<usize>e << 2));
    if (j >= 0) {
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
    if (j >= 0) {
      const p = acc + (<usize>j << 2);
      const at = load<i32>(p);
      store<i32>(p, at + 1);
      store<i32>(order + (<usize>at << 2), e / groups);
    }
  }
  const inRow = rowBytes(k);
  const outRow = rowBytes(n);
  const words = rowWords(k);
  let touched = 0;
  for (let j = 0; j < n; j++) {
    const from = load<i32>(start + (<usize>j << 2));
    const to = load<i32>(start + (<usize>(j + 1) << 2));
    if (from == to) continue;
    touched++;
    memory.fill(acc, 0, <usize>k << 2);
    for (let e = from; e < to; e++) {
      const b = load<i32>(order + (<usize>e << 2));
      // a*_bj ∈ {±1} as a sign mask: flip = 0 for +1, all ones for −1.
      const flip: u32 = getBit(ASTAR + <usize>b * outRow, j) - 1;
      const a = APREV + <usize>b * inRow;
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
    const h = H + ((<usize>j * k) << 1);
    const wrow = W + <usize>j * inRow;
    const col = <usize>(j >> 5) << 2;
    const bit: u32 = 1 << (j & 31);
    for (let w = 0; w < words; w++) {
      let word: u32 = 0;
      const base = w << 5;
      const m = min(32, k - base);
      for (let i = 0; i < m; i++) {
        const p = h + (<usize>(base + i) << 1);
        const h: i32 = <i32>load<i16>(p);
        const d: i32 = load<i32>(acc + (<usize>(base + i) << 2));
        const v: i32 = min(hi, max(lo, h + 2 * d));
        store<i16>(p, <i16>v);
        const positive: u32 = v >= 0 ? 1 : 0;
        word |= positive << i;
        const t = WT + <usize>(base + i) * outRow + col;
        store<u32>(t, (load<u32>(t) & ~bit) | (positive << (j & 31)));
      }
      store<u32>(wrow + (<usize>w << 2), word);
    }
  }
  return touched;
}
