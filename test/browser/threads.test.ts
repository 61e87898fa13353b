import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { build } from "esbuild";

const CHROMIUM = "/usr/bin/chromium";

/**
 * Multi-threaded training in a real browser (Debian Chromium, headless): a cross-origin-isolated
 * page (COOP/COEP, so SharedArrayBuffer exists) starts a Web Worker that trains on one thread and
 * on ThreadPool.create(2) — a nested Web Worker over shared wasm memory — and compares weights.
 */
describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)("threads in a browser (Web Workers)", () => {
  it("a ThreadPool of Web Workers trains bit-identically to one thread", async () => {
    const bundle = await build({
      entryPoints: [join(__dirname, "threads-worker.ts")], bundle: true, format: "iife", platform: "browser", target: "es2022", write: false, logLevel: "warning",
    });
    const files: Record<string, [string, string]> = {
      "/": ["text/html", "<!doctype html><title>bep threads</title><script src=\"page.js\"></script>"],
      "/page.js": ["text/javascript", "const w = new Worker('worker.js'); w.onmessage = (e) => { window.result = e.data; }; w.onerror = (e) => { window.result = { error: e.message }; }; w.postMessage('go');"],
      "/worker.js": ["text/javascript", bundle.outputFiles[0].text],
    };
    const server: Server = createServer((req, res) => {
      const file = files[req.url ?? ""];
      if (file === undefined) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": file[0], "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" }).end(file[1]);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu"] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, null, { timeout: 90_000 });
      const result = await page.evaluate(() => (window as unknown as { result: { identical?: boolean; accuracy?: number; error?: string } }).result);
      expect(result.error).toBeUndefined();
      expect(result.identical).toBe(true);
      expect(result.accuracy).toBeGreaterThan(0.3);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      server.close();
    }
  }, 120_000);
});
