/**
 * Crash safety of `bep train --out`: the built CLI is killed (SIGKILL) at seeded random delays,
 * half of them followed by a wait for the folder to change (a save starting), two folders at a
 * time, and each run resumes the file the last one left. After every kill the file under the final name must
 * be absent (before the first save) or a complete model that loads, never older than the one
 * before the kill; nothing else may sit in the folder but the temporary files of killed runs
 * (writeFileAtomic's `.<name>.<pid>.tmp`: a SIGKILL leaves no chance to remove them), and the
 * next successful save removes those.
 */
import { describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadBackendSync } from "../src/index";
import { readModelFile } from "../src/io/files";
import { mulberry32 } from "./helpers";

const cli = join(__dirname, "..", "dist", "cli.js");
/** Kills per folder. */
const KILLS = 5;


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every run started, so none outlives a failed test. */
const children: ChildProcess[] = [];

/** What one lane of kills saw: a line per kill, the last epoch saved, and temporary files left behind. */
interface Lane {
  log: string[];
  epoch: number;
  killed: Set<number>;
  leftTemp: number;
}

/**
 * Kills `kills` runs in `dir` one after the other, each resuming the file the last one left,
 * checking the folder after every kill.
 */
async function killLane(dir: string, seed: number, kills: number): Promise<Lane> {
  const random = mulberry32(seed);
  const file = join(dir, "m.bepm");
  const js = loadBackendSync("js");
  const lane: Lane = { log: [], epoch: 0, killed: new Set(), leftTemp: 0 };
  for (let k = 0; k < kills; k++) {
    const resume = existsSync(file) ? ["--resume", file] : [];
    // --layers 525: a 1 MB file, so a save (write, fsync, rename) takes a few milliseconds.
    const child = spawn(process.execPath, [cli, "train", "--data", "prototypes", "--layers", "525", "--epochs", "1000", ...resume, "--out", file], { stdio: "ignore" });
    children.push(child);
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on("exit", (code, signal) => resolve(signal ?? code)));
    const pid = child.pid!;
    // A run starts saving after about a second: some kills come before its first save.
    const delay = Math.floor(random() * 2500);
    await sleep(delay);
    let what = `after ${delay} ms`;
    if (random() < 0.5) {
      // Then wait for the folder to change once or three times (a save's temporary file appearing,
      // then renamed, then the next one; or the model file being written in place) and kill at
      // once: mid-save.
      const changes = random() < 0.5 ? 1 : 3;
      const started = Date.now();
      let last = snapshot(dir);
      for (let seen = 0; seen < changes && Date.now() - started < 4000; await sleep(1)) {
        const now = snapshot(dir);
        if (now !== last) seen++;
        last = now;
      }
      what += ` and ${Date.now() - started} ms more, at change ${changes} of the folder`;
    }
    child.kill("SIGKILL");
    lane.killed.add(pid);
    const at = `${dir}, kill ${k + 1} (${what})`;
    expect(await exited, `${at}: the run ended before it was killed`).toBe("SIGKILL");

    const temps: string[] = [];
    for (const name of readdirSync(dir)) {
      if (name === "m.bepm") continue;
      const m = TEMP.exec(name);
      expect(m && lane.killed.has(Number(m[1])), `${at}: unexpected file ${name}`).toBe(true);
      temps.push(name);
    }
    lane.leftTemp = temps.length;
    const left = temps.some((n) => n.includes(`.${pid}.`)) ? " (killed mid-save: its temporary file is left)" : "";
    if (existsSync(file)) {
      let epoch: number;
      try {
        epoch = readModelFile(file, js).training!.state.epoch;
      } catch (e) {
        throw new Error(`${at}: the model file is not a complete model: ${(e as Error).message}`);
      }
      expect(epoch, `${at}: the file went back from epoch ${lane.epoch} to ${epoch}`).toBeGreaterThanOrEqual(lane.epoch);
      lane.log.push(`${what}: epoch ${epoch}${left}`);
      lane.epoch = epoch;
    } else {
      expect(lane.epoch, `${at}: the file saved at epoch ${lane.epoch} disappeared`).toBe(0);
      lane.log.push(`${what}: no file yet${left}`);
    }
  }
  return lane;
}

/** The folder's names, and the model file's inode, size and modification time. */
function snapshot(dir: string): string {
  const names = readdirSync(dir).sort().join("/");
  try {
    const st = statSync(join(dir, "m.bepm"));
    return `${names} ${st.ino} ${st.size} ${st.mtimeMs}`;
  } catch {
    return names;
  }
}

/** writeFileAtomic's temporary file for m.bepm (see src/io/files.ts), with the writer's pid. */
const TEMP = /^\.m\.bepm\.(\d+)\.tmp$/;

describe.skipIf(!existsSync(cli) && !process.env.CI)("bep train --out under SIGKILL", () => {
  it(`${2 * KILLS} kills in two folders, half of them mid-save: the model file is always absent or complete`, async () => {
    const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), "bep-kill-")));
    try {
      // Two lanes at once (a run takes about a second to start): half the wall time.
      const settled = await Promise.allSettled(dirs.map((dir, i) => killLane(dir, 0xc0ffee + i, KILLS)));
      const lanes = settled.map((r) => {
        if (r.status === "rejected") throw r.reason;
        return r.value;
      });
      for (const [i, lane] of lanes.entries()) {
        // A last run resumes what the kills left and finishes; its save removes the killed runs' temporary files.
        const file = join(dirs[i], "m.bepm");
        const from = lane.epoch ? ["--resume", file] : ["--layers", "525"];
        const finish = spawnSync(process.execPath, [cli, "train", "--data", "prototypes", ...from, "--epochs", String(lane.epoch + 1), "--out", file], { encoding: "utf8" });
        expect(finish.status, finish.stderr).toBe(0);
        expect(readModelFile(file, loadBackendSync("js")).training!.state.epoch).toBe(lane.epoch + 1);
        expect(readdirSync(dirs[i])).toEqual(["m.bepm"]);
      }
      if (process.env.BEP_KILL_LOG) console.log(lanes.map((l) => `${l.log.join("\n")}\n${l.leftTemp} temporary files left`).join("\n\n"));
    } finally {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
