import { beforeAll, describe, expect, it } from "vitest";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { renderReport, type ReportData } from "../src/cli/report";
import type { EpochMetrics } from "../src/train/trainer";
import { HAS_CHROMIUM, withChromium } from "./browser/chromium";

const epoch = (e: number, test?: number): EpochMetrics => ({
  epoch: e, trainAccuracy: 0.5 + e / 100, validationAccuracy: 0.45 + e / 100, testAccuracy: test, activeFraction: 0.9 - e / 100,
  updatedNeurons: 1000 + e, groupSizes: [35, 7 * e], seconds: 0.25 * e,
});

const run = (metrics: EpochMetrics[], over: Partial<ReportData> = {}): ReportData => ({
  command: ["train", "--data", "csv:<script>alert(1)</script>.csv", "--report", "a b.html"],
  source: "csv:<script>alert(1)</script>.csv", description: "samples of 784 bits",
  split: { train: 900, validation: 100, test: 250, classes: 3 },
  model: "mlp", architecture: "784-525-105-10 binary MLP", parameters: 467_775,
  shape: { hidden: [525, 105] },
  options: { epochs: 5, batchSize: 100, seed: 7, robustness: 0.5, gate: 0.05, reinforcement: 0.5, patience: 10, sigmaInit: 64, validationFraction: 0.1 },
  backend: "wasm-simd", threads: 2, metrics, seconds: 12.34,
  started: new Date("2025-01-02T03:04:05Z"), machine: { cpu: "Test CPU & Co", cores: 4, node: "v20.0.0", v8: "11.3" },
  ...over,
});

const bodyRows = (html: string) => html.split("<tbody>")[1].split("</tbody>")[0].match(/<tr>/g)?.length ?? 0;

describe("renderReport", () => {
  it("renders charts, one row per epoch, the hyperparameters and the machine, escaped and self-contained", () => {
    const html = renderReport(run([epoch(1, 0.6), epoch(2, 0.65), epoch(3, 0.7)]));
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toMatch(/<polyline [^>]*points="[\d., ]+"/);
    expect(html).toContain(">validation</text>"); // legend
    expect(bodyRows(html)).toBe(3);
    expect(html).toContain("<tr><td>2</td><td>52.00%</td><td>47.00%</td><td>65.00%</td><td>88.00%</td><td>1002</td><td>35,14</td><td>0.50</td></tr>");
    for (const [k, v] of [["hidden", "525,105"], ["batchSize", "100"], ["seed", "7"], ["gate", "0.05"], ["sigmaInit", "64"], ["validationFraction", "0.1"], ["backend", "wasm-simd"], ["threads", "2"]]) {
      expect(html).toContain(`<tr><th>${k}</th><td>${v}</td></tr>`);
    }
    expect(html).toContain("<tr><th>final test accuracy</th><td>70.00%</td></tr>");
    expect(html).toContain("900 train, 100 validation, 250 test; 3 classes");
    expect(html).toContain("running or interrupted: epoch 3 of 5");
    expect(html).toContain("2025-01-02T03:04:05.000Z");
    expect(html).toContain("Test CPU &#38; Co × 4 cores");
    expect(html).toContain("csv:&#60;script&#62;alert(1)&#60;/script&#62;.csv");
    expect(html).toContain("&#39;a b.html&#39;"); // shell-quoted, then escaped
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\b(src|href)=/);
    expect(html).not.toMatch(/NaN|undefined|Infinity/);
  });

  it("handles one epoch, no test set, a recurrent network's shape and an empty run", () => {
    const html = renderReport(run([epoch(1)], {
      model: "rnn", architecture: "binary RNN", shape: { hidden: undefined, state: 60, output: undefined, expansion: 0, horizon: 5, temporalUpdate: "vote" },
      options: { ...run([]).options, epochs: 1 },
    }));
    expect(bodyRows(html)).toBe(1);
    expect(html).not.toContain("<th>test</th>");
    expect(html.match(/<polyline /g)).toHaveLength(4); // train and validation in both charts
    expect(html).toContain("complete: 1 epochs");
    for (const [k, v] of [["state", "60"], ["output", "default"], ["expansion", "0"], ["horizon", "5"], ["temporalUpdate", "vote"]]) {
      expect(html).toContain(`<tr><th>${k}</th><td>${v}</td></tr>`);
    }
    expect(html).not.toContain("<th>hidden</th>");
    expect(html).not.toMatch(/NaN|undefined|Infinity/);
    const empty = renderReport(run([]));
    expect(empty).toContain("No epoch has finished yet.");
    expect(empty).not.toContain("<svg");
    expect(empty).not.toMatch(/NaN|undefined|Infinity/);
  });
});

const cli = join(__dirname, "..", "dist", "cli.js");

describe.skipIf(!existsSync(cli) && !process.env.CI)("bep train --report", () => {
  const dir = mkdtempSync(join(tmpdir(), "bep-report-"));
  const file = join(dir, "report.html");
  // One CLI run writes the report that every test below reads.
  let r: SpawnSyncReturns<string>;
  beforeAll(() => {
    r = spawnSync(process.execPath, [cli, "train", "--data", "prototypes", "--layers", "45", "--epochs", "3", "--report", file], { encoding: "utf8" });
  });
  it("writes an HTML report with one row per epoch and the final test accuracy", () => {
    expect(r.status, r.stderr).toBe(0);
    const final = r.stdout.match(/final test accuracy (\d+\.\d\d%)/)![1];
    const html = readFileSync(file, "utf8");
    expect(html).toMatch(/^<!DOCTYPE html>[^]*<\/html>\n$/);
    expect(bodyRows(html)).toBe(3);
    expect(html).toContain(`<tr><th>final test accuracy</th><td>${final}</td></tr>`);
    expect(html).toContain("complete: 3 epochs");
    expect(html).toContain("1000-45-10 binary MLP");
    expect(readdirSync(dir)).toEqual(["report.html"]); // no temporary file left
  });
  it("refuses --report and --out naming the same file", () => {
    const r = spawnSync(process.execPath, [cli, "train", "--data", "prototypes", "--out", file, "--report", file], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--report and --out name the same file/);
  });
  it.skipIf(!HAS_CHROMIUM)("renders in headless Chromium without errors or requests", async () => {
    await withChromium(async (browser) => {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("pageerror", (e) => problems.push(e.message));
      page.on("console", (m) => void (["error", "warning"].includes(m.type()) && problems.push(m.text())));
      page.on("request", (q) => void (q.url() !== pathToFileURL(file).href && problems.push(`request ${q.url()}`)));
      await page.goto(pathToFileURL(file).href);
      const boxes = await page.$$eval("svg", (svgs) => svgs.map((s) => s.getBoundingClientRect().width));
      expect(boxes).toHaveLength(2);
      for (const w of boxes) expect(w).toBeGreaterThan(200);
      expect(await page.$$eval("table.epochs tbody tr", (rows) => rows.length)).toBe(3);
      expect(problems).toEqual([]);
    });
  });
});
