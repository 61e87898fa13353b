/**
 * The helper thread's entry (bundled and inlined as text by the build): attach to the shared
 * memory it is given and serve the training thread's commands until told to quit.
 */
import { serve } from "./channel.js";
import { MlpHelper } from "./mlp-step.js";
import type { HelperInit } from "./pool.js";

function start(init: HelperInit): void {
  const helper = new MlpHelper(init.shared);
  serve(init.control, (cmd, args, payload) => helper.handle(cmd, args, payload));
}

const nodeThreads = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.("node:worker_threads") as
  | { workerData: HelperInit | null }
  | undefined;
if (nodeThreads?.workerData) {
  start(nodeThreads.workerData);
} else {
  const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<HelperInit>) => void) | null; close(): void };
  scope.onmessage = (e) => {
    scope.onmessage = null;
    start(e.data);
    scope.close();
  };
}
