import { describe, expect, it } from "vitest";
import { Mlp, ParallelStepper, Stepper, ThreadPool, Trainer, loadBackendSync, type BackendName } from "../src/index";
import { randomPrototypes } from "../src/data/prototypes";

describe("multi-threaded training (ThreadPool)", () => {
  const { train, test } = randomPrototypes({ bits: 300, train: 1500, test: 400, flip: 0.3, seed: 3 });

  /** A short run's metrics (without timings) and every hidden weight. */
  // Wide enough that a step (batch × weights ≥ 2^23 binary MACs) is shared among the threads.
  const run = (threads: number | ThreadPool, backend: BackendName = "wasm-simd", batchSize = 50, hidden = [300, 300, 70]) => {
    const t = new Trainer(train, { hidden, epochs: 3, batchSize, seed: 5, backend, gate: 0.2, threads }, test);
    const history = t.run().map(({ seconds: _, ...m }) => m);
    const hidden_ = t.model.layers.map((l) => Array.from(l.H.data));
    const predictions = Array.from(t.model.predict(test));
    t.free();
    return { history, hidden: hidden_, predictions };
  };

  it("gives bit-identical models, metrics and predictions for 1, 2 and 3 threads", () => {
    const one = run(1);
    expect(one.history.at(-1)!.testAccuracy).toBeGreaterThan(0.3);
    expect(run(2)).toEqual(one);
    expect(run(3)).toEqual(one);
    expect(run(2, "wasm-scalar")).toEqual(run(1, "js"));
  });

  it.each([
    { batch: 50, rows: 3, label: "17 chunks of ≤ 3 samples" },
    { batch: 7, rows: 3, label: "an odd batch" },
    { batch: 2, rows: 1, label: "fewer samples than threads" },
    { batch: 1, rows: 1, label: "batch 1" },
  ])("steps equal Stepper's, step by step, on 3 threads: $label (results and every weight)", ({ batch, rows }) => {
    const pool = new ThreadPool(3, "wasm-simd");
    try {
      const options = { inputs: 300, hidden: [63, 300, 70], classes: 10, seed: 9 }; // layer 2: 3 update units of ≤ 128 rows
      const shared = new Mlp(pool.backend, 10, options), alone = new Mlp(loadBackendSync("js"), 10, options);
      // minMacs 0: every step is shared among the threads, however small.
      const parallel = new ParallelStepper(pool, shared, batch, rows, 0), single = new Stepper(alone, batch, rows);
      const order = Int32Array.from({ length: train.n }, (_, i) => (i * 7919) % train.n);
      let active = 0;
      for (let step = 0; step < 12; step++) {
        // A clip on some steps: the helpers must follow each change of the settings.
        const settings = { robustness: 0.5, gate: 0.2, groupSizes: step < 6 ? [7, 20, 7] : [3, 1, 2], ...(step % 3 === 2 ? { clip: 40 } : {}) };
        const got = parallel.step(train, order, step * batch, batch, settings);
        const want = single.step(train, order, step * batch, batch, { ...settings });
        expect(got, `step ${step}`).toEqual(want);
        active += want.active;
        shared.layers.forEach((l, i) => expect(Array.from(l.H.data), `step ${step}, layer ${i + 1}`).toEqual(Array.from(alone.layers[i].H.data)));
      }
      expect(active).toBeGreaterThan(0);
      expect(Array.from(parallel.predict(test))).toEqual(Array.from(alone.predict(test)));
      parallel.free();
      single.free();
    } finally {
      pool.close();
    }
  });

  it("small steps (batch × weights < 2^23) run on the training thread alone, with the same result", () => {
    expect(run(2, "wasm-simd", 7, [33, 65])).toEqual(run(1, "wasm-simd", 7, [33, 65]));
  });

  it("reuses a pool across trainers, and refuses models that are not on its backend", () => {
    const pool = new ThreadPool(2, "wasm-simd");
    try {
      expect(run(pool)).toEqual(run(1));
      expect(run(pool)).toEqual(run(1));
      const elsewhere = new Mlp(new ThreadPool(1, "wasm-simd").backend, 10, { inputs: 300, hidden: [300, 300, 70], classes: 10 });
      expect(() => new Trainer(train, { hidden: [300, 300, 70], threads: pool, model: elsewhere })).toThrow(/must live on the thread pool's backend/);
    } finally {
      pool.close();
    }
  });

  it("rejects bad thread options with a clear message", () => {
    expect(() => new Trainer(train, { hidden: [35], threads: 0 })).toThrow(/^threads must be an integer in \[1, 256\], got 0$/);
    expect(() => new Trainer(train, { hidden: [35], threads: 2, backend: "js" })).toThrow(/threads need a WebAssembly backend/);
  });
});
