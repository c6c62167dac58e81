// Helpers for the console's Chromium tests (test/e2e): the real `convoy` CLI in a child process with its
// output, the built renderer (rebuilt when stale), headless Chromium, and a watcher for CSP violations
// and page errors.
import { type ChildProcessByStdio, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page, chromium } from 'playwright-core';
import { CHROMIUM_PATH, skipsChromium } from './availability.js';
import { availability } from './docker-engine.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const CHROMIUM = CHROMIUM_PATH;
/** Decided once for the run by the global setup (test/support/global-availability.ts). */
export const hasChromium = availability().chromium.found;
export const version = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

/** Without Chromium an e2e suite skips on a developer machine but FAILS under CI, like the Docker suites. */
export const skipChromium = skipsChromium(availability());

/** Modification times of every file below `dir`. */
function newestMtimes(dir: string): number[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
}

/** Builds dist/renderer when it is missing or older than the renderer and shared sources. */
export function buildRendererIfStale(): void {
  if (!hasChromium) throw new Error(`CI is set but ${CHROMIUM} is missing: install it (apt-get install -y chromium; bash .ci/run does)`);
  const builtIndex = path.join(repoRoot, 'dist/renderer/index.html');
  // Build when missing, when the build predates the page's CSP <meta>, or when a renderer source or
  // the shared contract changed after it.
  const builtAt = existsSync(builtIndex) ? statSync(builtIndex).mtimeMs : 0;
  const newest = Math.max(...[path.join(repoRoot, 'renderer'), path.join(repoRoot, 'shared')].flatMap((dir) => newestMtimes(dir)));
  if (!existsSync(builtIndex) || newest > builtAt || !readFileSync(builtIndex, 'utf8').includes('http-equiv="Content-Security-Policy"')) {
    const build = spawnSync('npx', ['vite', 'build', '--config', 'build/vite.renderer.config.ts'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 180_000,
    });
    if (build.status !== 0) throw new Error(`renderer build failed:\n${build.stdout}\n${build.stderr}`);
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

type Child = ChildProcessByStdio<null, Readable, Readable>;

/** A running CLI process with its output so far and helpers to wait on it. */
export function startCli(args: string[]) {
  const child: Child = spawn(process.execPath, [path.join(repoRoot, 'bin/convoy.mjs'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const wakers = new Set<() => void>();
  const wake = () => wakers.forEach((w) => w());
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    wake();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      resolve(code);
      wake();
    }),
  );
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));

  /** Resolves with the first match of `pattern` in stdout; fails at the deadline or if the process exits. */
  function waitForOutput(pattern: RegExp, deadlineMs: number): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = stdout.match(pattern);
        if (match) return done(() => resolve(match));
        if (exitCode !== undefined) {
          return done(() => reject(new Error(`convoy exited (${exitCode}) before printing ${pattern}\nstdout:\n${stdout}\nstderr:\n${stderr}`)));
        }
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`no ${pattern} from convoy within ${deadlineMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`))),
        deadlineMs,
      );
      const done = (settle: () => void) => {
        clearTimeout(timer);
        wakers.delete(check);
        settle();
      };
      wakers.add(check);
      check();
    });
  }

  async function waitForExit(deadlineMs: number): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`convoy did not exit within ${deadlineMs} ms\nstderr:\n${stderr}`)), deadlineMs);
    });
    try {
      return await Promise.race([exited, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    child,
    waitForOutput,
    waitForExit,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    get running() {
      return exitCode === undefined;
    },
  };
}

/** Records CSP violations (events and console reports) and page errors from the first script on. */
export async function watch(page: Page) {
  const console: string[] = [];
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') console.push(message.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  // Browser code as text: this file is type-checked without the DOM library.
  await page.addInitScript({
    content: `window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (event) => {
        window.__cspViolations.push(event.effectiveDirective + ' ' + event.blockedURI);
      });`,
  });
  return {
    errors,
    /** Console lines about the Content-Security-Policy, and violation events. */
    async cspProblems(): Promise<string[]> {
      const events = await page.evaluate<string[]>('window.__cspViolations ?? []');
      return [...console.filter((line) => /Content.Security.Policy|Refused to/i.test(line)), ...events];
    },
  };
}


/** `convoy serve` on a fresh data directory, the URL it printed, and Chromium to open it in. */
export interface ServedConsole {
  dataDir: string;
  cli: ReturnType<typeof startCli>;
  url: URL;
  browser: Browser;
  /** Closes the browser, stops the server (SIGKILL if SIGTERM is not enough) and removes the data. */
  stop(): Promise<void>;
}

export async function startServedConsole(dataPrefix: string): Promise<ServedConsole> {
  buildRendererIfStale();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), dataPrefix));
  const cli = startCli(['serve', '--port', '0', '--data', dataDir]);
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close();
    if (cli.running) {
      cli.child.kill('SIGTERM');
      await cli.waitForExit(10_000).catch(() => cli.child.kill('SIGKILL'));
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const [, printed] = await cli.waitForOutput(/Convoy console: (http:\/\/\S+)/, 60_000);
    const url = new URL(printed!);
    browser = await launchChromium();
    return { dataDir, cli, url, browser, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
