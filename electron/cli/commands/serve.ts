import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { startServer } from '../../server/ws-server.js';
import type { CliContext } from '../context.js';

/** The built renderer, relative to this file: <repo>/dist/renderer/. */
export const RENDERER_DIR = fileURLToPath(new URL('../../../dist/renderer/', import.meta.url));

export function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  const trimmed = value.trim();
  const port = /^\d{1,5}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`Invalid --port ${JSON.stringify(value)}: use an integer from 0 to 65535 (0 picks a free port)`);
  }
  return port;
}

function openerFor(platform: NodeJS.Platform, url: string): { command: string; args: string[] } {
  if (platform === 'darwin') return { command: 'open', args: [url] };
  // `start` is a cmd builtin; the empty string is the window title it would otherwise take from the URL.
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""', url] };
  return { command: 'xdg-open', args: [url] };
}

function openBrowser(url: string, warn: (text: string) => void): void {
  const { command, args } = openerFor(process.platform, url);
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true, windowsHide: true });
    child.on('error', (err) => warn(`convoy: warning: could not open a browser (${command}: ${err.message}); open the URL above yourself\n`));
    child.unref();
  } catch (err) {
    warn(`convoy: warning: could not open a browser (${(err as Error).message}); open the URL above yourself\n`);
  }
}

/** Resolves on the first SIGINT or SIGTERM. */
function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('serve the console in a browser on 127.0.0.1 (headless mode), until Ctrl-C')
    .option('--port <n>', 'port on 127.0.0.1 (0 picks a free port)', '0')
    .option('--open', 'open the console in the default browser')
    .option('--data <dir>', 'data directory (default: $CONVOY_HOME or the per-user data folder)')
    .action(async (options: { port?: string; open?: boolean; data?: string }) => {
      const port = parsePort(options.port);
      const app = ctx.openApp(options.data);
      const server = await startServer({ app, port, staticDir: RENDERER_DIR }).catch(async (err: unknown) => {
        await app.close();
        throw err;
      });
      ctx.stdout(`Convoy console: ${server.url}\n`);
      ctx.stdout('Listening on 127.0.0.1 only (not reachable from other machines). Press Ctrl-C to stop.\n');
      if (options.open) openBrowser(server.url, ctx.stderr);

      const signal = await waitForStopSignal();
      ctx.stdout(`\nStopping Convoy console (${signal})…\n`);
      try {
        await server.close();
      } finally {
        await app.close();
      }
    });
}
