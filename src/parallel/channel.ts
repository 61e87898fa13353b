/**
 * The command channel between a training thread and one helper thread: a small SharedArrayBuffer
 * read and written with Atomics, so a step costs no message passing (and works the same between
 * Node worker_threads and browser Web Workers). The training thread posts a command (a code,
 * integer arguments, optionally a JSON payload) and later waits for its result; the helper
 * serves commands in a loop. Waiting spins before it sleeps: a step's commands come close together.
 */

/** Int32 slots of the control block. */
const SEQ = 0, DONE = 1, CMD = 2, STATUS = 3, ARGS = 4, RESULTS = 20, TEXT_LENGTH = 28;
/** Integer arguments / results per command. */
export const MAX_ARGS = 16;
export const MAX_RESULTS = 8;
/** Where the JSON payload (or an error message) starts, in bytes. */
const TEXT = 128;
/** Bytes of a control block. */
export const CHANNEL_BYTES = 1 << 20;
/**
 * How long a waiting thread spins (Atomics.load) before it sleeps in Atomics.wait, in ms: at
 * most SPIN_MAX_MS, halved after every wait that ended in sleep and doubled after every wait that
 * ended while spinning, never below SPIN_MIN_MS. During training a step's commands and answers
 * come within the spin (the gaps are the other thread's serial work, under 1 ms at 784-525-525),
 * so neither thread sleeps; where the other thread is often descheduled (more busy threads than
 * cores) the waits outlast the spin and it shrinks, so spinning does not take a busy neighbour's
 * core. On a 2-vCPU VM a sleeping thread took 0.5–1.6 ms to wake, and with a fixed 0.05 ms spin
 * two threads trained a 784-525-525 epoch slower than one (docs/architecture.md).
 */
export const SPIN_MAX_MS = 5, SPIN_MIN_MS = 0.05;

/** One waiting side's current spin (see SPIN_MAX_MS). */
export class Spin {
  ms = SPIN_MAX_MS;
}

/** Commands every helper understands: quit the serve loop; answer (to see that it started). */
export const QUIT = 0, PING = -1;

/**
 * Waits until slot `at` of `ctl` differs from `old` (spinning for spin.ms first, then sleeping), at
 * most `ms`; returns the new value, or `old` on timeout. Adapts spin.ms to how the wait ended.
 */
export function waitChange(ctl: Int32Array, at: number, old: number, spin: Spin, ms = Infinity): number {
  const t0 = performance.now();
  for (let i = 1; ; i++) {
    const v = Atomics.load(ctl, at);
    if (v !== old) {
      spin.ms = Math.min(SPIN_MAX_MS, spin.ms * 2);
      return v;
    }
    if ((i & 1023) === 0 && performance.now() - t0 > Math.min(spin.ms, ms)) break;
  }
  spin.ms = Math.max(SPIN_MIN_MS, spin.ms / 2);
  const until = t0 + ms;
  for (;;) {
    const left = until - performance.now();
    if (left <= 0) return old;
    Atomics.wait(ctl, at, old, left);
    const v = Atomics.load(ctl, at);
    if (v !== old) return v;
  }
}

function writeText(ctl: Int32Array, text: string): void {
  const bytes = new TextEncoder().encode(text);
  if (TEXT + bytes.length > ctl.byteLength) throw new RangeError(`bep threads: a message of ${bytes.length} bytes does not fit the channel`);
  new Uint8Array(ctl.buffer, TEXT, bytes.length).set(bytes);
  ctl[TEXT_LENGTH] = bytes.length;
}

function readText(ctl: Int32Array): string {
  // TextDecoder does not read shared memory: copy first.
  return new TextDecoder().decode(new Uint8Array(ctl.buffer, TEXT, ctl[TEXT_LENGTH]).slice());
}

/** The training thread's end of a channel. */
export class Channel {
  readonly control: Int32Array;
  private pending = false;
  private readonly spin = new Spin();

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(CHANNEL_BYTES)) {
    this.control = new Int32Array(buffer);
  }

  /** Posts command `cmd` with integer `args` and an optional JSON payload; the helper starts on it at once. */
  post(cmd: number, args: readonly number[] = [], payload?: unknown): void {
    if (this.pending) throw new Error("bep threads: a command is still running on this thread");
    if (args.length > MAX_ARGS) throw new RangeError(`bep threads: at most ${MAX_ARGS} arguments`);
    const ctl = this.control;
    ctl[CMD] = cmd;
    for (let i = 0; i < args.length; i++) ctl[ARGS + i] = args[i];
    ctl[TEXT_LENGTH] = 0;
    if (payload !== undefined) writeText(ctl, JSON.stringify(payload));
    this.pending = true;
    Atomics.add(ctl, SEQ, 1);
    Atomics.notify(ctl, SEQ);
  }

  /** True once the helper has finished the posted command (wait() then returns at once). */
  answered(): boolean {
    return this.pending && Atomics.load(this.control, DONE) === Atomics.load(this.control, SEQ);
  }

  /** Waits (at most `ms`) for the posted command and returns its integer results; throws the helper's error. */
  wait(ms = Infinity): Int32Array {
    if (!this.pending) throw new Error("bep threads: no command is running on this thread");
    const ctl = this.control;
    const seq = Atomics.load(ctl, SEQ);
    const until = performance.now() + ms;
    let done = Atomics.load(ctl, DONE);
    while (done !== seq) {
      const left = until - performance.now();
      if (left <= 0) throw new Error(`bep threads: no answer from a helper thread within ${ms} ms`);
      done = waitChange(ctl, DONE, done, this.spin, left);
    }
    this.pending = false;
    if (ctl[STATUS] !== 0) throw new Error(`bep threads: helper failed: ${readText(ctl)}`);
    return ctl.slice(RESULTS, RESULTS + MAX_RESULTS);
  }
}

/** What a helper does with one command: integer args, the JSON payload (undefined if none) → integer results. */
export type Handler = (cmd: number, args: Int32Array, payload: unknown) => ArrayLike<number> | void;

/** The helper's end: serves commands on `buffer` until QUIT. */
export function serve(buffer: SharedArrayBuffer, handle: Handler): void {
  const ctl = new Int32Array(buffer);
  const spin = new Spin();
  let seq = Atomics.load(ctl, DONE);
  for (;;) {
    seq = waitChange(ctl, SEQ, seq, spin);
    const cmd = ctl[CMD];
    let status = 0;
    if (cmd === PING) ctl[RESULTS] = 1;
    else if (cmd !== QUIT) {
      try {
        const payload = ctl[TEXT_LENGTH] > 0 ? JSON.parse(readText(ctl)) : undefined;
        const results = handle(cmd, ctl.slice(ARGS, ARGS + MAX_ARGS), payload) ?? [];
        for (let i = 0; i < Math.min(results.length, MAX_RESULTS); i++) ctl[RESULTS + i] = results[i];
      } catch (e) {
        status = 1;
        writeText(ctl, e instanceof Error ? `${e.message}\n${e.stack ?? ""}`.slice(0, 4096) : String(e));
      }
    }
    ctl[STATUS] = status;
    Atomics.store(ctl, DONE, seq);
    Atomics.notify(ctl, DONE);
    if (cmd === QUIT) return;
  }
}

/**
 * Work sharing: calls fn(i) for every i in [0, n) that this thread claims from the shared counter
 * counter[0] (set to 0 before the command is posted). Threads that are busy or late simply claim
 * fewer items; who did an item never changes its result.
 */
export function claimEach(counter: Int32Array, n: number, fn: (i: number) => void): void {
  for (let i = Atomics.add(counter, 0, 1); i < n; i = Atomics.add(counter, 0, 1)) fn(i);
}
