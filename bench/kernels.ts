/**
 * Kernel benchmark: throughput of every kernel on the wasm-simd, wasm-scalar and js backends at
 * a small and two paper-sized layer shapes, backends interleaved run by run.
 *
 *   npx tsx bench/kernels.ts [--quick] [--filter <substring>]
 *
 * Prints a markdown table and writes bench/results/kernels.{json,md} (not with --quick).
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import {
  BACKEND_NAMES, geometricTable, groupCount, loadBackendSync, rowWords, seedState,
  type Backend, type BackendName, type Buf, type Kind,
} from "../src/index";
import { ROOT, calibrate, machineInfo, machineMarkdown, median, timeRun, writeAtomic, type TimingOptions } from "./env";

/** A layer: batch B, fan-in K, N neurons, winner group size gamma. */
interface Shape {
  B: number;
  K: number;
  N: number;
  gamma: number;
}

const SHAPES: readonly Shape[] = [
  { B: 10, K: 128, N: 128, gamma: 8 },
  { B: 100, K: 784, N: 525, gamma: 35 },
  { B: 256, K: 1024, N: 1024, gamma: 64 },
];
const SEED = 1;
/** Fraction of open gates in the G given to `desired` (its cost does not depend on it). */
const GATE_DENSITY = 0.1;
/** Selection probability of `reinforce`. */
const REINFORCE_P = 0.01;

/** Throughput units: what one element is, and the scale of the printed number. */
const UNITS = {
  mac: { label: "G MAC/s", scale: 1e9, element: "binary multiply-accumulate, B·K·N per call" },
  z: { label: "M z/s", scale: 1e6, element: "pre-activation z read, B·N per call" },
  delta: { label: "M ΔH/s", scale: 1e6, element: "hidden-weight accumulation, (winners)·K per call" },
  weight: { label: "M weights/s", scale: 1e6, element: "hidden weight scanned, N·K per call" },
  input: { label: "M inputs/s", scale: 1e6, element: "input value binarised, B·K per call" },
  bit: { label: "M bits/s", scale: 1e6, element: "weight bit moved, N·K per call" },
  u32: { label: "M u32/s", scale: 1e6, element: "random u32 produced, N·K per call" },
} as const;
type Unit = keyof typeof UNITS;

/** The seeded host-side inputs of one shape, shared by all backends. */
interface Inputs {
  /** B × K layer input as ±1 values, half +1. */
  AV: Int8Array;
  /** B × K packed AV. */
  A: Uint32Array;
  /** N × K hidden weights, uniform in [−64, 64). */
  H: Int16Array;
  /** N × K packed sign(H). */
  W: Uint32Array;
  /** K × N packed transpose of W. */
  WT: Uint32Array;
  /** B × N pre-activations W·a. */
  Z: Int32Array;
  /** B × N packed desired activations, half ones. */
  ASTAR: Uint32Array;
  /** B × N packed desired activations of the layer above, half ones. */
  D: Uint32Array;
  /** B × N packed gate with GATE_DENSITY ones. */
  G: Uint32Array;
  /** B × ⌈N/γ⌉ winners of (Z, ASTAR). */
  WIN: Int32Array;
  /** B × K reals in [0, 1). */
  X: Float32Array;
  /** K thresholds 0.5. */
  T: Float32Array;
}

/** Buffers of one backend for one benchmark case, freed together. */
class Arena {
  private readonly bufs: Buf[] = [];
  constructor(readonly backend: Backend) {}
  /** A buffer holding a copy of `values`. */
  from<K extends Kind>(kind: K, values: ArrayLike<number>): Buf<K> {
    return this.keep(this.backend.from(kind, values));
  }
  /** A zeroed buffer. */
  alloc<K extends Kind>(kind: K, length: number): Buf<K> {
    return this.keep(this.backend.alloc(kind, length));
  }
  /** Frees every buffer of the arena. */
  free(): void {
    for (const buf of this.bufs) buf.free();
  }
  private keep<K extends Kind>(buf: Buf<K>): Buf<K> {
    this.bufs.push(buf);
    return buf;
  }
}

/** One kernel to benchmark. */
interface KernelCase {
  name: string;
  unit: Unit;
  /** Elements (of `unit`) processed by one call. */
  elements(s: Shape, x: Inputs): number;
  /** Parameters shown after the shape. */
  note?(s: Shape, x: Inputs): string;
  /** Copies the inputs into `m`'s backend and returns one call of the kernel. */
  bind(m: Arena, s: Shape, x: Inputs): () => void;
}

/** Number of winners (entries ≠ −1) in the inputs' WIN. */
const winnerCount = (x: Inputs): number => x.WIN.filter((j) => j >= 0).length;
/** The winners of the first sample (its entries of WIN ≠ −1): distinct rows, as one series' state-layer winners. */
const firstRowWinners = ({ N, gamma }: Shape, x: Inputs): Int32Array => x.WIN.subarray(0, groupCount(N, gamma)).filter((j) => j >= 0);

/** Gate threshold that opens about 10% of gates for z of K random ±1 products. */
const gateThreshold = (K: number): number => Math.floor(Math.sqrt(K) / 8);

const KERNELS: readonly KernelCase[] = [
  {
    name: "forward",
    unit: "mac",
    elements: ({ B, K, N }) => B * K * N,
    bind(m, { B, K, N }, x) {
      const A = m.from("u32", x.A), W = m.from("u32", x.W), Z = m.alloc("i32", B * N);
      return () => m.backend.forward(A, W, Z, B, K, N);
    },
  },
  {
    name: "forwardSign",
    unit: "mac",
    elements: ({ B, K, N }) => B * K * N,
    bind(m, { B, K, N }, x) {
      const A = m.from("u32", x.A), W = m.from("u32", x.W), Z = m.alloc("i32", B * N), S = m.alloc("u32", B * rowWords(N));
      return () => m.backend.forwardSign(A, W, Z, S, B, K, N);
    },
  },
  {
    name: "desired",
    unit: "mac",
    elements: ({ B, K, N }) => B * K * N,
    note: () => `gates ${GATE_DENSITY * 100}% open`,
    bind(m, { B, K, N }, x) {
      const D = m.from("u32", x.D), G = m.from("u32", x.G), WT = m.from("u32", x.WT);
      const Y = m.alloc("i32", B * K), OUT = m.alloc("u32", B * rowWords(K));
      return () => m.backend.desired(D, G, WT, Y, OUT, B, N, K);
    },
  },
  {
    name: "gate",
    unit: "z",
    elements: ({ B, N }) => B * N,
    note: ({ K }) => `t=${gateThreshold(K)}`,
    bind(m, { B, K, N }, x) {
      const Z = m.from("i32", x.Z), G = m.alloc("u32", B * rowWords(N)), t = gateThreshold(K);
      return () => m.backend.gate(Z, G, B, N, t);
    },
  },
  {
    name: "signs",
    unit: "z",
    elements: ({ B, N }) => B * N,
    bind(m, { B, N }, x) {
      const Z = m.from("i32", x.Z), S = m.alloc("u32", B * rowWords(N));
      return () => m.backend.signs(Z, S, B, N);
    },
  },
  {
    name: "winners",
    unit: "z",
    elements: ({ B, N }) => B * N,
    note: ({ gamma }) => `γ=${gamma}`,
    bind(m, { B, N, gamma }, x) {
      const Z = m.from("i32", x.Z), ASTAR = m.from("u32", x.ASTAR), WIN = m.alloc("i32", B * groupCount(N, gamma));
      return () => m.backend.winners(Z, ASTAR, WIN, B, N, gamma);
    },
  },
  {
    name: "updateRows",
    unit: "delta",
    elements: ({ K }, x) => winnerCount(x) * K,
    note: ({ gamma }, x) => `γ=${gamma}, ${winnerCount(x)} winners`,
    bind(m, { B, K, N, gamma }, x) {
      const H = m.from("i16", x.H), W = m.from("u32", x.W), WT = m.from("u32", x.WT);
      const APREV = m.from("u32", x.A), ASTAR = m.from("u32", x.ASTAR), WIN = m.from("i32", x.WIN);
      return () => m.backend.updateRows(H, W, WT, APREV, ASTAR, WIN, B, N, K, gamma);
    },
  },
  {
    // BEP-TT: one series' time-shared mask, its B rows taken as B steps.
    name: "sharedWinners",
    unit: "z",
    elements: ({ B, N }) => B * N,
    note: ({ gamma }) => `γ=${gamma}, B steps`,
    bind(m, { B, N, gamma }, x) {
      const Z = m.from("i32", x.Z), D = m.from("u32", x.ASTAR), WIN = m.alloc("i32", groupCount(N, gamma));
      return () => m.backend.sharedWinners(Z, D, WIN, B, N, rowWords(N), N, gamma);
    },
  },
  {
    // BEP-TT: one series' winners add the signs of their sums over time ("vote") to ΔH.
    name: "addRowSums",
    unit: "delta",
    elements: (s, x) => firstRowWinners(s, x).length * s.K,
    note: (s, x) => `γ=${s.gamma}, ${firstRowWinners(s, x).length} winners, vote`,
    bind(m, s, x) {
      const { K, N } = s, rows = firstRowWinners(s, x);
      const DELTA = m.alloc("i32", N * K), ROWS = m.from("i32", rows), SUMS = m.from("i32", Int32Array.from(x.H.subarray(0, rows.length * K)));
      return () => m.backend.addRowSums(DELTA, ROWS, SUMS, rows.length, K, true);
    },
  },
  {
    // BEP-TT: the batch's ΔH applied to the touched rows (clamp, W and Wᵀ refreshed, ΔH zeroed).
    name: "applyRows",
    unit: "delta",
    elements: (s, x) => firstRowWinners(s, x).length * s.K,
    note: (s, x) => `γ=${s.gamma}, ${firstRowWinners(s, x).length} rows`,
    bind(m, s, x) {
      const { K, N } = s, rows = firstRowWinners(s, x);
      const H = m.from("i16", x.H), W = m.from("u32", x.W), WT = m.from("u32", x.WT), DELTA = m.alloc("i32", N * K), ROWS = m.from("i32", rows);
      return () => m.backend.applyRows(H, W, WT, DELTA, ROWS, rows.length, N, K);
    },
  },
  {
    name: "reinforce",
    unit: "weight",
    elements: ({ K, N }) => N * K,
    note: () => `p=${REINFORCE_P}`,
    bind(m, { K, N }, x) {
      const H = m.from("i16", x.H), table = m.from("u32", geometricTable(REINFORCE_P)), state = m.from("u32", seedState(SEED, 1));
      return () => m.backend.reinforce(H, N * K, table, state);
    },
  },
  {
    name: "packSigns",
    unit: "input",
    elements: ({ B, K }) => B * K,
    bind(m, { B, K }, x) {
      const src = m.from("i8", x.AV), dst = m.alloc("u32", B * rowWords(K));
      return () => m.backend.packSigns(src, dst, B, K);
    },
  },
  {
    name: "packThresholds",
    unit: "input",
    elements: ({ B, K }) => B * K,
    bind(m, { B, K }, x) {
      const src = m.from("f32", x.X), t = m.from("f32", x.T), dst = m.alloc("u32", B * rowWords(K));
      return () => m.backend.packThresholds(src, t, dst, B, K);
    },
  },
  {
    name: "transpose",
    unit: "bit",
    elements: ({ K, N }) => N * K,
    bind(m, { K, N }, x) {
      const W = m.from("u32", x.W), WT = m.alloc("u32", K * rowWords(N));
      return () => m.backend.transpose(W, WT, N, K);
    },
  },
  {
    name: "prngFill",
    unit: "u32",
    elements: ({ K, N }) => N * K,
    bind(m, { K, N }) {
      const state = m.from("u32", seedState(SEED, 2)), out = m.alloc("u32", N * K);
      return () => m.backend.prngFill(state, out, N * K);
    },
  },
];

/** Builds the inputs of `s` on the js backend from one seeded generator. */
function makeInputs(s: Shape, js: Backend): Inputs {
  const { B, K, N, gamma } = s;
  const state = js.from("u32", seedState(SEED));
  const uniform = (n: number): Uint32Array => {
    const out = js.alloc("u32", n);
    js.prngFill(state, out, n);
    return out.data;
  };
  const pack = (signs: ArrayLike<number>, rows: number, k: number): Uint32Array => {
    const dst = js.alloc("u32", rows * rowWords(k));
    js.packSigns(js.from("i8", signs), dst, rows, k);
    return dst.data;
  };
  const signs = (n: number, p: number): Int8Array => Int8Array.from(uniform(n), (u) => (u < p * 2 ** 32 ? 1 : -1));
  const bits = (rows: number, k: number, p: number): Uint32Array => pack(signs(rows * k, p), rows, k);

  const H = Int16Array.from(uniform(N * K), (u) => (u >>> 25) - 64);
  const W = pack(Array.from(H, (h) => (h >= 0 ? 1 : -1)), N, K);
  const WT = js.alloc("u32", K * rowWords(N));
  js.transpose(js.from("u32", W), WT, N, K);
  const AV = signs(B * K, 0.5);
  const A = pack(AV, B, K);
  const Z = js.alloc("i32", B * N);
  js.forward(js.from("u32", A), js.from("u32", W), Z, B, K, N);
  const ASTAR = bits(B, N, 0.5);
  const WIN = js.alloc("i32", B * groupCount(N, gamma));
  js.winners(Z, js.from("u32", ASTAR), WIN, B, N, gamma);
  return {
    AV, A, H, W, WT: WT.data, Z: Z.data, ASTAR, WIN: WIN.data,
    D: bits(B, N, 0.5),
    G: bits(B, N, GATE_DENSITY),
    X: Float32Array.from(uniform(B * K), (u) => u / 2 ** 32),
    T: new Float32Array(K).fill(0.5),
  };
}

/** The timings of one kernel on one shape and backend. */
interface Measurement {
  kernel: string;
  shape: Shape;
  note: string;
  unit: string;
  elementsPerCall: number;
  backend: BackendName;
  repsPerRun: number;
  /** Mean ms per call of each timed run, in run order. */
  runMs: number[];
  medianMs: number;
  minMs: number;
  /** Throughput (in `unit`) of the median run. */
  median: number;
  /** Throughput (in `unit`) of the fastest run. */
  best: number;
}

/** Times `kernel` at `shape` on every backend: warm-up and calibration each, then runs interleaved. */
function measure(
  kernel: KernelCase, shape: Shape, inputs: Inputs, backends: readonly Backend[], runs: number, timing: TimingOptions,
): Measurement[] {
  const arenas = backends.map((b) => new Arena(b));
  const calls = arenas.map((m) => kernel.bind(m, shape, inputs));
  const reps = calls.map((call) => calibrate(call, timing));
  const runMs: number[][] = calls.map(() => []);
  for (let r = 0; r < runs; r++) calls.forEach((call, i) => runMs[i].push(timeRun(call, reps[i])));
  for (const m of arenas) m.free();

  const elements = kernel.elements(shape, inputs);
  const { label, scale } = UNITS[kernel.unit];
  const rate = (ms: number): number => elements / (ms / 1e3) / scale;
  return backends.map((b, i) => {
    const medianMs = median(runMs[i]);
    const minMs = Math.min(...runMs[i]);
    return {
      kernel: kernel.name, shape, note: kernel.note?.(shape, inputs) ?? "", unit: label, elementsPerCall: elements,
      backend: b.name, repsPerRun: reps[i], runMs: runMs[i], medianMs, minMs, median: rate(medianMs), best: rate(minMs),
    };
  });
}

/** A number with about three significant digits. */
function fmt(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 0.1 ? x.toFixed(2) : x.toPrecision(2);
}

/** The table row of one kernel and shape (cells: median throughput, best run in parentheses). */
function tableRow(ms: readonly Measurement[]): string {
  const by = (name: BackendName): Measurement => ms.find((m) => m.backend === name)!;
  const { kernel, shape, note, unit } = ms[0];
  const cells = BACKEND_NAMES.map((name) => `${fmt(by(name).median)} (${fmt(by(name).best)})`);
  const ratio = (a: BackendName, b: BackendName): string => `${fmt(by(a).median / by(b).median)}×`;
  const shapeText = `B=${shape.B} K=${shape.K} N=${shape.N}${note ? `, ${note}` : ""}`;
  return `| ${kernel} | ${shapeText} | ${unit} | ${cells.join(" | ")} | ${ratio("wasm-simd", "js")} | ${ratio("wasm-simd", "wasm-scalar")} |`;
}

function main(): void {
  const usage = "usage: npx tsx bench/kernels.ts [--quick] [--filter <substring>]";
  let values: { quick?: boolean; filter?: string };
  try {
    ({ values } = parseArgs({ options: { quick: { type: "boolean" }, filter: { type: "string" } }, strict: true }));
  } catch (e) {
    console.error(`${(e as Error).message}\n${usage}`);
    process.exit(2);
  }
  const quick = values.quick === true;
  const filter = values.filter?.toLowerCase() ?? "";
  const kernels = KERNELS.filter((k) => k.name.toLowerCase().includes(filter));
  if (kernels.length === 0) {
    console.error(`no kernel matches --filter ${values.filter}; kernels: ${KERNELS.map((k) => k.name).join(", ")}`);
    process.exit(2);
  }
  const runs = quick ? 3 : 7;
  const timing: TimingOptions = { warmupMs: 100, warmupCalls: 3, runMs: 25 };

  const t0 = performance.now();
  const machine = machineInfo();
  const backends = BACKEND_NAMES.map((name) => loadBackendSync(name));
  const js = loadBackendSync("js");
  const inputs = SHAPES.map((s) => makeInputs(s, js));

  const lines: string[] = [];
  const emit = (line: string): void => {
    lines.push(line);
    console.log(line);
  };
  emit("# bep kernel benchmark");
  emit("");
  emit(machineMarkdown(machine));
  emit(
    `- Method: per kernel and shape, each backend warms up (≥ ${timing.warmupCalls} calls and ≥ ${timing.warmupMs} ms) and is ` +
      `calibrated to runs of ≥ ~${timing.runMs} ms; then ${runs} runs interleaved wasm-simd, wasm-scalar, js. ` +
      `Cells: throughput of the median run (fastest run in parentheses); ratios of medians. Inputs seeded (seed ${SEED}).` +
      (filter ? ` Filter: "${values.filter}".` : ""),
  );
  emit("");
  emit(`| kernel | shape | unit | ${BACKEND_NAMES.join(" | ")} | simd/js | simd/scalar |`);
  emit("|---|---|---|--:|--:|--:|--:|--:|");

  const measurements: Measurement[] = [];
  for (const kernel of kernels) {
    SHAPES.forEach((shape, i) => {
      const ms = measure(kernel, shape, inputs[i], backends, runs, timing);
      measurements.push(...ms);
      emit(tableRow(ms));
    });
  }

  const used = new Set(kernels.map((k) => k.unit));
  emit("");
  emit("Units (one element):");
  for (const [key, u] of Object.entries(UNITS)) if (used.has(key as Unit)) emit(`- ${u.label}: ${u.element}`);
  const totalS = (performance.now() - t0) / 1e3;
  emit("");
  emit(`Total time: ${totalS.toFixed(1)} s`);

  if (quick) return;
  const settings = { runs, ...timing, seed: SEED, gateDensity: GATE_DENSITY, reinforceP: REINFORCE_P, filter: values.filter ?? null, totalS };
  const dir = join(ROOT, "bench", "results");
  writeAtomic(join(dir, "kernels.json"), JSON.stringify({ machine, settings, measurements }, null, 2) + "\n");
  writeAtomic(join(dir, "kernels.md"), lines.join("\n") + "\n");
  console.error(`wrote ${join(dir, "kernels.json")} and kernels.md`);
}

main();
