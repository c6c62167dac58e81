import type { Command } from 'commander';
import { clientFor } from '../client.js';
import type { CliContext } from '../context.js';

export function registerInfo(program: Command, ctx: CliContext): void {
  program
    .command('info')
    .description('show the version, the data directory and whether the Docker Engine answers')
    .option('--data <dir>', 'data directory (default: $CONVOY_HOME or the per-user data folder)')
    .option('--json', 'print JSON')
    .action(async (options: { data?: string; json?: boolean }) => {
      const app = await ctx.openApp(options.data);
      try {
        const info = await (await clientFor(app)).call('app.info', {});
        if (options.json) {
          ctx.stdout(`${JSON.stringify(info, null, 2)}\n`);
          return;
        }
        ctx.stdout(
          [
            `Convoy ${info.version}`,
            `data dir      ${info.dataDir}`,
            `store schema  ${info.storeSchemaVersion}`,
            `docker        ${info.docker.reachable ? `reachable (${info.docker.version}) at ${info.docker.endpoint}` : info.docker.error}`,
          ].join('\n') + '\n',
        );
      } finally {
        await app.close();
      }
    });
}
