/**
 * `bep train --report <file>`: a self-contained HTML report of a training run (inline CSS and SVG
 * charts, no scripts, no external assets; a Content-Security-Policy forbids any fetch). bep.ts
 * rewrites it after every epoch, so an interrupted run leaves a valid report of its epochs so far.
 */
import { cpus } from "node:os";
import type { EpochMetrics } from "../train/trainer.js";

/** What a report shows: the run's setup and the metrics of its epochs so far. */
export interface ReportData {
  /** The command line after `bep` (e.g. ["train", "--data", "prototypes"]), shown shell-quoted. */
  command?: readonly string[];
  /** The data source as given (--data). */
  source: string;
  /** What one sample is, e.g. "samples of 784 bits". */
  description?: string;
  /** Sizes of the splits and the number of classes. */
  split: { train: number; validation: number; test: number; classes: number };
  /** "mlp" or "rnn". */
  model: string;
  /** The architecture in one line, e.g. "784-525-525-10 binary MLP". */
  architecture: string;
  /** Trained weights. */
  parameters?: number;
  /** The architecture options (Trainer.shape): hidden widths, or state, output, expansion, horizon. */
  shape: Readonly<Record<string, unknown>>;
  /** The training options (Trainer.options). */
  options: Readonly<Record<string, unknown>>;
  backend: string;
  threads: number;
  /** Metrics of the epochs run so far, in order. */
  metrics: readonly EpochMetrics[];
  /** Wall time of the run so far, in seconds. */
  seconds: number;
  /** When the run started (default: now). */
  started?: Date;
  /** The machine (default: this one). */
  machine?: { cpu: string; cores: number; node: string; v8: string };
  /** The bep version, if known. */
  version?: string;
}

/** The HTML report of `run`: one self-contained page with charts, a per-epoch table and the run's setup. */
export function renderReport(run: ReportData): string {
  const m = run.metrics;
  const last = m.at(-1);
  const planned = typeof run.options.epochs === "number" ? run.options.epochs : undefined;
  const machine = run.machine ?? { cpu: cpus()[0]?.model.trim() ?? "unknown", cores: cpus().length, node: process.version, v8: process.versions.v8 };
  const started = run.started ?? new Date();
  const hasTest = m.some((e) => e.testAccuracy !== undefined);
  const status = last === undefined
    ? "no epoch finished yet"
    : planned !== undefined && last.epoch < planned ? `running or interrupted: epoch ${last.epoch} of ${planned}` : `complete: ${last.epoch} epochs`;
  const series = (f: (a: number) => number): Series[] => [
    { label: "train", color: "#1f77b4", points: m.map((e) => [e.epoch, f(e.trainAccuracy)]) },
    { label: "validation", color: "#ff7f0e", points: m.map((e) => [e.epoch, f(e.validationAccuracy)]) },
    ...(hasTest ? [{ label: "test", color: "#2ca02c", points: m.filter((e) => e.testAccuracy !== undefined).map((e): [number, number] => [e.epoch, f(e.testAccuracy!)]) }] : []),
  ];
  const rows = m.map((e) =>
    `<tr><td>${e.epoch}</td><td>${pct(e.trainAccuracy)}</td><td>${pct(e.validationAccuracy)}</td>` +
    (hasTest ? `<td>${e.testAccuracy === undefined ? "" : pct(e.testAccuracy)}</td>` : "") +
    `<td>${pct(e.activeFraction)}</td><td>${e.updatedNeurons}</td><td>${esc(e.groupSizes.join(","))}</td><td>${e.seconds.toFixed(2)}</td></tr>`);
  const summary: [string, string][] = [
    ["status", status],
    ["final test accuracy", last?.testAccuracy === undefined ? "—" : pct(last.testAccuracy)],
    ["final validation accuracy", last === undefined ? "—" : pct(last.validationAccuracy)],
    ["best validation accuracy", last === undefined ? "—" : `${pct(Math.max(...m.map((e) => e.validationAccuracy)))} (epoch ${m.reduce((b, e) => (e.validationAccuracy > b.validationAccuracy ? e : b)).epoch})`],
    ["total wall time", `${run.seconds.toFixed(1)} s`],
  ];
  const setup: [string, string][] = [
    ...(run.command ? [["command", `bep ${run.command.map(shellQuote).join(" ")}`] as [string, string]] : []),
    ["model", run.model],
    ["architecture", run.architecture + (run.parameters === undefined ? "" : ` (${run.parameters} weights)`)],
    ["data source", run.source],
    ...(run.description ? [["samples", run.description] as [string, string]] : []),
    ["split", `${run.split.train} train, ${run.split.validation} validation, ${run.split.test} test; ${run.split.classes} classes`],
    ["backend", run.backend],
    ["threads", String(run.threads)],
  ];
  // A recurrent network's unset shape options are shown as "default"; an MLP has only hidden widths.
  const hyper: [string, string][] = [
    ...Object.entries(run.shape).filter(([k, v]) => v !== undefined || (run.model === "rnn" && k !== "hidden")).map(([k, v]): [string, string] => [k, value(v)]),
    ...Object.entries(run.options).map(([k, v]): [string, string] => [k, value(v)]),
  ];
  const env: [string, string][] = [
    ["started", started.toISOString()],
    ["CPU", `${machine.cpu} × ${machine.cores} cores`],
    ["Node", machine.node],
    ["V8", machine.v8],
    ...(run.version ? [["bep", run.version] as [string, string]] : []),
  ];
  const title = `bep train: ${run.source}, ${run.architecture}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
:root { color-scheme: light dark; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 60rem; padding: 0 1rem; }
h1 { font-size: 1.35rem; margin-bottom: .25rem; }
h2 { font-size: 1.1rem; margin-top: 1.75rem; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: .2rem .6rem; border-bottom: 1px solid #8884; text-align: left; vertical-align: top; }
table.epochs td { text-align: right; }
table.epochs th { text-align: right; position: sticky; top: 0; background: Canvas; }
table.kv th { font-weight: 600; white-space: nowrap; }
code { font-size: 90%; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
.charts svg { flex: 1 1 24rem; max-width: 36rem; height: auto; }
svg text { fill: currentColor; font: 13px system-ui, sans-serif; }
.muted { opacity: .7; }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="muted">${esc(status)}; report written ${esc(new Date().toISOString())}</p>
${kv(summary)}
<h2>Accuracy and error per epoch</h2>
${last === undefined ? "<p>No epoch has finished yet.</p>" : `<div class="charts">
${lineChart("Accuracy", series((a) => a))}
${lineChart("Error (1 − accuracy)", series((a) => 1 - a))}
</div>`}
<h2>Epochs</h2>
<table class="epochs">
<thead><tr><th>epoch</th><th>train</th><th>validation</th>${hasTest ? "<th>test</th>" : ""}<th>active samples</th><th>updated neurons</th><th>γ</th><th>seconds</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
<h2>Run</h2>
${kv(setup)}
<h2>Hyperparameters</h2>
${kv(hyper)}
<h2>Machine</h2>
${kv(env)}
</body>
</html>
`;
}

interface Series {
  label: string;
  color: string;
  points: [number, number][];
}

/** Escapes text for HTML content and attribute values. */
function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A fraction as a percentage with two decimals ("85.20%"), as every bep command prints accuracies. */
export function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

function value(v: unknown): string {
  if (v === undefined) return "default";
  if (Array.isArray(v)) return v.join(",");
  return String(v);
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function kv(rows: [string, string][]): string {
  return `<table class="kv">\n${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("\n")}\n</table>`;
}

/** A step of 1, 2 or 5 × 10^k near span / count. */
function niceStep(span: number, count: number): number {
  const raw = span / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((f) => f * p).find((s) => s >= raw) ?? 10 * p;
}

/** Ticks from lo to hi (multiples of step), with a little slack for rounding. */
function ticks(lo: number, hi: number, step: number): number[] {
  const out: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) out.push(Math.round(t / step) * step);
  return out;
}

/** An SVG line chart of fractions in [0, 1] over epochs, with axes, ticks, a grid and a legend. */
function lineChart(title: string, series: Series[]): string {
  const W = 560, H = 300, left = 56, right = 16, top = 48, bottom = 44;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  let x0 = Math.min(...xs), x1 = Math.max(...xs);
  if (x0 === x1) { x0 -= 1; x1 += 1; }
  let y0 = Math.min(...ys), y1 = Math.max(...ys);
  if (y1 - y0 < 0.01) { y0 -= 0.005; y1 += 0.005; }
  const yStep = niceStep(y1 - y0, 5);
  y0 = Math.max(0, Math.floor(y0 / yStep) * yStep);
  y1 = Math.min(1, Math.ceil(y1 / yStep) * yStep);
  const xStep = Math.max(1, niceStep(x1 - x0, 8));
  const px = (x: number) => (left + ((x - x0) / (x1 - x0)) * (W - left - right)).toFixed(1);
  const py = (y: number) => (top + (1 - (y - y0) / (y1 - y0)) * (H - top - bottom)).toFixed(1);
  const digits = Math.max(0, -Math.floor(Math.log10(yStep * 100) + 1e-9));
  const out: string[] = [
    `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">`,
    `<text x="${left}" y="16" font-weight="600">${esc(title)}</text>`,
  ];
  for (const t of ticks(y0, y1, yStep)) {
    out.push(`<line x1="${left}" x2="${W - right}" y1="${py(t)}" y2="${py(t)}" stroke="currentColor" stroke-opacity="0.15"/>`,
      `<text x="${left - 6}" y="${py(t)}" text-anchor="end" dominant-baseline="middle">${(t * 100).toFixed(digits)}%</text>`);
  }
  for (const t of ticks(x0, x1, xStep).filter(Number.isInteger)) {
    out.push(`<line x1="${px(t)}" x2="${px(t)}" y1="${H - bottom}" y2="${H - bottom + 5}" stroke="currentColor"/>`,
      `<text x="${px(t)}" y="${H - bottom + 17}" text-anchor="middle">${t}</text>`);
  }
  out.push(`<path d="M${left} ${top}V${H - bottom}H${W - right}" fill="none" stroke="currentColor"/>`,
    `<text x="${(left + W - right) / 2}" y="${H - 6}" text-anchor="middle">epoch</text>`);
  series.forEach((s, i) => {
    const lx = left + i * 120;
    out.push(`<line x1="${lx}" x2="${lx + 22}" y1="34" y2="34" stroke="${s.color}" stroke-width="2.5"/>`,
      `<text x="${lx + 28}" y="34" dominant-baseline="middle">${esc(s.label)}</text>`);
    if (s.points.length === 0) return;
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" stroke-linejoin="round" points="${s.points.map(([x, y]) => `${px(x)},${py(y)}`).join(" ")}"/>`);
    if (s.points.length <= 100) {
      for (const [x, y] of s.points) out.push(`<circle cx="${px(x)}" cy="${py(y)}" r="2.5" fill="${s.color}"><title>epoch ${x}, ${esc(s.label)}: ${pct(y)}</title></circle>`);
    }
  });
  out.push("</svg>");
  return out.join("\n");
}
