/**
 * One BEP training step of an MLP (spec §2: forward, trigger, gated backward, winners, summed
 * and saturated update) against a naive reference on unpacked ±1 values that shares no code with
 * src/ (only the model's initial weights and prototypes are read from it). Batches in one chunk
 * and in several (the last one partial), shuffled sample indices, every backend.
 */
import { describe, expect, it } from "vitest";
import { Dataset, Mlp, SCRATCH_BYTES, Stepper, loadBackendSync } from "../src/index";
import { BACKENDS, Rng, allBackends, packRef, randomSigns, saturateRef, sgn } from "./helpers";

const w = (h: number) => (h >= 0 ? 1 : -1);

/** z = W v for int16 hidden weights H (rows × cols) and a ±1 vector v. */
function matVec(H: ArrayLike<number>, rows: number, cols: number, v: Int8Array): Int32Array {
  const z = new Int32Array(rows);
  for (let j = 0; j < rows; j++) {
    let s = 0;
    for (let i = 0; i < cols; i++) s += w(H[j * cols + i]) * v[i];
    z[j] = s;
  }
  return z;
}

/** Spec §2 on samples x[order[from..from+count)]: returns the updated H of every layer and the step's counts. */
function refStep(
  Hs: Int16Array[], sizes: number[], P: Int8Array, classes: number, x: Int8Array[], labels: number[], order: Int32Array, from: number, count: number,
  o: { r: number; nu: number; gammas: number[]; clip?: number },
) {
  const L = sizes.length - 1;
  const delta = Hs.map((H) => new Int32Array(H.length));
  const touched = Hs.map(() => new Set<number>());
  let active = 0, correct = 0;
  for (let b = 0; b < count; b++) {
    const mu = order[from + b];
    // forward
    const a: Int8Array[] = [x[mu]], z: Int32Array[] = [new Int32Array(0)];
    for (let l = 1; l <= L; l++) {
      z.push(matVec(Hs[l - 1], sizes[l], sizes[l - 1], a[l - 1]));
      a.push(Int8Array.from(z[l], sgn));
    }
    const y = matVec(P, classes, sizes[L], a[L]);
    const c = labels[mu];
    let best = 0;
    for (let k = 1; k < classes; k++) if (y[k] > y[best]) best = k;
    if (best === c) correct++;
    let rival = -Infinity;
    for (let k = 0; k < classes; k++) if (k !== c) rival = Math.max(rival, y[k]);
    if (!(y[c] - rival < o.r * sizes[L])) continue;
    active++;
    // desired activations, top down through the gated transposed weights
    const want: Int8Array[] = new Array(L + 1);
    want[L] = P.slice(c * sizes[L], (c + 1) * sizes[L]);
    for (let l = L; l >= 2; l--) {
      const thr = Math.floor(o.nu * sizes[l - 1]);
      want[l - 1] = new Int8Array(sizes[l - 1]);
      for (let i = 0; i < sizes[l - 1]; i++) {
        let s = 0;
        for (let j = 0; j < sizes[l]; j++) if (Math.abs(z[l][j]) <= thr) s += w(Hs[l - 1][j * sizes[l - 1] + i]) * want[l][j];
        want[l - 1][i] = sgn(s);
      }
    }
    // one winner per group: the wrong neuron closest to flipping, lowest index on ties
    for (let l = 1; l <= L; l++) {
      const g = o.gammas[l - 1], n = sizes[l], k = sizes[l - 1];
      for (let start = 0; start < n; start += g) {
        let win = -1;
        for (let j = start; j < Math.min(n, start + g); j++) {
          if (sgn(z[l][j]) !== want[l][j] && (win < 0 || Math.abs(z[l][j]) < Math.abs(z[l][win]))) win = j;
        }
        if (win < 0) continue;
        touched[l - 1].add(win);
        for (let i = 0; i < k; i++) delta[l - 1][win * k + i] += want[l][win] * a[l - 1][i];
      }
    }
  }
  const H = Hs.map((h, l) => Int16Array.from(h, (v, i) => saturateRef(v, delta[l][i], o.clip)));
  return { H, active, correct, updated: touched.reduce((s, t) => s + t.size, 0) };
}

/** A Dataset of the ±1 samples x (each kin long) and their labels. */
function datasetOf(x: Int8Array[], labels: number[], kin: number, classes: number): Dataset {
  const flat = new Int8Array(x.length * kin);
  x.forEach((xi, i) => flat.set(xi, i * kin));
  return new Dataset(packRef(flat, x.length, kin), Uint8Array.from(labels), kin, classes, "random");
}

describe("Stepper (MLP step) against the reference", () => {
  const cases = [
    { kin: 13, hidden: [7], gammas: [1], batch: 1, rows: 1, nu: 0.3 },
    { kin: 40, hidden: [33, 17], gammas: [3, 17], batch: 7, rows: 7, nu: 0.2 },
    { kin: 65, hidden: [64, 35], gammas: [8, 7], batch: 23, rows: 10, nu: 0.5 },
    { kin: 129, hidden: [63, 31, 35], gammas: [21, 1, 35], batch: 30, rows: 3, nu: 1 },
    { kin: 5, hidden: [3, 3], gammas: [1, 1], batch: 21, rows: 4, nu: 0 },
  ];
  for (const name of BACKENDS) {
    it.each(cases)(`${name}: ${"$kin-$hidden"}, γ $gammas, batch $batch in chunks of $rows, ν $nu`, (c) => {
      const be = allBackends().find((b) => b.name === name)!;
      const rng = new Rng(c.kin * 7 + c.batch);
      const classes = 4, n = c.batch + 9;
      const m = new Mlp(be, classes, { inputs: c.kin, hidden: c.hidden, classes, seed: 5, sigmaInit: 3 });
      const x = Array.from({ length: n }, () => randomSigns(rng, c.kin));
      const labels = Array.from({ length: n }, () => rng.int(classes));
      const data = datasetOf(x, labels, c.kin, classes);
      const order = Int32Array.from({ length: n }, (_, i) => (i * 5 + 3) % n); // n is never a multiple of 5 here
      const stepper = new Stepper(m, c.batch, c.rows);
      let sawActive = false;
      for (let round = 0; round < 3; round++) {
        const Hs = m.layers.map((l) => l.H.data.slice());
        const want = refStep(Hs, m.sizes, m.prototypes, classes, x, labels, order, 2, c.batch, { r: 0.5, nu: c.nu, gammas: c.gammas });
        const got = stepper.step(data, order, 2, c.batch, { robustness: 0.5, gate: c.nu, groupSizes: c.gammas });
        expect({ active: got.active, correct: got.correct, updated: got.updated }, `round ${round}`).toEqual({ active: want.active, correct: want.correct, updated: want.updated });
        m.layers.forEach((l, i) => expect(Array.from(l.H.data), `H_${i + 1} round ${round}`).toEqual(Array.from(want.H[i])));
        sawActive ||= want.active > 0;
      }
      expect(sawActive).toBe(true);
      stepper.free();
      m.free();
    });
  }

  it("saturates the batch's summed update once at the int16 range", () => {
    const be = allBackends()[0];
    const classes = 2, kin = 3, batch = 12, start = [32766, -32767, -32768, 32767, 32765, -32766];
    const m = new Mlp(be, classes, { inputs: kin, hidden: [2], classes, prototypes: Int8Array.from([1, 1, -1, -1]) });
    const order = Int32Array.from({ length: batch }, (_, i) => i);
    const settings = { robustness: 1, gate: 1, groupSizes: [1] };
    let saturated = 0;
    for (let seed = 1; seed <= 20; seed++) {
      m.layers[0].H.data.set(start);
      m.layers[0].refresh();
      const rng = new Rng(seed);
      const x = Array.from({ length: batch }, () => randomSigns(rng, kin));
      const labels = Array.from({ length: batch }, () => rng.int(classes));
      const want = refStep([m.layers[0].H.data.slice()], m.sizes, m.prototypes, classes, x, labels, order, 0, batch, { r: 1, nu: 1, gammas: [1] });
      const stepper = new Stepper(m, batch, 5);
      stepper.step(datasetOf(x, labels, kin, classes), order, 0, batch, settings);
      stepper.free();
      expect(Array.from(m.layers[0].H.data), `seed ${seed}`).toEqual(Array.from(want.H[0]));
      if (want.H[0].some((v, i) => (v === 32767 || v === -32768) && v !== start[i])) saturated++;
    }
    expect(saturated).toBeGreaterThan(0);
    m.free();
  });

  it.each(BACKENDS)("%s: with a clip c the summed update saturates at ±c (spec §2.5)", (name) => {
    const be = allBackends().find((b) => b.name === name)!;
    const rng = new Rng(11);
    const classes = 3, kin = 37, batch = 24, clip = 4, gammas = [3, 4];
    const m = new Mlp(be, classes, { inputs: kin, hidden: [33, 20], classes, seed: 2, sigmaInit: 3 });
    for (const l of m.layers) l.clamp(-clip, clip);
    const x = Array.from({ length: batch }, () => randomSigns(rng, kin));
    const labels = Array.from({ length: batch }, () => rng.int(classes));
    const order = Int32Array.from({ length: batch }, (_, i) => (i * 5) % batch);
    const stepper = new Stepper(m, batch, 7);
    let clipped = 0;
    for (let round = 0; round < 4; round++) {
      const Hs = m.layers.map((l) => l.H.data.slice());
      const o = { r: 0.5, nu: 0.5, gammas };
      const want = refStep(Hs, m.sizes, m.prototypes, classes, x, labels, order, 0, batch, { ...o, clip });
      const free = refStep(Hs, m.sizes, m.prototypes, classes, x, labels, order, 0, batch, o);
      stepper.step(datasetOf(x, labels, kin, classes), order, 0, batch, { robustness: 0.5, gate: 0.5, groupSizes: gammas, clip });
      m.layers.forEach((l, i) => expect(Array.from(l.H.data), `H_${i + 1} round ${round}`).toEqual(Array.from(want.H[i])));
      clipped += want.H.reduce((s, H, l) => s + H.filter((v, i) => v !== free.H[l][i]).length, 0);
    }
    expect(clipped).toBeGreaterThan(0); // the clip changed some weights
    for (const l of m.layers) expect(l.H.data.every((v) => Math.abs(v) <= clip)).toBe(true);
    stepper.free();
    m.free();
  });

  it("chunks a batch to about SCRATCH_BYTES of i32 scratch", () => {
    const be = loadBackendSync("js");
    const rows = (hidden: number[], batch: number) => {
      const m = new Mlp(be, 10, { inputs: 16, hidden, classes: 10, bef: { iterations: 0 } });
      const stepper = new Stepper(m, batch);
      const r = stepper.samples.ws.batch;
      stepper.free();
      m.free();
      return r;
    };
    expect(SCRATCH_BYTES).toBe(1 << 20);
    expect(rows([525, 525], 500)).toBe(166); // 4·(525 + 525 + 525) bytes per row (the input width does not count)
    expect(rows([525, 525], 100)).toBe(100);
    expect(rows([35, 35, 35], 100)).toBe(100);
    expect(rows([3000], 100)).toBe(87); // 4·3000
    expect(rows([40000], 100)).toBe(8); // at least 8
    expect(rows([40000], 5)).toBe(5);
  });
});
