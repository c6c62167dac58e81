// The `convoy` command line. Each subcommand lives in commands/ and talks to the core through the
// same client and contract as the console does.
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { ConvoyError } from '../../shared/convoy-error.js';
import { type CliContext, defaultCliContext } from './context.js';
import type { App } from '../app.js';
import { maskCredentials } from '../core/secret-shapes.js';
import { registerInfo } from './commands/info.js';
import { registerServe } from './commands/serve.js';
import { registerAffected } from './commands/affected.js';
import { registerBuild } from './commands/build.js';
import { registerTarget } from './commands/target.js';
import { registerRelease } from './commands/release.js';
import { registerRehearse } from './commands/rehearse.js';
import { registerPlan } from './commands/plan.js';
import { registerDiff } from './commands/diff.js';
import { registerRecover } from './commands/recover.js';

export function buildProgram(ctx: CliContext): Command {
  const program = new Command()
    .name('convoy')
    .description('Monorepo-aware release console: affected projects, builds, tests and ordered deploys.')
    .version(VERSION, '-v, --version', 'print the Convoy version')
    .showHelpAfterError('(run convoy --help for usage)')
    .configureOutput({ writeOut: ctx.stdout, writeErr: ctx.stderr })
    .exitOverride();
  registerInfo(program, ctx);
  registerAffected(program, ctx);
  registerBuild(program, ctx);
  registerPlan(program, ctx);
  registerDiff(program, ctx);
  registerTarget(program, ctx);
  registerRelease(program, ctx);
  registerRecover(program, ctx);
  registerRehearse(program, ctx);
  registerServe(program, ctx);
  return program;
}

/** Runs the CLI and returns the exit code: 0 success, 1 failure, 2 usage error. */
export async function runCli(argv: string[], given: CliContext = defaultCliContext()): Promise<number> {
  let exitCode = 0;
  const ctx = behindTheGate(given);
  const program = buildProgram({ ...ctx, setExitCode: (code) => void (exitCode = code) });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : err.exitCode === 1 ? 2 : err.exitCode;
    }
    if (err instanceof ConvoyError || (err && typeof err === 'object' && 'code' in err && 'message' in err)) {
      const e = err as { code: string; message: string };
      ctx.stderr(`convoy: ${e.message} [${e.code}]\n`);
      return e.code === 'INVALID_INPUT' ? 2 : 1;
    }
    ctx.stderr(`convoy: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

/**
 * Everything the CLI prints passes the app's redaction gate (once an app is open; before that,
 * credential-shaped values are still masked), so no command can print a secret it was handed.
 */
function behindTheGate(ctx: CliContext): CliContext {
  let app: App | null = null;
  const redact = (text: string) => (app ? app.redaction.text(text) : maskCredentials(text));
  return {
    ...ctx,
    openApp: async (dataFlag, options) => {
      app = await ctx.openApp(dataFlag, options);
      // Said once per process: runs a dead process left running are interrupted now (convoy recover).
      for (const { run, reason } of app.interrupted ?? []) {
        ctx.stderr(redact(`convoy: ${run.kind} ${run.id} was left running and is now interrupted: ${reason}.${run.kind === 'release' ? ' convoy recover shows what it did and offers --resume or --rollback.' : ''}\n`));
      }
      return app;
    },
    stdout: (text) => ctx.stdout(redact(text)),
    stderr: (text) => ctx.stderr(redact(text)),
  };
}

/** Entry point of bin/convoy.mjs. Long-lived subcommands (serve) resolve only when they stop. */
export async function main(): Promise<void> {
  process.exit(await runCli(process.argv.slice(2)));
}
