/**
 * One BEP-TT training step of a recurrent network on a mini-batch of series (spec §4): forward
 * over time, the trigger on ŷ (eq. 1), desired states propagated backward through time with the
 * gate, time-shared winner-per-group masks, and sparse integer updates summed over time. The
 * trainer applies reinforcement after it. Every series sees the weights as they were before
 * the step.
 */
import type { Buf } from "../kernels/buffer.js";
import { groupCount, rowWords } from "../kernels/layout.js";
import type { SequenceDataset } from "../data/sequences.js";
import { argmax } from "../model/mlp.js";
import { RnnWorkspace, type Rnn } from "../model/rnn.js";
import { compactRows, triggers, type StepResult, type StepSettings } from "./step.js";

/**
 * Chooses the state neurons to update for one series, shared by all its steps (spec §4): a
 * neuron is a candidate if sign(z_t) ≠ s*_t at one or more of the steps; per group of γ the
 * candidate wrong at the most steps wins, ties broken by the smallest Σ|z_t| over its wrong
 * steps, then by the lowest index. `wrong(t, j)` and `absZ(t, j)` describe steps t of `steps`.
 * Writes one winner (or −1) per group into win[at..at+⌈n/γ⌉).
 */
export function sharedMask(
  steps: number, n: number, gamma: number,
  wrong: (t: number, j: number) => boolean, absZ: (t: number, j: number) => number,
  win: Int32Array, at: number,
): void {
  const groups = groupCount(n, gamma);
  for (let g = 0; g < groups; g++) {
    let best = -1, bestCount = 0, bestSum = 0;
    for (let j = g * gamma; j < Math.min(n, (g + 1) * gamma); j++) {
      let count = 0, sum = 0;
      for (let t = 0; t < steps; t++) {
        if (wrong(t, j)) {
          count++;
          sum += absZ(t, j);
        }
      }
      if (count > bestCount || (count === bestCount && count > 0 && sum < bestSum)) {
        best = j;
        bestCount = count;
        bestSum = sum;
      }
    }
    win[at + g] = best;
  }
}

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
  /** State-layer winners repeated at every step of the horizon, (steps·batch) × K_s. */
  private readonly winS: Buf<"i32">;
  private readonly activeRows: Int32Array;

  /** `horizon`: how many steps back the desired states travel (default: all). */
  constructor(readonly model: Rnn, readonly batch: number, readonly steps: number, readonly horizon = steps) {
    if (!Number.isInteger(horizon) || horizon < 1) throw new RangeError(`horizon must be an integer ≥ 1, got ${horizon}`);
    const { backend, ks, ky } = model;
    this.ws = new RnnWorkspace(model, batch, steps);
    this.desiredStates = backend.alloc("u32", steps * batch * rowWords(ks));
    this.desiredY = backend.alloc("u32", batch * rowWords(ky));
    this.gates = backend.alloc("u32", batch * rowWords(Math.max(ks, ky)));
    this.sums = backend.alloc("i32", batch * ks);
    this.winY = backend.alloc("i32", batch * ky);
    this.winS = backend.alloc("i32", steps * batch * ks);
    this.activeRows = new Int32Array(batch);
  }

  /** Trains on series indices[from..from+count) of `data`. Group sizes: [γ_s, γ_y]. */
  step(data: SequenceDataset, indices: ArrayLike<number>, from: number, count: number, s: StepSettings): StepResult {
    const { model, ws, batch: B } = this;
    const { backend, kx, ks, ky, classes } = model;
    const T = this.steps;
    const h = Math.min(this.horizon, T);
    const wx = rowWords(kx), wsw = rowWords(ks), wy = rowWords(ky);
    ws.gather(data, indices, from, count);
    ws.forward(count);

    // Trigger (eq. 1) on ŷ = P s_y, and training accuracy, on the pre-update forward pass.
    const y = ws.logits.data;
    let active = 0, correct = 0;
    for (let i = 0; i < count; i++) {
      const c = data.labels[indices[from + i]];
      if (argmax(y, i * classes, classes) === c) correct++;
      if (triggers(y, i * classes, classes, c, s.robustness * ky)) this.activeRows[active++] = i;
    }
    if (active === 0) return { active, correct, updated: 0 };

    // Keep only the active series: in every time block, their rows move down to 0..active-1.
    const rows = this.activeRows;
    for (let t = 0; t < T; t++) {
      compactRows(ws.block(ws.x, t, wx).data, wx, rows, active);
      compactRows(ws.block(ws.z, t, ks).data, ks, rows, active);
    }
    for (let t = 0; t <= T; t++) compactRows(ws.block(ws.states, t, wsw).data, wsw, rows, active);
    compactRows(ws.zy.data, ky, rows, active);
    for (let i = 0; i < active; i++) ws.start[i] = ws.start[rows[i]];

    // s*_y = ρ_c; s*_T = sign(W_syᵀ(g_y ⊙ s*_y)) with g_y from z_y (fan-in K_s).
    const top = this.desiredY.data, p = model.P.data;
    for (let i = 0; i < active; i++) {
      const c = data.labels[indices[from + rows[i]]];
      top.set(p.subarray(c * wy, (c + 1) * wy), i * wy);
    }
    backend.gate(ws.zy, this.gates, active, ky, Math.floor(s.gate * ks));
    backend.desired(this.desiredY, this.gates, model.sy.WT, this.sums, ws.block(this.desiredStates, T - 1, wsw, active), active, ky, ks);
    // s*_t = sign(W_ssᵀ(g_{t+1} ⊙ s*_{t+1})), g_{t+1} from z_{t+1} (fan-in K_x + K_s), back to step T − h + 1.
    const threshold = Math.floor(s.gate * (kx + ks));
    for (let t = T - 2; t >= T - h; t--) {
      backend.gate(ws.block(ws.z, t + 1, ks, active), this.gates, active, ks, threshold);
      backend.desired(
        ws.block(this.desiredStates, t + 1, wsw, active), this.gates, model.ss.WT, this.sums,
        ws.block(this.desiredStates, t, wsw, active), active, ks, ks,
      );
    }

    // Time-shared masks over the horizon steps each series really has; −1 elsewhere.
    const [gammaS, gammaY] = s.groupSizes;
    const groupsS = groupCount(ks, gammaS);
    const z = ws.z.data, want = this.desiredStates.data, winS = this.winS.data;
    const first = T - h;
    winS.fill(-1, first * B * groupsS, T * B * groupsS);
    for (let i = 0; i < active; i++) {
      const t0 = Math.max(first, ws.start[i]);
      const wrong = (t: number, j: number): boolean => {
        const zj = z[((t0 + t) * B + i) * ks + j];
        const bit = (want[((t0 + t) * B + i) * wsw + (j >>> 5)] >>> (j & 31)) & 1;
        return (zj >= 0 ? 1 : 0) !== bit;
      };
      const absZ = (t: number, j: number): number => Math.abs(z[((t0 + t) * B + i) * ks + j]);
      const at = (t0 * B + i) * groupsS;
      sharedMask(T - t0, ks, gammaS, wrong, absZ, winS, at);
      for (let t = t0 + 1; t < T; t++) winS.copyWithin((t * B + i) * groupsS, at, at + groupsS);
    }
    backend.winners(ws.zy, this.desiredY, this.winY, active, ky, gammaY);

    // Updates (factor 2 on all three): H_sy from s*_y s_Tᵀ; H_xs and H_ss from Σ_t s*_t a_tᵀ and
    // Σ_t s*_t s_{t−1}ᵀ, one row (t, series) per horizon step, all saturating once.
    const rowsH = h * B;
    let updated = backend.updateRows(
      model.sy.H, model.sy.W, model.sy.WT, ws.block(ws.states, T, wsw, active), this.desiredY, this.winY, active, ky, ks, gammaY,
    );
    const want1 = backend.view(this.desiredStates, first * B * wsw, rowsH * wsw);
    const win1 = backend.view(this.winS, first * B * groupsS, rowsH * groupsS);
    updated += backend.updateRows(model.xs.H, model.xs.W, model.xs.WT, backend.view(ws.x, first * B * wx, rowsH * wx), want1, win1, rowsH, ks, kx, gammaS);
    backend.updateRows(model.ss.H, model.ss.W, model.ss.WT, backend.view(ws.states, first * B * wsw, rowsH * wsw), want1, win1, rowsH, ks, ks, gammaS);
    return { active, correct, updated };
  }

  free(): void {
    this.ws.free();
    for (const b of [this.desiredStates, this.desiredY, this.gates, this.sums, this.winY, this.winS]) b.free();
  }
}
