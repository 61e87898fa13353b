/**
 * Runs in a Web Worker of the browser test: trains the same short MLP run on one thread and on a
 * ThreadPool of 2 (this worker and one nested Web Worker over shared wasm memory) and reports
 * whether the weights are bit-identical, and the epoch times.
 */
import { ThreadPool, Trainer } from "../../src/index";
import { randomPrototypes } from "../../src/data/prototypes";

const scope = globalThis as unknown as { onmessage: (() => void) | null; postMessage(m: unknown): void };
scope.onmessage = async () => {
  try {
    const { train, test } = randomPrototypes({ bits: 300, train: 1500, test: 400, flip: 0.3, seed: 3 });
    const pool = await ThreadPool.create(2, "wasm-simd");
    const run = (threads: 1 | ThreadPool) => {
      const t = new Trainer(train, { hidden: [300, 300], epochs: 3, batchSize: 50, seed: 5, gate: 0.2, backend: "wasm-simd", threads }, test); // 50 × 180k weights: shared steps
      const history = t.run();
      const weights = t.model.layers.map((l) => Array.from(l.H.data)).flat();
      t.free();
      return { weights, accuracy: history.at(-1)!.testAccuracy!, seconds: history.map((m) => m.seconds) };
    };
    const one = run(1), two = run(pool);
    pool.close();
    scope.postMessage({
      identical: one.weights.length > 0 && one.weights.every((v, i) => v === two.weights[i]),
      accuracy: two.accuracy,
      seconds: { one: one.seconds, two: two.seconds },
    });
  } catch (e) {
    scope.postMessage({ error: String((e as Error).stack ?? e) });
  }
};
