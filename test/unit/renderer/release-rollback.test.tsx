// @vitest-environment jsdom
// A release's page (#/release/<id>) acting on a release: the rollback button after it (RollbackControl:
// offered only for a finished release and only in environments it changed, confirmed before anything
// is sent, sent as release.rollback in the workspace the release ran in, and the record read again
// afterwards), and approving a release that runs in another process, whose record the page reads
// again until it ends. The commands themselves run against real stores and targets in
// test/integration/release/release-run.test.ts and cross-process-approval.test.ts.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { EnvironmentReport, ReleaseReport } from '../../../shared/release-report.js';
import { App } from '../../../renderer/src/App.js';
import { INFO, type FakeChannel, connectionOf, fakeChannel, resetAddress } from './fakes.js';

afterEach(() => {
  cleanup();
  resetAddress();
});

const T0 = '2026-12-04T10:00:00.000Z';
const NO_APPROVAL = { required: false, state: 'not-required' as const, by: null, at: null, comment: null };

function env(name: string, state: EnvironmentReport['state'], outcome: EnvironmentReport['services'][number]['outcome']): EnvironmentReport {
  return {
    name,
    kind: 'docker',
    state,
    waves: [['catalog-api']],
    skipped: [],
    gates: null,
    diff: null,
    approval: NO_APPROVAL,
    services: [{ service: 'catalog-api', wave: 0, image: 'shop/catalog-api:4b54fa3852b5108b', before: { revision: '3', image: 'shop/catalog-api:old', state: 'ready' }, outcome, revision: '4', durationMs: 900, error: null }],
    rollbacks: [],
    live: [],
    cause: null,
  };
}

function report(state: ReleaseReport['state'], environments: EnvironmentReport[]): ReleaseReport {
  return {
    id: 'rel-42',
    workspace: '/work/shop-as-released',
    target: 'staging',
    only: false,
    base: 'main',
    head: 'HEAD',
    commit: 'c0ffee1234567890',
    author: 'Ada',
    state,
    cause: null,
    startedAt: T0,
    finishedAt: state === 'running' ? null : T0,
    affected: [],
    services: ['catalog-api'],
    order: [],
    images: [],
    buildCalls: 1,
    applies: 2,
    stages: [],
    pushes: [],
    environments,
  };
}

/** local succeeded; staging was never reached (nothing changed there). */
const SUCCEEDED = report('succeeded', [env('local', 'succeeded', 'ready'), env('staging', 'succeeded', 'not-started')]);
const ROLLED_BACK_ENTRY = { service: 'catalog-api', to: { revision: '3', image: 'shop/catalog-api:old', state: 'ready' as const }, outcome: 'rolled-back' as const, after: { revision: '3', image: 'shop/catalog-api:old', state: 'ready' as const }, message: 'back on revision 3' };
const ROLLED_BACK = report('rolled-back', [{ ...env('local', 'rolled-back', 'ready'), rollbacks: [ROLLED_BACK_ENTRY] }, env('staging', 'succeeded', 'not-started')]);

function channelWith(records: ReleaseReport[], rollback: (channel: FakeChannel) => ReturnType<Parameters<typeof fakeChannel>[0][string]>): FakeChannel {
  let read = 0;
  return fakeChannel({
    'app.info': () => ({ ok: true, output: INFO }),
    'history.get': () => ({ ok: true, output: records[Math.min(read++, records.length - 1)] }),
    'release.rollback': (_input, channel) => rollback(channel),
  });
}

async function openRecord(channel: FakeChannel) {
  window.location.hash = '#/release/rel-42';
  render(<App connect={connectionOf(channel)} />);
  await screen.findByTestId('release-view');
}

describe('rollback button after a release', () => {
  it('asks first, then rolls back the environment in the release’s own workspace and shows the record rolled back', async () => {
    const channel = channelWith([SUCCEEDED, ROLLED_BACK], (c) => {
      setTimeout(() => c.emit('job.finished', { jobId: 'job-rb', command: 'release.rollback', ok: true, output: { releaseId: 'rel-42', environment: 'local', ok: true, rollbacks: [ROLLED_BACK_ENTRY] } }), 0);
      return { ok: true, output: { jobId: 'job-rb' } };
    });
    await openRecord(channel);
    // Offered where the release changed something; not in staging, where nothing was started.
    expect(screen.queryByTestId('release-rollback-staging')).toBeNull();
    fireEvent.click(screen.getByTestId('release-rollback-start-local'));
    expect(screen.getByTestId('release-rollback-confirm-local').textContent).toContain('Put every service release rel-42 changed in local back to what ran before it?');
    // "Keep it" sends nothing and offers the button again.
    fireEvent.click(screen.getByTestId('release-rollback-no-local'));
    expect(screen.queryByTestId('release-rollback-confirm-local')).toBeNull();
    expect(channel.calls.map((c) => c.name)).not.toContain('release.rollback');

    fireEvent.click(screen.getByTestId('release-rollback-start-local'));
    fireEvent.click(screen.getByTestId('release-rollback-yes-local'));
    const result = await screen.findByTestId('release-rollback-result-local');
    expect(channel.calls).toContainEqual({ name: 'release.rollback', input: { dir: '/work/shop-as-released', releaseId: 'rel-42', environment: 'local' } });
    expect(result.getAttribute('data-ok')).toBe('true');
    expect(result.textContent).toContain('local is back to what ran before release rel-42.');
    expect(result.textContent).toContain('catalog-api: rolled-back — back on revision 3');
    // The record is read again and now says so; nothing is left to roll back there.
    await waitFor(() => expect(screen.getByTestId('release-state').textContent).toBe('rolled-back'));
    expect(channel.calls.filter((c) => c.name === 'history.get')).toHaveLength(2);
    expect(within(screen.getByTestId('release-env-local')).getByTestId('release-rollbacks-local').textContent).toContain('catalog-api: rolled-back');
    expect(screen.queryByTestId('release-rollback-start-local')).toBeNull();
  });

  it('shows a refused rollback’s reason and offers the button again', async () => {
    const channel = channelWith([SUCCEEDED], () => ({ ok: false, error: { code: 'ENVIRONMENT_BUSY', message: 'local is being released by rel-43 (pid 77): wait for it or cancel it' } }));
    await openRecord(channel);
    fireEvent.click(screen.getByTestId('release-rollback-start-local'));
    fireEvent.click(screen.getByTestId('release-rollback-yes-local'));
    expect((await screen.findByTestId('release-rollback-status-local-error')).textContent).toBe('local is being released by rel-43 (pid 77): wait for it or cancel it');
    expect(screen.getByTestId('release-rollback-start-local')).toBeTruthy();
    expect(channel.calls.filter((c) => c.name === 'history.get')).toHaveLength(1);
  });

  it('offers no second rollback of an environment the record already says is rolled back', async () => {
    const channel = channelWith([ROLLED_BACK], () => ({ ok: false, error: { code: 'INTERNAL', message: 'not expected' } }));
    await openRecord(channel);
    expect(screen.getByTestId('release-rollbacks-local').textContent).toContain('catalog-api: rolled-back — back on revision 3');
    expect(screen.queryByTestId('release-rollback-start-local')).toBeNull();
  });

  it('offers no rollback while the release runs', async () => {
    const channel = channelWith([report('running', [env('local', 'running', 'applying')])], () => ({ ok: false, error: { code: 'INTERNAL', message: 'not expected' } }));
    await openRecord(channel);
    expect(screen.getByTestId('release-cancel')).toBeTruthy();
    expect(screen.queryByTestId('release-rollback-local')).toBeNull();
  });
});

describe('a release running in another process', () => {
  it('approves it from its page and reads the record again until it has ended', async () => {
    const waitingStaging = report('awaiting-approval', [env('local', 'succeeded', 'ready'), { ...env('staging', 'awaiting-approval', 'pending'), approval: { required: true, state: 'waiting', by: null, at: null, comment: null } }]);
    const approved = report('succeeded', [env('local', 'succeeded', 'ready'), { ...env('staging', 'succeeded', 'ready'), approval: { required: true, state: 'approved', by: 'console-user', at: T0, comment: null } }]);
    let approvedYet = false;
    const channel = fakeChannel({
      'app.info': () => ({ ok: true, output: INFO }),
      'history.get': () => ({ ok: true, output: approvedYet ? approved : waitingStaging }),
      'release.approve': () => {
        approvedYet = true;
        return { ok: true, output: { releaseId: 'rel-42', environment: 'staging', decision: 'approved' } };
      },
    });
    await openRecord(channel);
    expect(screen.getByTestId('release-state').textContent).toBe('awaiting-approval');
    fireEvent.click(screen.getByTestId('release-approve'));
    // No release.updated comes from another process: the page reads the record again (every 2 s).
    await waitFor(() => expect(screen.getByTestId('release-state').textContent).toBe('succeeded'), { timeout: 10_000 });
    expect(channel.calls).toContainEqual({ name: 'release.approve', input: { releaseId: 'rel-42', environment: 'staging' } });
    expect(screen.getByTestId('release-approved-staging').textContent).toContain('approved by console-user');
    expect(screen.queryByTestId('release-approval')).toBeNull();
  }, 20_000);
});
