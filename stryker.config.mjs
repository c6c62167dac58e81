// Mutation testing of the pure core and the contract (npm run test:mutation; docs/testing.md).
// Stryker 9 (Stryker 10 needs Node 22) with its vitest runner, over the fast tests only
// (vitest.mutation.config.ts). The HTML and JSON reports go to reports/mutation/ (not committed);
// scripts/mutation-summary.mjs prints the score per folder and the survivors from the JSON report.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [
    'electron/core/**/*.ts',
    'shared/**/*.ts',
    // Interfaces only: nothing to mutate at run time.
    '!electron/core/ports/**',
  ],
  coverageAnalysis: 'perTest',
  // A mutant in module-level code (the zod schemas of shared/contract, constant tables) needs the whole
  // test set for each run; too slow here. Stryker reports them as "ignored" (see docs/testing.md).
  ignoreStatic: true,
  concurrency: 2,
  // A mutant that loops (e.g. a walk that never ends) is a kill by timeout; do not wait long for it.
  timeoutMS: 5_000,
  // Re-runs only the mutants whose code or covering tests changed since the last run. The file is a
  // local cache, kept out of git (reports/ is ignored).
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  // Only what the mutation tests need is copied into the sandbox. '/release' is anchored: a bare
  // 'release' (gitignore syntax) also dropped electron/core/release/ and its tests from every run.
  ignorePatterns: ['dist', '/release', 'reports', 'bench-results', '.nx', 'test-results', 'test/integration', 'test/e2e'],
};
