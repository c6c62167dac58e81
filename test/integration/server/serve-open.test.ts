// `convoy serve --open`: the token URL reaches the browser through a private launcher file, never
// through the opener's command line (which any local user can read in /proc/PID/cmdline).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../electron/app.js';
import type { CliContext } from '../../../electron/cli/context.js';
import {
  type OpenerProcess,
  type SpawnOpener,
  launcherHtml,
  openInBrowser,
  openerFor,
  registerServe,
  writeLauncher,
} from '../../../electron/cli/commands/serve.js';

const URL_WITH_TOKEN = 'http://127.0.0.1:4321/?token=Secret_Token-0123456789abcdefghijklmnopqrstuv';
const isPosix = process.platform !== 'win32';

/** An opener that records its argv and never starts anything. */
function recordingOpener(fail?: Error) {
  const calls: Array<{ command: string; args: string[] }> = [];
  const spawnOpener: SpawnOpener = (command, args) => {
    calls.push({ command, args: [...args] });
    const child: OpenerProcess = {
      on(_event, listener) {
        if (fail) queueMicrotask(() => listener(fail));
        return child;
      },
      unref() {},
    };
    return child;
  };
  return { calls, spawnOpener };
}

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'convoy-serve-open-'));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('launcherHtml', () => {
  it('redirects with a meta refresh and location.replace', () => {
    const html = launcherHtml(URL_WITH_TOKEN);
    expect(html).toContain(`<meta http-equiv="refresh" content="0;url=${URL_WITH_TOKEN}">`);
    expect(html).toContain(`<script>location.replace(${JSON.stringify(URL_WITH_TOKEN)});</script>`);
    expect(html).toContain('<meta name="referrer" content="no-referrer">');
  });

  it('escapes the URL for the attribute and for the script', () => {
    const html = launcherHtml('http://127.0.0.1:1/?a=1&b="x"</script><b>');
    expect(html).not.toContain('</script><b>');
    expect(html).toContain('content="0;url=http://127.0.0.1:1/?a=1&#38;b=&#34;x&#34;&#60;/script&#62;&#60;b&#62;"');
    expect(html).toContain('location.replace("http://127.0.0.1:1/?a=1&b=\\"x\\"\\u003c/script>\\u003cb>")');
  });
});

describe('writeLauncher', () => {
  it('writes the page into a fresh private folder, mode 0600 in 0700, and removes both', () => {
    const launcher = writeLauncher(URL_WITH_TOKEN, tmp);
    expect(path.dirname(launcher.dir)).toBe(tmp);
    expect(path.basename(launcher.dir)).toMatch(/^convoy-open-/);
    expect(path.dirname(launcher.file)).toBe(launcher.dir);
    expect(readFileSync(launcher.file, 'utf8')).toBe(launcherHtml(URL_WITH_TOKEN));
    if (isPosix) {
      expect(statSync(launcher.file).mode & 0o777).toBe(0o600);
      expect(statSync(launcher.dir).mode & 0o777).toBe(0o700);
    }
    const other = writeLauncher(URL_WITH_TOKEN, tmp);
    expect(other.dir).not.toBe(launcher.dir);
    launcher.remove();
    launcher.remove();
    expect(existsSync(launcher.dir)).toBe(false);
    expect(existsSync(other.file)).toBe(true);
    other.remove();
  });
});

describe('openInBrowser', () => {
  it('passes the launcher file to the opener, never the URL or its token', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const opener = recordingOpener();
      const warnings: string[] = [];
      const launcher = openInBrowser(URL_WITH_TOKEN, { platform, tmpDir: tmp, spawnOpener: opener.spawnOpener, warn: (t) => warnings.push(t) });
      expect(launcher).not.toBeNull();
      expect(opener.calls).toEqual([openerFor(platform, launcher!.file)]);
      const argv = [opener.calls[0]!.command, ...opener.calls[0]!.args].join(' ');
      expect(argv).not.toContain('token');
      expect(argv).not.toContain('Secret_Token');
      expect(argv).not.toContain('127.0.0.1');
      expect(readFileSync(launcher!.file, 'utf8')).toContain(URL_WITH_TOKEN);
      expect(warnings).toEqual([]);
      launcher!.remove();
    }
    expect(openerFor('linux', '/tmp/x.html')).toEqual({ command: 'xdg-open', args: ['/tmp/x.html'] });
  });

  it('warns, without the URL, when the opener fails', async () => {
    const opener = recordingOpener(new Error('spawn xdg-open ENOENT'));
    const warnings: string[] = [];
    const launcher = openInBrowser(URL_WITH_TOKEN, { platform: 'linux', tmpDir: tmp, spawnOpener: opener.spawnOpener, warn: (t) => warnings.push(t) });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(warnings.join('')).toContain('could not open a browser (xdg-open: spawn xdg-open ENOENT)');
    expect(warnings.join('')).not.toContain('Secret_Token');
    launcher?.remove();
  });

  it('opens nothing when the launcher cannot be written', () => {
    const opener = recordingOpener();
    const warnings: string[] = [];
    const launcher = openInBrowser(URL_WITH_TOKEN, {
      platform: 'linux',
      tmpDir: path.join(tmp, 'missing', 'folder'),
      spawnOpener: opener.spawnOpener,
      warn: (t) => warnings.push(t),
    });
    expect(launcher).toBeNull();
    expect(opener.calls).toEqual([]);
    expect(warnings.join('')).toContain('cannot write the launcher page');
  });
});

describe('convoy serve --open', () => {
  it('opens the launcher, which holds the printed URL, and deletes it when serve stops', async () => {
    const dataDir = path.join(tmp, 'data');
    const launchers = path.join(tmp, 'launchers');
    mkdirSync(launchers);
    const out: string[] = [];
    const err: string[] = [];
    const ctx: CliContext = {
      openApp: () => createApp({ dataDir }),
      stdout: (text) => out.push(text),
      stderr: (text) => err.push(text),
      interactive: false,
      env: {},
      onInterrupt: () => () => {},
    };
    const opener = recordingOpener();
    let stop: (signal: string) => void = () => {};
    const stopped = new Promise<string>((resolve) => (stop = resolve));
    const program = new Command().exitOverride();
    registerServe(program, ctx, { open: { spawnOpener: opener.spawnOpener, tmpDir: launchers, platform: 'linux' }, waitForStop: () => stopped, ensureRenderer: async () => {} });
    const running = program.parseAsync(['node', 'convoy', 'serve', '--open', '--port', '0']);

    const deadline = Date.now() + 10_000;
    while (opener.calls.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(opener.calls).toHaveLength(1);
    const printed = /Convoy console: (\S+)/.exec(out.join(''))?.[1];
    expect(printed).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    const [file] = opener.calls[0]!.args;
    expect(opener.calls[0]!.command).toBe('xdg-open');
    expect(opener.calls[0]!.args.join(' ')).not.toContain(new URL(printed!).searchParams.get('token')!);
    expect(readFileSync(file!, 'utf8')).toBe(launcherHtml(printed!));
    if (isPosix) expect(statSync(file!).mode & 0o777).toBe(0o600);

    stop('SIGTERM');
    await running;
    expect(existsSync(file!)).toBe(false);
    expect(existsSync(path.dirname(file!))).toBe(false);
    expect(out.join('')).toContain('Stopping Convoy console (SIGTERM)');
    expect(err).toEqual([]);
  });
});
