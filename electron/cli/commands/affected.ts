import type { Command } from 'commander';
import { clientFor } from '../client.js';
import type { AffectedSet } from '../../../shared/domain.js';
import type { CliContext } from '../context.js';

interface AffectedOptions {
  workspace: string;
  base?: string;
  head?: string;
  uncommitted?: boolean;
  untracked?: boolean;
  files?: string;
  nx?: string;
  allowCycles?: boolean;
  json?: boolean;
  data?: string;
}

/**
 * The stable JSON shape of `convoy affected --json` (README, "affected --json"): every project says why
 * in `cause`: `files`, `dependency`, or the workspace-wide cause (e.g. `nx.json changed`).
 */
export function affectedJson(set: AffectedSet) {
  return {
    base: set.base,
    head: set.head,
    projects: set.projects.map((project) => ({
      name: project.name,
      root: project.root,
      direct: project.direct,
      cause: project.cause,
      files: project.files,
      via: project.via,
    })),
  };
}

export function affectedTable(set: AffectedSet): string {
  const short = (sha: string | null) => (sha ? sha.slice(0, 12) : '-');
  const header = `${set.projects.length} affected project(s) — base ${short(set.base)}, head ${
    set.uncommitted ? 'working tree' : short(set.head)
  }, ${set.touchedFiles} touched file(s)${set.graphCached ? ', cached graph' : set.graphRead === 'updated' ? ', graph updated' : ''}`;
  if (set.projects.length === 0) return `${header}\n`;
  const nameWidth = Math.max(7, ...set.projects.map((p) => p.name.length));
  const lines = set.projects.map((project) => {
    const why = project.direct
      ? project.reasons
          .map((reason) =>
            reason.kind === 'files'
              ? `changed ${reason.files.join(', ')}${reason.more > 0 ? ` (+${reason.more} more)` : ''}`
              : reason.kind === 'workspace'
                ? reason.cause
                : '',
          )
          .join('; ')
      : project.explanation;
    return `${project.name.padEnd(nameWidth)}  ${(project.direct ? 'direct' : 'dependent').padEnd(9)}  ${why}`;
  });
  return [header, '', `${'PROJECT'.padEnd(nameWidth)}  ${'HOW'.padEnd(9)}  WHY`, ...lines].join('\n') + '\n';
}

export function registerAffected(program: Command, ctx: CliContext): void {
  program
    .command('affected')
    .description('list the projects a change affects, and why (the same set as `nx show projects --affected`)')
    .option('-w, --workspace <dir>', 'the Nx workspace', '.')
    .option('--base <ref>', "base of the comparison (default: NX_BASE, nx.json's defaultBase, else main)")
    .option('--head <ref>', 'head of the comparison (default: HEAD plus uncommitted and untracked files)')
    .option('--uncommitted', 'only uncommitted changes against HEAD')
    .option('--untracked', 'only untracked files')
    .option('--files <list>', 'only these files (comma-separated, relative to the workspace root)')
    .option('--nx <which>', "which nx reads the workspace: 'workspace' (its own, default) or 'bundled' (Convoy's)")
    .option('--allow-cycles', 'answer even if the project graph has a dependency cycle')
    .option('--json', 'print JSON: { base, head, projects: [{ name, root, direct, cause, files, via }] }')
    .option('--data <dir>', 'data directory (default: $CONVOY_HOME or the per-user data folder)')
    .action(async (options: AffectedOptions) => {
      // Affected records nothing: a read-only data directory only costs the persisted graph.
      const app = await ctx.openApp(options.data, { readOnly: true });
      try {
        const client = await clientFor(app);
        const set = await client.run(
          'affected.compute',
          {
            dir: options.workspace,
            ...(options.base ? { base: options.base } : {}),
            ...(options.head ? { head: options.head } : {}),
            ...(options.uncommitted ? { uncommitted: true } : {}),
            ...(options.untracked ? { untracked: true } : {}),
            ...(options.files !== undefined ? { files: options.files.split(',').map((f) => f.trim()).filter(Boolean) } : {}),
            ...(options.nx !== undefined ? { nx: options.nx as 'workspace' | 'bundled' } : {}),
            ...(options.allowCycles ? { allowCycles: true } : {}),
          },
          (progress) => {
            if (!options.json && ctx.interactive) ctx.stderr(`… ${progress.message}\n`);
          },
        );
        for (const note of set.notes ?? []) ctx.stderr(`convoy: note: ${note}\n`);
        ctx.stdout(options.json ? `${JSON.stringify(affectedJson(set), null, 2)}\n` : affectedTable(set));
      } finally {
        await app.close();
      }
    });
}
