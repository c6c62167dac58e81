// What every subcommand gets: a way to build the app for the chosen data dir, and output helpers.
import type { App } from '../app.js';
import { resolveDataDir } from '../app-paths.js';

export interface CliContext {
  /** Builds the composition root for `--data DIR` (or CONVOY_HOME, or the default). */
  /** `readOnly`: the command records nothing, so an unwritable data directory is a warning (AppOptions.readOnlyCommand). */
  openApp(dataFlag: string | undefined, options?: { readOnly?: boolean }): App | Promise<App>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (live progress) or not (plain lines). */
  interactive: boolean;
  /** Environment the commands read (CI, NO_COLOR…). */
  env: NodeJS.ProcessEnv;
  /** Sets the exit code for a command that printed its result but did not succeed. */
  setExitCode?: (code: number) => void;
  /** Asks a question in the terminal and resolves with the answer; absent when stdin is not a terminal. */
  ask?: (question: string) => Promise<string>;
  /** Calls `handler` on Ctrl-C (SIGINT) until the returned function is called. */
  onInterrupt: (handler: () => void) => () => void;
}

async function ask(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

export function defaultCliContext(): CliContext {
  return {
    // Loaded on first use: --help and --version never pay for the Kubernetes client, dockerode or SQLite.
    openApp: async (dataFlag, options) => {
      const { createApp } = await import('../app.js');
      return createApp({ dataDir: resolveDataDir({ flag: dataFlag }), ...(options?.readOnly ? { readOnlyCommand: true } : {}) });
    },
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    interactive: Boolean(process.stderr.isTTY),
    ...(process.stdin.isTTY ? { ask } : {}),
    env: process.env,
    onInterrupt: (handler) => {
      process.on('SIGINT', handler);
      return () => void process.off('SIGINT', handler);
    },
  };
}
