/** The demo page: controls, live accuracy chart, per-backend speed, and draw-to-predict. */
import type { DemoReport, DemoRequest } from "./worker.js";

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const worker = new Worker("worker.js");
const send = (m: DemoRequest): void => worker.postMessage(m);
const history: Extract<DemoReport, { type: "epoch" }>[] = [];
const speeds = new Map<string, number>();
/** Read by the browser tests. */
const state = {
  ready: false, running: false, history, prediction: null as null | { label: number; logits: number[]; pixels: number[] }, errors: [] as string[],
  data: "", model: null as null | { bytes: number; testPredictions: number[] }, speeds: null as null | { backend: string; samplesPerSecond: number }[],
};
(globalThis as unknown as { demo: typeof state }).demo = state;

worker.onmessage = (e: MessageEvent<DemoReport>) => {
  const m = e.data;
  if (m.type === "ready") {
    state.ready = true;
    state.data = m.name;
    $("status").textContent = `${m.name}: ${m.train} training and ${m.test} test samples loaded.`;
  } else if (m.type === "epoch") {
    history.push(m);
    speeds.set(m.backend, m.samplesPerSecond);
    $("s-epoch").textContent = `${m.epoch} / ${m.epochs}`;
    $("s-test").textContent = `${(100 * m.testAccuracy).toFixed(2)}%`;
    $("s-speed").textContent = Math.round(m.samplesPerSecond).toLocaleString();
    $("s-bytes").textContent = `${(m.modelBytes / 1024).toFixed(0)} KiB`;
    $("speeds").textContent = [...speeds].map(([b, s]) => `${b}: ${Math.round(s).toLocaleString()}/s`).join(", ");
    drawChart();
  } else if (m.type === "done") {
    state.running = false;
    $("status").textContent = m.stopped ? "stopped." : "done.";
    ($("start") as HTMLButtonElement).disabled = false;
    ($("stop") as HTMLButtonElement).disabled = true;
  } else if (m.type === "prediction") {
    state.prediction = { label: m.label, logits: m.logits, pixels: m.pixels };
    $("prediction").textContent = String(m.label);
    const max = Math.max(...m.logits.map(Math.abs), 1);
    $("logits").innerHTML = m.logits.map((v, c) => `<div title="${c}: ${v}" style="width:${Math.max(1, (100 * (v + max)) / (2 * max))}px"></div>`).join("");
  } else if (m.type === "prototypes") {
    drawPrototypes(m.classes, m.width, m.values);
  } else if (m.type === "model") {
    state.model = { bytes: m.bytes.length, testPredictions: Array.from(m.testPredictions) };
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([m.bytes as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }));
    a.download = "bep-demo.bepm";
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  } else if (m.type === "speeds") {
    state.speeds = m.speeds;
    const js = m.speeds.find((x) => x.backend === "js")?.samplesPerSecond ?? NaN;
    $("compare-out").textContent = m.speeds.map((x) => `${x.backend}: ${Math.round(x.samplesPerSecond).toLocaleString()}/s (${(x.samplesPerSecond / js).toFixed(1)}× js)`).join(", ");
    ($("compare") as HTMLButtonElement).disabled = false;
  } else {
    state.errors.push(m.message);
    $("status").textContent = `error: ${m.message}`;
  }
};

/** The BEF classifier: one row of ±1 pixels per class. */
function drawPrototypes(classes: number, width: number, values: Int8Array): void {
  const c = $("prototypes") as HTMLCanvasElement, g = c.getContext("2d")!;
  const img = g.createImageData(width, classes);
  values.forEach((v, i) => img.data.set(v > 0 ? [20, 20, 20, 255] : [235, 235, 235, 255], 4 * i));
  c.width = width;
  c.height = classes;
  g.putImageData(img, 0, 0);
}

$("start").onclick = () => {
  const num = (id: string) => Number(($(id) as HTMLInputElement).value);
  history.length = 0;
  speeds.clear();
  state.running = true;
  ($("start") as HTMLButtonElement).disabled = true;
  ($("stop") as HTMLButtonElement).disabled = false;
  $("status").textContent = "training…";
  send({
    type: "start", hidden: Array.from({ length: num("layers") }, () => num("width")), epochs: num("epochs"), gate: num("gate"),
    robustness: num("robustness"), reinforcement: num("reinforcement"), groupSize: num("gamma") || undefined,
    backend: ($("backend") as HTMLSelectElement).value as "wasm-simd",
  });
};
$("stop").onclick = () => send({ type: "stop" });
$("download").onclick = () => send({ type: "download" });
$("compare").onclick = () => {
  ($("compare") as HTMLButtonElement).disabled = true;
  $("compare-out").textContent = "running one epoch per backend…";
  send({ type: "compare", hidden: Array.from({ length: Number(($("layers") as HTMLInputElement).value) }, () => Number(($("width") as HTMLInputElement).value)) });
};

function drawChart(): void {
  const c = $("chart") as HTMLCanvasElement, g = c.getContext("2d")!;
  g.clearRect(0, 0, c.width, c.height);
  const n = Math.max(2, history[0]?.epochs ?? 2), x = (e: number) => 30 + ((c.width - 40) * (e - 1)) / (n - 1), y = (a: number) => c.height - 20 - (c.height - 30) * a;
  g.strokeStyle = "#ccc";
  for (const a of [0.5, 0.8, 0.9, 1]) { g.beginPath(); g.moveTo(30, y(a)); g.lineTo(c.width - 10, y(a)); g.stroke(); g.fillText(`${a * 100}%`, 0, y(a) + 4); }
  const series: [keyof (typeof history)[number], string][] = [["trainAccuracy", "#888"], ["validationAccuracy", "#36c"], ["testAccuracy", "#c33"]];
  for (const [key, color] of series) {
    g.strokeStyle = color;
    g.beginPath();
    history.forEach((m, i) => (i ? g.lineTo : g.moveTo).call(g, x(m.epoch), y(m[key] as number)));
    g.stroke();
  }
}

// Draw-to-predict: a 28 × 28 canvas scaled ×10; pixel values in [0, 1] as in the training digits.
const pad = $("pad") as HTMLCanvasElement, pen = pad.getContext("2d")!;
let drawing = false;
const clear = () => { pen.fillStyle = "black"; pen.fillRect(0, 0, pad.width, pad.height); };
clear();
const at = (e: PointerEvent) => { const r = pad.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
pad.onpointerdown = (e) => { drawing = true; pen.beginPath(); pen.moveTo(...(at(e) as [number, number])); };
pad.onpointermove = (e) => {
  if (!drawing) return;
  pen.strokeStyle = "white"; pen.lineWidth = 22; pen.lineCap = "round";
  pen.lineTo(...(at(e) as [number, number])); pen.stroke();
  requestPredict();
};
pad.onpointerup = pad.onpointerleave = () => { drawing = false; };
$("clear").onclick = () => { clear(); state.prediction = null; $("prediction").textContent = "–"; };
let pending = false;
function requestPredict(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    const small = document.createElement("canvas");
    small.width = small.height = 28;
    const s = small.getContext("2d")!;
    s.drawImage(pad, 0, 0, 28, 28);
    const rgba = s.getImageData(0, 0, 28, 28).data;
    send({ type: "predict", pixels: Array.from({ length: 784 }, (_, i) => rgba[4 * i] / 255) });
  });
}

// Other data: the four MNIST-style IDX files (e.g. Fashion-MNIST), dropped on the page or chosen.
async function useFiles(list: FileList | null): Promise<void> {
  if (list === null || list.length === 0) return;
  const files = await Promise.all(Array.from(list).map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
  state.ready = false;
  $("status").textContent = `reading ${files.length} files…`;
  worker.postMessage({ type: "data", files } satisfies DemoRequest, files.map((f) => f.bytes.buffer));
}
document.body.ondragover = (e) => e.preventDefault();
document.body.ondrop = (e) => {
  e.preventDefault();
  void useFiles(e.dataTransfer?.files ?? null);
};
($("files") as HTMLInputElement).onchange = (e) => void useFiles((e.target as HTMLInputElement).files);
