// The console's release flow end to end (issue 12): `convoy serve` in a child process, the built
// renderer in headless Chromium, the real engine on the local Docker Engine. On the bundled example:
// plan → start a release to `staging` alone (Docker target, needs approval) → its stages turn green
// → approve with the combined diff shown → the history shows it succeeded → its rollback button puts
// staging back (the services taken out) and the record says rolled-back. The containers the
// release deployed (found by its release-id label) and the images it made are removed afterwards.
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABELS } from '../../electron/adapters/docker-target/spec.js';
import { docker, requireDocker, skipDocker, snapshotImages } from '../support/docker-engine.js';
import { type ServedConsole, repoRoot, skipChromium, startServedConsole, version, watch } from '../support/serve-cli.js';

const SERVICES = ['catalog-api', 'orders-api', 'storefront'];

/** Convoy's containers in `staging`, optionally only those of one release. */
async function stagingContainers(releaseId?: string) {
  const label = [`${LABELS.environment}=staging`, ...(releaseId ? [`${LABELS.releaseId}=${releaseId}`] : [])];
  return docker.listContainers({ all: true, filters: { label } });
}

/** The `data-state` of every stage row on the page, by its test id. */
async function stageStates(page: Page): Promise<Record<string, string>> {
  const rows = page.locator('[data-testid^="stage-"]');
  const states: Record<string, string> = {};
  for (let i = 0; i < (await rows.count()); i++) {
    const row = rows.nth(i);
    states[(await row.getAttribute('data-testid'))!] = (await row.getAttribute('data-state'))!;
  }
  return states;
}

describe.skipIf(skipChromium || skipDocker)('a release from the console in Chromium', () => {
  let url: URL;
  let browser: Browser;

  let served: ServedConsole | undefined;

  beforeAll(async () => {
    requireDocker();
    served = await startServedConsole('convoy-release-e2e-');
    ({ url, browser } = served);
  }, 240_000);

  afterAll(() => served?.stop());

  it('plan → start to staging → stages turn green → approve → the history shows it succeeded → roll it back from there', async () => {
    // The containers are named per environment (convoy-staging-<service>): someone else's would be
    // replaced by this release, so the test refuses to run over them.
    const existing = await stagingContainers();
    if (existing.length > 0) {
      throw new Error(`staging containers already exist (${existing.map((c) => c.Names[0]).join(', ')}): this test deploys there; remove them first`);
    }
    const removeNewImages = await snapshotImages(SERVICES.map((s) => `shop/${s}`));
    const page = await browser.newPage();
    const watched = await watch(page);
    let releaseId: string | null = null;
    try {
      await page.goto(url.href);
      await page.getByTestId('app-version').filter({ hasText: version }).waitFor({ timeout: 20_000 });
      await page.getByTestId('workspace-dir').fill(path.join(repoRoot, 'examples', 'shop'));
      await page.getByTestId('nav-release').click();
      await page.getByTestId('release-env').fill('staging');
      await page.getByTestId('release-projects').fill(SERVICES.join(', '));
      await page.getByTestId('release-only').check();

      // The plan: staging alone, in two waves, the APIs before the storefront.
      await page.getByTestId('release-plan').click();
      await page.getByTestId('plan-staging').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('plan-staging').locator('h4').textContent()).toBe('staging (docker, needs approval)');
      expect(await page.getByTestId('plan-staging-wave-1').textContent()).toMatch(/^catalog-api \(shop\/catalog-api:[0-9a-f]{16}\), orders-api/);
      expect(await page.getByTestId('plan-staging-wave-2').textContent()).toMatch(/^storefront/);
      expect(await page.getByTestId('plan-local').count()).toBe(0);

      // Start: builds and tests, then staging waits for approval with the combined diff.
      await page.getByTestId('release-start').click();
      await page.getByTestId('release-id').waitFor({ timeout: 60_000 });
      releaseId = await page.getByTestId('release-id').textContent();
      await page.locator('[data-testid="release-view"][data-state="awaiting-approval"]').waitFor({ timeout: 300_000 });
      const waiting = await stageStates(page);
      expect(waiting['stage-build']).toBe('succeeded');
      expect(waiting['stage-test']).toBe('succeeded');
      expect(waiting['stage-staging-approval']).toBe('running');
      for (const [stage, state] of Object.entries(waiting)) if (stage !== 'stage-staging-approval') expect(`${stage} ${state}`).toBe(`${stage} succeeded`);
      expect(await page.getByTestId('release-approval').locator('h4').textContent()).toBe('staging waits for approval');
      const diff = (await page.getByTestId('release-diff').textContent()) ?? '';
      for (const service of SERVICES) expect(diff).toContain(service);
      expect(await stagingContainers()).toEqual([]);

      // Approve: the waves deploy and verify; every stage ends green.
      await page.getByTestId('release-approve').click();
      await page.locator('[data-testid="release-view"][data-state="succeeded"]').waitFor({ timeout: 300_000 });
      const done = await stageStates(page);
      expect(done['stage-staging-waves']).toBe('succeeded');
      for (const [stage, state] of Object.entries(done)) expect(`${stage} ${state}`).toBe(`${stage} succeeded`);
      for (const service of SERVICES) expect(await page.getByTestId(`release-service-staging-${service}`).textContent()).toContain('ready');
      expect(await page.getByTestId('release-approved-staging').textContent()).toMatch(/^approved by /);
      expect((await stagingContainers(releaseId!)).filter((c) => c.State === 'running').map((c) => c.Labels[LABELS.service]).sort()).toEqual(SERVICES);

      // The history lists it as a succeeded release; its details show the record.
      await page.getByTestId('nav-history').click();
      const row = page.getByTestId(`run-${releaseId}`);
      await row.waitFor({ timeout: 20_000 });
      expect(await row.textContent()).toContain('Release');
      expect(await row.textContent()).toContain('succeeded');
      await row.getByRole('link').click();
      expect(await page.getByTestId('run-status').textContent()).toBe('succeeded');
      await page.locator('[data-testid="run-details"] [data-testid="release-view"][data-state="succeeded"]').waitFor({ timeout: 20_000 });
      expect(await page.getByTestId('stage-staging-approval').getAttribute('data-state')).toBe('succeeded');

      // The rollback button there: asked once more, then staging is put back as it was before this
      // release (nothing ran there, so its services are taken out) and the record says rolled-back.
      await page.getByTestId('release-rollback-start-staging').click();
      await page.getByTestId('release-rollback-yes-staging').click();
      await page.locator('[data-testid="release-rollback-result-staging"][data-ok="true"]').waitFor({ timeout: 120_000 });
      expect(await page.getByTestId('release-rollback-result-staging').locator('li').allTextContents()).toEqual(
        [...SERVICES].reverse().map((service) => expect.stringMatching(new RegExp(`^${service}: removed — `))),
      );
      await page.locator('[data-testid="run-details"] [data-testid="release-view"][data-state="rolled-back"]').waitFor({ timeout: 20_000 });
      expect((await stagingContainers(releaseId!)).filter((c) => c.State === 'running')).toEqual([]);
      expect(watched.errors).toEqual([]);
      expect(await watched.cspProblems()).toEqual([]);
    } finally {
      await page.close();
      // What this release deployed (every revision carries its release id), then the images it made.
      if (releaseId) for (const c of await stagingContainers(releaseId)) await docker.getContainer(c.Id).remove({ force: true });
      await removeNewImages();
    }
  }, 600_000);
});
