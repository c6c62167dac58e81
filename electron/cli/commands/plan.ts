// `convoy plan`: the waves a release would deploy in each environment of convoy.yaml (in promotion
// order), the services it would skip because they already run the same image, and why each project is
// in the release. Changes nothing.
import type { Command } from 'commander';
import { clientFor } from '../client.js';
import type { ReleasePlanReport } from '../../../shared/contract.js';
import type { CliContext } from '../context.js';

interface PlanOptions {
  workspace: string;
  env?: string;
  only?: boolean;
  base?: string;
  head?: string;
  uncommitted?: boolean;
  projects?: string;
  live?: boolean;
  json?: boolean;
  data?: string;
}

export function planTable(plan: ReleasePlanReport): string {
  const short = (sha: string | null) => (sha ? sha.slice(0, 12) : '-');
  const source = plan.base === null && plan.head === null ? 'named projects' : `base ${short(plan.base)}, head ${short(plan.head)}`;
  const out: string[] = [`Plan: ${plan.services.length} service(s) in ${plan.environments.length} environment(s) — ${source}`, ''];
  if (plan.environments.length === 0) out.push('No environments: add them to convoy.yaml (see docs/configuration.md).', '');

  const rows: string[][] = [];
  for (const env of plan.environments) {
    const first = [env.name, env.kind, env.approvalRequired ? 'required' : '-'];
    if (env.waves.length === 0) rows.push([...first, '-', env.skipped.length > 0 ? '(nothing changed)' : '(nothing to deploy)']);
    env.waves.forEach((names, i) => rows.push([...(i === 0 ? first : ['', '', '']), String(i + 1), names.join(', ')]));
  }
  if (rows.length > 0) {
    const header = ['ENVIRONMENT', 'TARGET', 'APPROVAL', 'WAVE', 'SERVICES'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
    out.push(line(header), ...rows.map(line), '');
  }
  const skipped = plan.environments.flatMap((e) => e.skipped.map((s) => `  ${e.name}: ${s.service} — ${s.reason}`));
  if (skipped.length > 0) out.push('Skipped (unchanged):', ...skipped, '');
  const unknown = plan.environments.flatMap((e) => (e.live.error ? [`  ${e.name}: ${e.live.error.message} [${e.live.error.code}]`] : []));
  if (unknown.length > 0) out.push('Could not read what runs in (nothing skipped there):', ...unknown, '');
  if (plan.reasons.length > 0) {
    const width = Math.max(...plan.reasons.map((r) => r.project.length));
    const deployable = new Set(plan.services);
    out.push(
      'Why:',
      ...plan.reasons.map((r) => `  ${r.project.padEnd(width)}  ${deployable.has(r.project) ? '' : '(not deployed) '}${r.explanation}`),
      '',
    );
  }
  return out.join('\n');
}

export function registerPlan(program: Command, ctx: CliContext): void {
  program
    .command('plan')
    .description('show the waves a release would deploy in each environment, and what it would skip')
    .option('-w, --workspace <dir>', 'the Nx workspace', '.')
    .option('-e, --env <name>', 'plan up to this environment of convoy.yaml (default: all of them)')
    .option('--only', 'plan just the environment named by --env')
    .option('--base <ref>', "base of the comparison (default: NX_BASE, nx.json's defaultBase, else main)")
    .option('--head <ref>', 'head of the comparison (default: HEAD plus uncommitted and untracked files)')
    .option('--uncommitted', 'only uncommitted changes against HEAD')
    .option('-p, --projects <names>', 'plan these projects (comma-separated) instead of the affected ones')
    .option('--no-live', "do not ask the environments what runs there (nothing is skipped)")
    .option('--json', 'print JSON: { environments: [{ name, waves, skipped, … }], services, reasons, … }')
    .option('--data <dir>', 'data directory (default: $CONVOY_HOME or the per-user data folder)')
    .action(async (options: PlanOptions) => {
      const projects = options.projects?.split(',').map((s) => s.trim()).filter(Boolean);
      const app = await ctx.openApp(options.data);
      try {
        const plan = await (await clientFor(app)).run(
          'release.plan',
          {
            dir: options.workspace,
            ...(options.env ? { environment: options.env } : {}),
            ...(options.only ? { only: true } : {}),
            ...(options.base ? { base: options.base } : {}),
            ...(options.head ? { head: options.head } : {}),
            ...(options.uncommitted ? { uncommitted: true } : {}),
            ...(projects && projects.length > 0 ? { projects } : {}),
            ...(options.live === false ? { live: false } : {}),
          },
          (progress) => {
            if (!options.json && ctx.interactive) ctx.stderr(`… ${progress.message}\n`);
          },
        );
        ctx.stdout(options.json ? `${JSON.stringify(plan, null, 2)}\n` : planTable(plan));
      } finally {
        await app.close();
      }
    });
}
