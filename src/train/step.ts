/**
 * One BEP training step of an MLP on a mini-batch (spec §2): forward, trigger (eq. 1), binary
 * backward pass with the gate (eqs. 2–7), winner-per-group masks and sparse integer updates
 * (eqs. 8–9); the trainer applies reinforcement after it. Every sample sees the weights as they
 * were before the step.
 */
import type { Buf } from "../kernels/buffer.js";
import { rowWords } from "../kernels/layout.js";
import type { Dataset } from "../data/dataset.js";
import { Workspace, argmax, type Mlp } from "../model/mlp.js";
import type { PhaseClock } from "./phases.js";

/** The per-step settings the trainer derives from its options and schedule. */
export interface StepSettings {
  /** Robustness r ∈ [0,1]: a sample is active iff ŷ_c − max_{c'≠c} ŷ_c' < r·K_L (eq. 1). */
  robustness: number;
  /** Gate ν ∈ [0,1]: g = 1 iff |z| ≤ ⌊ν·fan-in⌋ (eq. 4). */
  gate: number;
  /** Group sizes γ, one per entry of the model's schedule widths. */
  groupSizes: number[];
  /** When set, each phase of the step is timed into it. */
  clock?: PhaseClock | null;
}

/** What one step did. */
export interface StepResult {
  /** Samples whose trigger fired. */
  active: number;
  /** Samples classified correctly by the pre-update forward pass. */
  correct: number;
  /** Neurons (rows of H) updated, summed over layers. */
  updated: number;
}

/** Reusable buffers for steps of up to `batch` samples. */
export class Stepper {
  readonly ws: Workspace;
  /** desired[l]: desired activations a*_l, packed batch × K_l (desired[0] unused). */
  private readonly desired: Buf<"u32">[];
  /** gates[l]: the gate of z_l, packed batch × K_l. */
  private readonly gates: Buf<"u32">[];
  /** winners[l]: winner index per group, batch × K_l (room for γ = 1). */
  private readonly winners: Buf<"i32">[];
  /** Integer sums of the backward pass, batch × max K. */
  private readonly sums: Buf<"i32">;
  private readonly activeRows: Int32Array;

  constructor(readonly model: Mlp, readonly batch: number) {
    const { backend, sizes } = model;
    this.ws = new Workspace(model, batch);
    this.desired = sizes.map((k, l) => backend.alloc("u32", l === 0 ? 0 : batch * rowWords(k)));
    this.gates = sizes.map((k, l) => backend.alloc("u32", l === 0 ? 0 : batch * rowWords(k)));
    this.winners = sizes.map((k, l) => backend.alloc("i32", l === 0 ? 0 : batch * k));
    this.sums = backend.alloc("i32", batch * Math.max(...sizes));
    this.activeRows = new Int32Array(batch);
  }

  /** Trains on samples indices[from..from+count) of `data`. */
  step(data: Dataset, indices: ArrayLike<number>, from: number, count: number, s: StepSettings): StepResult {
    const { model, ws } = this;
    const { backend, sizes, layers, classes } = model;
    const L = sizes.length - 1;
    const clock = s.clock;
    ws.gather(data, indices, from, count);
    clock?.lap("data");
    ws.forward(count);
    clock?.lap("forward");

    // Trigger (eq. 1) and training accuracy, on the pre-update forward pass.
    const { active, correct } = triggerBatch(ws.logits.data, classes, data.labels, indices, from, count, s.robustness * sizes[L], this.activeRows);
    if (active === 0) {
      clock?.lap("trigger");
      return { active, correct, updated: 0 };
    }

    // Keep only the active samples: rows of a_l and z_l move down to rows 0..active-1.
    for (let l = 0; l <= L; l++) {
      compactRows(ws.acts[l].data, rowWords(sizes[l]), this.activeRows, active);
      if (l > 0) compactRows(ws.z[l].data, sizes[l], this.activeRows, active);
    }
    clock?.lap("trigger");

    // a*_L = ρ_c; then a*_l = sign(W_{l+1}ᵀ (g_{l+1} ⊙ a*_{l+1})) (eqs. 5–7).
    const top = this.desired[L].data, p = model.P.data, wL = rowWords(sizes[L]);
    for (let i = 0; i < active; i++) {
      const c = data.labels[indices[from + this.activeRows[i]]];
      top.set(p.subarray(c * wL, (c + 1) * wL), i * wL);
    }
    for (let l = L; l >= 2; l--) {
      backend.gate(ws.z[l], this.gates[l], active, sizes[l], Math.floor(s.gate * sizes[l - 1]));
      backend.desired(this.desired[l], this.gates[l], layers[l - 1].WT, this.sums, this.desired[l - 1], active, sizes[l], sizes[l - 1]);
    }
    clock?.lap("backward");

    // Winner-per-group masks, then ΔH and the saturating update (eqs. 8–9), layer by layer.
    let updated = 0;
    for (let l = 1; l <= L; l++) {
      const layer = layers[l - 1];
      const gamma = s.groupSizes[l - 1];
      backend.winners(ws.z[l], this.desired[l], this.winners[l], active, sizes[l], gamma);
      clock?.lap("winners");
      updated += backend.updateRows(layer.H, layer.W, layer.WT, ws.acts[l - 1], this.desired[l], this.winners[l], active, sizes[l], sizes[l - 1], gamma);
      clock?.lap("update");
    }

    return { active, correct, updated };
  }

  free(): void {
    this.ws.free();
    for (const b of [...this.desired, ...this.gates, ...this.winners, this.sums]) b.free();
  }
}

/**
 * The trigger (eq. 1) and the training accuracy over a batch whose logits are `y` (count × classes)
 * and whose labels are labels[indices[from + i]]: writes the rows of the active samples into
 * `activeRows` (ascending) and returns how many are active and how many are classified correctly.
 */
export function triggerBatch(
  y: Int32Array, classes: number, labels: Uint8Array, indices: ArrayLike<number>, from: number, count: number, margin: number, activeRows: Int32Array,
): { active: number; correct: number } {
  let active = 0, correct = 0;
  for (let i = 0; i < count; i++) {
    const c = labels[indices[from + i]];
    if (argmax(y, i * classes, classes) === c) correct++;
    if (triggers(y, i * classes, classes, c, margin)) activeRows[active++] = i;
  }
  return { active, correct };
}

/**
 * The trigger (eq. 1): a sample of class c is active iff ŷ_c − max_{c'≠c} ŷ_c' < margin, with
 * margin = r·K_L and logits y[at..at+classes).
 */
export function triggers(y: Int32Array, at: number, classes: number, c: number, margin: number): boolean {
  let rival = -Infinity;
  for (let k = 0; k < classes; k++) if (k !== c && y[at + k] > rival) rival = y[at + k];
  return y[at + c] - rival < margin;
}

/** Moves rows rows[i] (ascending) of `width` elements to row i, for i < count. */
export function compactRows(a: Int32Array | Uint32Array, width: number, rows: Int32Array, count: number): void {
  for (let i = 0; i < count; i++) {
    const r = rows[i];
    if (r !== i) a.copyWithin(i * width, r * width, (r + 1) * width);
  }
}
