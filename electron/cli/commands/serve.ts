import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { ConvoyError } from '../../../shared/convoy-error.js';
import type { CliContext } from '../context.js';
import { ensureRendererBuilt } from '../renderer-build.js';
import { REPO_ROOT } from '../repo-root.js';

/** The built renderer, relative to this file: <repo>/dist/renderer/. */
export const RENDERER_DIR = path.join(REPO_ROOT, 'dist', 'renderer');

export function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  const trimmed = value.trim();
  const port = /^\d{1,5}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    // INVALID_INPUT: a usage error, exit code 2 like every other invalid input.
    throw new ConvoyError('INVALID_INPUT', `Invalid --port ${JSON.stringify(value)}: use an integer from 0 to 65535 (0 picks a free port)`);
  }
  return port;
}

export function openerFor(platform: NodeJS.Platform, target: string): { command: string; args: string[] } {
  if (platform === 'darwin') return { command: 'open', args: [target] };
  // `start` is a cmd builtin; the empty string is the window title it would otherwise take from the target.
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""', target] };
  return { command: 'xdg-open', args: [target] };
}

/** What openInBrowser needs of a started opener process. */
export interface OpenerProcess {
  on(event: 'error', listener: (err: Error) => void): unknown;
  unref(): void;
}

/** Starts the opener (xdg-open, open, cmd start); replaceable in tests. */
export type SpawnOpener = (command: string, args: string[]) => OpenerProcess;

const spawnDetached: SpawnOpener = (command, args) =>
  spawn(command, args, { stdio: 'ignore', detached: true, windowsHide: true });

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A page that sends the browser on to `url`: a meta refresh, and location.replace so that the
 * launcher does not stay in the tab's history. The URL (with its token) lives only in this file.
 */
export function launcherHtml(url: string): string {
  // JSON is a JS string literal; escaping '<' keeps "</script>" (and "<!--") out of the script.
  const literal = JSON.stringify(url).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  const attribute = escapeHtml(url);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0;url=${attribute}">
<title>Opening Convoy…</title>
</head>
<body>
<script>location.replace(${literal});</script>
<p><a href="${attribute}">Open the Convoy console</a></p>
</body>
</html>
`;
}

export interface BrowserLauncher {
  /** The private folder holding the file (mode 0700). */
  dir: string;
  /** The launcher page (mode 0600). */
  file: string;
  /** Deletes the folder and the file; safe to call more than once. */
  remove(): void;
}

/**
 * Writes launcherHtml(url) into a fresh private folder under `tmpDir`, readable by this user only,
 * so that the token never appears on a command line (where other local users could read it in /proc).
 */
export function writeLauncher(url: string, tmpDir: string = os.tmpdir()): BrowserLauncher {
  const dir = mkdtempSync(path.join(tmpDir, 'convoy-open-'));
  try {
    chmodSync(dir, 0o700);
    const file = path.join(dir, 'open-convoy.html');
    writeFileSync(file, launcherHtml(url), { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return { dir, file, remove: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

export interface OpenOptions {
  warn: (text: string) => void;
  spawnOpener?: SpawnOpener;
  platform?: NodeJS.Platform;
  /** Where the launcher folder is made (default: the system temporary folder). */
  tmpDir?: string;
}

/**
 * Opens the console in the default browser through a launcher file. Returns the launcher, to be
 * removed when the console stops, or null when nothing could be opened (a warning says why).
 */
export function openInBrowser(url: string, options: OpenOptions): BrowserLauncher | null {
  const { warn } = options;
  let launcher: BrowserLauncher;
  try {
    launcher = writeLauncher(url, options.tmpDir);
  } catch (err) {
    warn(`convoy: warning: could not open a browser (cannot write the launcher page: ${(err as Error).message}); open the URL above yourself\n`);
    return null;
  }
  const { command, args } = openerFor(options.platform ?? process.platform, launcher.file);
  try {
    const child = (options.spawnOpener ?? spawnDetached)(command, args);
    child.on('error', (err) => warn(`convoy: warning: could not open a browser (${command}: ${err.message}); open the URL above yourself\n`));
    child.unref();
  } catch (err) {
    warn(`convoy: warning: could not open a browser (${(err as Error).message}); open the URL above yourself\n`);
  }
  return launcher;
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

/** Seams for tests: how the browser is opened and when serving stops. */
export interface ServeDeps {
  open?: Omit<OpenOptions, 'warn'>;
  /** Resolves when the console should stop (default: the first SIGINT or SIGTERM). */
  waitForStop?: () => Promise<string>;
  /** Makes sure the console's pages are built (default: build them once in a fresh checkout). */
  ensureRenderer?: (note: (text: string) => void) => Promise<unknown>;
}

const buildRendererOnce = (note: (text: string) => void) => ensureRendererBuilt({ rendererDir: RENDERER_DIR, repoRoot: REPO_ROOT, note });


export function registerServe(program: Command, ctx: CliContext, deps: ServeDeps = {}): void {
  program
    .command('serve')
    .description('serve the console in a browser on 127.0.0.1 (headless mode), until Ctrl-C')
    .option('--port <n>', 'port on 127.0.0.1 (0 picks a free port)', '0')
    .option('--open', 'open the console in the default browser')
    .option('--data <dir>', 'data directory (default: $CONVOY_HOME or the per-user data folder)')
    .action(async (options: { port?: string; open?: boolean; data?: string }) => {
      const port = parsePort(options.port);
      await (deps.ensureRenderer ?? buildRendererOnce)(ctx.stderr);
      const app = await ctx.openApp(options.data);
      // Loaded here: the WebSocket server is for `serve` only, not every start of the CLI.
      const { startServer } = await import('../../transports/ws/ws-server.js');
      const server = await startServer({ app, port, staticDir: RENDERER_DIR }).catch(async (err: unknown) => {
        await app.close();
        throw err;
      });
      ctx.stdout(`Convoy console: ${server.url}\n`);
      ctx.stdout('Listening on 127.0.0.1 only (not reachable from other machines). Press Ctrl-C to stop.\n');
      const launcher = options.open ? openInBrowser(server.url, { ...deps.open, warn: ctx.stderr }) : null;

      try {
        const signal = await (deps.waitForStop ?? waitForStopSignal)();
        ctx.stdout(`\nStopping Convoy console (${signal})…\n`);
        await server.close();
      } finally {
        launcher?.remove();
        await app.close();
      }
    });
}
