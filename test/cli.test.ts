import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

// The CLI is tested as users run it: the built dist/cli.js (npm ci / npm run build make it).
const cli = join(__dirname, "..", "dist", "cli.js");
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });

describe.skipIf(!existsSync(cli) && !process.env.CI)("bep CLI", () => {
  it("usage errors exit 2 with one line naming the problem, no stack trace", () => {
    for (const [args, message] of [
      [["frobnicate"], /unknown command 'frobnicate'/],
      [["train", "--bogus"], /Unknown option '--bogus'/],
      [["train", "--layers", "5x"], /--layers expects a non-negative integer, got '5x'/],
      [["train", "--gate", "2", "--epochs", "1"], /gate must be in \[0, 1\], got 2/],
      [["train", "--data", "cifar"], /--data: unknown data source 'cifar'/],
      [["train", "--backend", "gpu"], /--backend: unknown backend 'gpu'/],
    ] as const) {
      const r = run(...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
  it("--help exits 0 and shows the options", () => {
    const r = run("train", "--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/--robustness <r>/);
  });
  it("a missing --resume file exits 1 naming the file", () => {
    const r = run("train", "--resume", "/nonexistent/model.bepm", "--data", "prototypes");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^bep: \/nonexistent\/model\.bepm: cannot read/);
  });
  it("--json prints one object per epoch and a summary with testAccuracy", () => {
    const r = run("train", "--data", "prototypes", "--layers", "45", "--epochs", "2", "--json");
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(["epoch", "epoch", "summary"]);
    expect(lines[2].testAccuracy).toBeGreaterThan(0.2);
    expect(lines[1]).toMatchObject({ epoch: 2, groupSizes: [3] });
  });
});
