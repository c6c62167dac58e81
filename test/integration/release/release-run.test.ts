// `release.*` and `history.get` through the contract on a copy of the bundled example: real Nx,
// convoy.yaml, git and SQLite store, with in-memory targets, image builder and Docker status. Covers
// approval through release.approve, refusals that happen before anything runs, the lock across two
// apps on one data directory, history, and release.rollback of a finished release.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../../shared/client.js';
import type { ReleaseReport } from '../../../shared/release-report.js';
import { startUntilApproval, useFakeReleaseFile } from './fake-release-app.js';

const world = useFakeReleaseFile('convoy-release-');
const { builder, targets, open } = world;

describe('release through the contract', () => {
  let first: ReleaseReport;

  it('waits for approval in staging, takes release.approve, and history keeps the record', async () => {
    const client = createClient(world.app.channel());
    const { releaseId, run } = await startUntilApproval(world.app, { dir: world.ws.dir, environment: 'staging', base: 'main', head: 'feature' });
    expect(await client.call('history.get', { id: releaseId })).toMatchObject({ state: 'awaiting-approval' });
    await expect(client.call('release.approve', { releaseId, environment: 'local' })).rejects.toMatchObject({ code: 'RELEASE_NOT_WAITING' });
    expect(await client.call('release.approve', { releaseId, by: 'carol' })).toEqual({ releaseId, environment: 'staging', decision: 'approved' });
    first = await run;

    expect(first.state).toBe('succeeded');
    expect(first.environments.map((e) => [e.name, e.state, e.waves])).toEqual([
      ['local', 'succeeded', [['catalog-api', 'orders-api'], ['storefront']]],
      ['staging', 'succeeded', [['catalog-api', 'orders-api'], ['storefront']]],
    ]);
    expect(first.environments[1]!.approval).toMatchObject({ state: 'approved', by: 'carol' });
    expect(first.affected.find((a) => a.project === 'storefront')?.explanation).toBe('storefront ← catalog-api ← lib-pricing: libs/lib-pricing/src/price.js');
    expect(first.commit).toMatch(/^[0-9a-f]{40}$/);
    // Deploy metadata: the release and the commit on what the target runs.
    const revision = targets.get('staging')!.stateOf('storefront')!.revisions.at(-1)!;
    expect(revision).toMatchObject({ releaseId: first.id, commit: first.commit });

    expect(await client.call('history.get', { id: first.id })).toEqual(first);
    const { runs } = await client.call('history.list', { limit: 10 });
    expect(runs.find((r) => r.id === first.id)).toMatchObject({ kind: 'release', status: 'succeeded' });
    await expect(client.call('release.approve', { releaseId: first.id })).rejects.toMatchObject({ code: 'RELEASE_NOT_WAITING' });
  });

  it('refuses before anything runs: approval nobody can give, an unknown environment', async () => {
    const client = createClient(world.app.channel());
    const calls = targets.get('local')!.calls.length;
    await expect(client.run('release.start', { dir: world.ws.dir, environment: 'staging', approval: 'refuse' })).rejects.toMatchObject({
      code: 'APPROVAL_REQUIRED',
      message: expect.stringContaining('staging needs approval'),
    });
    await expect(client.run('release.start', { dir: world.ws.dir, environment: 'qa' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('No environment "qa"') });
    expect(targets.get('local')!.calls.length).toBe(calls);
  });

  it('refuses a release into an environment another process is releasing to, naming that release; cancel leaves staging untouched', async () => {
    for (const s of ['catalog-api', 'orders-api', 'storefront']) builder.setContent(path.join(world.ws.dir, 'services', s), 'v3');
    const other = open();
    const client = createClient(world.app.channel());
    const { releaseId, run } = await startUntilApproval(world.app, { dir: world.ws.dir, environment: 'staging', base: 'main', head: 'feature' });
    try {
      await expect(createClient(other.channel()).run('release.start', { dir: world.ws.dir, environment: 'local', approval: 'auto' })).rejects.toMatchObject({
        code: 'ENVIRONMENT_BUSY',
        message: expect.stringContaining(releaseId),
      });
    } finally {
      await other.close();
    }
    expect(await client.call('release.cancel', { releaseId })).toEqual({ cancelled: true });
    const report = await run;
    expect(report.state).toBe('cancelled');
    expect(report.environments.map((e) => e.state)).toEqual(['succeeded', 'cancelled']);
    expect(report.environments[1]!.services.every((s) => s.outcome === 'not-started')).toBe(true);
    const firstImages = new Set(first.images.map((i) => i.image));
    const stagingNow = await targets.get('staging')!.status(['catalog-api', 'orders-api', 'storefront']);
    expect(stagingNow.map((s) => s.image).filter((i) => !firstImages.has(i))).toEqual([]);
  });

  it('rolls a finished release back in one environment, in reverse wave order', async () => {
    const client = createClient(world.app.channel());
    world.ws.commit('another pricing change', { 'libs/lib-pricing/src/price.js': `${world.ws.read('libs/lib-pricing/src/price.js')}\n// again\n` });
    for (const s of ['catalog-api', 'orders-api', 'storefront']) builder.setContent(path.join(world.ws.dir, 'services', s), 'v2');
    const local = targets.get('local')!;
    const services = ['catalog-api', 'orders-api', 'storefront'];
    const before = await local.status(services);
    const second = await client.run('release.start', { dir: world.ws.dir, environment: 'local', base: 'main', head: 'feature' });
    expect(second.state).toBe('succeeded');
    expect(second.applies).toBe(3);
    local.calls.length = 0;

    const updates: { releaseId: string; jobId: string | null; state: string; local: string | undefined }[] = [];
    const stop = client.on('release.updated', (u) => void updates.push({ releaseId: u.releaseId, jobId: u.jobId, state: u.report.state, local: u.report.environments[0]?.state }));
    let rollbackJob: string | null = null;
    const result = await client.run('release.rollback', { dir: world.ws.dir, releaseId: second.id, environment: 'local' }, undefined, (id) => void (rollbackJob = id));
    stop();
    expect(result.ok).toBe(true);
    // The record changed: consoles following this release hear it once, rolled back.
    expect(updates).toEqual([{ releaseId: second.id, jobId: rollbackJob, state: 'rolled-back', local: 'rolled-back' }]);
    expect(result.rollbacks.map((r) => [r.service, r.outcome])).toEqual([
      ['storefront', 'rolled-back'],
      ['orders-api', 'rolled-back'],
      ['catalog-api', 'rolled-back'],
    ]);
    expect(local.calls.filter((c) => c.method === 'rollback').map((c) => c.services[0])).toEqual(['storefront', 'orders-api', 'catalog-api']);
    const after = await local.status(services);
    expect(after.map((s) => [s.service, s.image, s.state])).toEqual(before.map((s) => [s.service, s.image, s.state]));
    expect((await client.call('history.get', { id: second.id })).environments[0]!.state).toBe('rolled-back');
    await expect(client.run('release.rollback', { dir: world.ws.dir, releaseId: 'nope', environment: 'local' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
