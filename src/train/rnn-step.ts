/**
 * One BEP-TT training step of a recurrent network on a mini-batch of series (spec §4): forward
 * over time, the trigger on ŷ (eq. 1), desired states propagated backward through time with the
 * gate, time-shared winner-per-group masks, and sparse integer updates aggregated over time. The
 * trainer applies reinforcement after it. Every series sees the weights as they were before
 * the step.
 */
import type { Buf } from "../kernels/buffer.js";
import { clipBounds, rowWords } from "../kernels/layout.js";
import type { SequenceDataset } from "../data/sequences.js";
import { RnnWorkspace, fillOnes, type Rnn } from "../model/rnn.js";
import { transposeOf } from "../model/layer.js";
import { compactRows, triggerBatch, type StepResult, type StepSettings } from "./step.js";

/**
 * How one series' update of a chosen state neuron j is aggregated over its steps:
 * "sum" adds Σ_t s*_tj·a_t (spec §4: the update grows with the number of steps); "vote" (the
 * default) adds its sign, −1, 0 or +1 per weight: the majority over time, so one series moves a
 * weight by at most 2 per batch, as one sample does in an MLP layer, whatever T. Chosen by a
 * validation ablation on the 12 UCR/UEA datasets (docs/results/ablations.md).
 */
export type TemporalUpdate = "sum" | "vote";

/** Reusable buffers for steps of up to `batch` series of `steps` steps. */
export class RnnStepper {
  readonly ws: RnnWorkspace;
  /** s*_t for steps 1..T, time-major (steps·batch) × K_s. */
  private readonly desiredStates: Buf<"u32">;
  /** s*_y = ρ_c, batch × K_y. */
  private readonly desiredY: Buf<"u32">;
  /** A gate, batch × max(K_s, K_y). */
  private readonly gates: Buf<"u32">;
  /** Integer sums of the backward pass, batch × K_s. */
  private readonly sums: Buf<"i32">;
  /** Output-layer winners, batch × K_y (room for γ = 1). */
  private readonly winY: Buf<"i32">;
  /** State-layer winners of one series, ⌈K_s/γ⌉ (room for γ = 1). */
  private readonly winS: Buf<"i32">;
  /** One series' rows (steps × width) before transposing: inputs a_t, previous states s_{t−1}, desired s*_t. */
  private readonly seriesX: Buf<"u32">;
  private readonly seriesS: Buf<"u32">;
  private readonly seriesD: Buf<"u32">;
  /** The same, transposed: one row of `steps` bits per input / state neuron. */
  private readonly xT: Buf<"u32">;
  private readonly sT: Buf<"u32">;
  private readonly dT: Buf<"u32">;
  /** Per winner: its desired states over time, an all-ones gate, and Σ_t s*_t·(a_t or s_{t−1}). */
  private readonly winnerD: Buf<"u32">;
  private readonly ones: Buf<"u32">;
  private readonly sumX: Buf<"i32">;
  private readonly sumS: Buf<"i32">;
  private readonly signsOut: Buf<"u32">;
  /** ΔH_xs and ΔH_ss of the batch (K_s × K_x, K_s × K_s), zero outside the rows being updated. */
  private readonly deltaXs: Buf<"i32">;
  private readonly deltaSs: Buf<"i32">;
  /** The state neurons some series of the batch updates, and a flag per neuron. */
  private readonly touched: Buf<"i32">;
  private readonly isTouched: Uint8Array;
  private readonly activeRows: Int32Array;

  /** `horizon`: how many steps back the desired states travel (default: all); `temporal`: see TemporalUpdate. */
  constructor(readonly model: Rnn, readonly batch: number, readonly steps: number, readonly horizon = steps, readonly temporal: TemporalUpdate = "vote") {
    if (!Number.isInteger(horizon) || horizon < 1) throw new RangeError(`horizon must be an integer ≥ 1, got ${horizon}`);
    if (temporal !== "sum" && temporal !== "vote") throw new RangeError(`temporal update must be "sum" or "vote", got ${JSON.stringify(temporal)}`);
    const { backend, ks, ky } = model;
    this.ws = new RnnWorkspace(model, batch, steps);
    this.desiredStates = backend.alloc("u32", steps * batch * rowWords(ks));
    this.desiredY = backend.alloc("u32", batch * rowWords(ky));
    this.gates = backend.alloc("u32", batch * rowWords(Math.max(ks, ky)));
    this.sums = backend.alloc("i32", batch * ks);
    this.winY = backend.alloc("i32", batch * ky);
    const { kx } = model, wt = rowWords(steps), wMax = rowWords(Math.max(kx, ks));
    this.winS = backend.alloc("i32", ks);
    this.seriesX = backend.alloc("u32", steps * rowWords(kx));
    this.seriesS = backend.alloc("u32", steps * rowWords(ks));
    this.seriesD = backend.alloc("u32", steps * rowWords(ks));
    this.xT = backend.alloc("u32", kx * wt);
    this.sT = backend.alloc("u32", ks * wt);
    this.dT = backend.alloc("u32", ks * wt);
    this.winnerD = backend.alloc("u32", ks * wt);
    this.ones = backend.alloc("u32", ks * wt);
    this.sumX = backend.alloc("i32", ks * kx);
    this.sumS = backend.alloc("i32", ks * ks);
    this.signsOut = backend.alloc("u32", ks * wMax);
    this.deltaXs = backend.alloc("i32", ks * kx);
    this.deltaSs = backend.alloc("i32", ks * ks);
    this.touched = backend.alloc("i32", ks);
    this.isTouched = new Uint8Array(ks);
    this.activeRows = new Int32Array(batch);
  }

  /** Trains on series indices[from..from+count) of `data`. Group sizes: [γ_s, γ_y]. */
  step(data: SequenceDataset, indices: ArrayLike<number>, from: number, count: number, s: StepSettings): StepResult {
    s.beforeUpdate?.();
    const { model, ws, batch: B } = this;
    const { backend, kx, ks, ky, classes } = model;
    const T = this.steps;
    const h = Math.min(this.horizon, T);
    const wx = rowWords(kx), wsw = rowWords(ks), wy = rowWords(ky);
    const clock = s.clock;
    ws.gather(data, indices, from, count);
    clock?.lap("data");
    ws.forward(count);
    clock?.lap("forward");

    // Trigger (eq. 1) on ŷ = P s_y, and training accuracy, on the pre-update forward pass.
    const { active, correct } = triggerBatch(ws.logits.data, classes, data.labels, indices, from, count, s.robustness * ky, this.activeRows);
    if (active === 0) {
      clock?.lap("trigger");
      return { active, correct, updated: 0 };
    }

    // Keep only the active series: in every time block, their rows move down to 0..active-1.
    const rows = this.activeRows;
    for (let t = 0; t < T; t++) {
      compactRows(ws.block(ws.x, t, wx).data, wx, rows, active);
      compactRows(ws.block(ws.z, t, ks).data, ks, rows, active);
    }
    for (let t = 0; t <= T; t++) compactRows(ws.block(ws.states, t, wsw).data, wsw, rows, active);
    compactRows(ws.zy.data, ky, rows, active);
    for (let i = 0; i < active; i++) ws.start[i] = ws.start[rows[i]];
    clock?.lap("trigger");

    // s*_y = ρ_c; s*_T = sign(W_syᵀ(g_y ⊙ s*_y)) with g_y from z_y (fan-in K_s).
    const top = this.desiredY.data, p = model.P.data;
    for (let i = 0; i < active; i++) {
      const c = data.labels[indices[from + rows[i]]];
      top.set(p.subarray(c * wy, (c + 1) * wy), i * wy);
    }
    backend.gate(ws.zy, this.gates, active, ky, Math.floor(s.gate * ks));
    backend.desired(this.desiredY, this.gates, transposeOf(model.sy, "RnnStepper"), this.sums, ws.block(this.desiredStates, T - 1, wsw, active), active, ky, ks);
    // s*_t = sign(W_ssᵀ(g_{t+1} ⊙ s*_{t+1})), g_{t+1} from z_{t+1} (fan-in K_x + K_s), back to step T − h + 1.
    const threshold = Math.floor(s.gate * (kx + ks)), ssT = transposeOf(model.ss, "RnnStepper");
    for (let t = T - 2; t >= T - h; t--) {
      backend.gate(ws.block(ws.z, t + 1, ks, active), this.gates, active, ks, threshold);
      backend.desired(
        ws.block(this.desiredStates, t + 1, wsw, active), this.gates, ssT, this.sums,
        ws.block(this.desiredStates, t, wsw, active), active, ks, ks,
      );
    }
    clock?.lap("backward");

    // Output layer: winner per group (spec §2.4) and H_sy += 2 s*_y s_Tᵀ (eqs. 8–9).
    const [gammaS, gammaY] = s.groupSizes;
    const [lo, hi] = clipBounds(s.clip);
    backend.winners(ws.zy, this.desiredY, this.winY, active, ky, gammaY);
    clock?.lap("winners");
    let updated = backend.updateRows(
      model.sy.H, model.sy.W, model.sy.WT, ws.block(ws.states, T, wsw, active), this.desiredY, this.winY, active, ky, ks, gammaY, lo, hi,
    );
    clock?.lap("update");

    // State layer, per series: the time-shared mask over the horizon steps it really has, then
    // ΔH_xs[j,:] += Σ_t s*_tj a_t and ΔH_ss[j,:] += Σ_t s*_tj s_{t−1} for each winner j (or the
    // signs of these sums, with the "vote" temporal update). With the
    // series' rows transposed (one row of time bits per neuron), each sum is a masked
    // XNOR-popcount over time: the `desired` kernel with an all-ones gate.
    const first = T - h;
    let touched = 0;
    for (let i = 0; i < active; i++) {
      const t0 = Math.max(first, ws.start[i]);
      const len = T - t0;
      const winners = backend.sharedWinners(
        backend.view(ws.z, (t0 * B + i) * ks, ((len - 1) * B + 1) * ks), backend.view(this.desiredStates, (t0 * B + i) * wsw, ((len - 1) * B + 1) * wsw),
        this.winS, len, B * ks, B * wsw, ks, gammaS,
      );
      clock?.lap("winners");
      if (winners === 0) continue;
      const want = this.desiredStates.data, winS = this.winS.data;

      gatherSeries(ws.x.data, this.seriesX.data, t0, T, B, i, wx);
      gatherSeries(ws.states.data, this.seriesS.data, t0, T, B, i, wsw); // s_{t−1} for z_t: state block t
      gatherSeries(want, this.seriesD.data, t0, T, B, i, wsw);
      backend.transpose(this.seriesX, this.xT, len, kx);
      backend.transpose(this.seriesS, this.sT, len, ks);
      backend.transpose(this.seriesD, this.dT, len, ks);
      const wl = rowWords(len), dT = this.dT.data, winnerD = this.winnerD.data, ones = this.ones.data;
      for (let w = 0; w < winners; w++) {
        const j = winS[w];
        winnerD.set(dT.subarray(j * wl, (j + 1) * wl), w * wl);
        fillOnes(ones, w * wl, len);
      }
      backend.desired(this.winnerD, this.ones, this.xT, this.sumX, this.signsOut, winners, len, kx);
      // With s_0 = 0 the series' first step adds nothing to ΔH_ss: its time bit leaves the gate.
      if (model.initialState === "zero" && t0 === ws.start[i]) for (let w = 0; w < winners; w++) ones[w * wl] &= ~1;
      backend.desired(this.winnerD, this.ones, this.sT, this.sumS, this.signsOut, winners, len, ks);
      const vote = this.temporal === "vote", list = this.touched.data;
      for (let w = 0; w < winners; w++) {
        const j = winS[w];
        if (!this.isTouched[j]) {
          this.isTouched[j] = 1;
          list[touched++] = j;
        }
      }
      backend.addRowSums(this.deltaXs, this.winS, this.sumX, winners, kx, vote);
      backend.addRowSums(this.deltaSs, this.winS, this.sumS, winners, ks, vote);
      clock?.lap("update");
    }
    // H ← clamp(H + 2ΔH) once for the batch (factor 2 on all three; spec §4); ΔH's rows return to 0.
    backend.applyRows(model.xs.H, model.xs.W, model.xs.WT, this.deltaXs, this.touched, touched, ks, kx, lo, hi);
    backend.applyRows(model.ss.H, model.ss.W, model.ss.WT, this.deltaSs, this.touched, touched, ks, ks, lo, hi);
    const list = this.touched.data;
    for (let r = 0; r < touched; r++) this.isTouched[list[r]] = 0;
    clock?.lap("update");
    updated += touched;
    return { active, correct, updated };
  }

  free(): void {
    this.ws.free();
    const bufs = [this.desiredStates, this.desiredY, this.gates, this.sums, this.winY, this.seriesX, this.seriesS, this.seriesD, this.xT, this.sT, this.dT, this.winnerD, this.ones, this.sumX, this.sumS, this.signsOut, this.winS, this.deltaXs, this.deltaSs, this.touched];
    for (const b of bufs) b.free();
  }
}

/** Copies rows t0..T−1 of series i from a time-major buffer (row t·B + i, `words` per row) to rows 0.. of `dst`. */
function gatherSeries(src: Uint32Array, dst: Uint32Array, t0: number, T: number, B: number, i: number, words: number): void {
  for (let t = t0; t < T; t++) dst.set(src.subarray((t * B + i) * words, (t * B + i + 1) * words), (t - t0) * words);
}
