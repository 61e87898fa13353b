/**
 * A pool of helper threads (Node worker_threads or browser Web Workers) that train together with
 * the calling thread over one shared-memory WASM backend. The helpers run the bundled worker
 * (worker.ts, inlined as text by the build, so no asset path is needed) and take commands
 * through a Channel each. The calling thread blocks in Atomics.wait while helpers work: in a
 * browser, train in a Web Worker, not on the page's main thread.
 */
import { createSharedBackend, type Backend, type BackendChoice } from "../kernels/backend.js";
import type { SharedKernels } from "../kernels/wasm.js";
import { Channel, PING, QUIT } from "./channel.js";
import { WORKER_CODE } from "./worker-code.generated.js";

/** What a helper thread receives when it starts. */
export interface HelperInit {
  shared: SharedKernels;
  control: SharedArrayBuffer;
}

/** Milliseconds a new helper thread may take to start. */
const START_MS = 60_000;

interface Helper {
  terminate(): unknown;
}

/** `threads` threads (this one and threads − 1 helpers) over one shared-memory backend. */
export class ThreadPool {
  /** The shared-memory backend: models trained by the pool must live on it. */
  readonly backend: Backend;
  /** One channel per helper thread. */
  readonly channels: Channel[] = [];
  private readonly helpers: Helper[] = [];
  private closed = false;

  /**
   * Starts threads − 1 helpers and blocks until they run (fine in Node and inside a Web Worker in
   * Chromium-based browsers; elsewhere use ThreadPool.create, which waits without blocking).
   */
  constructor(readonly threads: number, choice: BackendChoice = "auto", block = true) {
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new RangeError(`threads must be an integer in [1, 256], got ${threads}`);
    const { backend, shared } = createSharedBackend(choice);
    this.backend = backend;
    try {
      for (let h = 1; h < threads; h++) {
        const channel = new Channel();
        this.helpers.push(spawn({ shared, control: channel.control.buffer as SharedArrayBuffer }));
        this.channels.push(channel);
      }
      this.all((ch) => ch.post(PING));
      if (block) for (const ch of this.channels) ch.wait(START_MS);
    } catch (e) {
      this.terminate();
      throw e;
    }
  }

  /** A pool whose helpers have started, waiting for them without blocking this thread (e.g. where workers start only while it returns to its event loop). */
  static async create(threads: number, choice: BackendChoice = "auto"): Promise<ThreadPool> {
    const pool = new ThreadPool(threads, choice, false);
    const until = performance.now() + START_MS;
    while (!pool.channels.every((ch) => ch.answered())) {
      if (performance.now() > until) {
        pool.terminate();
        throw new Error(`bep threads: helper threads did not start within ${START_MS} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    for (const ch of pool.channels) ch.wait();
    return pool;
  }

  /** Calls `fn` with each helper's channel and index (0-based among the helpers). */
  all(fn: (channel: Channel, helper: number) => void): void {
    if (this.closed) throw new Error("bep threads: the pool is closed");
    this.channels.forEach(fn);
  }

  /** Waits for every helper's current command. */
  waitAll(): void {
    for (const ch of this.channels) ch.wait();
  }

  /** Stops the helper threads; the backend's memory stays usable on this thread. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.all((ch) => ch.post(QUIT));
    this.closed = true;
    for (const ch of this.channels) ch.wait(START_MS);
  }

  private terminate(): void {
    this.closed = true;
    for (const w of this.helpers) w.terminate();
  }
}

/** Starts a helper thread running the bundled worker. */
function spawn(init: HelperInit): Helper {
  const nodeThreads = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.("node:worker_threads") as
    | { Worker: new (code: string, options: { eval: true; workerData: HelperInit }) => Helper & { unref(): void } }
    | undefined;
  if (nodeThreads !== undefined) {
    const worker = new nodeThreads.Worker(WORKER_CODE, { eval: true, workerData: init });
    worker.unref(); // a pool left open does not keep the process alive
    return worker;
  }
  if (typeof Worker === "function" && typeof Blob === "function") {
    const url = URL.createObjectURL(new Blob([WORKER_CODE], { type: "text/javascript" }));
    const worker = new Worker(url);
    URL.revokeObjectURL(url);
    worker.postMessage(init);
    return worker;
  }
  throw new Error("threads need Node's worker_threads (Node ≥ 20.16) or Web Workers");
}
