/** Entry point of the kernel module: exports only (one file per kernel family). */
export { prngFill, prngBelow } from "./prng";
export { packSigns, unpackSigns, packThresholds, transpose } from "./pack";
export { forward, forwardSign, signs } from "./forward";
export { tableScratchBytes } from "./nibble";
export { gate, desired } from "./backward";
export { winners, updateRows, addRowSums, applyRows, sharedWinners } from "./update";
export { reinforce } from "./reinforce";

/** First byte of linear memory not used by the module's static data (the host's heap starts here). */
export function heapBase(): usize {
  return __heap_base;
}
