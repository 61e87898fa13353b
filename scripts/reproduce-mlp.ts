/**
 * `npm run reproduce:mlp`: the paper's MLP protocol (50 epochs, equal hidden widths, fixed BEF
 * classifier, several seeds) on Fashion-MNIST and Random Prototypes, run through `bep train
 * --json`, two processes at a time. Writes docs/results/mlp.md (our mean ± std beside the
 * paper's columns) and docs/results/mlp.json (every run). Finished runs are kept in the JSON
 * and skipped on the next invocation unless --fresh, so a long reproduction can be resumed.
 *
 * Flags: --seeds N (5, as the paper's 5 runs), --epochs N (50), --jobs N (2), --filter <substring of "fashion-mnist L=2 K=525">, --fresh.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT, writeAtomic, machineInfo, machineMarkdown } from "../bench/env.js";
import { BEF_ALPHA } from "../src/model/bef.js";
import { HYPER, PER_DATA, PER_WIDTH, hyper } from "./mlp-hyper.js";

/** The paper's Figure 2 (arXiv:2512.04189 v2), read to about ±0.05: mean, std per method. */
const PAPER: Record<string, Record<string, [number, number][]>> = {
  "fashion-mnist": {
    "2,35": [[82.75, 0.27], [81.66, 0.35], [38.27, 4.11], [82.65, 0.18]],
    "2,135": [[85.03, 0.17], [84.8, 0.3], [59.22, 1.89], [85.22, 0.46]],
    "2,525": [[85.93, 0.11], [85.58, 0.16], [71.76, 1.65], [86.8, 0.28]],
    "3,35": [[82.15, 0.15], [80.93, 0.19], [44.54, 4.7], [82.33, 0.17]],
    "3,135": [[84.65, 0.17], [84.65, 0.05], [62.5, 0.81], [85.62, 0.3]],
    "3,525": [[85.84, 0.12], [85.73, 0.08], [60.76, 1.43], [86.38, 0.26]],
  },
  prototypes: {
    "2,35": [[62.23, 0.57], [56.51, 0.87], [33.6, 1.17], [68.28, 0.81]],
    "2,525": [[77.78, 0.16], [76.68, 0.54], [61.71, 0.85], [74.44, 0.44]],
    "3,35": [[59.16, 0.78], [52.27, 0.9], [16.22, 1.09], [66.29, 0.64]],
    "3,525": [[76.72, 0.42], [76.27, 0.38], [43.58, 1.21], [74.11, 0.46]],
  },
};

/** The hyperparameters of a run and the BEF's α, as part of its key (changing them re-runs it). */
const hyperTag = (data: string, K: number) => [...Object.entries(hyper(data, K)), ["befAlpha", BEF_ALPHA]].map(([k, v]) => `${k}=${v}`).join(" ");

interface Run {
  key: string;
  data: string;
  layers: number[];
  seed: number;
  epochs: number;
  testAccuracy: number;
  validationAccuracy: number;
  seconds: number;
  backend: string;
}

const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "5" },
    epochs: { type: "string", default: "50" },
    jobs: { type: "string", default: String(Math.max(1, Math.min(2, cpus().length))) },
    filter: { type: "string", default: "" },
    fresh: { type: "boolean", default: false },
  },
});
const seeds = Number(values.seeds), epochs = Number(values.epochs), jobs = Number(values.jobs);
for (const [k, v] of Object.entries({ seeds, epochs, jobs })) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${k} must be a positive integer`);
}
const jsonFile = join(ROOT, "docs/results/mlp.json");
const previous: Run[] = !values.fresh && existsSync(jsonFile) ? (JSON.parse(readFileSync(jsonFile, "utf8")) as { runs: Run[] }).runs : [];
const done = new Map(previous.map((r) => [r.key, r]));

const configs = Object.entries(PAPER).flatMap(([data, rows]) =>
  Object.keys(rows).map((lk) => {
    const [L, K] = lk.split(",").map(Number);
    return { data, L, K, label: `${data} L=${L} K=${K}` };
  }),
).filter((c) => c.label.includes(values.filter));
const todo = configs.flatMap((c) => Array.from({ length: seeds }, (_, i) => ({ ...c, seed: i + 1 })))
  .map((t) => ({ ...t, key: `${t.data} L=${t.L} K=${t.K} seed=${t.seed} epochs=${epochs} ${hyperTag(t.data, t.K)}` }))
  .filter((t) => !done.has(t.key));
console.log(`reproduce:mlp: ${configs.length} configurations × ${seeds} seeds, ${epochs} epochs; ${todo.length} runs to do, ${jobs} at a time`);

function runOne(t: (typeof todo)[number]): Promise<Run> {
  const args = [
    "dist/cli.js", "train", "--data", t.data, "--layers", Array(t.L).fill(t.K).join(","), "--epochs", String(epochs), "--seed", String(t.seed), "--json",
    ...Object.entries(hyper(t.data, t.K)).flatMap(([k, v]) => [`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, String(v)]),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => {
      const summary = out.trim().split("\n").map((l) => JSON.parse(l)).find((o) => o.type === "summary");
      if (code !== 0 || !summary) return reject(new Error(`${t.key}: exit ${code}: ${err.trim()}`));
      resolve({ key: t.key, data: t.data, layers: summary.layers, seed: t.seed, epochs, testAccuracy: summary.testAccuracy, validationAccuracy: summary.validationAccuracy, seconds: summary.seconds, backend: summary.backend });
    });
  });
}

const t0 = Date.now();
let next = 0, finished = 0;
async function worker(): Promise<void> {
  while (next < todo.length) {
    const t = todo[next++];
    const r = await runOne(t);
    done.set(r.key, r);
    finished++;
    console.log(`[${finished}/${todo.length}] ${t.key}: test ${(r.testAccuracy * 100).toFixed(2)}% (${r.seconds.toFixed(0)} s)`);
    save();
  }
}

function meanStd(xs: number[]): [number, number] {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.length > 1 ? xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1) : 0;
  return [m, Math.sqrt(v)];
}

function save(): void {
  const runs = [...done.values()];
  writeAtomic(jsonFile, JSON.stringify({ machine: machineInfo(), runs }, null, 2) + "\n");
  const fmt = ([m, s]: [number, number]) => `${m.toFixed(2)} ± ${s.toFixed(2)}`;
  const lines = [
    "# MLP results: BEP on Fashion-MNIST and Random Prototypes",
    "",
    `Generated by \`npm run reproduce:mlp\` (scripts/reproduce-mlp.ts). Test accuracy (%), mean ± sample std over seeds 1..${seeds}, ${epochs} epochs.`,
    "Paper columns: arXiv:2512.04189 v2, Figure 2 (5 runs; read to about ±0.05). \"ok\" = our mean ≥ paper BEP mean − 1 paper std.",
    "",
    `Hyperparameters (all runs): bs ${HYPER.batch}, r ${HYPER.robustness}, p_r ${HYPER.reinforcement}, patience ${HYPER.patience}, σ_init ${HYPER.sigmaInit}; ` +
      `per width K: ${Object.entries(PER_WIDTH).map(([k, v]) => `K=${k}: ν ${v.gate}, γ_0 ${v.groupSize}`).join("; ")}; ` +
      `per dataset: ${Object.entries(PER_DATA).map(([k, v]) => `${k.replace(":", " K=")}: ${[v.gate === undefined ? "" : `ν ${v.gate}`, v.clip === undefined ? "" : `clip ±${v.clip}`].filter(Boolean).join(", ")}`).join("; ")}.`,
    `validation = 10% of the training set (seeded), BEF α ${BEF_ALPHA} with 50·C·K proposals; inputs median-binarised (Fashion-MNIST); Random Prototypes regenerated per seed.`,
    "",
    "| data | L | K | ours (n) | paper BEP | local rule | QAT no BN | QAT + BN | ok | s / run |",
    "|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const c of configs) {
    const rs = runs.filter((r) => r.key.startsWith(`${c.data} L=${c.L} K=${c.K} seed=`) && r.key.endsWith(`epochs=${epochs} ${hyperTag(c.data, c.K)}`));
    const paper = PAPER[c.data][`${c.L},${c.K}`];
    if (rs.length === 0) {
      lines.push(`| ${c.data} | ${c.L} | ${c.K} | (not run) | ${paper.map(fmt).join(" | ")} | | |`);
      continue;
    }
    const ours = meanStd(rs.map((r) => r.testAccuracy * 100));
    const ok = ours[0] >= paper[0][0] - paper[0][1] ? "yes" : `no (${(ours[0] - paper[0][0]).toFixed(2)})`;
    const secs = rs.reduce((a, r) => a + r.seconds, 0) / rs.length;
    lines.push(`| ${c.data} | ${c.L} | ${c.K} | ${fmt(ours)} (${rs.length}) | ${paper.map(fmt).join(" | ")} | ${ok} | ${secs.toFixed(0)} |`);
  }
  lines.push("", "## Machine", "", machineMarkdown(machineInfo()), "");
  writeAtomic(join(ROOT, "docs/results/mlp.md"), lines.join("\n"));
}

await Promise.all(Array.from({ length: Math.min(jobs, todo.length) }, worker));
save();
console.log(`reproduce:mlp: done in ${((Date.now() - t0) / 1000).toFixed(0)} s → docs/results/mlp.md`);
