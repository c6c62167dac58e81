// `convoy diff --env NAME`: the combined server-side diff a release would show in one environment —
// built first as the release would build, redacted, in apply (wave) order. Applies nothing.
import type { Command } from 'commander';
import { clientFor } from '../client.js';
import type { ReleaseDiffReport } from '../../../shared/contract.js';
import type { CliContext } from '../context.js';

interface DiffOptions {
  workspace: string;
  env: string;
  base?: string;
  head?: string;
  uncommitted?: boolean;
  projects?: string;
  json?: boolean;
  data?: string;
}

export function diffText(report: ReleaseDiffReport): string {
  const out: string[] = [`Diff of ${report.environment} (${report.kind}): ${report.waves.flat().length} service(s) in ${report.waves.length} wave(s)`];
  report.waves.forEach((names, i) => out.push(`  wave ${i + 1}: ${names.join(', ')}`));
  for (const s of report.skipped) out.push(`  skipped: ${s.service} — ${s.reason}`);
  if (report.objects.length > 0) out.push('', ...report.objects.map((o) => `${o.change.padEnd(10)} ${o.object} (${o.service})`));
  out.push('', report.text.length > 0 ? report.text.trimEnd() : report.waves.length > 0 ? '(no changes)' : '(nothing to deploy)', '');
  return out.join('\n');
}

export function registerDiff(program: Command, ctx: CliContext): void {
  program
    .command('diff')
    .description('show the server-side diff a release would apply to one environment (builds first, applies nothing)')
    .requiredOption('-e, --env <name>', 'the environment of convoy.yaml')
    .option('-w, --workspace <dir>', 'the Nx workspace', '.')
    .option('--base <ref>', "base of the comparison (default: NX_BASE, nx.json's defaultBase, else main)")
    .option('--head <ref>', 'head of the comparison (default: HEAD plus uncommitted and untracked files)')
    .option('--uncommitted', 'only uncommitted changes against HEAD')
    .option('-p, --projects <names>', 'diff these projects (comma-separated) instead of the affected ones')
    .option('--json', 'print JSON: { environment, waves, skipped, images, objects, text, … }')
    .option('--data <dir>', 'data directory (default: $CONVOY_HOME or the per-user data folder)')
    .action(async (options: DiffOptions) => {
      const projects = options.projects?.split(',').map((s) => s.trim()).filter(Boolean);
      const app = await ctx.openApp(options.data);
      try {
        const report = await (await clientFor(app)).run(
          'release.diff',
          {
            dir: options.workspace,
            environment: options.env,
            ...(options.base ? { base: options.base } : {}),
            ...(options.head ? { head: options.head } : {}),
            ...(options.uncommitted ? { uncommitted: true } : {}),
            ...(projects && projects.length > 0 ? { projects } : {}),
          },
          (progress) => {
            if (!options.json && ctx.interactive) ctx.stderr(`… ${progress.message}\n`);
          },
        );
        ctx.stdout(options.json ? `${JSON.stringify(report, null, 2)}\n` : diffText(report));
      } finally {
        await app.close();
      }
    });
}
