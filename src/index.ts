/**
 * bep — fully binary neural networks trained with Binary Error Propagation.
 * Public API (re-exports only).
 */
export { Backend, BACKEND_NAMES, createBackend, createSharedBackend, attachBackend, loadBackend, loadBackendSync, setDefaultBackend, resolveBackendName } from "./kernels/backend.js";
export type { BackendName, BackendChoice } from "./kernels/backend.js";
export type { BackendMemory } from "./kernels/impl.js";
export type { Buf, Kind, TypedArrays } from "./kernels/buffer.js";
export { rowWords, groupCount, H_MIN, H_MAX } from "./kernels/layout.js";
export { geometricTable, GEOMETRIC_TABLE_LENGTH } from "./kernels/geometric.js";
export { seedState, STREAM } from "./kernels/js/prng.js";
export { Dataset } from "./data/dataset.js";
export { SequenceDataset } from "./data/sequences.js";
export { parseUcrTs, parseUcrTsv, ucrTsvClassNames, poolSequences } from "./data/ucr.js";
export type { RealSequences } from "./data/ucr.js";
export { fillMissing, lastWindow, stepRows, encodeSequences, rowSequences, binariseSequences, pickSeries } from "./data/sequence-encode.js";
export { stratifiedFolds, stratifiedHoldout } from "./data/split.js";
export type { SequenceEncoding } from "./data/sequence-encode.js";
export type { RealData } from "./data/dataset.js";
export { fitMedian, fitThermometer, fitDistributiveThermometer, encode, ENCODER_KINDS } from "./data/encode.js";
export type { Encoder, EncoderKind } from "./data/encode.js";
export { Mlp, Workspace, argmax, chunkRows, SCRATCH_BYTES } from "./model/mlp.js";
export type { MlpOptions } from "./model/mlp.js";
export { Rnn, RnnWorkspace } from "./model/rnn.js";
export type { RnnOptions, InitialState } from "./model/rnn.js";
export { Layer } from "./model/layer.js";
export { BEF_ALPHA, binaryEquiangularFrame } from "./model/bef.js";
export type { Bef, BefOptions } from "./model/bef.js";
export { Stepper, SampleStepper, BatchRecord, updateUnits, updateUnit, triggers } from "./train/step.js";
export type { UpdateUnit } from "./train/step.js";
export { RnnStepper, type TemporalUpdate } from "./train/rnn-step.js";
export { sharedMask } from "./kernels/js/update.js";
export { PhaseClock, PHASES, type Phase } from "./train/phases.js";
export { ThreadPool } from "./parallel/pool.js";
export { ParallelStepper } from "./parallel/mlp-step.js";
export type { StepSettings, StepResult } from "./train/step.js";
export { Trainer, GroupSchedule, divisors, nearestDivisor, defaultGroupSize, defaultRnnGroupSize, shuffleInPlace, validationSplit } from "./train/trainer.js";
export type { TrainOptions, EpochMetrics, TrainData, ModelFor, CommonOptions } from "./train/trainer.js";
