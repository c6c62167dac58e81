// fast-check settings for every property test (a vitest setup file of the `property` project).
// A failure prints `{ seed: …, path: "…", endOnFailure: true }` and the shrunk counterexample; replay it
// with FC_SEED=<seed> FC_PATH=<path> npx vitest run test/property/<file> (see docs/testing.md).
// Runs stay modest (FC_NUM_RUNS, default 100) so the suite stays fast on a small machine.
// fast-check itself, not @fast-check/vitest: the same global settings (the latter re-exports this
// module), but a setup file runs once per test file, and loading @fast-check/vitest there costs
// ~1.4 s per file (most of each Stryker mutant run, docs/mutation.md); fast-check alone ~0.04 s.
import fc from 'fast-check';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
const numRuns = process.env.FC_NUM_RUNS ? Number(process.env.FC_NUM_RUNS) : 100;

fc.configureGlobal({
  numRuns,
  // A seed is printed on every failure; fixing it (and the shrink path) replays that exact case.
  ...(seed !== undefined && Number.isInteger(seed) ? { seed } : {}),
  ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}),
  // Keeps the report (seed, path, counterexample) short but complete.
  verbose: 1,
});
