/** Model files on disk (Node only): written to a temporary file and renamed, so a crash never leaves a partial file. */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname, basename, join } from "node:path";
import type { Backend } from "../kernels/backend.js";
import { deserializeModel, type ModelFileContents } from "./model-file.js";

/** Writes `bytes` to `path` atomically: temp file in the same folder, fsync, rename. */
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
