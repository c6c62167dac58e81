import { defineConfig } from 'vitest/config';

// The tests Stryker runs against each mutant of electron/core and shared/ (npm run test:mutation):
// only the fast ones written for that code — the unit tests of the core and of the contract, and the
// property tests (30 cases each here: every mutant re-runs them). No Docker, no Chromium, no nx
// installs, no renderer (jsdom), no ESLint runs, no adapters' or feature handlers' tests.
export default defineConfig({
  test: {
    environment: 'node',
    include: [
      'test/unit/core/**/*.test.ts',
      'test/unit/shared/**/*.test.ts',
      'test/property/**/*.test.ts',
    ],
    setupFiles: ['test/property/fc-config.ts'],
    // A fixed seed: @fast-check/vitest names each property test "… (with seed=N)", with a new random N
    // per run unless a global seed is set. Stryker picks the tests that cover a mutant by name, so a
    // name that changes between its first run and a mutant's run matched nothing and the property
    // tests never ran against any mutant. Fixed, the names are stable (and every mutant meets the same cases).
    env: { FC_NUM_RUNS: '30', FC_SEED: '17' },
    // A mutant that leaves a promise pending (an engine step that never settles) fails its test here,
    // in the same worker, instead of reaching Stryker's timeout, which restarts the worker (~10 s on a
    // loaded machine). The whole set runs in about a second; no single test comes near 3 s.
    testTimeout: 3_000,
    hookTimeout: 3_000,
    // One module graph per worker instead of one per test file: Stryker runs a handful of files per
    // mutant, and re-importing each file's modules was most of a mutant's cost (docs/mutation.md).
    // These tests share no module-level state that a previous file could leave behind.
    isolate: false,
  },
});
