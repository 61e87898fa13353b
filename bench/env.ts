/**
 * Shared benchmark helpers: what machine and versions a result comes from, timing with
 * warm-up and auto-calibrated repetitions, medians, and atomic result files.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";

/** The repository root (the directory holding package.json). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The machine and software a benchmark ran on. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  arch: string;
  memoryGiB: number;
  os: string;
  node: string;
  v8: string;
  packages: Record<string, string>;
  date: string;
}

/** Describes this machine, Node/V8 and the versions of bep, assemblyscript and @assemblyscript/loader. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    arch: os.arch(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} (${os.platform()})`,
    node: process.version,
    v8: process.versions.v8,
    packages: {
      bep: packageVersion(ROOT),
      assemblyscript: packageVersion(join(ROOT, "node_modules", "assemblyscript")),
      "@assemblyscript/loader": packageVersion(join(ROOT, "node_modules", "@assemblyscript", "loader")),
    },
    date: new Date().toISOString(),
  };
}

/** `info` as markdown bullet lines, for the head of a report. */
export function machineMarkdown(info: MachineInfo): string {
  const packages = Object.entries(info.packages).map(([name, v]) => `${name} ${v}`).join(", ");
  return [
    `- CPU: ${info.cpu} × ${info.cores} (${info.arch}), ${info.memoryGiB} GiB RAM`,
    `- OS: ${info.os}`,
    `- Node ${info.node}, V8 ${info.v8}`,
    `- Packages: ${packages}`,
    `- Date: ${info.date}`,
  ].join("\n");
}

function packageVersion(dir: string): string {
  try {
    return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "not installed";
  }
}

export { median } from "../src/train/phases";

/** How to warm up and size the timed runs. */
export interface TimingOptions {
  /** Minimum warm-up time in ms. */
  warmupMs: number;
  /** Minimum number of warm-up calls. */
  warmupCalls: number;
  /** Target duration of one timed run in ms. */
  runMs: number;
}

/**
 * Warms `fn` up, then returns a number of repetitions that, once warm, took at least `runMs`
 * (sized for about 1.2 × `runMs`, so noise rarely makes a timed run shorter than `runMs`).
 */
export function calibrate(fn: () => void, { warmupMs, warmupCalls, runMs }: TimingOptions): number {
  const start = performance.now();
  let reps = 1;
  let calls = 0;
  for (;;) {
    const ms = timeRun(fn, reps) * reps;
    calls += reps;
    const warm = calls >= warmupCalls && performance.now() - start >= warmupMs;
    if (warm && ms >= runMs) return reps;
    if (warm) reps = Math.ceil((reps * runMs * 1.2) / Math.max(ms, 1e-3));
    else if (ms < runMs) reps *= 2;
  }
}

/** Calls `fn` `reps` times and returns the mean time per call in ms. */
export function timeRun(fn: () => void, reps: number): number {
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return (performance.now() - t0) / reps;
}

/** Writes `text` to `file` through a temporary file and a rename, so no half-written file remains. */
export function writeAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
