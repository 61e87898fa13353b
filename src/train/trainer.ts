/**
 * Epochs of BEP training (spec §2–3): seeded shuffling, the validation split, the previous
 * epoch's error driving reinforcement, the group-size schedule with patience, and metrics.
 */
import { loadBackendSync, type Backend, type BackendChoice } from "../kernels/backend.js";
import type { Buf } from "../kernels/buffer.js";
import { clipBounds, H_MAX } from "../kernels/layout.js";
import { geometricTable } from "../kernels/geometric.js";
import { prngBelow, seedState, STREAM } from "../kernels/js/prng.js";
import { Dataset } from "../data/dataset.js";
import { SequenceDataset } from "../data/sequences.js";
import type { Layer } from "../model/layer.js";
import type { BefOptions } from "../model/bef.js";
import { Mlp, fractionCorrect } from "../model/mlp.js";
import { Rnn, type InitialState } from "../model/rnn.js";
import { Stepper, type StepResult, type StepSettings } from "./step.js";
import { RnnStepper, type TemporalUpdate } from "./rnn-step.js";
import type { PhaseClock } from "./phases.js";
import { ParallelStepper } from "../parallel/mlp-step.js";
import { ThreadPool } from "../parallel/pool.js";

/** What a trainer trains on: packed samples (MLP) or packed series (recurrent network). */
export type TrainData = Dataset | SequenceDataset;
/** The model family for a kind of data: an Mlp for a Dataset, an Rnn for a SequenceDataset. */
export type ModelFor<D extends TrainData> = D extends SequenceDataset ? Rnn : Mlp;

/** Training options; names follow the paper. */
export interface TrainOptions {
  /** MLP (Dataset): hidden widths K_1..K_L (e.g. [525, 525]); required. */
  hidden?: number[];
  /** Recurrent network (SequenceDataset): state width K_s; required. */
  state?: number;
  /** Recurrent network: output width K_y (default K_s). */
  output?: number;
  /** Recurrent network: width K_0 of the fixed random ±1 expansion layer (default 0 = none). */
  expansion?: number;
  /** Recurrent network: steps the desired states travel back through time (default: all). */
  horizon?: number;
  /** Recurrent network: how a series' state-layer update is aggregated over its steps, "vote" (default) or "sum" (spec §4); see TemporalUpdate. */
  temporalUpdate?: TemporalUpdate;
  /** Recurrent network: the initial state s_0, "zero" (default) or "ones" (the spec's +1); see InitialState. */
  initialState?: InitialState;
  /** Epochs (default 50). */
  epochs?: number;
  /** Mini-batch size bs (default 100). */
  batchSize?: number;
  /** Seed of every PRNG stream (default 1). */
  seed?: number;
  /** Robustness r ∈ [0, 1] of the trigger (default 0.5). */
  robustness?: number;
  /** Gate ν ∈ [0, 1] (default 0.05; spec's starting point 0.1, see docs/results/ablations.md). */
  gate?: number;
  /** Reinforcement p_r ∈ [0, 1] (default 0.5). */
  reinforcement?: number;
  /**
   * Initial group size γ_0, one for all layers or one per layer (MLP: per hidden layer;
   * recurrent: [state, output]); must divide the layer's width (default: divisor nearest width/15).
   */
  groupSize?: number | number[];
  /** Epochs without validation improvement before γ moves to the next divisor (default 10; spec's starting point 3, see docs/results/ablations.md). */
  patience?: number;
  /** σ of the hidden-weight init (default 64). */
  sigmaInit?: number;
  /**
   * Clip c of the hidden weights (spec §2.5, optional): H stays in [−c, c] — initial values, updates
   * and reinforcement saturate there; a continued model is clamped into it first. An integer in
   * [1, 32767] (default: none, only the int16 range). Small clips hurt (docs/results/ablations.md).
   */
  clip?: number;
  /** The BEF search of a new model's classifier (default: α = BEF_ALPHA, 50·C·K proposed flips). */
  bef?: BefOptions;
  /** Fraction of the training set held out for validation (default 0.1). */
  validationFraction?: number;
  /** Backend name, "auto", or a loaded Backend (default "auto"; ignored when `model` is given). */
  backend?: BackendChoice | Backend;
  /** Continue training this model (its shape must match) instead of initialising a new one. */
  model?: Mlp | Rnn;
  /**
   * Threads that train together (MLP only; default 1): a count (the trainer starts and owns a
   * ThreadPool over `backend`, which must be WebAssembly), or a ThreadPool (its backend is used;
   * `model` must live on it). Results are bit-identical for any count.
   */
  threads?: number | ThreadPool;
}

/** Metrics of one epoch. */
export interface EpochMetrics {
  epoch: number;
  /** Accuracy of the pre-update forward passes over the epoch's training samples. */
  trainAccuracy: number;
  validationAccuracy: number;
  /** Accuracy on the test set, if the trainer has one. */
  testAccuracy?: number;
  /** Fraction of training samples whose trigger fired. */
  activeFraction: number;
  /** Rows of H updated, summed over the epoch's steps and layers. */
  updatedNeurons: number;
  /** γ_l used during the epoch. */
  groupSizes: number[];
  seconds: number;
}

/** Divisors of n, ascending. */
export function divisors(n: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= n; d++) if (n % d === 0) out.push(d);
  return out;
}

/** The divisor of k nearest to `target` (the smaller on ties). */
export function nearestDivisor(k: number, target: number): number {
  let best = 1;
  for (const d of divisors(k)) if (Math.abs(d - target) < Math.abs(best - target)) best = d;
  return best;
}

/** The MLP's default γ_0: the divisor of k nearest to k/15 (spec §3). */
export function defaultGroupSize(k: number): number {
  return nearestDivisor(k, k / 15);
}

/** The recurrent network's default γ_0: the divisor of k nearest to 15 (the paper's RNN protocol, γ_0 = 15). */
export function defaultRnnGroupSize(k: number): number {
  return nearestDivisor(k, 15);
}

/**
 * The group-size schedule (spec §3): each layer walks the divisors of its width, starting at γ_0;
 * after `patience` epochs without a new best validation error every layer moves to its next
 * larger divisor (the largest stays) and the count restarts.
 */
export class GroupSchedule {
  private readonly steps: number[][];
  private readonly at: number[];
  private best = Infinity;
  private waited = 0;

  constructor(readonly widths: number[], initial: number[], readonly patience: number) {
    this.steps = widths.map(divisors);
    this.at = this.positions(initial);
  }

  /** The position of each γ_l among its layer's divisors; throws if one does not divide its width. */
  private positions(groupSizes: number[]): number[] {
    if (groupSizes.length !== this.widths.length) throw new RangeError(`groupSize needs one value per hidden layer (${this.widths.length}), got ${groupSizes.length}`);
    return groupSizes.map((g, l) => {
      const at = this.steps[l].indexOf(g);
      if (at < 0) throw new RangeError(`groupSize ${g} does not divide layer ${l + 1}'s width ${this.widths[l]} (divisors: ${this.steps[l].join(", ")})`);
      return at;
    });
  }

  /** The current γ_l of every layer. */
  get sizes(): number[] {
    return this.at.map((at, l) => this.steps[l][at]);
  }

  /** The schedule's position, for model files. */
  snapshot(): ScheduleState {
    return { groupSizes: this.sizes, best: this.best, waited: this.waited };
  }

  /** Continues from a snapshot taken of a schedule with the same widths. */
  restore(s: ScheduleState): void {
    this.positions(s.groupSizes).forEach((at, l) => (this.at[l] = at));
    this.best = s.best;
    this.waited = s.waited;
  }

  /** Records an epoch's validation error; returns true if the group sizes moved. */
  observe(validationError: number): boolean {
    if (validationError < this.best) {
      this.best = validationError;
      this.waited = 0;
      return false;
    }
    if (++this.waited < this.patience) return false;
    this.waited = 0;
    this.at.forEach((at, l) => (this.at[l] = Math.min(at + 1, this.steps[l].length - 1)));
    return true;
  }
}

/** Where a group-size schedule stands. */
export interface ScheduleState {
  groupSizes: number[];
  /** Best validation error so far (Infinity before the first epoch). */
  best: number;
  /** Epochs since the last improvement. */
  waited: number;
}

/** Everything besides the model that a resumed run needs to continue bit-identically. */
export interface TrainerState {
  epoch: number;
  previousError: number;
  schedule: ScheduleState;
  shuffle: Uint32Array;
  reinforce: Uint32Array;
}

/** Options every model family shares, with their defaults applied. */
export type CommonOptions = Required<Omit<TrainOptions, "hidden" | "state" | "output" | "expansion" | "horizon" | "temporalUpdate" | "initialState" | "groupSize" | "backend" | "model" | "threads" | "bef" | "clip">> &
  Pick<TrainOptions, "clip">;

/** A model family as the trainer sees it. */
interface Family<D extends TrainData> {
  model: ModelFor<D>;
  step(data: D, indices: ArrayLike<number>, from: number, count: number, s: StepSettings): StepResult;
  /** Predicted classes of `data`, where the family's stepper predicts faster than the model alone (threads). */
  predict?(data: D): Uint8Array;
  free(): void;
  /** Widths whose divisors the group-size schedule walks. */
  scheduleWidths: number[];
  /** γ_0 per schedule width when the options give none. */
  defaultGroupSizes: number[];
  /** Trained matrices with the fan-in their reinforcement probability uses. */
  reinforced: { layer: Layer; fanIn: number }[];
}

/**
 * Trains a model on `train` with BEP: an Mlp on a Dataset, a recurrent network (BEP-TT) on a
 * SequenceDataset. Call runEpoch() `epochs` times, or use run().
 */
export class Trainer<D extends TrainData = Dataset> {
  readonly model: ModelFor<D>;
  readonly options: CommonOptions;
  /** The architecture options as given (widths, horizon, temporal update). */
  readonly shape: Pick<TrainOptions, "hidden" | "state" | "output" | "expansion" | "horizon" | "temporalUpdate">;
  readonly fit: D;
  readonly validation: D | null;
  epoch = 0;
  private readonly backend: Backend;
  private readonly family: Family<D>;
  private readonly shuffle: Uint32Array;
  private readonly reinforceState: Buf<"u32">;
  private readonly schedule: GroupSchedule;
  private previousError = 1;
  /** The thread pool when threads > 1, and whether this trainer started it (and closes it in free()). */
  private readonly pool: ThreadPool | null;
  private readonly ownsPool: boolean;

  constructor(train: D, options: TrainOptions, readonly test: D | null = null) {
    const o: CommonOptions = {
      epochs: options.epochs ?? 50,
      batchSize: options.batchSize ?? 100,
      seed: options.seed ?? 1,
      robustness: options.robustness ?? 0.5,
      gate: options.gate ?? 0.05,
      reinforcement: options.reinforcement ?? 0.5,
      patience: options.patience ?? 10,
      sigmaInit: options.sigmaInit ?? 64,
      validationFraction: options.validationFraction ?? 0.1,
      ...(options.clip === undefined ? {} : { clip: options.clip }),
    };
    checkInt("epochs", o.epochs, 1);
    checkInt("batchSize", o.batchSize, 1);
    checkInt("seed", o.seed, 0, 0xffffffff);
    checkInt("patience", o.patience, 1);
    for (const key of ["robustness", "gate", "reinforcement"] as const) {
      if (!(o[key] >= 0 && o[key] <= 1)) throw new RangeError(`${key} must be in [0, 1], got ${o[key]}`);
    }
    if (!(o.validationFraction >= 0 && o.validationFraction < 1)) throw new RangeError(`validationFraction must be in [0, 1), got ${o.validationFraction}`);
    if (!(o.sigmaInit >= 0 && o.sigmaInit <= 10000)) throw new RangeError(`sigmaInit must be in [0, 10000], got ${o.sigmaInit}`);
    if (o.clip !== undefined) checkInt("clip", o.clip, 1, H_MAX);
    this.options = o;
    const threads = options.threads ?? 1;
    if (typeof threads === "number") {
      checkInt("threads", threads, 1, 256);
      if (threads > 1 && typeof options.backend === "object") throw new RangeError("threads: with a Backend object, pass threads as a ThreadPool (its backend is the one to use)");
      if (threads > 1 && options.model !== undefined) throw new RangeError("threads: to continue a model with threads, create a ThreadPool, load the model on pool.backend and pass threads: pool");
    } else if (!(threads instanceof ThreadPool)) {
      throw new TypeError("threads must be a number or a ThreadPool");
    }
    if ((threads instanceof ThreadPool || threads > 1) && train instanceof SequenceDataset) throw new RangeError("threads: recurrent networks train on one thread for now");
    const split = validationSplit(train.n, o.validationFraction, o.seed);
    this.fit = train.subset(split.fit, `${train.name} (fit)`) as D;
    this.validation = split.validation.length > 0 ? (train.subset(split.validation, `${train.name} (validation)`) as D) : null;
    if (this.fit.n === 0) throw new RangeError(`${train.name}: no training samples left after the validation split`);
    this.pool = threads instanceof ThreadPool ? threads : threads > 1 ? new ThreadPool(threads, (options.backend as BackendChoice | undefined) ?? "auto") : null;
    this.ownsPool = typeof threads === "number" && this.pool !== null;
    this.backend = options.model?.backend ?? this.pool?.backend ?? (typeof options.backend === "object" ? options.backend : loadBackendSync(options.backend ?? "auto"));

    const { hidden, state, output, expansion, horizon, temporalUpdate } = options;
    this.shape = { hidden, state, output, expansion, horizon, temporalUpdate };
    try {
      this.family = (train instanceof SequenceDataset
        ? rnnFamily(this.backend, train, options, o)
        : mlpFamily(this.backend, train as Dataset, options, o, this.pool)) as unknown as Family<D>;
      this.model = this.family.model;
      const [lo, hi] = clipBounds(o.clip);
      if (o.clip !== undefined) for (const { layer } of this.family.reinforced) layer.clamp(lo, hi);
      const widths = this.family.scheduleWidths;
      const gamma0 = options.groupSize ?? this.family.defaultGroupSizes;
      this.schedule = new GroupSchedule(widths, typeof gamma0 === "number" ? widths.map(() => gamma0) : gamma0, o.patience);
    } catch (e) {
      if (this.ownsPool) this.pool!.close();
      throw e;
    }
    this.shuffle = seedState(o.seed, STREAM.shuffle);
    this.reinforceState = this.backend.from("u32", seedState(o.seed, STREAM.reinforce));
  }

  /** The current γ_l of every layer. */
  get groupSizes(): number[] {
    return this.schedule.sizes;
  }

  /** When set, runEpoch() times every phase of training into it (see bench/train.ts). */
  clock: PhaseClock | null = null;

  /** Trains one epoch; `onBatch(done, total)` is called after every step. */
  runEpoch(onBatch?: (done: number, total: number) => void): EpochMetrics {
    const t0 = performance.now();
    const { fit, options: o, family, clock } = this;
    clock?.start();
    const groupSizes = this.groupSizes;
    const tables = family.reinforced.map(({ fanIn }) => {
      const p = o.reinforcement * Math.sqrt(this.previousError) * Math.sqrt(2 / (Math.PI * fanIn));
      return p > 0 ? this.backend.from("u32", geometricTable(p)) : null;
    });
    const settings: StepSettings = { robustness: o.robustness, gate: o.gate, groupSizes, clock, ...(o.clip === undefined ? {} : { clip: o.clip }) };
    const [lo, hi] = clipBounds(o.clip);
    const order = Int32Array.from({ length: fit.n }, (_, i) => i);
    shuffleInPlace(order, this.shuffle);
    clock?.lap("data");
    let active = 0, correct = 0, updated = 0;
    // Reinforcement (CP+R, spec §2.6) after every step with an active sample. It never changes a
    // sign, so the next step runs it (StepSettings.beforeUpdate) where it can overlap other work.
    const reinforce = (): void => {
      family.reinforced.forEach(({ layer }, i) => {
        const table = tables[i];
        if (table !== null) this.backend.reinforce(layer.H, layer.size, table, this.reinforceState, lo, hi);
      });
      clock?.lap("reinforcement");
    };
    for (let from = 0; from < fit.n; from += o.batchSize) {
      const count = Math.min(o.batchSize, fit.n - from);
      const r = family.step(fit, order, from, count, settings);
      active += r.active;
      correct += r.correct;
      updated += r.updated;
      settings.beforeUpdate = r.active > 0 ? reinforce : undefined;
      onBatch?.(Math.min(fit.n, from + count), fit.n);
    }
    settings.beforeUpdate?.();
    for (const t of tables) t?.free();
    this.epoch++;
    this.previousError = 1 - correct / fit.n;

    const validationAccuracy = this.validation ? this.accuracy(this.validation) : 1 - this.previousError;
    this.schedule.observe(1 - validationAccuracy);
    const metrics: EpochMetrics = {
      epoch: this.epoch,
      trainAccuracy: correct / fit.n,
      validationAccuracy,
      activeFraction: active / fit.n,
      updatedNeurons: updated,
      groupSizes,
      seconds: (performance.now() - t0) / 1000,
    };
    if (this.test) metrics.testAccuracy = this.accuracy(this.test);
    clock?.lap("evaluation");
    return metrics;
  }

  /** The model's accuracy on `data`. */
  accuracy(data: D): number {
    if (this.family.predict) return fractionCorrect(this.family.predict(data), data.labels);
    return (this.model as Mlp | Rnn).accuracy(data as Dataset & SequenceDataset);
  }

  /** Frees the trainer's buffers (not the model's) and stops the threads it started. */
  free(): void {
    this.family.free();
    this.reinforceState.free();
    if (this.ownsPool) this.pool!.close();
  }

  /** The trainer's state after the last completed epoch (see TrainerState). */
  state(): TrainerState {
    return {
      epoch: this.epoch,
      previousError: this.previousError,
      schedule: this.schedule.snapshot(),
      shuffle: this.shuffle.slice(),
      reinforce: this.reinforceState.data.slice(),
    };
  }

  /** Continues from a state taken of a trainer with the same data and options. */
  restore(s: TrainerState): void {
    this.epoch = s.epoch;
    this.previousError = s.previousError;
    this.schedule.restore(s.schedule);
    this.shuffle.set(s.shuffle);
    this.reinforceState.data.set(s.reinforce);
  }

  /** Runs the remaining epochs, calling `onEpoch` after each; returns all metrics. */
  run(onEpoch?: (m: EpochMetrics) => void, onBatch?: (done: number, total: number) => void): EpochMetrics[] {
    const history: EpochMetrics[] = [];
    while (this.epoch < this.options.epochs) {
      const m = this.runEpoch(onBatch);
      history.push(m);
      onEpoch?.(m);
    }
    return history;
  }
}

/** The MLP family: an Mlp (new, or options.model) and its Stepper. */
function mlpFamily(backend: Backend, train: Dataset, options: TrainOptions, o: CommonOptions, pool: ThreadPool | null): Family<Dataset> {
  const hidden = options.hidden;
  if (hidden === undefined) throw new RangeError("hidden widths are required to train an MLP (e.g. hidden: [525, 525])");
  let model: Mlp;
  if (options.model !== undefined) {
    if (!(options.model instanceof Mlp)) throw new TypeError("options.model must be an Mlp to train on a Dataset");
    model = options.model;
    if (model.sizes.join() !== [train.k, ...hidden].join() || model.classes !== train.classes) {
      throw new RangeError(`the model is ${model.sizes.join("-")}-${model.classes}, but the data and options need ${[train.k, ...hidden, train.classes].join("-")}`);
    }
  } else {
    model = new Mlp(backend, train.classes, { inputs: train.k, hidden, classes: train.classes, seed: o.seed, sigmaInit: o.sigmaInit, bef: options.bef });
  }
  if (pool !== null && model.backend !== pool.backend) throw new RangeError("threads: options.model must live on the thread pool's backend (pool.backend)");
  const stepper = pool === null ? new Stepper(model, o.batchSize) : new ParallelStepper(pool, model, o.batchSize);
  return {
    model,
    step: (data, indices, from, count, s) => stepper.step(data, indices, from, count, s),
    predict: stepper instanceof ParallelStepper ? (data) => stepper.predict(data) : undefined,
    free: () => stepper.free(),
    scheduleWidths: model.sizes.slice(1),
    defaultGroupSizes: model.sizes.slice(1).map(defaultGroupSize),
    reinforced: model.layers.map((layer) => ({ layer, fanIn: layer.k })),
  };
}

/** The recurrent family: an Rnn (new, or options.model) and its BEP-TT stepper. */
function rnnFamily(backend: Backend, train: SequenceDataset, options: TrainOptions, o: CommonOptions): Family<SequenceDataset> {
  const state = options.state;
  if (state === undefined) throw new RangeError("state width is required to train a recurrent network (e.g. state: 1035)");
  const output = options.output ?? state, expansion = options.expansion ?? 0;
  let model: Rnn;
  if (options.model !== undefined) {
    if (!(options.model instanceof Rnn)) throw new TypeError("options.model must be an Rnn to train on a SequenceDataset");
    model = options.model;
    const want = [train.k, expansion, state, output, train.classes].join();
    const have = [model.inputs, model.expansion ? model.kx : 0, model.ks, model.ky, model.classes].join();
    if (want !== have) throw new RangeError(`the model has (inputs, expansion, state, output, classes) = (${have}), but the data and options need (${want})`);
    if (options.initialState !== undefined && options.initialState !== model.initialState) throw new RangeError(`the model's initial state is "${model.initialState}", but the options ask for "${options.initialState}"`);
  } else {
    model = new Rnn(backend, train.classes, { inputs: train.k, state, output, expansion, initialState: options.initialState, seed: o.seed, sigmaInit: o.sigmaInit, bef: options.bef });
  }
  const stepper = new RnnStepper(model, o.batchSize, train.steps, options.horizon ?? train.steps, options.temporalUpdate ?? "vote");
  const fanIn = model.kx + model.ks;
  return {
    model,
    step: (data, indices, from, count, s) => stepper.step(data, indices, from, count, s),
    free: () => stepper.free(),
    scheduleWidths: [model.ks, model.ky],
    defaultGroupSizes: [model.ks, model.ky].map(defaultRnnGroupSize),
    reinforced: [{ layer: model.xs, fanIn }, { layer: model.ss, fanIn }, { layer: model.sy, fanIn: model.ks }],
  };
}

/**
 * The trainer's split of n training samples: a seeded shuffle (PRNG stream "split"), then the
 * last round(n·fraction) indices are held out for validation.
 */
export function validationSplit(n: number, fraction: number, seed: number): { fit: Int32Array; validation: Int32Array } {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  shuffleInPlace(order, seedState(seed, STREAM.split));
  const held = Math.round(n * fraction);
  return { fit: order.subarray(0, n - held), validation: order.subarray(n - held) };
}

/** Fisher–Yates shuffle driven by the generator `prng`. */
export function shuffleInPlace(a: Int32Array, prng: Uint32Array): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = prngBelow(prng, i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

function checkInt(name: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${v}`);
}
