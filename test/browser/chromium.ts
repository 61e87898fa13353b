/** Shared by the browser tests: Debian's headless Chromium (never a download) and a tiny static server. */
import { existsSync } from "node:fs";
import { createServer, type OutgoingHttpHeaders } from "node:http";
import type { Browser } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
/** Browser tests run where Chromium is installed, and always in CI (.ci/run installs it). */
export const HAS_CHROMIUM = existsSync(CHROMIUM) || Boolean(process.env.CI);
/** COOP/COEP: a cross-origin-isolated page, where SharedArrayBuffer exists. */
export const ISOLATED: OutgoingHttpHeaders = { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" };

/** Serves `files` (URL path → [content type, body]) on 127.0.0.1 with `headers`; returns its URL and a close(). */
export async function serveFiles(files: Record<string, [string, string | Buffer]>, headers: OutgoingHttpHeaders = {}): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => {
    const file = files[req.url ?? ""];
    if (file === undefined) res.writeHead(req.url === "/favicon.ico" ? 204 : 404).end();
    else res.writeHead(200, { "content-type": file[0], ...headers }).end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, close: () => void server.close() };
}

/** Runs `fn` with a fresh headless Chromium, closed afterwards. */
export async function withChromium<T>(fn: (browser: Browser) => Promise<T>): Promise<T> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu"] });
  try {
    return await fn(browser);
  } finally {
    await browser.close();
  }
}
