// `convoy build`: builds and tests the affected (or named) projects in the local Docker Engine, on its
// own, outside a release. In a terminal it shows one live status line; otherwise it prints plain
// progress lines (logs, CI). `--logs` also prints every build and test log line, already redacted.
// A test that passed before with the same image ID, command, environment and timeout is not run again
// and shows `cached (passed in a run of <date>)`; `--rerun-tests` runs them all.
import type { Command } from 'commander';
import { clientFor } from '../client.js';
import type { BuildReport, ProjectBuild } from '../../../shared/domain.js';
import type { CliContext } from '../context.js';

interface BuildOptions {
  workspace: string;
  projects?: string;
  base?: string;
  head?: string;
  uncommitted?: boolean;
  concurrency?: string;
  logs?: boolean;
  json?: boolean;
  rerunTests?: boolean;
  data?: string;
}

function describeBuild(p: ProjectBuild): string {
  switch (p.status) {
    case 'built':
      return `built in ${((p.durationMs ?? 0) / 1000).toFixed(1)} s`;
    case 'cached':
      return 'cached (no build)';
    default:
      return p.status;
  }
}

/** `2026-12-04 23:40 UTC` from an ISO time. */
function when(iso: string): string {
  return /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso)?.slice(1, 3).join(' ').concat(' UTC') ?? iso;
}

function describeTest(p: ProjectBuild): string {
  const t = p.test;
  if (t.status === 'none') return 'no tests';
  if (t.cached) return `cached (passed in a run of ${when(t.cached.passedAt)})`;
  if (t.status === 'not-run') return 'not run';
  const secs = t.durationMs === null ? '' : ` in ${(t.durationMs / 1000).toFixed(1)} s`;
  return t.status === 'failed' ? `failed (exit ${String(t.exitCode)})${secs}` : `${t.status}${secs}`;
}

export function buildTable(report: BuildReport): string {
  const header = `${report.ok ? 'OK' : 'FAILED'}: ${report.projects.length} project(s), ${report.buildCalls} build(s) made — run ${report.runId}`;
  if (report.projects.length === 0) return `${header}\nNothing to build: no affected project has a Dockerfile.\n`;
  const width = Math.max(7, ...report.projects.map((p) => p.project.length));
  const imageWidth = Math.max(5, ...report.projects.map((p) => (p.image ?? '-').length));
  const rows = report.projects.map(
    (p) => `${p.project.padEnd(width)}  ${(p.image ?? '-').padEnd(imageWidth)}  ${describeBuild(p).padEnd(18)}  ${describeTest(p)}`,
  );
  const problems = report.projects
    .filter((p) => p.error)
    .flatMap((p) => [`${p.project}: ${p.error!.message} [${p.error!.code}]`, ...p.test.logTail.slice(-8).map((line) => `  | ${line}`)]);
  return [header, '', `${'PROJECT'.padEnd(width)}  ${'IMAGE'.padEnd(imageWidth)}  ${'BUILD'.padEnd(18)}  TESTS`, ...rows, ...(problems.length ? ['', ...problems] : [])].join('\n') + '\n';
}

export function registerBuild(program: Command, ctx: CliContext): void {
  program
    .command('build')
    .description('build the affected projects’ images in the local Docker Engine and run their tests in them')
    .option('-w, --workspace <dir>', 'the Nx workspace', '.')
    .option('-p, --projects <names>', 'build exactly these projects (comma-separated) instead of the affected ones')
    .option('--base <ref>', 'base of the comparison for the affected projects')
    .option('--head <ref>', 'head of the comparison (default: HEAD plus uncommitted and untracked files)')
    .option('--uncommitted', 'only uncommitted changes against HEAD')
    .option('-j, --concurrency <n>', "parallel builds (default: convoy.yaml's build.concurrency, else the CPU count)")
    .option('--rerun-tests', 'run every test, also those that passed before with the same image, command, environment and timeout')
    .option('--logs', 'print every build and test log line (redacted)')
    .option('--json', 'print the build report as JSON')
    .option('--data <dir>', 'data directory (default: $CONVOY_HOME or the per-user data folder)')
    .action(async (options: BuildOptions) => {
      const concurrency = options.concurrency === undefined ? undefined : Number(options.concurrency);
      const projects = options.projects
        ?.split(',')
        .map((name) => name.trim())
        .filter(Boolean);
      const app = await ctx.openApp(options.data);
      const live = ctx.interactive && !options.json;
      let statusShown = false;
      const clearStatus = () => {
        if (statusShown) ctx.stderr('\r\x1b[K');
        statusShown = false;
      };
      let stopInterrupt = () => {};
      try {
        const client = await clientFor(app);
        // Ctrl-C cancels the job: in-flight builds stop, test containers are removed, the run is
        // recorded as cancelled. A second Ctrl-C exits at once.
        let jobId: string | null = null;
        let interrupted = false;
        stopInterrupt = ctx.onInterrupt(() => {
          if (interrupted) process.exit(130);
          interrupted = true;
          clearStatus();
          ctx.stderr('convoy build: cancelling (Ctrl-C again to quit at once)…\n');
          if (jobId) void client.call('job.cancel', { jobId }).catch(() => {});
        });
        const stopLogs = options.logs
          ? client.on('build.log', (entry) => {
              clearStatus();
              ctx.stderr(`[${entry.project} ${entry.phase}] ${entry.line}\n`);
            })
          : () => {};
        let report: BuildReport;
        try {
          report = await client.run(
            'build.run',
            {
              dir: options.workspace,
              ...(projects && projects.length > 0 ? { projects } : {}),
              ...(options.base ? { base: options.base } : {}),
              ...(options.head ? { head: options.head } : {}),
              ...(options.uncommitted ? { uncommitted: true } : {}),
              ...(concurrency !== undefined ? { concurrency } : {}),
              ...(options.rerunTests ? { rerunTests: true } : {}),
            },
            (progress) => {
              if (options.json) return;
              const pct = progress.fraction === null ? '' : ` ${Math.round(progress.fraction * 100)}%`;
              if (live) {
                ctx.stderr(`\r\x1b[K…${pct} ${progress.message}`.slice(0, 200));
                statusShown = true;
              } else {
                ctx.stderr(`convoy build:${pct} ${progress.message}\n`);
              }
            },
            (id) => {
              jobId = id;
              if (interrupted) void client.call('job.cancel', { jobId: id }).catch(() => {});
            },
          );
        } finally {
          stopLogs();
          clearStatus();
        }
        ctx.stdout(options.json ? `${JSON.stringify(report, null, 2)}\n` : buildTable(report));
        if (interrupted) ctx.setExitCode?.(130);
        else if (!report.ok) ctx.setExitCode?.(1);
      } finally {
        stopInterrupt();
        await app.close();
      }
    });
}
