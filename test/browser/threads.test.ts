import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { build } from "esbuild";
import { HAS_CHROMIUM, ISOLATED, serveFiles, withChromium } from "./chromium";

/**
 * Multi-threaded training in a real browser (Debian Chromium, headless): a cross-origin-isolated
 * page (COOP/COEP, so SharedArrayBuffer exists) starts a Web Worker that trains on one thread and
 * on ThreadPool.create(2) — a nested Web Worker over shared wasm memory — and compares weights.
 */
describe.skipIf(!HAS_CHROMIUM)("threads in a browser (Web Workers)", () => {
  it("a ThreadPool of Web Workers trains bit-identically to one thread", async () => {
    const bundle = await build({
      entryPoints: [join(__dirname, "threads-worker.ts")], bundle: true, format: "iife", platform: "browser", target: "es2022", write: false, logLevel: "warning",
    });
    const server = await serveFiles({
      "/": ["text/html", "<!doctype html><title>bep threads</title><script src=\"page.js\"></script>"],
      "/page.js": ["text/javascript", "const w = new Worker('worker.js'); w.onmessage = (e) => { window.result = e.data; }; w.onerror = (e) => { window.result = { error: e.message }; }; w.postMessage('go');"],
      "/worker.js": ["text/javascript", bundle.outputFiles[0].text],
    }, ISOLATED);
    try {
      await withChromium(async (browser) => {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));
        await page.goto(server.url);
        expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
        await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, null, { timeout: 90_000 });
        const result = await page.evaluate(() => (window as unknown as { result: { identical?: boolean; accuracy?: number; error?: string } }).result);
        expect(result.error).toBeUndefined();
        expect(result.identical).toBe(true);
        expect(result.accuracy).toBeGreaterThan(0.3);
        expect(errors).toEqual([]);
      });
    } finally {
      server.close();
    }
  }, 120_000);
});
