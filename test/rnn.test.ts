/**
 * BEP-TT (spec §4): the recurrent forward pass, the backward pass through time, time-shared
 * masks and the summed updates, against a naive reference on unpacked ±1 values that shares
 * no code with src/ (only the model's initial weights are read from it).
 */
import { describe, expect, it } from "vitest";
import { PHASES, PhaseClock, Rnn, RnnStepper, RnnWorkspace, SequenceDataset, Trainer, sharedMask, type Backend } from "../src/index";
import { BACKENDS, Rng, allBackends, packRef, randomSigns, saturateRef, sgn, transposeRef, unpackRef } from "./helpers";

/** A naive network: ±1 / integer arrays, row-major. */
interface RefNet {
  kin: number; kx: number; ks: number; ky: number; classes: number;
  R: Int8Array | null; // kx × kin
  Hxs: Int16Array; Hss: Int16Array; Hsy: Int16Array; // ks × kx, ks × ks, ky × ks
  P: Int8Array; // classes × ky
}

function refFromModel(m: Rnn): RefNet {
  return {
    kin: m.inputs, kx: m.kx, ks: m.ks, ky: m.ky, classes: m.classes,
    R: m.expansion ? Int8Array.from(m.expansion.H.data, (h) => (h >= 0 ? 1 : -1)) : null,
    Hxs: m.xs.H.data.slice(), Hss: m.ss.H.data.slice(), Hsy: m.sy.H.data.slice(), P: m.prototypes.slice(),
  };
}

const w = (h: number) => (h >= 0 ? 1 : -1);
function matVec(H: Int16Array | Int8Array, rows: number, cols: number, v: Int8Array): Int32Array {
  const out = new Int32Array(rows);
  for (let j = 0; j < rows; j++) {
    let s = 0;
    for (let i = 0; i < cols; i++) s += w(H[j * cols + i]) * v[i];
    out[j] = s;
  }
  return out;
}
const signs = (z: Int32Array) => Int8Array.from(z, (v) => sgn(v));

/** Forward of one series (steps × kin ±1, the last `len` steps real): states, z per step, z_y, logits. `zero`: s_0 = 0. */
function refForward(net: RefNet, x: Int8Array, steps: number, len: number, zero = false) {
  const s: Int8Array[] = [new Int8Array(net.ks).fill(1)];
  const z: Int32Array[] = [], a: Int8Array[] = [];
  for (let t = 0; t < steps; t++) {
    const xt = x.subarray(t * net.kin, (t + 1) * net.kin);
    const at = net.R ? signs(matVec(net.R, net.kx, net.kin, xt)) : Int8Array.from(xt);
    a.push(at);
    const zx = matVec(net.Hxs, net.ks, net.kx, at), zs = zero && t === steps - len ? new Int32Array(net.ks) : matVec(net.Hss, net.ks, net.ks, s[t]);
    const zt = Int32Array.from(zx, (v, j) => v + zs[j]);
    z.push(zt);
    s.push(t < steps - len ? new Int8Array(net.ks).fill(1) : signs(zt));
  }
  const zy = matVec(net.Hsy, net.ky, net.ks, s[steps]);
  const logits = matVec(net.P, net.classes, net.ky, signs(zy));
  return { s, z, a, zy, logits };
}

/** One BEP-TT step on a batch (spec §4), without reinforcement; returns the updated H copies. */
function refStep(net: RefNet, xs: Int8Array[], lens: number[], labels: number[], steps: number, o: { r: number; nu: number; gs: number; gy: number; horizon: number; vote?: boolean; zero?: boolean; clip?: number }) {
  const { ks, kx, ky, classes } = net;
  const dxs = new Int32Array(ks * kx), dss = new Int32Array(ks * ks), dsy = new Int32Array(ky * ks);
  let active = 0, correct = 0;
  const rowsS = new Set<number>(), rowsY = new Set<number>();
  const h = Math.min(o.horizon, steps);
  for (let mu = 0; mu < xs.length; mu++) {
    const f = refForward(net, xs[mu], steps, lens[mu], o.zero);
    const c = labels[mu];
    let best = 0;
    for (let k = 1; k < classes; k++) if (f.logits[k] > f.logits[best]) best = k;
    if (best === c) correct++;
    let rival = -Infinity;
    for (let k = 0; k < classes; k++) if (k !== c) rival = Math.max(rival, f.logits[k]);
    if (!(f.logits[c] - rival < o.r * ky)) continue;
    active++;
    // desired: s*_y = ρ_c, s*_T via W_syᵀ gated by |z_y| ≤ ⌊ν K_s⌋, then back through W_ssᵀ.
    const sy = net.P.subarray(c * ky, (c + 1) * ky);
    const want: Int8Array[] = new Array(steps);
    const back = (H: Int16Array, rowsN: number, cols: number, zAbove: Int32Array, dAbove: Int8Array, thr: number) => {
      const out = new Int8Array(cols);
      for (let i = 0; i < cols; i++) {
        let sum = 0;
        for (let j = 0; j < rowsN; j++) if (Math.abs(zAbove[j]) <= thr) sum += w(H[j * cols + i]) * dAbove[j];
        out[i] = sgn(sum);
      }
      return out;
    };
    want[steps - 1] = back(net.Hsy, ky, ks, f.zy, sy, Math.floor(o.nu * ks));
    for (let t = steps - 2; t >= steps - h; t--) want[t] = back(net.Hss, ks, ks, f.z[t + 1], want[t + 1], Math.floor(o.nu * (kx + ks)));
    // output mask (spec §2.4)
    for (let g = 0; g < ky / o.gy; g++) {
      let win = -1;
      for (let j = g * o.gy; j < (g + 1) * o.gy; j++) {
        if (sgn(f.zy[j]) !== sy[j] && (win < 0 || Math.abs(f.zy[j]) < Math.abs(f.zy[win]))) win = j;
      }
      if (win >= 0) {
        rowsY.add(win);
        for (let i = 0; i < ks; i++) dsy[win * ks + i] += sy[win] * f.s[steps][i];
      }
    }
    // time-shared state mask over the real horizon steps
    const t0 = Math.max(steps - h, steps - lens[mu]);
    for (let g = 0; g < ks / o.gs; g++) {
      let win = -1, winCount = 0, winSum = 0;
      for (let j = g * o.gs; j < (g + 1) * o.gs; j++) {
        let count = 0, sum = 0;
        for (let t = t0; t < steps; t++) if (sgn(f.z[t][j]) !== want[t][j]) { count++; sum += Math.abs(f.z[t][j]); }
        if (count > 0 && (count > winCount || (count === winCount && sum < winSum))) { win = j; winCount = count; winSum = sum; }
      }
      if (win < 0) continue;
      rowsS.add(win);
      // Σ_t s*_t a_tᵀ and Σ_t s*_t s_{t−1}ᵀ for this series ("vote": their signs, 0 for a tie)
      const sx = new Int32Array(kx), ss = new Int32Array(ks);
      for (let t = t0; t < steps; t++) {
        for (let i = 0; i < kx; i++) sx[i] += want[t][win] * f.a[t][i];
        if (o.zero && t === steps - lens[mu]) continue; // s_{t−1} = s_0 = 0 adds nothing to H_ss
        for (let i = 0; i < ks; i++) ss[i] += want[t][win] * f.s[t][i];
      }
      for (let i = 0; i < kx; i++) dxs[win * kx + i] += o.vote ? Math.sign(sx[i]) : sx[i];
      for (let i = 0; i < ks; i++) dss[win * ks + i] += o.vote ? Math.sign(ss[i]) : ss[i];
    }
  }
  const apply = (H: Int16Array, d: Int32Array) => Int16Array.from(H, (v, i) => saturateRef(v, d[i], o.clip));
  return { Hxs: apply(net.Hxs, dxs), Hss: apply(net.Hss, dss), Hsy: apply(net.Hsy, dsy), active, correct, updated: rowsS.size + rowsY.size };
}

/** A SequenceDataset of random series (right-aligned, lengths in [1, steps]) and the same series unpacked. */
function randomSeries(rng: Rng, n: number, steps: number, kin: number, classes: number, variable: boolean) {
  const x: Int8Array[] = [], lens: number[] = [], labels: number[] = [];
  const words = packRef(new Int8Array(kin), 1, kin).length;
  const bits = new Uint32Array(n * steps * words);
  for (let i = 0; i < n; i++) {
    const len = variable ? rng.range(1, steps) : steps;
    const xi = randomSigns(rng, steps * kin);
    for (let t = 0; t < steps - len; t++) xi.fill(-1, t * kin, (t + 1) * kin); // padding = zero words
    bits.set(packRef(xi, steps, kin), i * steps * words);
    x.push(xi);
    lens.push(len);
    labels.push(rng.int(classes));
  }
  const data = new SequenceDataset(bits, Uint16Array.from(lens), Uint8Array.from(labels), steps, kin, classes, "random");
  return { data, x, lens, labels };
}

describe("sharedMask (spec §4: time-shared winner per group)", () => {
  it("picks the neuron wrong at the most steps, then the smallest Σ|z| over its wrong steps, then the lowest index", () => {
    // 6 neurons in groups of 3: steps wrong and Σ|z| over them
    const steps = Int32Array.from([1, 2, 1, 0, 2, 2]);
    const sums = Int32Array.from([5, 11, 1, 0, 6, 6]);
    const win = new Int32Array(3).fill(99);
    sharedMask(steps, sums, 6, 3, win, 1);
    // group 0: j=1 wrong twice (beats j=0, j=2 once, even with a larger Σ|z|); group 1: j=4 and j=5 tie on both → lowest index 4
    expect(Array.from(win)).toEqual([99, 1, 4]);
    const fewer = new Int32Array(1);
    sharedMask(Int32Array.from([2, 2, 2]), Int32Array.from([9, 3, 4]), 3, 3, fewer, 0);
    expect(fewer[0]).toBe(1); // equal counts: the smallest Σ|z| wins
    const none = new Int32Array(2);
    sharedMask(new Int32Array(6), new Int32Array(6), 6, 3, none, 0);
    expect(Array.from(none)).toEqual([-1, -1]);
    const last = new Int32Array(3);
    sharedMask(Int32Array.from([0, 0, 0, 0, 0, 0, 1]), Int32Array.from([0, 0, 0, 0, 0, 0, 1]), 7, 3, last, 0); // a short last group
    expect(Array.from(last)).toEqual([-1, -1, 6]);
  });
});

describe("Rnn forward (spec §4)", () => {
  it("hand-computed 2-step recurrence, 3 input bits, 2 state neurons", () => {
    const be = allBackends()[2];
    const m = new Rnn(be, 2, { inputs: 3, state: 2, output: 2, initialState: "ones", prototypes: Int8Array.from([1, 1, -1, -1]) });
    m.xs.H.data.set([1, -1, 1, /* */ -1, -1, 1]);
    m.ss.H.data.set([1, 1, /* */ -1, 1]);
    m.sy.H.data.set([1, -1, /* */ 1, 1]);
    for (const l of m.trained) l.refresh();
    // x_1 = (+,+,+), x_2 = (−,+,−); s_0 = (+,+)
    // z_1 = (1−1+1) + (1+1), (−1−1+1) + (−1+1) = (3, −1) → s_1 = (+,−)
    // z_2 = (−1−1−1) + (1−1), (1−1−1) + (−1−1) = (−3, −3) → s_2 = (−,−)
    // z_y = (−1+1, −1−1) = (0, −2) → s_y = (+,−); ŷ = (1−1, −1+1) = (0, 0)
    const data = new SequenceDataset(packRef(Int8Array.from([1, 1, 1, -1, 1, -1]), 2, 3), Uint16Array.of(2), Uint8Array.of(0), 2, 3, 2);
    const wsp = new RnnWorkspace(m, 1, 2);
    wsp.gather(data, null, 0, 1);
    wsp.forward(1);
    expect(Array.from(wsp.z.data)).toEqual([3, -1, -3, -3]);
    expect(Array.from(unpackRef(wsp.states.data, 3, 2))).toEqual([1, 1, 1, -1, -1, -1]);
    expect(Array.from(wsp.zy.data)).toEqual([0, -2]);
    expect(Array.from(wsp.logits.data)).toEqual([0, 0]);
    expect(Array.from(m.predict(data))).toEqual([0]);
    wsp.free();
    m.free();
    // s_0 = 0: z_1 = W_xs x_1 = (1, −1) → s_1 = (+,−); z_2 = (−3 + 0, −1 − 2) = (−3, −3) → s_2 = (−,−)
    const zero = new Rnn(be, 2, { inputs: 3, state: 2, output: 2, initialState: "zero", prototypes: Int8Array.from([1, 1, -1, -1]) });
    zero.xs.H.data.set([1, -1, 1, /* */ -1, -1, 1]);
    zero.ss.H.data.set([1, 1, /* */ -1, 1]);
    zero.sy.H.data.set([1, -1, /* */ 1, 1]);
    for (const l of zero.trained) l.refresh();
    const wz = new RnnWorkspace(zero, 1, 2);
    wz.gather(data, null, 0, 1);
    wz.forward(1);
    expect(Array.from(wz.z.data)).toEqual([1, -1, -3, -3]);
    expect(Array.from(unpackRef(wz.states.data, 3, 2).subarray(2))).toEqual([1, -1, -1, -1]);
    wz.free();
    zero.free();
    expect(() => new Rnn(be, 2, { inputs: 3, state: 2, initialState: "half" as never })).toThrow(/initialState must be "ones" or "zero", got "half"/);
  });

  it.each(BACKENDS.flatMap((name) => (["ones", "zero"] as const).map((initialState) => ({ name, initialState }))))("matches the reference on random nets, variable lengths and an expansion layer ($name, s_0 $initialState)", ({ name, initialState }) => {
    const be = allBackends().find((b) => b.name === name)!;
    const rng = new Rng(11);
    // 150 steps in batches of 4: the input terms come in chunks of 64 steps (64, 64, 22).
    for (const [kin, k0, ks, ky, steps] of [[3, 0, 5, 5, 4], [7, 65, 33, 20, 6], [130, 0, 129, 64, 3], [5, 40, 17, 9, 150]]) {
      const m = new Rnn(be, 3, { inputs: kin, state: ks, output: ky, expansion: k0, initialState, seed: rng.int(100), sigmaInit: 3 });
      const net = refFromModel(m);
      const { data, x, lens } = randomSeries(rng, 9, steps, kin, 3, true);
      const p = m.predict(data, 4);
      for (let i = 0; i < data.n; i++) {
        const f = refForward(net, x[i], steps, lens[i], initialState === "zero");
        let best = 0;
        for (let c = 1; c < 3; c++) if (f.logits[c] > f.logits[best]) best = c;
        expect(p[i], `series ${i} (len ${lens[i]}), shape ${[kin, k0, ks, ky]}`).toBe(best);
      }
      m.free();
    }
  });
});

describe("RnnStepper (BEP-TT step) against the reference", () => {
  const cases = [
    { kin: 5, k0: 0, ks: 6, ky: 6, steps: 4, gs: 2, gy: 3, horizon: 4, nu: 0.5, variable: true },
    { kin: 9, k0: 70, ks: 35, ky: 35, steps: 5, gs: 5, gy: 7, horizon: 2, nu: 0.2, variable: true },
    { kin: 64, k0: 0, ks: 65, ky: 65, steps: 3, gs: 13, gy: 5, horizon: 3, nu: 1, variable: false },
    { kin: 3, k0: 0, ks: 4, ky: 4, steps: 1, gs: 1, gy: 1, horizon: 1, nu: 0, variable: false },
  ].flatMap((c) => [{ ...c, vote: false, zero: false }, { ...c, vote: true, zero: false }, { ...c, vote: true, zero: true }]);
  for (const name of BACKENDS) {
    it.each(cases)(`${name}: K_in $kin, K_0 $k0, K_s $ks, T $steps, γ $gs/$gy, horizon $horizon, ν $nu, vote $vote, s_0 = 0 $zero`, (c) => {
      const be = allBackends().find((b) => b.name === name)!;
      const rng = new Rng(c.ks * 31 + c.steps);
      const m = new Rnn(be, 4, { inputs: c.kin, state: c.ks, output: c.ky, expansion: c.k0, initialState: c.zero ? "zero" : "ones", seed: 3, sigmaInit: 4 });
      const { data, x, lens, labels } = randomSeries(rng, 7, c.steps, c.kin, 4, c.variable);
      const stepper = new RnnStepper(m, 7, c.steps, c.horizon, c.vote ? "vote" : "sum");
      for (let round = 0; round < 3; round++) {
        const net = refFromModel(m);
        const want = refStep(net, x, lens, labels, c.steps, { r: 0.5, nu: c.nu, gs: c.gs, gy: c.gy, horizon: c.horizon, vote: c.vote, zero: c.zero });
        const order = Int32Array.from({ length: 7 }, (_, i) => i);
        const got = stepper.step(data, order, 0, 7, { robustness: 0.5, gate: c.nu, groupSizes: [c.gs, c.gy] });
        expect({ active: got.active, correct: got.correct }).toEqual({ active: want.active, correct: want.correct });
        expect(Array.from(m.xs.H.data), `H_xs round ${round}`).toEqual(Array.from(want.Hxs));
        expect(Array.from(m.ss.H.data), `H_ss round ${round}`).toEqual(Array.from(want.Hss));
        expect(Array.from(m.sy.H.data), `H_sy round ${round}`).toEqual(Array.from(want.Hsy));
        expect(got.updated).toBe(want.updated);
        if (round === 0) expect(want.active).toBeGreaterThan(0);
        // W = sign(H) everywhere; Wᵀ only where desired states go back (H_ss, H_sy), never to the inputs.
        for (const l of m.trained) expect(Array.from(l.W.data), `W round ${round}`).toEqual(Array.from(packRef(l.H.data, l.n, l.k)));
        for (const l of [m.ss, m.sy]) expect(Array.from(l.WT!.data), `Wᵀ round ${round}`).toEqual(Array.from(packRef(transposeRef(l.H.data, l.n, l.k), l.k, l.n)));
        expect([m.xs.WT, m.expansion?.WT ?? null]).toEqual([null, null]);
      }
      stepper.free();
      m.free();
    });
  }

  it("saturates the time-summed update once at the int16 range", () => {
    const be = allBackends()[0];
    const m = new Rnn(be, 2, { inputs: 2, state: 2, output: 2, initialState: "ones", prototypes: Int8Array.from([1, 1, -1, -1]) });
    const rng = new Rng(5);
    const { data, x, lens, labels } = randomSeries(rng, 6, 3, 2, 2, false);
    m.xs.H.data.set([32766, -32767, -32768, 32767]);
    m.ss.H.data.set([-32768, 32767, 32765, -32766]);
    for (const l of m.trained) l.refresh();
    const want = refStep(refFromModel(m), x, lens, labels, 3, { r: 1, nu: 1, gs: 1, gy: 1, horizon: 3 });
    const stepper = new RnnStepper(m, 6, 3, 3, "sum");
    stepper.step(data, Int32Array.from([0, 1, 2, 3, 4, 5]), 0, 6, { robustness: 1, gate: 1, groupSizes: [1, 1] });
    expect(Array.from(m.xs.H.data)).toEqual(Array.from(want.Hxs));
    expect(Array.from(m.ss.H.data)).toEqual(Array.from(want.Hss));
    expect(want.Hxs.some((v) => v === 32767 || v === -32768)).toBe(true);
    stepper.free();
    m.free();
  });

  it.each(BACKENDS)("%s: with a clip c all three updates saturate at ±c (spec §2.5)", (name) => {
    const be = allBackends().find((b) => b.name === name)!;
    const clip = 3, o = { r: 1, nu: 1, gs: 1, gy: 1, horizon: 4 };
    const m = new Rnn(be, 3, { inputs: 5, state: 9, output: 7, initialState: "ones", seed: 4, sigmaInit: 2 });
    for (const l of m.trained) l.clamp(-clip, clip);
    const { data, x, lens, labels } = randomSeries(new Rng(8), 10, 4, 5, 3, true);
    const stepper = new RnnStepper(m, 10, 4, 4, "sum");
    const want = refStep(refFromModel(m), x, lens, labels, 4, { ...o, clip });
    const free = refStep(refFromModel(m), x, lens, labels, 4, o);
    stepper.step(data, Int32Array.from({ length: 10 }, (_, i) => i), 0, 10, { robustness: 1, gate: 1, groupSizes: [1, 1], clip });
    const got = [m.xs.H.data, m.ss.H.data, m.sy.H.data].map((H) => Array.from(H));
    expect(got).toEqual([want.Hxs, want.Hss, want.Hsy].map((H) => Array.from(H)));
    for (const k of ["Hxs", "Hss", "Hsy"] as const) expect(want[k].some((v, i) => v !== free[k][i]), `${k} clipped somewhere`).toBe(true);
    expect(got.every((H) => H.every((v) => Math.abs(v) <= clip))).toBe(true);
    stepper.free();
    m.free();
  });
});

describe("training a recurrent network", () => {
  /** A learnable toy task: the class is the sign pattern of bits 0..1 at a random step, echoed at the last step. */
  function toyTask(seed: number, n: number) {
    const rng = new Rng(seed);
    return randomSeries(rng, n, 5, 12, 4, true);
  }

  it("is bit-identical on every backend for a seed (weights, metrics, predictions), with or without a PhaseClock", () => {
    const { data } = toyTask(1, 120);
    const clock = new PhaseClock();
    const results = allBackends().map((be: Backend, b) => {
      const t = new Trainer(data, { state: 33, output: 30, expansion: 40, epochs: 3, batchSize: 16, seed: 9, gate: 0.2, backend: be, groupSize: [3, 5], horizon: 3 }, data);
      if (b === 1) t.clock = clock;
      const history = t.run();
      const m = t.model;
      const out = { H: [m.xs.H.data.slice(), m.ss.H.data.slice(), m.sy.H.data.slice()], history: history.map(({ seconds: _s, ...rest }) => rest), p: m.predict(data) };
      t.free();
      m.free();
      return out;
    });
    for (const r of results.slice(1)) {
      expect(r.history).toEqual(results[0].history);
      for (let i = 0; i < 3; i++) expect(Array.from(r.H[i])).toEqual(Array.from(results[0].H[i]));
      expect(Array.from(r.p)).toEqual(Array.from(results[0].p));
    }
    expect(results[0].history[2].updatedNeurons).toBeGreaterThan(0);
    for (const p of PHASES) expect(clock.ms[p], p).toBeGreaterThan(0);
  });

  it("learns to remember the first step of a series only when errors travel back through time", () => {
    // class = which of 4 fixed patterns is the first step; 5 random steps follow.
    const rng = new Rng(3);
    const n = 1000, steps = 6, kin = 16, words = 4;
    const patterns = [0, 1, 2, 3].map(() => randomSigns(rng, kin));
    const bits = new Uint32Array(n * steps * words), labels = new Uint8Array(n), lens = new Uint16Array(n).fill(steps);
    for (let i = 0; i < n; i++) {
      labels[i] = rng.int(4);
      const xi = randomSigns(rng, steps * kin);
      xi.set(patterns[labels[i]], 0);
      bits.set(packRef(xi, steps, kin), i * steps * words);
    }
    const all = new SequenceDataset(bits, lens, labels, steps, kin, 4, "memory");
    const train = all.subset(Array.from({ length: 800 }, (_, i) => i)), test = all.subset(Array.from({ length: 200 }, (_, i) => 800 + i));
    const accuracy = (horizon: number, seed: number) => {
      const t = new Trainer(train, { state: 120, epochs: 20, batchSize: 20, seed, gate: 0.3, groupSize: [5, 5], horizon }, test);
      const history = t.run();
      t.free();
      t.model.free();
      return history[history.length - 1].testAccuracy!;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[1];
    const full = [1, 2, 3].map((seed) => accuracy(steps, seed)), one = [1, 2, 3].map((seed) => accuracy(1, seed));
    expect(median(full), `full horizon: ${full}`).toBeGreaterThan(0.9); // chance is 0.25
    expect(Math.max(...one), `horizon 1: ${one}`).toBeLessThan(0.5); // the first step's information cannot be credited
  });

  it("with s_0 = 0, one-step series leave H_ss alone and train like a two-layer MLP", () => {
    // class = which of 4 fixed 24-bit patterns, each bit flipped with probability 0.2, is the only step
    const rng = new Rng(8);
    const n = 600, kin = 24;
    const patterns = [0, 1, 2, 3].map(() => randomSigns(rng, kin));
    const words = packRef(new Int8Array(kin), 1, kin).length;
    const bits = new Uint32Array(n * words), labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = rng.int(4);
      const xi = Int8Array.from(patterns[labels[i]], (v) => (rng.int(5) === 0 ? -v : v));
      bits.set(packRef(xi, 1, kin), i * words);
    }
    const all = new SequenceDataset(bits, new Uint16Array(n).fill(1), labels, 1, kin, 4, "one step");
    const train = all.subset(Array.from({ length: 500 }, (_, i) => i)), test = all.subset(Array.from({ length: 100 }, (_, i) => 500 + i));
    const t = new Trainer(train, { state: 60, epochs: 10, batchSize: 20, gate: 0.2, groupSize: [5, 5], reinforcement: 0, initialState: "zero" }, test);
    const before = t.model.ss.H.data.slice();
    const history = t.run();
    expect(Array.from(t.model.ss.H.data)).toEqual(Array.from(before));
    expect(history[history.length - 1].testAccuracy).toBeGreaterThan(0.9); // chance is 0.25
    expect(() => new Trainer(train, { state: 60, model: t.model, initialState: "ones" })).toThrow(/the model's initial state is "zero", but the options ask for "ones"/);
    t.free();
    t.model.free();
  });

  it("rejects a missing state width and a mismatched model", () => {
    const { data } = toyTask(2, 20);
    expect(() => new Trainer(data, {})).toThrow(/state width is required/);
    const be = allBackends()[2];
    const m = new Rnn(be, 4, { inputs: 11, state: 8 });
    expect(() => new Trainer(data, { state: 8, model: m })).toThrow(/the model has \(inputs, expansion, state, output, classes\) = \(11,0,8,8,4\), but the data and options need \(12,0,8,8,4\)/);
    m.free();
  });
});
