// A release waiting for approval is decided, or cancelled, from another process: a second app on the
// same data directory (another console, `convoy serve`) and the real `convoy approve` / `reject` /
// `cancel` CLI as a child process. The request goes through the SQLite store (a `release.decision` or
// `release.cancelRequested` event); the running release reads it and acts. Real Nx, git and SQLite;
// in-memory targets and image builder.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../../shared/client.js';
import { convoy } from '../crash/crash-workspace.js';
import { startUntilApproval, useFakeReleaseFile } from './fake-release-app.js';

const world = useFakeReleaseFile('convoy-decide-');
const { builder, targets, open } = world;

/** A release to staging that waits for approval there: its id and its end. */
const waitingRelease = () => startUntilApproval(world.app, { dir: world.ws.dir, environment: 'staging', base: 'main', head: 'feature' });

describe('approval from another process', () => {
  it('a second app on the same store approves; the waiting release takes it and deploys staging', async () => {
    const { releaseId, run } = await waitingRelease();
    const other = open();
    try {
      const remote = createClient(other.channel());
      await expect(remote.call('release.approve', { releaseId, environment: 'local' })).rejects.toMatchObject({
        code: 'RELEASE_NOT_WAITING',
        message: `Release ${releaseId} waits for approval in staging, not in local`,
      });
      expect(await remote.call('release.approve', { releaseId, by: 'erin', comment: 'checked the diff' })).toEqual({ releaseId, environment: 'staging', decision: 'approved' });
    } finally {
      await other.close();
    }
    const report = await run;
    expect(report.state).toBe('succeeded');
    expect(report.environments[1]!.approval).toMatchObject({ state: 'approved', by: 'erin', comment: 'checked the diff' });
    expect(targets.get('staging')!.stateOf('storefront')!.revisions.at(-1)).toMatchObject({ releaseId });

    // Over now: another process is refused, naming why.
    const late = open();
    try {
      await expect(createClient(late.channel()).call('release.approve', { releaseId })).rejects.toMatchObject({
        code: 'RELEASE_NOT_WAITING',
        message: `Release ${releaseId} is succeeded, so it does not wait for approval`,
      });
      await expect(createClient(late.channel()).call('release.reject', { releaseId: 'rel-nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await late.close();
    }
  });

  it('`convoy reject` in a fresh process rejects it; the release ends rejected with who and why, staging untouched', async () => {
    for (const s of ['catalog-api', 'orders-api', 'storefront']) builder.setContent(path.join(world.ws.dir, 'services', s), 'v2');
    const stagingBefore = targets.get('staging')!.calls.length;
    const { releaseId, run } = await waitingRelease();
    const exit = await convoy(['reject', releaseId, '--env', 'staging', '--by', 'frank', '--comment', 'not before the freeze ends'], world.dataDir);
    expect(exit.stderr).toBe('');
    expect(exit.stdout).toBe(`Rejected: release ${releaseId} in staging\n`);
    expect(exit.code).toBe(0);
    const report = await run;
    expect(report.state).toBe('rejected');
    expect(report.environments.map((e) => e.state)).toEqual(['succeeded', 'rejected']);
    expect(report.environments[1]!.approval).toMatchObject({ state: 'rejected', by: 'frank', comment: 'not before the freeze ends' });
    expect(targets.get('staging')!.calls.slice(stagingBefore).filter((c) => c.method === 'apply')).toEqual([]);

    const again = await convoy(['approve', releaseId], world.dataDir);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toBe(`convoy: Release ${releaseId} is rejected, so it does not wait for approval [RELEASE_NOT_WAITING]\n`);
  }, 60_000);

  it('`convoy cancel` in a fresh process stops a release another process runs; a finished one is refused', async () => {
    for (const s of ['catalog-api', 'orders-api', 'storefront']) builder.setContent(path.join(world.ws.dir, 'services', s), 'v3');
    const { releaseId, run } = await waitingRelease();
    const exit = await convoy(['cancel', releaseId], world.dataDir);
    expect(exit.stdout).toBe(`Cancel asked: release ${releaseId} stops at its next safe point (convoy show ${releaseId} says how it ended)\n`);
    expect(exit.code).toBe(0);
    const report = await run;
    expect(report.state).toBe('cancelled');
    expect(report.environments.map((e) => e.state)).toEqual(['succeeded', 'cancelled']);

    const again = await convoy(['cancel', releaseId], world.dataDir);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`convoy cancel: release ${releaseId} is not running, so there is nothing to cancel\n`);
  }, 60_000);
});
