// `convoy rehearse` (= `npm run rehearse`), the main job: with no arguments it takes a git copy of the
// bundled example with a scripted change (electron/cli/rehearsal.ts) through a full release to the
// `local` Docker environment — affected and why, the plan, builds, tests, gates, waves, health and a
// summary. Run twice, the second run builds nothing and applies nothing. `--workspace DIR --env NAME`
// rehearses any workspace; `--clean` removes what the rehearsal deployed and its workspace.
import { rmSync } from 'node:fs';
import type { Command } from 'commander';
import { clientFor } from '../client.js';
import type { CliContext } from '../context.js';
import { REHEARSAL_BASE, REHEARSAL_BRANCH, prepareRehearsal, rehearsalDir, rehearsalServices } from '../rehearsal.js';
import { planTable } from './plan.js';
import { driveRelease } from './release-driver.js';
import { list } from './release.js';

interface RehearseOptions {
  workspace?: string;
  env: string;
  base?: string;
  head?: string;
  projects?: string;
  yes?: boolean;
  json?: boolean;
  clean?: boolean;
  data?: string;
}

export function registerRehearse(program: Command, ctx: CliContext): void {
  program
    .command('rehearse')
    .description('the main job: release a scripted change of the bundled example (or --workspace) to the local Docker environment, end to end')
    .option('-w, --workspace <dir>', 'rehearse this workspace instead of a copy of the bundled example')
    .option('-e, --env <name>', 'the environment to release to', 'local')
    .option('--base <ref>', 'base of the comparison (default for the example: main)')
    .option('--head <ref>', 'head of the comparison (default for the example: the rehearsal branch)')
    .option('-p, --projects <names>', 'release exactly these projects (comma-separated)')
    .option('-y, --yes', 'approve environments that need approval up front')
    .option('--json', 'print the release record as JSON')
    .option('--clean', "remove the rehearsal's containers in --env and its workspace copy, then stop")
    .option('--data <dir>', 'data directory (default: $CONVOY_HOME or the per-user data folder)')
    .action(async (options: RehearseOptions) => {
      const app = await ctx.openApp(options.data);
      try {
        const example = options.workspace === undefined;
        const dir = options.workspace ?? rehearsalDir(app.dataDir);
        const say = (text: string) => void (options.json ? undefined : ctx.stderr(text));
        if (options.clean) {
          if (!example) {
            ctx.stderr('convoy rehearse: --clean removes the rehearsal of the bundled example; for your own workspace remove its containers with docker rm -f convoy-<env>-<service>\n');
            ctx.setExitCode?.(2);
            return;
          }
          // Loaded here: the Docker client is for --clean only, not every start of the CLI.
          const { removeServiceContainers } = await import('../../app.js');
          const removed = await removeServiceContainers(options.env, rehearsalServices(dir));
          rmSync(dir, { recursive: true, force: true });
          ctx.stdout(`Removed ${removed.length} container(s)${removed.length ? `: ${removed.join(', ')}` : ''} and the rehearsal workspace ${dir}.\nThe images stay as the build cache; remove them with: docker image ls 'shop/*' -q | xargs -r docker image rm\n`);
          return;
        }
        if (example) {
          const { created } = await prepareRehearsal(dir);
          say(
            created
              ? `Rehearsal workspace ${dir}: a git copy of examples/shop on ${REHEARSAL_BASE}, with lib-pricing changed on the branch ${REHEARSAL_BRANCH}.\n`
              : `Reusing the rehearsal workspace ${dir}: the same commit again, so expect nothing built and nothing applied.\n`,
          );
        }
        const base = options.base ?? (example ? REHEARSAL_BASE : undefined);
        const head = options.head ?? (example ? REHEARSAL_BRANCH : undefined);
        const projects = list(options.projects);
        const client = await clientFor(app);
        const scope = {
          dir,
          environment: options.env,
          ...(base ? { base } : {}),
          ...(head ? { head } : {}),
          ...(projects && projects.length > 0 ? { projects } : {}),
        };
        if (!options.json) {
          // The plan first: what is affected and why, and the waves per environment.
          const plan = await client.run('release.plan', scope);
          ctx.stderr(`\n${planTable(plan)}\n`);
        }
        const report = await driveRelease(client, ctx, scope, { json: options.json, yes: options.yes, name: 'convoy rehearse' });
        if (example && !options.json && report.state === 'succeeded') {
          say(`The services keep running as the ${options.env} environment. To remove them and the rehearsal workspace: npm run rehearse -- --clean (or convoy rehearse --clean)\n`);
        }
      } finally {
        await app.close();
      }
    });
}
