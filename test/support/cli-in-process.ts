// The CLI run in this process (runCli) over an app the test builds, non-interactive, with its output
// collected: for CLI tests that need fakes behind the app rather than a real `convoy` process.
import type { AppOptions } from '../../electron/app.js';
import { createApp } from '../../electron/app.js';
import type { CliContext } from '../../electron/cli/context.js';
import { runCli } from '../../electron/cli/main.js';

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `convoy <args> --data <dataDir>` with the app made from `app` (plus that data directory). */
export async function runCliInProcess(dataDir: string, args: string[], app: Omit<AppOptions, 'dataDir'>): Promise<CliOutcome> {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = {
    openApp: () => createApp({ ...app, dataDir }),
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    interactive: false,
    env: {},
    onInterrupt: () => () => {},
  };
  const code = await runCli([...args, '--data', dataDir], ctx);
  return { code, stdout, stderr };
}
