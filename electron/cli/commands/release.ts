// `convoy release`, `convoy undo` (release.rollback), `convoy history` and `convoy show`: run a release through the
// environments of convoy.yaml, undo a finished one in an environment, list releases, and show one.
import type { Command } from 'commander';
import { clientFor } from '../client.js';
import type { ReleaseReport } from '../../../shared/release-report.js';
import type { CliContext } from '../context.js';
import { driveRelease } from './release-driver.js';
import { summary } from './release-view.js';

interface ReleaseOptions {
  env: string;
  workspace: string;
  base?: string;
  head?: string;
  uncommitted?: boolean;
  projects?: string;
  only?: boolean;
  yes?: boolean;
  rerunTests?: boolean;
  json?: boolean;
  data?: string;
}

export const list = (text: string | undefined) =>
  text
    ?.split(',')
    .map((name) => name.trim())
    .filter(Boolean);

export function registerRelease(program: Command, ctx: CliContext): void {
  program
    .command('release')
    .description('take the change through every environment up to --env in promotion order: build, test, gates, approval, deploy in waves, verify; roll back on failure')
    .requiredOption('-e, --env <name>', 'the last environment (every earlier one runs first)')
    .option('-w, --workspace <dir>', 'the Nx workspace', '.')
    .option('--base <ref>', 'base of the comparison for the affected projects')
    .option('--head <ref>', 'head of the comparison (default: HEAD plus uncommitted and untracked files)')
    .option('--uncommitted', 'only uncommitted changes against HEAD')
    .option('-p, --projects <names>', 'release exactly these projects (comma-separated) instead of the affected ones')
    .option('--only', 'run --env alone, not the environments before it')
    .option('-y, --yes', 'approve every environment that needs approval up front')
    .option('--rerun-tests', 'run every test, also those that passed before with the same image, command, environment and timeout')
    .option('--json', 'print the release record as JSON')
    .option('--data <dir>', 'data directory (default: $CONVOY_HOME or the per-user data folder)')
    .action(async (options: ReleaseOptions) => {
      const app = await ctx.openApp(options.data);
      try {
        const projects = list(options.projects);
        await driveRelease(
          await clientFor(app),
          ctx,
          {
            dir: options.workspace,
            environment: options.env,
            ...(options.only ? { only: true } : {}),
            ...(options.base ? { base: options.base } : {}),
            ...(options.head ? { head: options.head } : {}),
            ...(options.uncommitted ? { uncommitted: true } : {}),
            ...(projects && projects.length > 0 ? { projects } : {}),
            ...(options.rerunTests ? { rerunTests: true } : {}),
          },
          { json: options.json, yes: options.yes, name: 'convoy release' },
        );
      } finally {
        await app.close();
      }
    });

  program
    .command('undo')
    .description('undo a finished release in one environment: every service it changed there, in reverse wave order')
    .argument('<release>', 'the release id (convoy history lists them)')
    .requiredOption('-e, --env <name>', 'the environment')
    .option('-w, --workspace <dir>', 'the Nx workspace', '.')
    .option('--json', 'print the result as JSON')
    .option('--data <dir>', 'data directory')
    .action(async (releaseId: string, options: { env: string; workspace: string; json?: boolean; data?: string }) => {
      const app = await ctx.openApp(options.data);
      try {
        const result = await (await clientFor(app)).run('release.rollback', { dir: options.workspace, releaseId, environment: options.env }, (p) => {
          if (!options.json) ctx.stderr(`convoy undo: ${p.message}\n`);
        });
        if (options.json) ctx.stdout(`${JSON.stringify(result, null, 2)}\n`);
        else ctx.stdout(`${result.ok ? 'Rolled back' : 'NOT fully rolled back'}: release ${releaseId} in ${options.env}\n${result.rollbacks.map((r) => `  ${r.service}: ${r.outcome} — ${r.message}`).join('\n')}\n`);
        if (!result.ok) ctx.setExitCode?.(1);
      } finally {
        await app.close();
      }
    });

  // A release waiting for approval in another process (a terminal's `convoy release`, the console) is
  // decided from here: the decision goes through the store, and that process goes on.
  for (const [verb, command, done] of [
    ['approve', 'release.approve', 'Approved'],
    ['reject', 'release.reject', 'Rejected'],
  ] as const) {
    program
      .command(verb)
      .description(`${verb} a release that waits for approval, in whichever process runs it`)
      .argument('<release>', 'the release id (its output, convoy history or the console show it)')
      .option('-e, --env <name>', 'the environment it waits in (checked; default: the one it waits in)')
      .option('--by <name>', 'who decides (default: your user name)')
      .option('-m, --comment <text>', 'a note kept with the decision')
      .option('--json', 'print the result as JSON')
      .option('--data <dir>', 'data directory')
      .action(async (releaseId: string, options: { env?: string; by?: string; comment?: string; json?: boolean; data?: string }) => {
        const app = await ctx.openApp(options.data);
        try {
          const input = { releaseId, ...(options.env ? { environment: options.env } : {}), ...(options.by ? { by: options.by } : {}), ...(options.comment ? { comment: options.comment } : {}) };
          const result = await (await clientFor(app)).call(command, input);
          if (options.json) ctx.stdout(`${JSON.stringify(result, null, 2)}\n`);
          else ctx.stdout(`${done}: release ${releaseId} in ${result.environment}\n`);
        } finally {
          await app.close();
        }
      });
  }

  program
    .command('cancel')
    .description('cancel a running release, in whichever process runs it: it stops at its next safe point and rolls back what it changed there')
    .argument('<release>', 'the release id')
    .option('--json', 'print the result as JSON')
    .option('--data <dir>', 'data directory')
    .action(async (releaseId: string, options: { json?: boolean; data?: string }) => {
      const app = await ctx.openApp(options.data);
      try {
        const result = await (await clientFor(app)).call('release.cancel', { releaseId });
        if (options.json) ctx.stdout(`${JSON.stringify(result, null, 2)}\n`);
        else if (result.cancelled) ctx.stdout(`Cancel asked: release ${releaseId} stops at its next safe point (convoy show ${releaseId} says how it ended)\n`);
        else {
          ctx.stderr(`convoy cancel: release ${releaseId} is not running, so there is nothing to cancel\n`);
          ctx.setExitCode?.(1);
        }
      } finally {
        await app.close();
      }
    });

  program
    .command('history')
    .description('runs (releases, builds, rollbacks), newest first')
    .option('-e, --env <name>', 'only releases that reached this environment')
    .option('-n, --limit <n>', 'at most this many', '20')
    .option('--json', 'print them as JSON')
    .option('--data <dir>', 'data directory')
    .action(async (options: { env?: string; limit: string; json?: boolean; data?: string }) => {
      const app = await ctx.openApp(options.data);
      try {
        const client = await clientFor(app);
        const limit = Math.max(1, Math.min(500, Number(options.limit) || 20));
        let { runs: releases } = await client.call('history.list', { limit: options.env ? 500 : limit });
        const reports = new Map<string, ReleaseReport>();
        if (options.env) {
          const kept = [];
          for (const r of releases.filter((r) => r.kind === 'release')) {
            const report = await client.call('history.get', { id: r.id }).catch(() => null);
            if (report?.environments.some((e) => e.name === options.env && e.state !== 'pending')) {
              kept.push(r);
              reports.set(r.id, report);
            }
            if (kept.length >= limit) break;
          }
          releases = kept;
        }
        if (options.json) {
          ctx.stdout(`${JSON.stringify({ runs: releases }, null, 2)}\n`);
          return;
        }
        if (releases.length === 0) {
          ctx.stdout(`No releases${options.env ? ` in ${options.env}` : ''} yet: convoy release --env NAME makes one.\n`);
          return;
        }
        const rows = releases.map((r) => [r.id, r.kind, r.status, r.createdAt.replace('T', ' ').slice(0, 19), r.finishedAt ? `${((Date.parse(r.finishedAt) - Date.parse(r.createdAt)) / 1000).toFixed(1)} s` : '…', r.summary ?? '']);
        const all = [['ID', 'KIND', 'STATUS', 'STARTED (UTC)', 'TOOK', 'SUMMARY'], ...rows];
        const widths = all[0]!.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
        ctx.stdout(all.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n');
      } finally {
        await app.close();
      }
    });

  program
    .command('show')
    .description("one release's record: affected and why, images, gates, approvals, deploys, rollbacks, time per stage")
    .argument('<release>', 'the release id')
    .option('--json', 'print the record as JSON')
    .option('--data <dir>', 'data directory')
    .action(async (releaseId: string, options: { json?: boolean; data?: string }) => {
      const app = await ctx.openApp(options.data);
      try {
        const report = await (await clientFor(app)).call('history.get', { id: releaseId });
        ctx.stdout(options.json ? `${JSON.stringify(report, null, 2)}\n` : summary(report));
      } finally {
        await app.close();
      }
    });
}
