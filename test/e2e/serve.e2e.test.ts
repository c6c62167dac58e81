// `convoy serve` end to end: the real CLI in a child process, the built renderer, headless Chromium.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerEndpoint } from '../../electron/adapters/docker/docker-engine.js';
import { writeLauncher } from '../../electron/cli/commands/serve.js';
import { contentSecurityPolicy } from '../../electron/shell/shell-config.js';
import { requireDocker, skipDocker, snapshotImages, unreachable } from '../support/docker-engine.js';
import { CHROMIUM, type ServedConsole, repoRoot, skipChromium, startCli, startServedConsole, version, watch } from '../support/serve-cli.js';

if (skipChromium) console.warn(`[serve e2e] skipped: ${CHROMIUM} is missing, so there is no browser to drive`);

/** The production policy, as the page's <meta> carries it (frame-ancestors only works in a header). */
const META_POLICY = contentSecurityPolicy()
  .split('; ')
  .filter((part) => !part.startsWith('frame-ancestors'))
  .join('; ');

describe.skipIf(skipChromium)('convoy serve in Chromium', () => {
  let dataDir: string;
  let cli: ReturnType<typeof startCli>;
  let url: URL;
  let browser: Browser;

  let served: ServedConsole | undefined;

  beforeAll(async () => {
    served = await startServedConsole('convoy-serve-e2e-');
    ({ dataDir, cli, url, browser } = served);
  }, 240_000);

  afterAll(() => served?.stop());

  /** Loads the console, points it at the bundled example workspace, and opens one screen by its link. */
  async function openOnExample(page: Page, screen: 'build' | 'environments'): Promise<void> {
    await page.goto(url.href);
    await page.getByTestId('app-version').filter({ hasText: version }).waitFor({ timeout: 20_000 });
    await page.getByTestId('workspace-dir').fill(path.join(repoRoot, 'examples', 'shop'));
    await page.getByTestId(`nav-${screen}`).click();
  }

  it('prints a token URL on 127.0.0.1 and says it listens there only', () => {
    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).toBeGreaterThan(0);
    expect(url.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cli.stdout).toMatch(/127\.0\.0\.1 only/);
    expect(cli.stdout).toMatch(/Ctrl-C/);
  });

  it('shows the version, the data dir and the Docker status that app.info reports', async () => {
    const page = await browser.newPage();
    const watched = await watch(page);
    try {
      await page.goto(url.href);
      const versionText = page.getByTestId('app-version');
      await versionText.filter({ hasText: version }).waitFor({ timeout: 20_000 });
      expect(await versionText.textContent()).toBe(`v${version}`);
      expect(await page.getByTestId('data-dir').textContent()).toBe(path.resolve(dataDir));
      expect(await page.getByTestId('transport').textContent()).toContain('WebSocket');

      const docker = page.locator('[data-testid="docker-status"][data-reachable]');
      await docker.waitFor({ timeout: 20_000 });
      const reachable = await docker.getAttribute('data-reachable');
      // The page says what the engine really is: reachable exactly when the test's own ping answered.
      expect(reachable).toBe(String(unreachable === null));
      const text = (await docker.textContent()) ?? '';
      // The endpoint only reaches the page through app.info.
      expect(await docker.getAttribute('title')).toBe(dockerEndpoint(process.env));
      if (reachable === 'true') expect(text).toMatch(/Docker Engine reachable/);
      else {
        expect(text).toContain('Docker Engine not reachable');
        expect(text).toContain(dockerEndpoint(process.env));
      }
      expect(watched.errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('the page carries the production CSP in a <meta>, and the console works under it without a violation', async () => {
    const page = await browser.newPage();
    const watched = await watch(page);
    try {
      const response = await page.goto(url.href);
      // Two policies apply: the server's header and the page's own <meta>; both allow the socket.
      expect(response?.headers()['content-security-policy']).toContain(`ws://127.0.0.1:${url.port}`);
      expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')).toBe(META_POLICY);
      await page.getByTestId('app-version').filter({ hasText: version }).waitFor({ timeout: 20_000 });
      // Exercise a job over the socket too (it fails: no workspace there), then look for violations.
      await page.getByTestId('workspace-dir').fill(path.join(dataDir, 'no-such-workspace'));
      await page.getByTestId('workspace-open').click();
      await page.getByTestId('workspace-error').waitFor({ timeout: 20_000 });
      expect(await watched.cspProblems()).toEqual([]);
      expect(watched.errors).toEqual([]);

      // Control: the watcher does see a violation. A socket to another port (loopback; CSP stops it
      // before any connection) is refused by both policies, the <meta> one included.
      const policies = await page.evaluate<string[]>(`new Promise((resolve) => {
        const seen = [];
        document.addEventListener('securitypolicyviolation', (event) => {
          seen.push(event.originalPolicy.includes('ws://127.0.0.1') ? 'header' : 'meta');
          if (seen.length === 2) resolve(seen.sort());
        });
        try {
          new WebSocket('ws://127.0.0.1:1/');
        } catch {
          // Some engines throw as well as report.
        }
        setTimeout(() => resolve(seen.sort()), 3000);
      })`);
      expect(policies).toEqual(['header', 'meta']);
      expect((await watched.cspProblems()).length).toBeGreaterThan(0);
    } finally {
      await page.close();
    }
  });

  it('takes the token out of the address bar, and a reload still connects', async () => {
    const page = await browser.newPage();
    const watched = await watch(page);
    try {
      await page.goto(url.href);
      await page.getByTestId('app-version').filter({ hasText: version }).waitFor({ timeout: 20_000 });
      const shown = new URL(page.url());
      expect(shown.searchParams.has('token')).toBe(false);
      expect(page.url()).not.toContain(url.searchParams.get('token')!);
      expect(shown.origin).toBe(url.origin);
      await page.reload();
      await page.getByTestId('app-version').filter({ hasText: version }).waitFor({ timeout: 20_000 });
      expect(await page.getByTestId('connection-error').count()).toBe(0);
      expect(await watched.cspProblems()).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('the address names the screen: #/history stays through the token removal and a reload', async () => {
    const page = await browser.newPage();
    const watched = await watch(page);
    try {
      await page.goto(`${url.href}#/history`);
      await page.getByTestId('history-empty').waitFor({ timeout: 20_000 });
      expect(new URL(page.url()).hash).toBe('#/history');
      expect(new URL(page.url()).searchParams.has('token')).toBe(false);
      await page.reload();
      await page.getByTestId('history-empty').waitFor({ timeout: 20_000 });
      await page.getByTestId('nav-affected').click();
      await page.getByTestId('affected-compute').waitFor({ timeout: 20_000 });
      expect(new URL(page.url()).hash).toBe('#/affected');
      expect(await watched.cspProblems()).toEqual([]);
      expect(watched.errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('the --open launcher file leads to the console (the token never on a command line)', async () => {
    const launcher = writeLauncher(url.href);
    const page = await browser.newPage();
    try {
      await page.goto(pathToFileURL(launcher.file).href);
      await page.getByTestId('app-version').filter({ hasText: version }).waitFor({ timeout: 20_000 });
      expect(new URL(page.url()).origin).toBe(url.origin);
      expect(new URL(page.url()).searchParams.has('token')).toBe(false);
    } finally {
      await page.close();
      launcher.remove();
    }
  });

  it('without the token the page shows a refusal, not data', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${url.origin}/`);
      const refusal = page.getByTestId('connection-error');
      await refusal.waitFor({ timeout: 20_000 });
      expect(await refusal.textContent()).toContain('no access token');
      expect(await page.getByTestId('data-dir').count()).toBe(0);
    } finally {
      await page.close();
    }
  });

  it('with a wrong token the page shows that the server refused it', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${url.origin}/?token=not-the-token`);
      const refusal = page.getByTestId('connection-error');
      await refusal.waitFor({ timeout: 20_000 });
      expect(await refusal.textContent()).toContain('refused the connection');
      expect(await page.getByTestId('data-dir').count()).toBe(0);
    } finally {
      await page.close();
    }
  });

  it('a second serve on the same port fails with a clear message and exit code 1', async () => {
    const otherData = mkdtempSync(path.join(os.tmpdir(), 'convoy-serve-e2e-2-'));
    try {
      const second = startCli(['serve', '--port', url.port, '--data', otherData]);
      expect(await second.waitForExit(60_000)).toBe(1);
      expect(second.stderr).toContain(`Port ${url.port} on 127.0.0.1 is already in use — choose another with --port or stop the other process`);
    } finally {
      rmSync(otherData, { recursive: true, force: true });
    }
  });

  it.skipIf(skipDocker)('builds and tests a service of the example from the console, with its live log', async () => {
    requireDocker();
    const removeNewImages = await snapshotImages(['shop/catalog-api']);
    const page = await browser.newPage();
    const watched = await watch(page);
    try {
      await openOnExample(page, 'build');
      await page.getByTestId('build-projects').fill('catalog-api');
      await page.getByTestId('build-run').click();
      await page.getByTestId('build-table').waitFor({ timeout: 120_000 });
      const row = (await page.getByTestId('build-catalog-api').textContent()) ?? '';
      expect(row).toMatch(/shop\/catalog-api:[0-9a-f]{16}/);
      expect(row).toContain('passed');
      expect(await page.getByTestId('build-summary').textContent()).toMatch(/^Succeeded: 1 project/);
      expect(await page.getByTestId('build-log').textContent()).toContain('[catalog-api test]');
      expect(await watched.cspProblems()).toEqual([]);
      expect(watched.errors).toEqual([]);
    } finally {
      await page.close();
      await removeNewImages();
    }
  }, 180_000);

  it.skipIf(skipDocker)('shows the example\'s local Docker environment in the Environment panel', async () => {
    requireDocker();
    const page = await browser.newPage();
    const watched = await watch(page);
    try {
      await openOnExample(page, 'environments');
      await page.getByTestId('env-name').fill('local');
      await page.getByTestId('env-status').click();
      await page.getByTestId('env-table').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('env-summary').textContent()).toBe('local · docker · 3 services');
      for (const service of ['catalog-api', 'orders-api', 'storefront']) {
        expect(await page.getByTestId(`env-${service}`).textContent()).toMatch(new RegExp(`^${service}(missing|progressing|ready|failed)`));
      }
      expect(watched.errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 90_000);

  it('rejects an invalid --port with a clear message', async () => {
    const bad = startCli(['serve', '--port', '70000', '--data', dataDir]);
    expect(await bad.waitForExit(60_000)).not.toBe(0);
    expect(bad.stderr).toContain('Invalid --port "70000"');
  });

  it('stops cleanly on SIGTERM', async () => {
    cli.child.kill('SIGTERM');
    expect(await cli.waitForExit(15_000)).toBe(0);
    expect(cli.stdout).toMatch(/Stopping Convoy console/);
  });
});
