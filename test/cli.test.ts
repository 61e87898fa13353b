import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// The CLI is tested as users run it: the built dist/cli.js (npm ci / npm run build make it).
const cli = join(__dirname, "..", "dist", "cli.js");
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });

describe.skipIf(!existsSync(cli) && !process.env.CI)("bep CLI", () => {
  it("usage errors exit 2 with one line naming the problem, no stack trace", () => {
    for (const [args, message] of [
      [["frobnicate"], /unknown command 'frobnicate' \(expected train, eval, predict, info, export or bench\)/],
      [["train", "--bogus"], /Unknown option '--bogus'/],
      [["train", "--layers", "5x"], /--layers expects a positive integer, got '5x'/],
      [["train", "--gate", "2", "--epochs", "1"], /--gate expects a number in \[0, 1\], got '2'/],
      [["train", "--data", "cifar"], /--data: unknown data source 'cifar'/],
      [["train", "--backend", "gpu"], /--backend: unknown backend 'gpu'/],
      // Negative or zero sizes, hyperparameters out of range, γ not dividing K, epochs ≤ 0: refused before any data is read.
      [["train", "--epochs", "0"], /--epochs expects a positive integer, got '0'/],
      [["train", "--epochs", "-3"], /--epochs expects a positive integer, got '-3'/],
      [["train", "--layers", "45,0"], /--layers expects a positive integer, got '0'/],
      [["train", "--batch", "-1"], /--batch expects a positive integer, got '-1'/],
      [["train", "--model", "rnn", "--state", "0"], /--state expects a positive integer, got '0'/],
      [["train", "--gate", "-0.1"], /--gate expects a number in \[0, 1\], got '-0.1'/],
      [["train", "--robustness", "1.5"], /--robustness expects a number in \[0, 1\], got '1.5'/],
      [["train", "--reinforcement=NaN"], /--reinforcement expects a number, got 'NaN'/],
      [["train", "--reinforcement", "1.01"], /--reinforcement expects a number in \[0, 1\], got '1.01'/],
      [["train", "--sigma-init", "0"], /--sigma-init expects a positive number, got '0'/],
      [["train", "--clip", "0"], /--clip expects a positive integer, got '0'/],
      [["train", "--clip", "40000"], /--clip expects at most 32767 \(the int16 range\), got 40000/],
      [["train", "--data", "prototypes", "--layers", "45", "--group-size", "7"], /--group-size 7 does not divide layer 1's width 45 \(divisors: 1, 3, 5, 9, 15, 45\)/],
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

  it("--threads 2 saves the same model file as one thread, also when it resumes a run", () => {
    const dir = mkdtempSync(join(tmpdir(), "bep-threads-"));
    const file = (name: string) => join(dir, name);
    const args = ["train", "--data", "prototypes", "--layers", "300,300", "--batch", "64", "--json"]; // 64 × 390k weights: steps shared by the threads
    const one = run(...args, "--epochs", "3", "--out", file("one.bepm"));
    const two = run(...args, "--epochs", "3", "--threads", "2", "--out", file("two.bepm"));
    expect(one.status, one.stderr).toBe(0);
    expect(two.status, two.stderr).toBe(0);
    const strip = (out: string) => out.trim().split("\n").map((l) => { const { seconds: _, threads: __, ...rest } = JSON.parse(l); return rest; });
    expect(strip(two.stdout)).toEqual(strip(one.stdout));
    expect(readFileSync(file("two.bepm")).equals(readFileSync(file("one.bepm")))).toBe(true);
    // 2 epochs on one thread, then 1 more on 3 threads = 3 epochs on one thread
    expect(run(...args, "--epochs", "2", "--out", file("resumed.bepm")).status).toBe(0);
    const resumed = run("train", "--data", "prototypes", "--resume", file("resumed.bepm"), "--epochs", "3", "--threads", "3", "--out", file("resumed.bepm"), "--json");
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(readFileSync(file("resumed.bepm")).equals(readFileSync(file("one.bepm")))).toBe(true);
  });

  it("eval reproduces the final test accuracy of train; info describes the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "bep-eval-"));
    const file = join(dir, "p.bepm");
    const trained = run("train", "--data", "prototypes", "--layers", "45", "--epochs", "2", "--seed", "3", "--out", file, "--json");
    expect(trained.status, trained.stderr).toBe(0);
    const summary = JSON.parse(trained.stdout.trim().split("\n").at(-1)!);
    const evaluated = run("eval", "--model", file, "--data", "prototypes", "--json");
    expect(evaluated.status, evaluated.stderr).toBe(0);
    expect(JSON.parse(evaluated.stdout)).toMatchObject({ type: "eval", samples: 3000, testAccuracy: summary.testAccuracy });
    const other = run("train", "--data", "mnist", "--resume", file, "--epochs", "3");
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/p\.bepm: the model is 1000-45-10, but the data and options need 784-45-10/);
    const described = run("info", "--model", file, "--json");
    expect(described.status, described.stderr).toBe(0);
    expect(JSON.parse(described.stdout)).toMatchObject({
      kind: "mlp", architecture: "1000-45-10", parameters: 45000, hiddenWeightBytes: 90000, training: { epoch: 2, options: { seed: 3 } },
    });
    const clipped = run("train", "--data", "prototypes", "--layers", "45", "--epochs", "1", "--clip", "25", "--out", file);
    expect(clipped.status, clipped.stderr).toBe(0);
    expect(clipped.stdout).toMatch(/sigma_init 64, clip ±25, seed 1/);
    expect(JSON.parse(run("info", "--model", file, "--json").stdout)).toMatchObject({ training: { options: { clip: 25 } } });
    expect(run("info", "--model", file).stdout).toMatch(/binary MLP 1000-45-10 .*\n {2}H1: 45 × 1000 int16 hidden weights/);
  });

  it("eval and info usage errors exit 2, unreadable files exit 1", () => {
    for (const [args, message] of [
      [["eval", "--data", "mnist"], /eval: --model <file> is required/],
      [["eval", "--model", "x.bepm"], /eval: --data <source> is required/],
      [["info"], /info: --model <file> is required/],
      [["info", "--model", "x", "--bogus"], /Unknown option '--bogus'/],
    ] as const) {
      const r = run(...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const r = run("info", "--model", "/nonexistent/m.bepm");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^bep: \/nonexistent\/m\.bepm: cannot read/);
  });

  it("--threads usage errors exit 2", () => {
    for (const [args, message] of [
      [["train", "--threads", "0"], /--threads expects a positive integer, got '0'/],
      [["train", "--threads", "2", "--backend", "js"], /--threads: threads need a WebAssembly backend/],
      [["train", "--model", "rnn", "--threads", "2"], /--threads applies to MLPs only/],
    ] as const) {
      const r = run(...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it("--model rnn usage errors exit 2", () => {
    for (const [args, message] of [
      [["train", "--model", "gru"], /--model: unknown model 'gru' \(expected mlp or rnn\)/],
      [["train", "--model", "rnn", "--data", "prototypes"], /--data: unknown sequence data source 'prototypes'/],
      [["train", "--model", "rnn", "--layers", "35"], /--layers applies to --model mlp only/],
      [["train", "--state", "35"], /--state applies to --model rnn only/],
      [["train", "--model", "rnn", "--window", "5"], /--window applies to ucr: data only/],
      [["train", "--model", "rnn", "--state", "0"], /--state expects a positive integer, got '0'/],
      [["train", "--temporal-update", "vote"], /--temporal-update applies to --model rnn only/],
      [["train", "--model", "rnn", "--temporal-update", "mean"], /--temporal-update: expected sum or vote, got 'mean'/],
      [["train", "--initial-state", "zero"], /--initial-state applies to --model rnn only/],
      [["train", "--model", "rnn", "--initial-state", "half"], /--initial-state: expected ones or zero, got 'half'/],
    ] as const) {
      const r = run(...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
  it("--model rnn trains on a UCR .ts dataset it has never seen (multivariate, variable length, missing values, string labels)", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "bep-ucr-")), "Toy");
    mkdirSync(dir);
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const split = (n: number) => {
      const lines = ["# a toy problem", "@problemName Toy", "@timeStamps false", "@missing true", "@univariate false", "@dimensions 2", "@equalLength false", "@classLabel true up down", "@data"];
      for (let i = 0; i < n; i++) {
        const up = i % 2 === 0, len = 6 + (i % 5);
        const ch = (k: number) => Array.from({ length: len }, (_, t) => (t === 2 && i % 7 === 0 ? "?" : ((up ? t : len - t) * (k + 1) + rand()).toFixed(3))).join(",");
        lines.push(`${ch(0)}:${ch(1)}:${up ? "up" : "down"}`);
      }
      return lines.join("\n") + "\n";
    };
    writeFileSync(join(dir, "Toy_TRAIN.ts"), split(60));
    writeFileSync(join(dir, "Toy_TEST.ts"), split(40));
    const out = join(dir, "toy.bepm");
    const r = run("train", "--model", "rnn", "--data", `ucr:${dir}`, "--window", "8", "--state", "45", "--expansion", "64", "--thermometer", "4", "--epochs", "3", "--json", "--out", out);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(["epoch", "epoch", "epoch", "summary"]);
    expect(lines[3]).toMatchObject({ model: "rnn", state: 45, expansion: 64, epochs: 3 });
    expect(lines[3].testAccuracy).toBeGreaterThan(0.7); // two classes, rising vs falling series
    expect(r.stderr).toMatch(/54 train, 6 validation, 40 test series of 8 steps of 8 bits, 2 classes/);
    // the saved run resumes (its thermometer encoder and window come from the file) and matches a 4-epoch run
    const resumed = run("train", "--model", "rnn", "--data", `ucr:${dir}`, "--resume", out, "--epochs", "4", "--json");
    const whole = run("train", "--model", "rnn", "--data", `ucr:${dir}`, "--window", "8", "--state", "45", "--expansion", "64", "--thermometer", "4", "--epochs", "4", "--json");
    const last = (x: typeof r) => JSON.parse(x.stdout.trim().split("\n").at(-1)!);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(last(resumed).testAccuracy).toBe(last(whole).testAccuracy);
    const wrong = run("train", "--data", "mnist", "--resume", out);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/toy\.bepm holds a recurrent network: pass --model rnn/);
    const otherWindow = run("train", "--model", "rnn", "--data", `ucr:${dir}`, "--resume", out, "--window", "6", "--epochs", "4");
    expect(otherWindow.status).toBe(2);
    expect(otherWindow.stderr).toMatch(/--window 6: the run in .*toy\.bepm uses --window 8/);

    // The file keeps the window and the class labels: eval crops new series the same way, and
    // predict reads the .ts file and prints the labels, agreeing with eval (also from a 1-bit export).
    expect(JSON.parse(run("info", "--model", out, "--json").stdout)).toMatchObject({ window: 8, initialState: "zero", names: { classes: ["up", "down"] } });
    const evaluated = JSON.parse(run("eval", "--model", out, "--data", `ucr:${dir}`, "--json").stdout);
    expect(evaluated.testAccuracy).toBe(lines[3].testAccuracy);
    const p = run("predict", "--model", out, "--input", join(dir, "Toy_TEST.ts"));
    expect(p.status, p.stderr).toBe(0);
    const labels = p.stdout.trim().split("\n").slice(1).map((l) => l.split("\t")[2]);
    expect(labels.filter((l, i) => l === (i % 2 === 0 ? "up" : "down")).length / 40).toBe(evaluated.testAccuracy);
    const bits = join(dir, "toy-1bit.bepm");
    expect(run("export", "--model", out, "--out", bits).status).toBe(0);
    expect(run("predict", "--model", bits, "--input", join(dir, "Toy_TEST.ts")).stdout).toBe(p.stdout);
    const csv = run("predict", "--model", out, "--input", join(dir, "Toy_TEST.ts"), "--format", "csv");
    expect(csv.status).toBe(2);
    expect(csv.stderr).toMatch(/--format csv: .*toy\.bepm holds a recurrent network, which reads UCR\/UEA \.ts\/\.tsv series/);
  });
});
