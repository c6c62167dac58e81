// Loads the real in-process Convoy app (electron/app.ts) for the console's tests. The app is Node code
// and this folder is type-checked as DOM code, so the loader imports it by a computed specifier and
// describes it here with shared/ types only; test/support/console-app.ts implements this interface.
import type { Channel } from '../../../shared/channel.js';
import type { DockerStatus } from '../../../shared/domain.js';

/** What the scripted image builder (test/support/scripted-builder.ts) does for one project. */
export interface ScriptedBuild {
  /** The tag after the repository (16 hex). */
  hash: string;
  /** An image with this hash already exists: no build call. */
  cached?: boolean;
  buildMs?: number;
  buildLogs?: string[];
  /** The build waits for releaseBuild(project) (or the run's cancel) before it finishes. */
  hold?: boolean;
  testExitCode?: number;
  testMs?: number;
  testLogs?: string[];
}

export interface ConsoleAppOptions {
  /** What the fake Docker Engine port answers (the tests need no engine). */
  docker: DockerStatus;
  /** Copy examples/shop into a scratch git repository and point `workspaceDir` at it. */
  example?: boolean;
  /** Builds follow this script (per project) instead of a Docker Engine. */
  builds?: Record<string, ScriptedBuild>;
}

export interface ConsoleApp {
  dataDir: string;
  /** The example's scratch copy (a git repository on `main`), or null. */
  workspaceDir: string | null;
  /** An in-process channel that tells app.info it is the WebSocket transport, as `convoy serve` does. */
  channel: Channel;
  /** A file of the example's copy. */
  read(rel: string): string;
  /** Writes files into the example's copy, left uncommitted. */
  write(files: Record<string, string>): void;
  /** Lets a held scripted build finish. */
  releaseBuild(project: string): void;
  /** Runs build.run from a second client of the same app (another window, the CLI) to its end. */
  buildFromAnotherClient(input: { dir: string; projects: string[] }): Promise<void>;
  close(): Promise<void>;
}

const HARNESS = '../../support/console-app.js';

export async function startConsoleApp(options: ConsoleAppOptions): Promise<ConsoleApp> {
  const harness = (await import(/* @vite-ignore */ HARNESS)) as { startConsoleApp(options: ConsoleAppOptions): Promise<ConsoleApp> };
  return harness.startConsoleApp(options);
}
