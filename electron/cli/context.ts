// What every subcommand gets: a way to build the app for the chosen data dir, and output helpers.
import { type App, createApp } from '../app.js';
import { resolveDataDir } from '../app-paths.js';

export interface CliContext {
  /** Builds the composition root for `--data DIR` (or CONVOY_HOME, or the default). */
  openApp(dataFlag: string | undefined): App;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (live progress) or not (plain lines). */
  interactive: boolean;
  /** Environment the commands read (CI, NO_COLOR…). */
  env: NodeJS.ProcessEnv;
  /** Sets the exit code for a command that printed its result but did not succeed. */
  setExitCode?: (code: number) => void;
  /** Calls `handler` on Ctrl-C (SIGINT) until the returned function is called. */
  onInterrupt: (handler: () => void) => () => void;
}

export function defaultCliContext(): CliContext {
  return {
    openApp: (dataFlag) => createApp({ dataDir: resolveDataDir({ flag: dataFlag }) }),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    interactive: Boolean(process.stderr.isTTY),
    env: process.env,
    onInterrupt: (handler) => {
      process.on('SIGINT', handler);
      return () => void process.off('SIGINT', handler);
    },
  };
}
