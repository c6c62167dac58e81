// `convoy status`, `convoy revisions` and `convoy rollback`: what runs in an environment of
// convoy.yaml, a service's revisions there, and rolling one service back (as `kubectl rollout undo`
// does; on the Docker target the old revision's container is recreated and health-checked).
import type { Command } from 'commander';
import type { JobProgress } from '../../../shared/client.js';
import { clientFor } from '../client.js';
import type { EnvironmentStatus, TargetRevision } from '../../../shared/domain.js';
import type { CliContext } from '../context.js';

interface TargetOptions {
  workspace: string;
  env: string;
  service?: string;
  services?: string;
  to?: string;
  json?: boolean;
  data?: string;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export function statusTable(status: EnvironmentStatus): string {
  const head = `${status.environment} (${status.kind}): ${status.services.length} service(s)\n\n`;
  if (status.services.length === 0) return `${head}No deployable services (a project needs a Dockerfile and a convoy block).\n`;
  return head + table(['SERVICE', 'STATE', 'REVISION', 'IMAGE', 'DETAIL'], status.services.map((s) => [s.service, s.state, s.revision ?? '-', s.image ?? '-', s.message]));
}

export function revisionsTable(environment: string, service: string, revisions: TargetRevision[]): string {
  if (revisions.length === 0) return `${service} has no revisions in ${environment}.\n`;
  return table(
    ['REVISION', '', 'IMAGE', 'RUN', 'COMMIT', 'CREATED'],
    revisions.map((r) => [r.revision, r.current ? 'current' : '', r.image ?? '-', r.releaseId ?? '-', r.commit ? r.commit.slice(0, 12) : '-', r.createdAt ?? '-']),
  );
}

function common(command: Command): Command {
  return command
    .requiredOption('-e, --env <name>', 'the environment, as named in convoy.yaml')
    .option('-w, --workspace <dir>', 'the Nx workspace', '.')
    .option('--json', 'print JSON')
    .option('--data <dir>', 'data directory (default: $CONVOY_HOME or the per-user data folder)');
}

export function registerTarget(program: Command, ctx: CliContext): void {
  const progress = (options: TargetOptions) => (p: JobProgress) => {
    if (!options.json) ctx.stderr(`convoy: ${p.message}\n`);
  };

  common(program.command('status').description('show what runs in an environment: state, revision and image per service'))
    .option('-s, --services <names>', 'only these services (comma-separated)')
    .action(async (options: TargetOptions) => {
      const app = await ctx.openApp(options.data);
      try {
        const services = options.services?.split(',').map((s) => s.trim()).filter(Boolean);
        const status = await (await clientFor(app)).run(
          'target.status',
          { dir: options.workspace, environment: options.env, ...(services && services.length > 0 ? { services } : {}) },
          progress(options),
        );
        ctx.stdout(options.json ? `${JSON.stringify(status, null, 2)}\n` : statusTable(status));
        if (status.services.some((s) => s.state === 'failed')) ctx.setExitCode?.(1);
      } finally {
        await app.close();
      }
    });

  common(program.command('revisions').description("list a service's revisions in an environment, newest first"))
    .requiredOption('--service <name>', 'the service')
    .action(async (options: TargetOptions) => {
      const app = await ctx.openApp(options.data);
      try {
        const result = await (await clientFor(app)).run('target.revisions', { dir: options.workspace, environment: options.env, service: options.service! }, progress(options));
        ctx.stdout(options.json ? `${JSON.stringify(result, null, 2)}\n` : revisionsTable(result.environment, result.service, result.revisions));
      } finally {
        await app.close();
      }
    });

  common(program.command('rollback').description('roll one service back to a revision (default: the previous one)'))
    .requiredOption('--service <name>', 'the service')
    .option('--to <revision>', 'the revision to go back to (see convoy revisions)')
    .action(async (options: TargetOptions) => {
      const app = await ctx.openApp(options.data);
      try {
        const result = await (await clientFor(app)).run(
          'target.rollback',
          { dir: options.workspace, environment: options.env, service: options.service!, ...(options.to ? { toRevision: options.to } : {}) },
          progress(options),
        );
        ctx.stdout(
          options.json
            ? `${JSON.stringify(result, null, 2)}\n`
            : `${result.service} in ${result.environment}: rolled back from revision ${result.from ?? '-'} to the content of revision ${result.to}` +
                `${result.current ? `, now revision ${result.current}` : ''}\n`,
        );
      } finally {
        await app.close();
      }
    });
}
