/**
 * One BEP training step of an MLP on a mini-batch (spec §2): forward, trigger (eq. 1), binary
 * backward pass with the gate (eqs. 2–7), winner-per-group masks and sparse integer updates
 * (eqs. 8–9); the trainer applies reinforcement after it. Every sample sees the weights as they
 * were before the step.
 */
import type { Buf } from "../kernels/buffer.js";
import { clipBounds, groupCount, rowWords } from "../kernels/layout.js";
import type { Dataset } from "../data/dataset.js";
import { Workspace, argmax, chunkRows, sum, type MlpWeights } from "../model/mlp.js";
import { transposeOf } from "../model/layer.js";
import type { PhaseClock } from "./phases.js";

/** The per-step settings the trainer derives from its options and schedule. */
export interface StepSettings {
  /** Robustness r ∈ [0,1]: a sample is active iff ŷ_c − max_{c'≠c} ŷ_c' < r·K_L (eq. 1). */
  robustness: number;
  /** Gate ν ∈ [0,1]: g = 1 iff |z| ≤ ⌊ν·fan-in⌋ (eq. 4). */
  gate: number;
  /** Group sizes γ, one per entry of the model's schedule widths. */
  groupSizes: number[];
  /** The optional clip c of spec §2.5: updates saturate at [−c, c] instead of the int16 range. */
  clip?: number;
  /** When set, each phase of the step is timed into it. */
  clock?: PhaseClock | null;
  /**
   * Work the step runs once before its update — the trainer's reinforcement after the previous
   * step, which changes H but never a sign, so it may overlap this step's per-sample phase (which
   * reads only W, Wᵀ and P).
   */
  beforeUpdate?: () => void;
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
 * What the update (eqs. 8–9) needs of a batch, kept batch-wide in sample slots: the active samples'
 * layer inputs a_{l−1}, desired activations a*_l and winners. Threads fill disjoint slot ranges.
 */
export class BatchRecord {
  /** inputs[l]: a_l of the active samples, packed batch × K_l (l < L; the update's a_{l−1}). */
  readonly inputs: Buf<"u32">[];
  /** desired[l]: a*_l of the active samples, packed batch × K_l (desired[0] unused). */
  readonly desired: Buf<"u32">[];
  /** winners[l]: winner per group of the active samples, batch × ⌈K_l/γ⌉ (grown when γ shrinks). */
  readonly winners: Buf<"i32">[];

  constructor(readonly model: MlpWeights, readonly batch: number, buffers?: Pick<BatchRecord, "inputs" | "desired" | "winners">) {
    const { backend, sizes } = model;
    const L = sizes.length - 1;
    this.inputs = buffers?.inputs ?? sizes.slice(0, L).map((k) => backend.alloc("u32", batch * rowWords(k)));
    this.desired = buffers?.desired ?? sizes.map((k, l) => backend.alloc("u32", l === 0 ? 0 : batch * rowWords(k)));
    this.winners = buffers?.winners ?? sizes.map(() => backend.alloc("i32", 0));
  }

  /** Makes every winners[l] hold a batch of ⌈K_l/γ_l⌉ winners per sample. */
  reserve(groupSizes: number[]): void {
    const { sizes, backend } = this.model;
    for (let l = 1; l < sizes.length; l++) {
      const need = this.batch * groupCount(sizes[l], groupSizes[l - 1]);
      if (this.winners[l].length >= need) continue;
      this.winners[l].free();
      this.winners[l] = backend.alloc("i32", need);
    }
  }

  /** Moves the records of `count` samples from slot `from` down to slot `to` (to ≤ from). */
  moveDown(from: number, to: number, count: number, groupSizes: number[]): void {
    const { sizes } = this.model;
    const move = (a: Uint32Array | Int32Array, width: number): void => void a.copyWithin(to * width, from * width, (from + count) * width);
    for (let l = 0; l < sizes.length; l++) {
      const w = rowWords(sizes[l]);
      if (l < sizes.length - 1) move(this.inputs[l].data, w);
      if (l > 0) {
        move(this.desired[l].data, w);
        move(this.winners[l].data, groupCount(sizes[l], groupSizes[l - 1]));
      }
    }
  }

  free(): void {
    for (const b of [...this.inputs, ...this.desired, ...this.winners]) b.free();
  }
}

/**
 * The per-sample part of a step — forward, trigger, backward, winners — on chunks of `rows`
 * samples (default stepChunkRows(): about 64 KiB of i32 scratch): pre-activations, gates and
 * backward sums exist only for one chunk; what the update needs goes to a BatchRecord.
 */
export class SampleStepper {
  /** Forward buffers of one chunk (acts, z, logits). */
  readonly ws: Workspace;
  /** gates[l]: the gate of z_l for one chunk, packed rows × K_l. */
  private readonly gates: Buf<"u32">[];
  /** Integer sums of the backward pass for one chunk, rows × max hidden K below the top. */
  private readonly sums: Buf<"i32">;
  private readonly activeRows: Int32Array;
  /** transposes[l − 2] = W_lᵀ for l ≥ 2, which the backward pass reads (eq. 7); the first layer keeps none. */
  private readonly transposes: Buf<"u32">[];

  constructor(readonly model: MlpWeights, rows: number) {
    const { backend, sizes } = model;
    const L = sizes.length - 1;
    if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`SampleStepper: rows must be a positive integer, got ${rows}`);
    this.ws = new Workspace(model, rows);
    this.gates = sizes.map((k, l) => backend.alloc("u32", l < 2 ? 0 : rows * rowWords(k)));
    this.sums = backend.alloc("i32", L < 2 ? 0 : rows * Math.max(...sizes.slice(1, L)));
    this.activeRows = new Int32Array(rows);
    this.transposes = model.layers.slice(1).map((layer) => transposeOf(layer, "SampleStepper"));
  }

  /**
   * Runs samples indices[from..from+count) of `data` up to their winners and appends the active
   * ones to `out` from slot `at` on (in sample order); returns how many were active and correct.
   */
  run(data: Dataset, indices: ArrayLike<number>, from: number, count: number, s: StepSettings, out: BatchRecord, at: number): { active: number; correct: number } {
    const { model, ws } = this;
    const { backend, sizes } = model;
    const L = sizes.length - 1;
    const clock = s.clock;
    let active = 0, correct = 0;
    for (let c0 = 0; c0 < count; c0 += ws.batch) {
      const rows = Math.min(ws.batch, count - c0);
      ws.gather(data, indices, from + c0, rows);
      clock?.lap("data");
      ws.forward(rows);
      clock?.lap("forward");

      // Trigger (eq. 1) and training accuracy, on the pre-update forward pass.
      const chunk = triggerBatch(ws.logits.data, model.classes, data.labels, indices, from + c0, rows, s.robustness * sizes[L], this.activeRows);
      correct += chunk.correct;
      const a = chunk.active;
      if (a === 0) {
        clock?.lap("trigger");
        continue;
      }
      // Keep only the active samples: their rows of a_l and z_l move to 0..a-1, and a_l (l < L)
      // is appended to the batch's update inputs.
      const slot = at + active;
      for (let l = 0; l <= L; l++) {
        const w = rowWords(sizes[l]);
        compactRows(ws.acts[l].data, w, this.activeRows, a);
        if (l > 0) compactRows(ws.z[l].data, sizes[l], this.activeRows, a);
        if (l < L) out.inputs[l].data.set(ws.acts[l].data.subarray(0, a * w), slot * w);
      }
      clock?.lap("trigger");

      // a*_L = ρ_c; then a*_l = sign(W_{l+1}ᵀ (g_{l+1} ⊙ a*_{l+1})) (eqs. 5–7).
      const wL = rowWords(sizes[L]), top = out.desired[L].data, p = model.P.data;
      for (let i = 0; i < a; i++) {
        const c = data.labels[indices[from + c0 + this.activeRows[i]]];
        top.set(p.subarray(c * wL, (c + 1) * wL), (slot + i) * wL);
      }
      const desired = out.desired.map((d, l) => (l === 0 ? d : backend.view(d, slot * rowWords(sizes[l]), a * rowWords(sizes[l]))));
      for (let l = L; l >= 2; l--) {
        backend.gate(ws.z[l], this.gates[l], a, sizes[l], Math.floor(s.gate * sizes[l - 1]));
        backend.desired(desired[l], this.gates[l], this.transposes[l - 2], this.sums, desired[l - 1], a, sizes[l], sizes[l - 1]);
      }
      clock?.lap("backward");

      // Winner-per-group masks (spec §2.4).
      for (let l = 1; l <= L; l++) {
        const groups = groupCount(sizes[l], s.groupSizes[l - 1]);
        backend.winners(ws.z[l], desired[l], backend.view(out.winners[l], slot * groups, a * groups), a, sizes[l], s.groupSizes[l - 1]);
      }
      clock?.lap("winners");
      active += a;
    }
    return { active, correct };
  }

  free(): void {
    this.ws.free();
    for (const b of [...this.gates, this.sums]) b.free();
  }
}

/** A unit of update work: rows [j0, j1) of layer l (1-based). */
export type UpdateUnit = readonly [l: number, j0: number, j1: number];

/**
 * The update of a model with widths `sizes`, split into units of at most `rows` rows (a multiple
 * of 32) per layer, layer by layer; by default one unit per layer. Threads can take units in any
 * order: each writes only its rows of H, W and Wᵀ.
 */
export function updateUnits(sizes: readonly number[], rows = Infinity): UpdateUnit[] {
  if (rows !== Infinity && (!Number.isInteger(rows) || rows < 32 || rows % 32 !== 0)) throw new RangeError(`updateUnits: rows must be a multiple of 32, got ${rows}`);
  const units: UpdateUnit[] = [];
  for (let l = 1; l < sizes.length; l++) {
    for (let j0 = 0; j0 < sizes[l]; j0 += rows) units.push([l, j0, Math.min(sizes[l], j0 + rows)]);
  }
  return units;
}

/**
 * ΔH over the `active` samples of `record` and the saturating update (eqs. 8–9, at s.clip) of one
 * unit's rows; returns the number of rows updated. `scratch`: as Backend.updateRows.
 */
export function updateUnit(record: BatchRecord, active: number, s: Pick<StepSettings, "groupSizes" | "clip">, [l, j0, j1]: UpdateUnit, scratch?: Buf<"i32">): number {
  const { backend, sizes, layers } = record.model;
  const layer = layers[l - 1];
  const [lo, hi] = clipBounds(s.clip);
  return backend.updateRows(layer.H, layer.W, layer.WT, record.inputs[l - 1], record.desired[l], record.winners[l], active, sizes[l], sizes[l - 1], s.groupSizes[l - 1], lo, hi, j0, j1, scratch);
}

/** Bytes of i32 per sample row that a step's chunk scratch uses (pre-activations and backward sums). */
export function stepRowBytes(sizes: readonly number[]): number {
  return 4 * (sum(sizes.slice(1)) + Math.max(0, ...sizes.slice(1, -1)));
}

/**
 * A whole step on this thread: s.beforeUpdate, the per-sample part of samples indices[from..from+count)
 * into `record` (reserved for s.groupSizes) from slot 0, then every unit of the update.
 */
export function stepHere(
  samples: SampleStepper, record: BatchRecord, units: readonly UpdateUnit[], data: Dataset, indices: ArrayLike<number>, from: number, count: number, s: StepSettings,
): StepResult {
  s.beforeUpdate?.();
  const { active, correct } = samples.run(data, indices, from, count, s, record, 0);
  if (active === 0) return { active, correct, updated: 0 };
  let updated = 0;
  for (const unit of units) updated += updateUnit(record, active, s, unit);
  s.clock?.lap("update");
  return { active, correct, updated };
}

/** One single-threaded BEP step: a SampleStepper over the whole batch, then every update unit (stepHere). */
export class Stepper {
  readonly samples: SampleStepper;
  readonly record: BatchRecord;
  private readonly units: UpdateUnit[];

  constructor(readonly model: MlpWeights, readonly batch: number, rows = chunkRows(stepRowBytes(model.sizes), batch)) {
    if (!Number.isInteger(rows) || rows < 1 || rows > batch) throw new RangeError(`Stepper: rows must be an integer in [1, batch = ${batch}], got ${rows}`);
    this.samples = new SampleStepper(model, rows);
    this.record = new BatchRecord(model, batch);
    this.units = updateUnits(model.sizes);
  }

  /** Trains on samples indices[from..from+count) of `data` (after running s.beforeUpdate). */
  step(data: Dataset, indices: ArrayLike<number>, from: number, count: number, s: StepSettings): StepResult {
    this.record.reserve(s.groupSizes);
    return stepHere(this.samples, this.record, this.units, data, indices, from, count, s);
  }

  free(): void {
    this.samples.free();
    this.record.free();
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
