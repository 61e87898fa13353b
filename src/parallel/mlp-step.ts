/**
 * Data-parallel BEP steps of an MLP over a ThreadPool, bit-identical to the single-threaded
 * Stepper. Both sides of the protocol live here: ParallelStepper on the training thread and
 * MlpHelper on each helper thread.
 *
 * A step: the threads claim chunks of the batch (SampleStepper's chunk of rows) from a shared
 * counter and run the per-sample part (forward, trigger, backward, winners) on them, each chunk
 * appending its active samples to the shared BatchRecord at the chunk's first slot; the training
 * thread moves the chunks together (sample order as in a single-threaded step); then the threads
 * claim units of 128 rows of the layers and update them (eqs. 8–9). ΔH is an integer sum, so
 * neither the split nor the order changes a bit. Reinforcement stays on the training thread (one
 * PRNG stream, as single-threaded) and overlaps the helpers' share of the next step
 * (StepSettings.beforeUpdate); work claimed dynamically absorbs that imbalance.
 */
import { attachBackend, type Backend } from "../kernels/backend.js";
import type { Buf } from "../kernels/buffer.js";
import { rowWords, updateScratchWords } from "../kernels/layout.js";
import type { SharedKernels } from "../kernels/wasm.js";
import { Dataset } from "../data/dataset.js";
import { chunkRows, predictRange, type Mlp, type MlpWeights } from "../model/mlp.js";
import { BatchRecord, SampleStepper, stepHere, stepRowBytes, updateUnit, updateUnits, type StepResult, type StepSettings, type UpdateUnit } from "../train/step.js";
import { claimEach } from "./channel.js";
import type { ThreadPool } from "./pool.js";

/** Commands of the MLP protocol (0 is QUIT, see channel.ts). */
const enum Cmd {
  MODEL = 1,
  SETTINGS = 2,
  DATASET = 3,
  INDICES = 4,
  STEP = 5,
  UPDATE = 6,
  PREDICT = 7,
}

/** The model as a helper sees it: addresses in the shared memory. */
interface ModelPayload {
  sizes: number[];
  classes: number;
  /** [H, W, WT] addresses per layer (WT null where the layer keeps no Wᵀ). */
  layers: [number, number, number | null][];
  P: number;
  rows: number;
  batch: number;
  /** The helper's heap region [start, end). */
  region: [number, number];
  scratchWords: number;
  /** The shared work counter (i32) and the active count of every chunk of a batch (i32 per chunk). */
  counter: number;
  chunkActive: [number, number];
}

interface SettingsPayload {
  robustness: number;
  gate: number;
  groupSizes: number[];
  clip: number | null;
  /** BatchRecord buffers: [address, length] each. */
  inputs: [number, number][];
  desired: [number, number][];
  winners: [number, number][];
}

interface DatasetPayload {
  bits: number;
  labels: number;
  n: number;
  k: number;
  classes: number;
  name: string;
}

/** Rows per unit of update work. */
const UNIT_ROWS = 128;
/**
 * Below this many binary MACs per step (batch × weights) the training thread steps alone: the
 * step's work is then smaller than the two barriers it would cost (784-35-35-35 at bs 100 is
 * 3.0 M and ran 1.7× slower on 2 threads; 784-525-525 is 69 M). Either way the result is the same.
 */
const ALONE_MACS = 1 << 23;

/** The training thread's side: a Stepper whose steps and predictions use every thread of `pool`. */
export class ParallelStepper {
  readonly samples: SampleStepper;
  readonly record: BatchRecord;
  private readonly backend: Backend;
  private readonly region: Buf<"u32">;
  private readonly datasets = new Map<Dataset, { id: number; bits: Buf<"u32">; labels: Buf<"u32"> }>();
  private indices: { of: ArrayLike<number>; buf: Buf<"i32"> } | null = null;
  private sentSettings: number[] = [];
  private readonly units: UpdateUnit[];
  /** counter[0]: the next item to claim; chunkActive[c]: active samples of chunk c. */
  private readonly counter: Buf<"i32">;
  private readonly chunkActive: Buf<"i32">;

  /**
   * `rows`: samples per chunk (default: the single-threaded Stepper's chunk, at most an equal
   * share of a batch per thread); `minMacs`: steps of fewer binary MACs (count × weights) run on
   * this thread alone (default ALONE_MACS).
   */
  constructor(
    readonly pool: ThreadPool, readonly model: Mlp, readonly batch: number,
    rows = chunkRows(stepRowBytes(model.sizes), Math.ceil(batch / pool.threads)), private readonly minMacs = ALONE_MACS,
  ) {
    if (model.backend !== pool.backend) throw new RangeError("ParallelStepper: the model must live on the thread pool's backend (pool.backend)");
    if (!Number.isInteger(rows) || rows < 1 || rows > batch) throw new RangeError(`ParallelStepper: rows must be an integer in [1, batch = ${batch}], got ${rows}`);
    const backend = (this.backend = pool.backend);
    const before = backend.memory().live;
    this.samples = new SampleStepper(model, rows);
    const sampleBytes = backend.memory().live - before;
    this.record = new BatchRecord(model, batch);
    this.units = updateUnits(model.sizes, UNIT_ROWS);
    this.counter = backend.alloc("i32", 4);
    this.chunkActive = backend.alloc("i32", Math.ceil(batch / rows));
    // Each helper's region: a SampleStepper like ours (16-byte rounding included), the update scratch
    // for γ = 1 and the largest forward scratch of its layers and classifier.
    const { sizes, layers } = model;
    const maxN = Math.max(...sizes.slice(1)), maxK = Math.max(...sizes.slice(0, -1));
    const scratchWords = updateScratchWords(batch, maxN, maxN, maxK);
    const widths = [...sizes, model.classes];
    const forwardBytes = Math.max(...widths.slice(1).map((n, i) => backend.forwardScratchBytes(rows, widths[i], n)));
    const regionBytes = sampleBytes + 4 * scratchWords + forwardBytes + 64 * sizes.length + 4096;
    const helpers = pool.channels.length;
    this.region = backend.alloc("u32", Math.ceil((regionBytes * helpers) / 64) * 16);
    const base = backend.address(this.region), each = helpers === 0 ? 0 : Math.floor(this.region.length / helpers) * 4;
    pool.all((ch, h) =>
      ch.post(Cmd.MODEL, [], {
        sizes: [...sizes],
        classes: model.classes,
        layers: layers.map((l) => [backend.address(l.H), backend.address(l.W), l.WT === null ? null : backend.address(l.WT)]),
        P: backend.address(model.P),
        rows,
        batch,
        region: [base + h * each, base + (h + 1) * each],
        scratchWords,
        counter: backend.address(this.counter),
        chunkActive: [backend.address(this.chunkActive), this.chunkActive.length],
      } satisfies ModelPayload),
    );
    pool.waitAll();
  }

  /** One step on samples indices[from..from+count) of `data`; the same result and weights as Stepper.step. */
  step(data: Dataset, indices: ArrayLike<number>, from: number, count: number, s: StepSettings): StepResult {
    const { pool, record, samples } = this;
    const counter = this.counter.data, chunkActive = this.chunkActive.data;
    record.reserve(s.groupSizes);
    if (count * this.model.parameters < this.minMacs) return stepHere(samples, record, this.units, data, indices, from, count, s);
    this.syncSettings(s);
    const id = this.register(data);
    this.syncIndices(indices);
    const rows = samples.ws.batch, chunks = Math.ceil(count / rows);
    Atomics.store(counter, 0, 0);
    pool.all((ch) => ch.post(Cmd.STEP, [id, from, count]));
    s.beforeUpdate?.();
    let correct = 0;
    claimEach(counter, chunks, (c) => {
      const r = samples.run(data, indices, from + c * rows, Math.min(rows, count - c * rows), s, record, c * rows);
      chunkActive[c] = r.active;
      correct += r.correct;
    });
    for (const ch of pool.channels) correct += ch.wait()[0];
    let active = 0;
    for (let c = 0; c < chunks; c++) {
      const a = chunkActive[c];
      if (a > 0 && c * rows !== active) record.moveDown(c * rows, active, a, s.groupSizes);
      active += a;
    }
    s.clock?.lap("winners");
    if (active === 0) return { active, correct, updated: 0 };

    Atomics.store(counter, 0, 0);
    pool.all((ch) => ch.post(Cmd.UPDATE, [active]));
    let updated = 0;
    claimEach(counter, this.units.length, (u) => void (updated += updateUnit(record, active, s, this.units[u])));
    for (const ch of pool.channels) updated += ch.wait()[0];
    s.clock?.lap("update");
    return { active, correct, updated };
  }

  /** Predicted classes of every sample of `data` (as Mlp.predict), the threads claiming chunks of samples. */
  predict(data: Dataset): Uint8Array {
    const { pool, backend } = this;
    this.model.checkInputs(data);
    const id = this.register(data);
    const shared = backend.alloc("u32", Math.ceil(data.n / 4));
    const at = backend.address(shared);
    Atomics.store(this.counter.data, 0, 0);
    pool.all((ch) => ch.post(Cmd.PREDICT, [id, at]));
    predictClaimed(this.samples, data, this.model.classes, this.counter.data, new Uint8Array(shared.data.buffer, at, data.n));
    pool.waitAll();
    const out = new Uint8Array(shared.data.buffer, at, data.n).slice();
    shared.free();
    return out;
  }

  /** Frees this stepper's buffers and the shared copies of datasets (the helpers drop their views). */
  free(): void {
    this.samples.free();
    this.record.free();
    this.region.free();
    this.counter.free();
    this.chunkActive.free();
    for (const d of this.datasets.values()) {
      d.bits.free();
      d.labels.free();
    }
    this.datasets.clear();
    this.indices?.buf.free();
    this.indices = null;
  }

  /** Tells the helpers the step settings and the BatchRecord's buffers when they change. */
  private syncSettings(s: StepSettings): void {
    const { backend, record } = this;
    // What the helpers were last told: the settings and the winners buffers (reserve() may replace them).
    const key = [s.robustness, s.gate, s.clip ?? 0, ...s.groupSizes, ...record.winners.flatMap((b) => [backend.address(b), b.length])];
    if (key.length === this.sentSettings.length && key.every((v, i) => v === this.sentSettings[i])) return;
    const ref = (b: Buf): [number, number] => [backend.address(b), b.length];
    const payload: SettingsPayload = {
      robustness: s.robustness,
      gate: s.gate,
      groupSizes: [...s.groupSizes],
      clip: s.clip ?? null,
      inputs: record.inputs.map(ref),
      desired: record.desired.map(ref),
      winners: record.winners.map(ref),
    };
    this.pool.all((ch) => ch.post(Cmd.SETTINGS, [], payload));
    this.pool.waitAll();
    this.sentSettings = key;
  }

  /** A copy of `data` in the shared memory, made once and announced to the helpers; returns its id. */
  private register(data: Dataset): number {
    let entry = this.datasets.get(data);
    if (entry === undefined) {
      const { backend } = this;
      const bits = backend.from("u32", data.bits);
      const labels = backend.alloc("u32", Math.ceil(data.n / 4));
      new Uint8Array(labels.data.buffer, backend.address(labels), data.n).set(data.labels);
      entry = { id: this.datasets.size + 1, bits, labels };
      this.datasets.set(data, entry);
      const payload: DatasetPayload = { bits: backend.address(bits), labels: backend.address(labels), n: data.n, k: data.k, classes: data.classes, name: data.name };
      this.pool.all((ch) => ch.post(Cmd.DATASET, [entry!.id], payload));
      this.pool.waitAll();
    }
    return entry.id;
  }

  /** Copies `indices` (an epoch's shuffled order) to the shared memory when it is a new array. */
  private syncIndices(indices: ArrayLike<number>): void {
    if (this.indices?.of === indices) return;
    this.indices?.buf.free();
    const buf = this.backend.from("i32", indices);
    this.indices = { of: indices, buf };
    this.pool.all((ch) => ch.post(Cmd.INDICES, [this.backend.address(buf), indices.length]));
    this.pool.waitAll();
  }
}

/** A helper thread's side: the views and buffers it needs, built from the training thread's commands. */
export class MlpHelper {
  private backend: Backend | null = null;
  private model: MlpWeights | null = null;
  private samples: SampleStepper | null = null;
  private scratch: Buf<"i32"> | null = null;
  private counter = new Int32Array(0);
  private chunkActive = new Int32Array(0);
  private units: UpdateUnit[] = [];
  private record: BatchRecord | null = null;
  private settings: StepSettings | null = null;
  private batch = 0;
  private readonly datasets = new Map<number, Dataset>();
  private indices = new Int32Array(0);

  constructor(private readonly shared: SharedKernels) {}

  /** Runs one command (see Cmd) and returns its integer results. */
  handle(cmd: number, args: Int32Array, payload: unknown): number[] {
    switch (cmd) {
      case Cmd.MODEL:
        this.setModel(payload as ModelPayload);
        return [];
      case Cmd.SETTINGS: {
        const p = payload as SettingsPayload;
        const backend = this.need(this.backend, "model");
        const adopt = <K extends "u32" | "i32">(kind: K, [address, length]: [number, number]) => backend.adopt(kind, address, length);
        this.record = new BatchRecord(this.need(this.model, "model"), this.batch, {
          inputs: p.inputs.map((r) => adopt("u32", r)),
          desired: p.desired.map((r) => adopt("u32", r)),
          winners: p.winners.map((r) => adopt("i32", r)),
        });
        this.settings = { robustness: p.robustness, gate: p.gate, groupSizes: p.groupSizes, ...(p.clip === null ? {} : { clip: p.clip }) };
        return [];
      }
      case Cmd.DATASET: {
        const p = payload as DatasetPayload;
        const buffer = this.shared.memory.buffer;
        const words = rowWords(p.k);
        this.datasets.set(args[0], new Dataset(new Uint32Array(buffer, p.bits, p.n * words), new Uint8Array(buffer, p.labels, p.n), p.k, p.classes, p.name));
        return [];
      }
      case Cmd.INDICES:
        this.indices = new Int32Array(this.shared.memory.buffer, args[0], args[1]);
        return [];
      case Cmd.STEP: {
        const samples = this.need(this.samples, "model"), settings = this.need(this.settings, "settings"), record = this.need(this.record, "settings");
        const data = this.dataset(args[0]), from = args[1], count = args[2], rows = samples.ws.batch;
        let correct = 0;
        claimEach(this.counter, Math.ceil(count / rows), (c) => {
          const r = samples.run(data, this.indices, from + c * rows, Math.min(rows, count - c * rows), settings, record, c * rows);
          this.chunkActive[c] = r.active;
          correct += r.correct;
        });
        return [correct];
      }
      case Cmd.UPDATE: {
        const record = this.need(this.record, "settings"), settings = this.need(this.settings, "settings");
        let updated = 0;
        claimEach(this.counter, this.units.length, (u) => void (updated += updateUnit(record, args[0], settings, this.units[u], this.scratch!)));
        return [updated];
      }
      case Cmd.PREDICT: {
        const data = this.dataset(args[0]);
        predictClaimed(this.need(this.samples, "model"), data, this.need(this.model, "model").classes, this.counter, new Uint8Array(this.shared.memory.buffer, args[1], data.n));
        return [];
      }
      default:
        throw new Error(`unknown command ${cmd}`);
    }
  }

  private setModel(p: ModelPayload): void {
    this.samples?.free();
    this.scratch?.free();
    this.datasets.clear();
    this.record = null;
    this.settings = null;
    const backend = (this.backend = attachBackend(this.shared, p.region[0], p.region[1]));
    const K_L = p.sizes[p.sizes.length - 1];
    this.model = {
      backend,
      sizes: p.sizes,
      classes: p.classes,
      layers: p.layers.map(([H, W, WT], l) => {
        const n = p.sizes[l + 1], k = p.sizes[l];
        return { H: backend.adopt("i16", H, n * k), W: backend.adopt("u32", W, n * rowWords(k)), WT: WT === null ? null : backend.adopt("u32", WT, k * rowWords(n)) };
      }),
      P: backend.adopt("u32", p.P, p.classes * rowWords(K_L)),
    };
    this.samples = new SampleStepper(this.model, p.rows);
    this.scratch = backend.alloc("i32", p.scratchWords);
    this.batch = p.batch;
    this.units = updateUnits(p.sizes, UNIT_ROWS);
    this.counter = new Int32Array(this.shared.memory.buffer, p.counter, 1);
    this.chunkActive = new Int32Array(this.shared.memory.buffer, p.chunkActive[0], p.chunkActive[1]);
  }

  private dataset(id: number): Dataset {
    const d = this.datasets.get(id);
    if (d === undefined) throw new Error(`unknown dataset ${id}`);
    return d;
  }

  private need<T>(value: T | null, what: string): T {
    if (value === null) throw new Error(`no ${what} yet`);
    return value;
  }
}

/** Predicts the chunks of `data` (samples.ws.batch rows each) this thread claims from `counter` into `out`. */
function predictClaimed(samples: SampleStepper, data: Dataset, classes: number, counter: Int32Array, out: Uint8Array): void {
  const rows = samples.ws.batch;
  claimEach(counter, Math.ceil(data.n / rows), (c) => predictRange(samples.ws, data, c * rows, Math.min(rows, data.n - c * rows), classes, out));
}
