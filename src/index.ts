/**
 * bep — fully binary neural networks trained with Binary Error Propagation.
 * Public API (re-exports only).
 */
export { Backend, BACKEND_NAMES, loadBackend, loadBackendSync, setDefaultBackend, resolveBackendName } from "./kernels/backend.js";
export type { BackendName, BackendChoice } from "./kernels/backend.js";
export type { Buf, Kind, TypedArrays } from "./kernels/buffer.js";
export { rowWords, groupCount, H_MIN, H_MAX } from "./kernels/layout.js";
export { geometricTable, GEOMETRIC_TABLE_LENGTH } from "./kernels/geometric.js";
export { seedState } from "./kernels/js/prng.js";
