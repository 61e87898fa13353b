/**
 * Random Prototypes (spec targets.md): `classes` random ±1 prototypes of `bits` bits; each sample
 * copies its class's prototype and flips every bit independently with probability `flip`.
 * Already binary: no encoder. Deterministic for a seed.
 */
import { next32, prngBelow, seedState } from "../kernels/js/prng.js";
import { rowWords } from "../kernels/layout.js";
import { Dataset } from "./dataset.js";

/** Options of the generator (paper defaults). */
export interface PrototypesOptions {
  classes?: number;
  bits?: number;
  flip?: number;
  train?: number;
  test?: number;
  seed?: number;
}

/** PRNG stream of the generator (distinct from the training streams in src/model/mlp.ts). */
const DATA_STREAM = 100;

/** Generates the train and test sets (classes 10, bits 1000, flip 0.46, 20,000 / 3,000). */
export function randomPrototypes(options: PrototypesOptions = {}): { train: Dataset; test: Dataset } {
  const { classes = 10, bits = 1000, flip = 0.46, train = 20000, test = 3000, seed = 1 } = options;
  if (!(flip >= 0 && flip <= 1)) throw new RangeError(`prototypes: flip must be in [0, 1], got ${flip}`);
  for (const [name, v] of Object.entries({ classes, bits, train, test })) {
    if (!Number.isInteger(v) || v < (name === "classes" ? 2 : 1)) throw new RangeError(`prototypes: ${name} must be a positive integer, got ${v}`);
  }
  const prng = seedState(seed, DATA_STREAM);
  const words = rowWords(bits);
  const protos = new Uint32Array(classes * words);
  for (let c = 0; c < classes; c++) for (let i = 0; i < bits; i++) if (next32(prng) >>> 31) protos[c * words + (i >>> 5)] |= 1 << (i & 31);
  const threshold = Math.floor(flip * 0x100000000);
  const make = (n: number, name: string) => {
    const out = new Uint32Array(n * words);
    const labels = new Uint8Array(n);
    for (let s = 0; s < n; s++) {
      const c = prngBelow(prng, classes);
      labels[s] = c;
      for (let i = 0; i < bits; i++) {
        const bit = (protos[c * words + (i >>> 5)] >>> (i & 31)) & 1;
        if ((bit ^ (next32(prng) < threshold ? 1 : 0)) === 1) out[s * words + (i >>> 5)] |= 1 << (i & 31);
      }
    }
    return new Dataset(out, labels, bits, classes, name);
  };
  return { train: make(train, "prototypes-train"), test: make(test, "prototypes-test") };
}
