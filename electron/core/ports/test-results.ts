// Finished test runs, remembered across processes (issue 15): a test that passed against one image ID
// with one command, environment and timeout is not run again while all four are the same. Only passes
// are kept; a failure forgets the pass of the same key, so a failed test is never answered from here.
// The SQLite store keeps a hash of the environment (its values never reach the file).

/** What a test run is remembered by: exactly these four. */
export interface TestRunKey {
  /** The engine's ID of the image the test ran in (sha256:…), not its tag. */
  imageId: string;
  command: readonly string[];
  /** The test environment as resolved for the run, secret values included (hashed by the store). */
  env: Readonly<Record<string, string>>;
  timeoutMs: number;
}

export interface PassedTest {
  /** The run (build or release) the test passed in. */
  runId: string;
  /** When it passed (ISO 8601). */
  passedAt: string;
}

export interface TestResultStore {
  /** The latest pass of exactly this test, or null. */
  findPassedTest(key: TestRunKey): PassedTest | null;
  /** A pass replaces any older one of the same key; a failure removes it. */
  recordTestOutcome(key: TestRunKey, outcome: { passed: boolean; runId: string }): void;
}
