// `convoy recover`: the releases a dead process left interrupted, each object they meant to change
// with what runs there now, and the user's choice for one of them — `--resume` (continue from the first
// unfinished step with the release's own images) or `--rollback` (restore every service it changed where
// it was interrupted, in reverse wave order). Convoy never picks for you.
import type { Command } from 'commander';
import { clientFor } from '../client.js';
import type { InterruptedRelease, ObjectVersion, RecoverResult, RecoveredObject } from '../../../shared/contract/recover.js';
import type { CliContext } from '../context.js';
import { summary } from './release-view.js';

interface RecoverOptions {
  resume?: boolean;
  rollback?: boolean;
  yes?: boolean;
  json?: boolean;
  workspace?: string;
  data?: string;
}

const live = (o: RecoveredObject) => (o.live ? `${o.live.image ?? 'nothing'} (${o.live.state})` : 'unreadable');
const before = (o: RecoveredObject) => (o.before ? `${o.before.image ?? 'nothing'}` : '?');

const version = (v: ObjectVersion | null) => (v === null ? 'unreadable' : v.exists ? `resourceVersion ${v.resourceVersion ?? '?'}` : 'absent');

/** A service row, then one row per Kubernetes object it wrote or meant to write (their own journal rows). */
export function objectTable(objects: readonly RecoveredObject[]): string {
  const rows = objects.flatMap((o) => [
    [`${o.environment}/${o.service}`, o.wave === null ? '-' : String(o.wave + 1), o.state, live(o), before(o), o.journal],
    ...o.resources.map((r) => [`  ${r.object}`, '', r.state, version(r.live), r.before ? version(r.before) : '?', r.journal]),
  ]);
  const all = [['OBJECT', 'WAVE', 'STATE', 'LIVE NOW', 'BEFORE THE RELEASE', 'JOURNAL'], ...rows];
  const widths = all[0]!.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`).join('\n');
}

export function interruptedText(r: InterruptedRelease): string {
  const where = r.environment ? ` in ${r.environment}` : ' before any environment';
  const lines = [
    `Release ${r.releaseId} → ${r.target}: INTERRUPTED${where}${r.lastStage ? ` (last stage ${r.lastStage})` : ''}, started ${r.createdAt}`,
    `  why: ${r.reason}`,
    ...(r.openSteps.length > 0 ? [`  may or may not have happened (intent, no result): ${r.openSteps.map((s) => `${s.kind} ${s.target}${s.object ? ` (${s.object})` : ''}`).join(', ')}`] : []),
    r.objects.length > 0 ? objectTable(r.objects) : '  nothing was planned yet',
    `  choose: convoy recover ${r.releaseId} --resume   or   convoy recover ${r.releaseId} --rollback`,
  ];
  return `${lines.join('\n')}\n`;
}

function resultText(result: RecoverResult): string {
  const head = result.action === 'resume' ? `Resumed release ${result.releaseId}` : `Rolled back release ${result.releaseId}`;
  const rollbacks = result.rollbacks.map((e) => `  ${e.service}: ${e.outcome} — ${e.message}`);
  return `${head}: ${result.ok ? 'done' : 'NOT done'}${result.error ? ` — ${result.error.message}` : ''}\n${rollbacks.length ? `${rollbacks.join('\n')}\n` : ''}${result.action === 'resume' ? summary(result.report) : ''}${objectTable(result.objects)}\n`;
}

export function registerRecover(program: Command, ctx: CliContext): void {
  program
    .command('recover')
    .description('releases a dead process left interrupted, per object; --resume or --rollback one of them (never automatic)')
    .argument('[release]', 'the interrupted release to act on')
    .option('--resume', 'continue it from the first unfinished step with its own images (refused if they would have to be rebuilt from another commit)')
    .option('--rollback', 'restore every service it changed where it was interrupted, in reverse wave order')
    .option('-y, --yes', 'approve up front an environment still waiting for approval when resuming')
    .option('-w, --workspace <dir>', 'the workspace (default: the one the release ran in)')
    .option('--json', 'print the answer as JSON')
    .option('--data <dir>', 'data directory (default: $CONVOY_HOME or the per-user data folder)')
    .action(async (releaseId: string | undefined, options: RecoverOptions) => {
      const usage = (message: string) => {
        ctx.stderr(`convoy recover: ${message}\n`);
        ctx.setExitCode?.(2);
      };
      if (options.resume && options.rollback) return usage('choose one of --resume and --rollback');
      if ((options.resume || options.rollback) && !releaseId) return usage('name the release: convoy recover RELEASE --resume (convoy recover lists them)');
      const app = await ctx.openApp(options.data);
      try {
        const client = await clientFor(app);
        const dir = options.workspace ? { dir: options.workspace } : {};
        const say = (p: { message: string }) => void (options.json ? undefined : ctx.stderr(`convoy recover: ${p.message}\n`));
        if (!options.resume && !options.rollback) {
          const { releases } = await client.run('recover.list', dir, say);
          const shown = releaseId ? releases.filter((r) => r.releaseId === releaseId) : releases;
          if (releaseId && shown.length === 0) {
            const { runs } = await client.call('history.list', { limit: 500 });
            const run = runs.find((r) => r.id === releaseId);
            return usage(run ? `release ${releaseId} is not interrupted (${run.status}); nothing to recover` : `no release ${releaseId} in history`);
          }
          if (options.json) ctx.stdout(`${JSON.stringify({ releases: shown }, null, 2)}\n`);
          else ctx.stdout(shown.length === 0 ? 'No interrupted releases: nothing to recover.\n' : shown.map(interruptedText).join('\n'));
          return;
        }
        const result = options.resume
          ? await client.run('recover.resume', { releaseId: releaseId!, ...dir, approval: options.yes ? 'auto' : 'refuse' }, say)
          : await client.run('recover.rollback', { releaseId: releaseId!, ...dir }, say);
        ctx.stdout(options.json ? `${JSON.stringify(result, null, 2)}\n` : resultText(result));
        if (!result.ok) ctx.setExitCode?.(1);
      } catch (err) {
        // Naming a release that is unknown or not interrupted is a usage error (exit 2), like a bad flag.
        const code = (err as { code?: unknown }).code;
        if (code === 'INVALID_INPUT' || code === 'NOT_FOUND') return usage(`${(err as Error).message} [${String(code)}]`);
        throw err;
      } finally {
        await app.close();
      }
    });
}
