import { describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildDemo, serveDemo } from "../../scripts/demo";
import { decodeDigits } from "../../src/demo/digits";
import { deserializeModel } from "../../src/io/model-file";
import { Mlp, encode, loadBackendSync } from "../../src/index";
import { fashionMnistDirs } from "../../src/data/sources";
import { HAS_CHROMIUM, withChromium } from "./chromium";

/** Where the test leaves its screenshot (gitignored). */
const ARTIFACTS = join(__dirname, "..", "..", "test-artifacts");

type DemoState = {
  ready: boolean; running: boolean; history: { testAccuracy: number; backend: string }[]; prediction: { label: number; logits: number[]; pixels: number[] } | null; errors: string[];
  model: { bytes: number; testPredictions: number[] } | null; speeds: { backend: string; samplesPerSecond: number }[] | null;
};

describe.skipIf(!HAS_CHROMIUM)("the demo page in headless Chromium", () => {
  it("trains to ≥ 90% test accuracy within 60 s, predicts a drawn digit, its model file predicts the same in Node, compares backends", async () => {
    const dir = await buildDemo(join(mkdtempSync(join(tmpdir(), "bep-demo-")), "demo"));
    const server = await serveDemo(dir, 0);
    try {
      await withChromium(async (browser) => {
        const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));
        page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
        await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
        const demo = () => page.evaluate(() => (globalThis as unknown as { demo: DemoState }).demo);
        await page.waitForFunction(() => (globalThis as unknown as { demo: DemoState }).demo.ready, null, { timeout: 30_000 });
        const t0 = Date.now();
        await page.click("#start");
        await page.waitForFunction(() => {
          const d = (globalThis as unknown as { demo: DemoState }).demo;
          return d.errors.length > 0 || d.history.some((m) => m.testAccuracy >= 0.9);
        }, null, { timeout: 60_000 });
        const seconds = (Date.now() - t0) / 1000;
        const afterTraining = await demo();
        const first = afterTraining.history.find((m) => m.testAccuracy >= 0.9);
        console.log(`demo: ${(100 * (first?.testAccuracy ?? 0)).toFixed(2)}% test accuracy after ${afterTraining.history.length} epochs, ${seconds.toFixed(1)} s after Start`);
        expect(afterTraining.errors).toEqual([]);
        expect(seconds).toBeLessThan(60);
        expect(afterTraining.history.at(-1)!.backend).toBe("wasm-simd");

        // Stop, download the model, and draw a "1" (a vertical stroke down the middle of the pad).
        await page.click("#stop");
        await page.waitForFunction(() => !(globalThis as unknown as { demo: DemoState }).demo.running, null, { timeout: 30_000 });
        const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
        const bytes = readFileSync((await download.path())!);
        const pad = (await page.locator("#pad").boundingBox())!;
        await page.mouse.move(pad.x + 140, pad.y + 40);
        await page.mouse.down();
        for (let y = 40; y <= 240; y += 10) await page.mouse.move(pad.x + 140, pad.y + y);
        await page.mouse.up();
        await page.waitForFunction(() => (globalThis as unknown as { demo: DemoState }).demo.prediction !== null, null, { timeout: 10_000 });
        const { prediction, model: pageModel } = await demo();
        expect(prediction!.logits).toHaveLength(10);
        expect(prediction!.pixels.filter((v) => v > 0.5).length).toBeGreaterThan(20);

        // The downloaded model file loads in Node, predicts the test digits as the page's model did,
        // and gives the drawing the page's logits and class.
        expect(bytes.length).toBe(pageModel!.bytes);
        const loaded = deserializeModel(new Uint8Array(bytes), download.suggestedFilename(), loadBackendSync("wasm-simd"));
        const { test } = decodeDigits(new Uint8Array(readFileSync(join(dir, "digits.bin"))));
        expect(loaded.model).toBeInstanceOf(Mlp);
        const model = loaded.model as Mlp;
        expect(Array.from(model.predict(test))).toEqual(pageModel!.testPredictions);
        const drawing = encode(loaded.encoder!, { x: Float32Array.from(prediction!.pixels), labels: new Uint8Array(1), features: 784, classes: 10, name: "drawing" });
        const node = model.logits(drawing);
        expect(Array.from(node.logits)).toEqual(prediction!.logits);
        expect(node.predictions[0]).toBe(prediction!.label);

        // One epoch per backend, side by side.
        await page.click("#compare");
        await page.waitForFunction(() => (globalThis as unknown as { demo: DemoState }).demo.speeds !== null, null, { timeout: 60_000 });
        const speeds = Object.fromEntries((await demo()).speeds!.map((x) => [x.backend, x.samplesPerSecond]));
        expect(Object.keys(speeds).sort()).toEqual(["js", "wasm-scalar", "wasm-simd"]);
        expect(speeds["wasm-simd"]).toBeGreaterThan(speeds.js);
        expect(await page.textContent("#compare-out")).toMatch(/wasm-simd: [\d,]+\/s \([\d.]+× js\)/);

        mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: join(ARTIFACTS, "demo.png") });
        expect(errors).toEqual([]);
      });
    } finally {
      server.close();
    }
  }, 120_000);

  const fashion = fashionMnistDirs().find((d) => existsSync(join(d, "train-images-idx3-ubyte.gz")));
  it.skipIf(fashion === undefined && !process.env.CI)("trains on Fashion-MNIST IDX files given to the page", async () => {
    const dir = await buildDemo(join(mkdtempSync(join(tmpdir(), "bep-demo-")), "demo"));
    const server = await serveDemo(dir, 0);
    try {
      await withChromium(async (browser) => {
        const page = await browser.newPage();
        await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
        const demo = () => page.evaluate(() => (globalThis as unknown as { demo: DemoState & { data: string } }).demo);
        await page.waitForFunction(() => (globalThis as unknown as { demo: DemoState }).demo.ready, null, { timeout: 30_000 });
        await page.setInputFiles("#files", readdirSync(fashion!).filter((f) => f.endsWith("-ubyte.gz")).map((f) => join(fashion!, f)));
        await page.waitForFunction(() => (globalThis as unknown as { demo: DemoState & { data: string } }).demo.data === "dropped IDX files", null, { timeout: 60_000 });
        expect(await page.textContent("#status")).toMatch(/60000 training and 10000 test samples/);
        await page.fill("#epochs", "2");
        await page.click("#start");
        await page.waitForFunction(() => !(globalThis as unknown as { demo: DemoState }).demo.running, null, { timeout: 60_000 });
        const state = await demo();
        expect(state.errors).toEqual([]);
        expect(state.history).toHaveLength(2);
        expect(state.history[1].testAccuracy).toBeGreaterThan(0.8); // 784-525-525 after 2 epochs: ~83%
      });
    } finally {
      server.close();
    }
  }, 120_000);
});
