/**
 * One BEP training step of an MLP on a mini-batch (spec §2): forward, trigger (eq. 1), binary
 * backward pass with the gate (eqs. 2–7), winner-per-group masks and sparse integer updates
 * (eqs. 8–9); the trainer applies reinforcement after it. Every sample sees the weights as they
 * were before the step.
 */
import type { Buf } from "../kernels/buffer.js";
import { groupCount, rowWords } from "../kernels/layout.js";
import type { Dataset } from "../data/dataset.js";
import { Workspace, argmax, chunkRows, sum, type Mlp } from "../model/mlp.js";
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

/**
 * Reusable buffers for steps of up to `batch` samples. Everything up to the winners is per
 * sample, so it runs on chunks of `rows` samples (default stepChunkRows(): about 64 KiB of i32
 * scratch): pre-activations, gates and backward sums exist only for one chunk. What the update needs for the whole batch (the active samples'
 * layer inputs a_{l−1}, desired activations a*_l and winners) is kept batch-wide.
 */
export class Stepper {
  /** Forward buffers of one chunk (acts, z, logits). */
  readonly ws: Workspace;
  /** inputs[l]: a_l of the batch's active samples, packed batch × K_l (l < L; the update's a_{l−1}). */
  private readonly inputs: Buf<"u32">[];
  /** desired[l]: a*_l of the batch's active samples, packed batch × K_l (desired[0] unused). */
  private readonly desired: Buf<"u32">[];
  /** gates[l]: the gate of z_l for one chunk, packed rows × K_l. */
  private readonly gates: Buf<"u32">[];
  /** winners[l]: winner per group for the batch's active samples, batch × ⌈K_l/γ⌉ (grown when γ shrinks). */
  private readonly winners: Buf<"i32">[];
  /** Integer sums of the backward pass for one chunk, rows × max hidden K below the top. */
  private readonly sums: Buf<"i32">;
  private readonly activeRows: Int32Array;

  constructor(readonly model: Mlp, readonly batch: number, rows = chunkRows(4 * (sum(model.sizes.slice(1)) + Math.max(0, ...model.sizes.slice(1, -1))), batch)) {
    const { backend, sizes } = model;
    const L = sizes.length - 1;
    if (!Number.isInteger(rows) || rows < 1 || rows > batch) throw new RangeError(`Stepper: rows must be an integer in [1, batch = ${batch}], got ${rows}`);
    this.ws = new Workspace(model, rows);
    this.inputs = sizes.slice(0, L).map((k) => backend.alloc("u32", batch * rowWords(k)));
    this.desired = sizes.map((k, l) => backend.alloc("u32", l === 0 ? 0 : batch * rowWords(k)));
    this.gates = sizes.map((k, l) => backend.alloc("u32", l < 2 ? 0 : rows * rowWords(k)));
    this.winners = sizes.map(() => backend.alloc("i32", 0));
    this.sums = backend.alloc("i32", L < 2 ? 0 : rows * Math.max(...sizes.slice(1, L)));
    this.activeRows = new Int32Array(rows);
  }

  /** Trains on samples indices[from..from+count) of `data`. */
  step(data: Dataset, indices: ArrayLike<number>, from: number, count: number, s: StepSettings): StepResult {
    const { model, ws } = this;
    const { backend, sizes, layers, classes } = model;
    const L = sizes.length - 1;
    const clock = s.clock;
    for (let l = 1; l <= L; l++) this.reserveWinners(l, groupCount(sizes[l], s.groupSizes[l - 1]));

    let active = 0, correct = 0;
    for (let c0 = 0; c0 < count; c0 += ws.batch) {
      const rows = Math.min(ws.batch, count - c0);
      ws.gather(data, indices, from + c0, rows);
      clock?.lap("data");
      ws.forward(rows);
      clock?.lap("forward");

      // Trigger (eq. 1) and training accuracy, on the pre-update forward pass.
      const chunk = triggerBatch(ws.logits.data, classes, data.labels, indices, from + c0, rows, s.robustness * sizes[L], this.activeRows);
      correct += chunk.correct;
      const a = chunk.active;
      if (a === 0) {
        clock?.lap("trigger");
        continue;
      }
      // Keep only the active samples: their rows of a_l and z_l move to 0..a-1, and a_l (l < L)
      // is appended to the batch's update inputs.
      for (let l = 0; l <= L; l++) {
        const w = rowWords(sizes[l]);
        compactRows(ws.acts[l].data, w, this.activeRows, a);
        if (l > 0) compactRows(ws.z[l].data, sizes[l], this.activeRows, a);
        if (l < L) this.inputs[l].data.set(ws.acts[l].data.subarray(0, a * w), active * w);
      }
      clock?.lap("trigger");

      // a*_L = ρ_c; then a*_l = sign(W_{l+1}ᵀ (g_{l+1} ⊙ a*_{l+1})) (eqs. 5–7).
      const wL = rowWords(sizes[L]), top = this.desired[L].data, p = model.P.data;
      for (let i = 0; i < a; i++) {
        const c = data.labels[indices[from + c0 + this.activeRows[i]]];
        top.set(p.subarray(c * wL, (c + 1) * wL), (active + i) * wL);
      }
      const desired = this.desired.map((d, l) => (l === 0 ? d : backend.view(d, active * rowWords(sizes[l]), a * rowWords(sizes[l]))));
      for (let l = L; l >= 2; l--) {
        backend.gate(ws.z[l], this.gates[l], a, sizes[l], Math.floor(s.gate * sizes[l - 1]));
        backend.desired(desired[l], this.gates[l], layers[l - 1].WT, this.sums, desired[l - 1], a, sizes[l], sizes[l - 1]);
      }
      clock?.lap("backward");

      // Winner-per-group masks (spec §2.4).
      for (let l = 1; l <= L; l++) {
        const groups = groupCount(sizes[l], s.groupSizes[l - 1]);
        backend.winners(ws.z[l], desired[l], backend.view(this.winners[l], active * groups, a * groups), a, sizes[l], s.groupSizes[l - 1]);
      }
      clock?.lap("winners");
      active += a;
    }
    if (active === 0) return { active, correct, updated: 0 };

    // ΔH over the whole batch and the saturating update (eqs. 8–9), layer by layer.
    let updated = 0;
    for (let l = 1; l <= L; l++) {
      const layer = layers[l - 1];
      updated += backend.updateRows(layer.H, layer.W, layer.WT, this.inputs[l - 1], this.desired[l], this.winners[l], active, sizes[l], sizes[l - 1], s.groupSizes[l - 1]);
    }
    clock?.lap("update");
    return { active, correct, updated };
  }

  /** Makes winners[l] hold `groups` winners per sample of a batch. */
  private reserveWinners(l: number, groups: number): void {
    if (this.winners[l].length >= this.batch * groups) return;
    this.winners[l].free();
    this.winners[l] = this.model.backend.alloc("i32", this.batch * groups);
  }

  free(): void {
    this.ws.free();
    for (const b of [...this.inputs, ...this.desired, ...this.gates, ...this.winners, this.sums]) b.free();
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
