/** The MLP hyperparameters of `npm run reproduce:mlp`, shared with `npm run bench:train`. */

/**
 * The hyperparameters, passed to `bep train` explicitly, chosen by the Fashion-MNIST sweeps in
 * docs/results/ablations.md: shared ones, and the gate ν and initial group size γ_0 per hidden
 * width K (γ_0 must divide K).
 */
export const HYPER = { batch: 100, robustness: 0.5, reinforcement: 0.5, patience: 10, sigmaInit: 64 };
export const PER_WIDTH: Record<number, { gate: number; groupSize: number }> = {
  35: { gate: 0.2, groupSize: 35 },
  135: { gate: 0.1, groupSize: 27 },
  525: { gate: 0.05, groupSize: 35 },
};
/**
 * Overrides for one dataset and width, chosen on validation (ablations.md): Random Prototypes
 * overfits at K = 525, where a wider gate helps, and gains most from no gate (ν 1) at K = 35;
 * Fashion-MNIST at K = 525 gains a little from a clip of the hidden weights at ±512.
 */
export const PER_DATA: Record<string, { gate?: number; clip?: number }> = {
  "prototypes:525": { gate: 0.2 },
  "prototypes:35": { gate: 1 },
  "fashion-mnist:525": { clip: 512 },
};
/** All hyperparameters of a run on `data` with width K. */
export const hyper = (data: string, K: number) => ({ ...HYPER, ...PER_WIDTH[K], ...PER_DATA[`${data}:${K}`] });
