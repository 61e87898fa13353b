import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { HAS_CHROMIUM, serveFiles, withChromium } from "./chromium";

const ROOT = join(__dirname, "..", "..");

/** A consumer app as a user writes it: `import … from "bep"`, nothing else configured. */
const APP = `
import { Dataset, Trainer, loadBackend, rowWords } from "bep";

(async () => {
// 600 noisy copies of 4 random 96-bit prototypes (10% of the bits flipped), packed.
const k = 96, words = rowWords(k), n = 600;
let seed = 7;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const protos = Array.from({ length: 4 }, () => Array.from({ length: k }, () => rand() < 0.5));
const bits = new Uint32Array(n * words), labels = new Uint8Array(n);
for (let i = 0; i < n; i++) {
  labels[i] = i % 4;
  for (let j = 0; j < k; j++) if (protos[i % 4][j] !== (rand() < 0.1)) bits[i * words + (j >>> 5)] |= 1 << (j & 31);
}
const data = new Dataset(bits, labels, k, 4, "prototypes");
const backend = await loadBackend("auto");
const trainer = new Trainer(data.subset(Int32Array.from({ length: 500 }, (_, i) => i)), { hidden: [64], epochs: 5, backend, gate: 0.2 },
  data.subset(Int32Array.from({ length: 100 }, (_, i) => 500 + i)));
const history = trainer.run();
const result = { backend: backend.name, testAccuracy: history.at(-1).testAccuracy };
if (typeof document !== "undefined") document.title = JSON.stringify(result);
else console.log(JSON.stringify(result));
})();
`;
const PAGE = '<!doctype html><title>…</title><script type="module" src="app.js"></script>';

/** Loads `files` in Chromium and returns what the page put in its title (a JSON result), with any console errors. */
async function runInChromium(files: Record<string, [string, string | Buffer]>): Promise<{ result: { backend: string; testAccuracy: number }; errors: string[] }> {
  const server = await serveFiles(files);
  try {
    return await withChromium(async (browser) => {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
      await page.goto(server.url);
      await page.waitForFunction(() => document.title.startsWith("{"), null, { timeout: 60_000 });
      return { result: JSON.parse(await page.title()), errors };
    });
  } finally {
    server.close();
  }
}

describe("a consumer app bundled with esbuild (no extra configuration)", () => {
  const dir = mkdtempSync(join(tmpdir(), "bep-consumer-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(ROOT, join(dir, "node_modules", "bep"), "dir");
  writeFileSync(join(dir, "app.js"), APP);
  const bundle = (platform: "node" | "browser") =>
    build({ entryPoints: [join(dir, "app.js")], bundle: true, format: "esm", platform, target: "es2022", write: false, logLevel: "silent", absWorkingDir: dir });

  it("runs in Node", async () => {
    const out = (await bundle("node")).outputFiles[0].text;
    writeFileSync(join(dir, "app.node.mjs"), out);
    const result = JSON.parse(execFileSync(process.execPath, [join(dir, "app.node.mjs")], { encoding: "utf8" }).trim());
    expect(result.backend).toBe("wasm-simd");
    expect(result.testAccuracy).toBeGreaterThan(0.9);
  });

  const inBrowser = it.skipIf(!HAS_CHROMIUM);

  inBrowser("runs in Chromium with no Node built-ins in the bundle", async () => {
    const out = (await bundle("browser")).outputFiles[0].text;
    expect(out).not.toMatch(/from\s*["']node:|require\(["'](node:)?(fs|path|worker_threads)["']\)/);
    const { result, errors } = await runInChromium({ "/": ["text/html", PAGE], "/app.js": ["text/javascript", out] });
    expect(errors).toEqual([]);
    expect(result.backend).toBe("wasm-simd");
    expect(result.testAccuracy).toBeGreaterThan(0.9);
  }, 90_000);

  inBrowser("builds with Vite and runs in Chromium", async () => {
    const { build: viteBuild } = await import("vite");
    writeFileSync(join(dir, "index.html"), PAGE.replace('src="app.js"', 'src="/app.js"'));
    const outDir = join(dir, "vite-dist");
    await viteBuild({ root: dir, logLevel: "silent", configFile: false, build: { outDir, target: "es2022" } });
    const files: Record<string, [string, string | Buffer]> = { "/": ["text/html", readFileSync(join(outDir, "index.html"))] };
    for (const f of readdirSync(join(outDir, "assets"))) files[`/assets/${f}`] = ["text/javascript", readFileSync(join(outDir, "assets", f))];
    const { result, errors } = await runInChromium(files);
    expect(errors).toEqual([]);
    expect(result.testAccuracy).toBeGreaterThan(0.9);
  }, 120_000);

  inBrowser("builds with webpack and runs in Chromium", async () => {
    const webpack = (await import("webpack")).default;
    const outDir = join(dir, "webpack-dist");
    const stats = await new Promise<import("webpack").Stats>((resolve, reject) =>
      webpack({ mode: "production", target: "web", context: dir, entry: "./app.js", output: { path: outDir, filename: "app.js" }, performance: { hints: false } }, (err, st) => (err || !st ? reject(err) : resolve(st))),
    );
    expect(stats.hasErrors(), stats.toString("errors-only")).toBe(false);
    const { result, errors } = await runInChromium({ "/": ["text/html", PAGE.replace(' type="module"', "")], "/app.js": ["text/javascript", readFileSync(join(outDir, "app.js"))] });
    expect(errors).toEqual([]);
    expect(result.testAccuracy).toBeGreaterThan(0.9);
  }, 120_000);
});
