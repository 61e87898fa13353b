/** Model files on disk (Node only): written to a temporary file and renamed, so a crash never leaves a partial file. */
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname, basename, join } from "node:path";
import type { Backend } from "../kernels/backend.js";
import { deserializeModel, type ModelFileContents } from "./model-file.js";

/**
 * Writes `bytes` to `path` atomically: temp file `.<name>.<pid>.tmp` in the same folder, fsync,
 * rename. Temp files that killed writers of the same path left behind are removed.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new Error(`${path}: cannot write: ${(e as Error).message}`);
  }
  removeStaleTemps(path);
}

/** Removes `.<name>.<pid>.tmp` files next to `path` whose process is gone (a writer killed mid-save). */
function removeStaleTemps(path: string): void {
  const prefix = `.${basename(path)}.`;
  try {
    for (const f of readdirSync(dirname(path))) {
      const pid = f.startsWith(prefix) && f.endsWith(".tmp") ? Number(f.slice(prefix.length, -4)) : NaN;
      if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) rmSync(join(dirname(path), f), { force: true });
    }
  } catch {
    // Leftovers are harmless: they never sit under the final name.
  }
}

/** Whether process `pid` exists (signal 0 checks without sending). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Reads and validates a model file. */
export function readModelFile(path: string, backend: Backend): ModelFileContents {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`${path}: cannot read: ${(e as Error).message}`);
  }
  return deserializeModel(bytes, path, backend);
}
