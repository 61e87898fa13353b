import { describe, expect, it } from "vitest";
import { SPIN_MAX_MS, SPIN_MIN_MS, Spin, waitChange } from "../src/parallel/channel.js";

describe("Channel waits: the adaptive spin", () => {
  it("halves after every wait that ends in sleep, down to SPIN_MIN_MS", () => {
    const ctl = new Int32Array(new SharedArrayBuffer(8));
    const spin = new Spin();
    expect(spin.ms).toBe(SPIN_MAX_MS);
    const seen: number[] = [];
    for (let i = 0; i < 9; i++) {
      expect(waitChange(ctl, 0, 0, spin, 0.2)).toBe(0); // nothing changes: times out
      seen.push(spin.ms);
    }
    expect(seen).toEqual([2.5, 1.25, 0.625, 0.3125, 0.15625, 0.078125, SPIN_MIN_MS, SPIN_MIN_MS, SPIN_MIN_MS]);
  });

  it("doubles after every wait that ends while spinning, up to SPIN_MAX_MS", () => {
    const ctl = new Int32Array(new SharedArrayBuffer(8));
    const spin = new Spin();
    spin.ms = SPIN_MIN_MS;
    ctl[1] = 7;
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) {
      expect(waitChange(ctl, 1, 0, spin)).toBe(7); // already changed: returns at once
      seen.push(spin.ms);
    }
    expect(seen).toEqual([0.1, 0.2, 0.4, 0.8, 1.6, 3.2, SPIN_MAX_MS, SPIN_MAX_MS]);
  });

  it("gives up after `ms` with the old value", () => {
    const ctl = new Int32Array(new SharedArrayBuffer(8));
    const spin = new Spin();
    spin.ms = SPIN_MIN_MS;
    const t0 = performance.now();
    expect(waitChange(ctl, 0, 0, spin, 30)).toBe(0);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(29);
  });
});
