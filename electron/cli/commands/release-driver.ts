// Runs `release.start` for the CLI (`convoy release`, `convoy rehearse`): follows the release's record
// through `release.updated` — redrawn in place in a terminal, plain lines otherwise, nothing with
// --json — asks for approval in a terminal, turns Ctrl-C into release.cancel, and sets the exit code
// from how the release ended.
import type { ConvoyClient } from '../../../shared/client.js';
import type { CommandInput } from '../../../shared/contract.js';
import type { ReleaseReport } from '../../../shared/release-report.js';
import type { CliContext } from '../context.js';
import { changeLines, liveBlock, summary } from './release-view.js';

export interface DriveOptions {
  json?: boolean;
  yes?: boolean;
  /** Prefix of plain progress lines, e.g. `convoy release`. */
  name: string;
}

export async function driveRelease(client: ConvoyClient, ctx: CliContext, input: Omit<CommandInput<'release.start'>, 'approval'>, options: DriveOptions): Promise<ReleaseReport> {
  const live = ctx.interactive && !options.json;
  const canAsk = Boolean(ctx.ask) && ctx.interactive && !options.json;
  const approval = options.yes ? 'auto' : canAsk ? 'wait' : 'refuse';
  let jobId: string | null = null;
  let drawn = 0;
  let last: ReleaseReport | null = null;
  const asked = new Set<string>();
  const clear = () => {
    if (drawn > 0) ctx.stderr(`\x1b[${drawn}A\x1b[J`);
    drawn = 0;
  };
  const draw = (report: ReleaseReport) => {
    clear();
    const lines = liveBlock(report).map((l) => l.slice(0, 160));
    ctx.stderr(lines.join('\n') + '\n');
    drawn = lines.length;
  };

  async function ask(report: ReleaseReport, environment: string, diff: string): Promise<void> {
    clear();
    const shown = diff.split('\n');
    ctx.stderr(`\nRelease ${report.id} is ready for ${environment}. What it changes there:\n${shown.slice(0, 80).join('\n')}${shown.length > 80 ? `\n… ${shown.length - 80} more line(s); convoy show ${report.id} --json has all of it` : ''}\n`);
    const answer = (await ctx.ask!(`Deploy to ${environment}? [y/N] `)).trim().toLowerCase();
    const decision = answer === 'y' || answer === 'yes' ? 'release.approve' : 'release.reject';
    await client.call(decision, { releaseId: report.id, environment, ...(decision === 'release.reject' ? { comment: 'declined at the prompt' } : {}) });
  }

  const stopUpdates = client.on('release.updated', (event) => {
    if (jobId === null || event.jobId !== jobId) return;
    const report = event.report;
    if (live) draw(report);
    else if (!options.json) for (const line of changeLines(last, report)) ctx.stderr(`${options.name}: ${line}\n`);
    last = report;
    const waiting = report.environments.find((e) => e.state === 'awaiting-approval' && e.approval.state === 'waiting');
    if (waiting && canAsk && !asked.has(waiting.name)) {
      asked.add(waiting.name);
      void ask(report, waiting.name, waiting.diff?.text ?? '').catch((err: unknown) => ctx.stderr(`${options.name}: ${(err as Error).message}\n`));
    }
  });
  let interrupted = false;
  const stopInterrupt = ctx.onInterrupt(() => {
    if (interrupted) process.exit(130);
    interrupted = true;
    clear();
    ctx.stderr(`${options.name}: cancelling at the next safe point; what changed is rolled back (Ctrl-C again to quit at once)…\n`);
    if (last) void client.call('release.cancel', { releaseId: last.id }).catch(() => {});
    else if (jobId) void client.call('job.cancel', { jobId }).catch(() => {});
  });
  try {
    const report = await client.run('release.start', { ...input, approval }, undefined, (id) => void (jobId = id));
    clear();
    ctx.stdout(options.json ? `${JSON.stringify(report, null, 2)}\n` : summary(report));
    if (report.state !== 'succeeded') ctx.setExitCode?.(interrupted ? 130 : 1);
    return report;
  } finally {
    clear();
    stopUpdates();
    stopInterrupt();
  }
}
