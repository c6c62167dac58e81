// Loads the real in-process Convoy app (electron/app.ts) for the console's tests. The app is Node code
// and this folder is type-checked as DOM code, so the loader imports it by a computed specifier and
// describes it here with shared/ types only; test/support/console-app.ts implements this interface.
import type { Channel } from '../../../shared/channel.js';
import type { DockerStatus } from '../../../shared/domain.js';

export interface ConsoleAppOptions {
  /** What the fake Docker Engine port answers (the tests need no engine). */
  docker: DockerStatus;
  /** Copy examples/shop into a scratch git repository and point `workspaceDir` at it. */
  example?: boolean;
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
  close(): Promise<void>;
}

const HARNESS = '../../support/console-app.js';

export async function startConsoleApp(options: ConsoleAppOptions): Promise<ConsoleApp> {
  const harness = (await import(/* @vite-ignore */ HARNESS)) as { startConsoleApp(options: ConsoleAppOptions): Promise<ConsoleApp> };
  return harness.startConsoleApp(options);
}
