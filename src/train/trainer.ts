/**
 * Epochs of BEP training (spec §2–3): seeded shuffling, the validation split, the previous
 * epoch's error driving reinforcement, the group-size schedule with patience, and metrics.
 */
import { loadBackendSync, type Backend, type BackendChoice } from "../kernels/backend.js";
import type { Buf } from "../kernels/buffer.js";
import { geometricTable } from "../kernels/geometric.js";
import { prngBelow, seedState } from "../kernels/js/prng.js";
import type { Dataset } from "../data/dataset.js";
import { Mlp, STREAM } from "../model/mlp.js";
import { Stepper, type StepSettings } from "./step.js";

/** Training options; names follow the paper. */
export interface TrainOptions {
  /** Hidden widths K_1..K_L (e.g. [525, 525]). */
  hidden: number[];
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
  /** Initial group size γ_0, one for all layers or one per layer; must divide K_l (default: divisor nearest K_l/15). */
  groupSize?: number | number[];
  /** Epochs without validation improvement before γ moves to the next divisor (default 10; spec's starting point 3, see docs/results/ablations.md). */
  patience?: number;
  /** σ of the hidden-weight init (default 64). */
  sigmaInit?: number;
  /** Fraction of the training set held out for validation (default 0.1). */
  validationFraction?: number;
  /** Backend name, "auto", or a loaded Backend (default "auto"; ignored when `model` is given). */
  backend?: BackendChoice | Backend;
  /** Continue training this model (its widths must match) instead of initialising a new one. */
  model?: Mlp;
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

/** The divisor of k nearest to k/15 (the smaller on ties): the default γ_0 (spec §3). */
export function defaultGroupSize(k: number): number {
  let best = 1;
  for (const d of divisors(k)) if (Math.abs(d - k / 15) < Math.abs(best - k / 15)) best = d;
  return best;
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

/** Trains an Mlp on `train` with BEP. Call runEpoch() `epochs` times, or use run(). */
export class Trainer {
  readonly model: Mlp;
  readonly options: Required<Omit<TrainOptions, "groupSize" | "backend" | "model">>;
  readonly fit: Dataset;
  readonly validation: Dataset | null;
  epoch = 0;
  private readonly backend: Backend;
  private readonly stepper: Stepper;
  private readonly shuffle: Uint32Array;
  private readonly reinforceState: Buf<"u32">;
  private readonly schedule: GroupSchedule;
  private previousError = 1;

  constructor(train: Dataset, options: TrainOptions, readonly test: Dataset | null = null) {
    const o = {
      hidden: options.hidden,
      epochs: options.epochs ?? 50,
      batchSize: options.batchSize ?? 100,
      seed: options.seed ?? 1,
      robustness: options.robustness ?? 0.5,
      gate: options.gate ?? 0.05,
      reinforcement: options.reinforcement ?? 0.5,
      patience: options.patience ?? 10,
      sigmaInit: options.sigmaInit ?? 64,
      validationFraction: options.validationFraction ?? 0.1,
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
    this.options = o;
    this.backend = options.model?.backend ?? (typeof options.backend === "object" ? options.backend : loadBackendSync(options.backend ?? "auto"));

    const order = Int32Array.from({ length: train.n }, (_, i) => i);
    shuffleInPlace(order, seedState(o.seed, STREAM.split));
    const held = Math.round(train.n * o.validationFraction);
    this.fit = train.subset(order.subarray(0, train.n - held), `${train.name} (fit)`);
    this.validation = held > 0 ? train.subset(order.subarray(train.n - held), `${train.name} (validation)`) : null;
    if (this.fit.n === 0) throw new RangeError(`${train.name}: no training samples left after the validation split`);

    if (options.model) {
      const m = options.model;
      if (m.sizes.join() !== [train.k, ...o.hidden].join() || m.classes !== train.classes) {
        throw new RangeError(`the model is ${m.sizes.join("-")}-${m.classes}, but the data and options need ${[train.k, ...o.hidden, train.classes].join("-")}`);
      }
      this.model = m;
    } else {
      this.model = new Mlp(this.backend, train.classes, { inputs: train.k, hidden: o.hidden, classes: train.classes, seed: o.seed, sigmaInit: o.sigmaInit });
    }
    const gamma0 = options.groupSize ?? o.hidden.map(defaultGroupSize);
    const gammas = typeof gamma0 === "number" ? o.hidden.map(() => gamma0) : gamma0;
    this.schedule = new GroupSchedule(o.hidden, gammas, o.patience);
    this.stepper = new Stepper(this.model, o.batchSize);
    this.shuffle = seedState(o.seed, STREAM.shuffle);
    this.reinforceState = this.backend.from("u32", seedState(o.seed, STREAM.reinforce));
  }

  /** The current γ_l of every layer. */
  get groupSizes(): number[] {
    return this.schedule.sizes;
  }

  /** Trains one epoch; `onBatch(done, total)` is called after every step. */
  runEpoch(onBatch?: (done: number, total: number) => void): EpochMetrics {
    const t0 = performance.now();
    const { model, fit, options: o } = this;
    const sizes = model.sizes;
    const groupSizes = this.groupSizes;
    const tables = model.layers.map((layer) => {
      const p = o.reinforcement * Math.sqrt(this.previousError) * Math.sqrt(2 / (Math.PI * layer.k));
      return p > 0 ? this.backend.from("u32", geometricTable(p)) : null;
    });
    const settings: StepSettings = {
      robustness: o.robustness,
      gateThresholds: sizes.slice(0, -1).map((k) => Math.floor(o.gate * k)),
      groupSizes,
      reinforceTables: tables,
      reinforceState: this.reinforceState,
    };
    const order = Int32Array.from({ length: fit.n }, (_, i) => i);
    shuffleInPlace(order, this.shuffle);
    let active = 0, correct = 0, updated = 0;
    for (let from = 0; from < fit.n; from += o.batchSize) {
      const count = Math.min(o.batchSize, fit.n - from);
      const r = this.stepper.step(fit, order, from, count, settings);
      active += r.active;
      correct += r.correct;
      updated += r.updated;
      onBatch?.(Math.min(fit.n, from + count), fit.n);
    }
    for (const t of tables) t?.free();
    this.epoch++;
    this.previousError = 1 - correct / fit.n;

    const validationAccuracy = this.validation ? model.accuracy(this.validation) : 1 - this.previousError;
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
    if (this.test) metrics.testAccuracy = model.accuracy(this.test);
    return metrics;
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
