/**
 * Wall time per phase of training, for profiling (`npm run bench:train`). A step calls
 * `lap(phase)` at the end of each phase; the time since the previous lap goes to that phase.
 * Also the median that benchmarks (bench/, `bep bench`) quote.
 */

/** The phases of a training step (spec §2 / §4), plus the trainer's own work. */
export const PHASES = ["data", "forward", "trigger", "backward", "winners", "update", "reinforcement", "evaluation"] as const;
export type Phase = (typeof PHASES)[number];

export class PhaseClock {
  /** Milliseconds spent in each phase so far. */
  readonly ms: Record<Phase, number> = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
  private last = performance.now();

  /** Starts timing from now (the time since the last lap is dropped). */
  start(): void {
    this.last = performance.now();
  }

  /** Adds the time since the last lap (or start) to `phase`. */
  lap(phase: Phase): void {
    const now = performance.now();
    this.ms[phase] += now - this.last;
    this.last = now;
  }

  /** Each phase's share of the total time. */
  shares(): Record<Phase, number> {
    const total = PHASES.reduce((a, p) => a + this.ms[p], 0) || 1;
    return Object.fromEntries(PHASES.map((p) => [p, this.ms[p] / total])) as Record<Phase, number>;
  }
}

/** The median of `xs` (mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError("median of no values");
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}
