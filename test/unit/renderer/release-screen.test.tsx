// @vitest-environment jsdom
// The Release screen. The plan is asked of the real in-process app (release.plan on a copy of
// examples/shop: Nx graph, convoy.yaml, git). A running release needs deploy targets the in-process
// app only has on a real Docker Engine, so the start → approve flow runs over a fake channel that
// answers release.start with a job id and then sends the `release.updated` records a release sends;
// the Chromium test (test/e2e/release.e2e.test.ts) runs the same flow on the real engine.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReleaseReport, StageReport } from '../../../shared/release-report.js';
import type { RunSummary } from '../../../shared/runs.js';
import { App } from '../../../renderer/src/App.js';
import { INFO, REACHABLE, type FakeChannel, connectionOf, fakeChannel, recording, resetAddress } from './fakes.js';
import { startConsoleApp } from './real-app.js';

afterEach(() => {
  cleanup();
  resetAddress();
});

const T0 = '2026-12-04T10:00:00.000Z';

function stage(name: StageReport['name'], environment: string | null, state: StageReport['state'], durationMs: number | null = null): StageReport {
  return { name, environment, state, startedAt: T0, finishedAt: durationMs === null ? null : T0, durationMs, message: null };
}

function env(name: string, state: ReleaseReport['environments'][number]['state'], approval: ReleaseReport['environments'][number]['approval']) {
  return {
    name,
    kind: 'docker' as const,
    state,
    waves: [['catalog-api'], ['storefront']],
    skipped: [],
    gates: null,
    diff: { text: `+ container convoy-${name}-catalog-api image shop/catalog-api:4b54fa3852b5108b`, objects: [] },
    approval,
    services: [
      { service: 'catalog-api', wave: 0, image: 'shop/catalog-api:4b54fa3852b5108b', before: { revision: null, image: null, state: 'missing' as const }, outcome: state === 'succeeded' ? ('ready' as const) : ('pending' as const), revision: null, durationMs: state === 'succeeded' ? 2300 : null, error: null },
    ],
    rollbacks: [],
    live: [],
    cause: null,
  };
}

const NO_APPROVAL = { required: false, state: 'not-required' as const, by: null, at: null, comment: null };

function report(state: ReleaseReport['state'], stages: StageReport[], environments: ReleaseReport['environments']): ReleaseReport {
  return {
    id: 'rel-42',
    workspace: '/work/shop',
    target: 'staging',
    only: false,
    base: 'main',
    head: 'HEAD',
    commit: 'c0ffee1234567890',
    author: 'Ada',
    state,
    cause: null,
    startedAt: T0,
    finishedAt: state === 'succeeded' ? T0 : null,
    affected: [{ project: 'catalog-api', explanation: 'catalog-api: src/index.js' }],
    services: ['catalog-api', 'storefront'],
    order: [],
    images: [],
    buildCalls: 1,
    applies: state === 'succeeded' ? 2 : 0,
    stages,
    pushes: [],
    environments,
  };
}

const EARLY = report('running', [stage('affected', null, 'succeeded', 120), stage('build', null, 'running')], [env('local', 'pending', NO_APPROVAL), env('staging', 'pending', { ...NO_APPROVAL, required: true, state: 'not-reached' })]);
const DONE_STAGES = [stage('affected', null, 'succeeded', 120), stage('build', null, 'succeeded', 4100)];
const WAITING = report('awaiting-approval', [...DONE_STAGES, stage('waves', 'local', 'succeeded', 2300), stage('approval', 'staging', 'running')], [
  env('local', 'succeeded', NO_APPROVAL),
  env('staging', 'awaiting-approval', { required: true, state: 'waiting', by: null, at: null, comment: null }),
]);
const APPROVED = { required: true, state: 'approved' as const, by: 'console-user', at: T0, comment: null };
const SUCCEEDED = report('succeeded', [...DONE_STAGES, stage('waves', 'local', 'succeeded', 2300), stage('approval', 'staging', 'succeeded', 900), stage('waves', 'staging', 'succeeded', 2500)], [
  env('local', 'succeeded', NO_APPROVAL),
  env('staging', 'succeeded', APPROVED),
]);
const RUN: RunSummary = { id: 'rel-42', kind: 'release', workspace: '/work/shop', environment: 'staging', base: null, head: null, status: 'succeeded', createdAt: T0, finishedAt: T0, summary: 'release to every environment up to staging' };

/** release.start answers a job id; the test then sends the release's records and its end. */
function releaseChannel(): FakeChannel {
  return fakeChannel({
    'app.info': () => ({ ok: true, output: INFO }),
    'release.start': () => ({ ok: true, output: { jobId: 'job-r1' } }),
    'release.approve': () => ({ ok: true, output: { releaseId: 'rel-42', environment: 'staging', decision: 'approved' } }),
    'release.reject': () => ({ ok: true, output: { releaseId: 'rel-42', environment: 'staging', decision: 'rejected' } }),
    'release.cancel': () => ({ ok: true, output: { cancelled: true } }),
    'history.list': () => ({ ok: true, output: { runs: [RUN] } }),
    'history.get': () => ({ ok: true, output: SUCCEEDED }),
  });
}

const updated = (channel: FakeChannel, r: ReleaseReport, jobId = 'job-r1') => channel.emit('release.updated', { releaseId: r.id, jobId, report: r });

async function openRelease(dir: string, channel: Parameters<typeof connectionOf>[0]) {
  render(<App connect={connectionOf(channel)} />);
  fireEvent.change(await screen.findByTestId('workspace-dir'), { target: { value: dir } });
  // The console names the workspace screen in the bare address as it connects (App's startAtHome);
  // the click comes once the address says so.
  await waitFor(() => expect(window.location.hash).not.toMatch(/^(#\/?)?$/));
  fireEvent.click(screen.getByTestId('nav-release'));
  await screen.findByTestId('release-plan');
}

/** The content tags the scripted builder reports for the plan's images. */
const PLAN_BUILDS = { 'catalog-api': { hash: '4b54fa3852b5108b' }, 'orders-api': { hash: 'cc89eb494c9f9a43' }, storefront: { hash: 'b08a1d11479cea83' } };

describe('Release screen', () => {
  it('plans the example over the real app: waves per environment in promotion order, storefront after the APIs', async () => {
    const app = await startConsoleApp({ docker: REACHABLE, example: true, builds: PLAN_BUILDS });
    try {
      const channel = recording(app.channel);
      await openRelease(app.workspaceDir!, channel);
      expect(window.location.hash).toBe('#/release');
      fireEvent.change(screen.getByTestId('release-projects'), { target: { value: 'catalog-api, orders-api, storefront' } });
      fireEvent.click(screen.getByTestId('release-plan'));
      const plan = await screen.findByTestId('release-plan-view', {}, { timeout: 30_000 });
      expect(channel.calls).toContainEqual({ name: 'release.plan', input: { dir: app.workspaceDir, environment: 'staging', projects: ['catalog-api', 'orders-api', 'storefront'] } });
      expect(within(plan).getAllByRole('heading').map((h) => h.textContent)).toEqual(['local (docker)', 'staging (docker, needs approval)']);
      for (const name of ['local', 'staging']) {
        expect(screen.getByTestId(`plan-${name}-wave-1`).textContent).toMatch(/^catalog-api.*, orders-api/);
        expect(screen.getByTestId(`plan-${name}-wave-2`).textContent).toMatch(/^storefront/);
      }
    } finally {
      cleanup();
      await app.close();
    }
  }, 60_000);

  it('refuses to plan or start without a workspace or an environment, sending nothing', async () => {
    const channel = releaseChannel();
    await openRelease('', channel);
    fireEvent.click(screen.getByTestId('release-start'));
    expect((await screen.findByTestId('release-error')).textContent).toBe('Enter the workspace path above first.');
    fireEvent.change(screen.getByTestId('workspace-dir'), { target: { value: '/work/shop' } });
    fireEvent.change(await screen.findByTestId('release-env'), { target: { value: ' ' } });
    fireEvent.click(await screen.findByTestId('release-plan'));
    await waitFor(() => expect(screen.getByTestId('release-error').textContent).toContain('Name the environment to release to'));
    expect(channel.calls.map((c) => c.name)).not.toContain('release.plan');
    expect(channel.calls.map((c) => c.name)).not.toContain('release.start');
  });

  it('starts a release, shows its stages live, approves staging with the diff shown, and ends succeeded with a history link', async () => {
    const channel = releaseChannel();
    await openRelease('/work/shop', channel);
    // Ticked, then unticked again: `only` is sent only while it is ticked.
    fireEvent.click(screen.getByTestId('release-only'));
    fireEvent.click(screen.getByTestId('release-only'));
    fireEvent.click(screen.getByTestId('release-start'));
    await waitFor(() => expect(channel.calls).toContainEqual({ name: 'release.start', input: { dir: '/work/shop', environment: 'staging' } }));

    // Another client's release does not show here.
    updated(channel, { ...WAITING, id: 'rel-other' }, 'job-other');
    updated(channel, EARLY);
    await screen.findByTestId('release-view');
    expect(screen.getByTestId('stage-build').getAttribute('data-state')).toBe('running');
    expect(screen.getByTestId('stage-build').textContent).toContain('running…');
    expect(screen.getByTestId('release-id').textContent).toBe('rel-42');
    expect(screen.queryByTestId('release-approval')).toBeNull();

    updated(channel, WAITING);
    const approval = await screen.findByTestId('release-approval');
    expect(approval.textContent).toContain('staging waits for approval');
    expect(screen.getByTestId('release-diff').textContent).toBe('+ container convoy-staging-catalog-api image shop/catalog-api:4b54fa3852b5108b');
    expect(screen.getByTestId('stage-build').getAttribute('data-state')).toBe('succeeded');
    expect(screen.getByTestId('stage-build').textContent).toContain('4.1 s');
    expect(screen.getByTestId('release-state').textContent).toBe('awaiting-approval');

    fireEvent.click(screen.getByTestId('release-approve'));
    await waitFor(() => expect(channel.calls).toContainEqual({ name: 'release.approve', input: { releaseId: 'rel-42', environment: 'staging' } }));
    updated(channel, SUCCEEDED);
    channel.emit('job.finished', { jobId: 'job-r1', command: 'release.start', ok: true, output: SUCCEEDED });
    await waitFor(() => expect(screen.getByTestId('release-state').textContent).toBe('succeeded'));
    expect(screen.queryByTestId('release-approval')).toBeNull();
    expect(screen.queryByTestId('release-cancel')).toBeNull();
    expect(screen.getByTestId('stage-staging-waves').getAttribute('data-state')).toBe('succeeded');
    expect(screen.getByTestId('release-approved-staging').textContent).toContain('approved by console-user');
    expect(screen.getByTestId('release-service-staging-catalog-api').textContent).toContain('ready');

    fireEvent.click(screen.getByTestId('release-history-link'));
    await waitFor(() => expect(window.location.hash).toBe('#/history/rel-42'));
    expect((await screen.findByTestId('run-status')).textContent).toBe('succeeded');
    const details = screen.getByTestId('run-details');
    await waitFor(() => expect(within(details).getByTestId('release-state').textContent).toBe('succeeded'));
    expect(within(details).getByTestId('stage-staging-approval').getAttribute('data-state')).toBe('succeeded');
    expect(channel.calls).toContainEqual({ name: 'history.get', input: { id: 'rel-42' } });
  });

  it('rejects a waiting release through release.reject naming the environment, and shows it rejected', async () => {
    const channel = releaseChannel();
    await openRelease('/work/shop', channel);
    fireEvent.click(screen.getByTestId('release-start'));
    await waitFor(() => expect(channel.calls.map((c) => c.name)).toContain('release.start'));
    updated(channel, WAITING);
    fireEvent.click(await screen.findByTestId('release-reject'));
    await waitFor(() => expect(channel.calls).toContainEqual({ name: 'release.reject', input: { releaseId: 'rel-42', environment: 'staging' } }));
    expect(channel.calls.map((c) => c.name)).not.toContain('release.approve');
    const rejected = report('rejected', WAITING.stages, [env('local', 'succeeded', NO_APPROVAL), env('staging', 'rejected', { ...APPROVED, state: 'rejected' })]);
    channel.emit('job.finished', { jobId: 'job-r1', command: 'release.start', ok: true, output: rejected });
    await waitFor(() => expect(screen.getByTestId('release-state').textContent).toBe('rejected'));
    expect(screen.getByTestId('release-state').className).toContain('bad');
    expect(screen.queryByTestId('release-approval')).toBeNull();
    expect(screen.getByTestId('release-approved-staging').textContent).toContain('rejected by console-user');
  });

  it('cancels a running release through release.cancel with its id', async () => {
    const channel = releaseChannel();
    await openRelease('/work/shop', channel);
    fireEvent.click(screen.getByTestId('release-start'));
    await waitFor(() => expect(channel.calls.map((c) => c.name)).toContain('release.start'));
    updated(channel, EARLY);
    fireEvent.click(await screen.findByTestId('release-cancel'));
    await waitFor(() => expect(channel.calls).toContainEqual({ name: 'release.cancel', input: { releaseId: 'rel-42' } }));
  });

  it('#/release/<id> shows that release from the history, and follows its records while it runs', async () => {
    const channel = releaseChannel();
    window.history.replaceState(null, '', '/#/release/rel-42');
    render(<App connect={connectionOf(channel)} />);
    await waitFor(() => expect(screen.getByTestId('release-state').textContent).toBe('succeeded'));
    expect(channel.calls).toContainEqual({ name: 'history.get', input: { id: 'rel-42' } });
    // A record of another release leaves the page alone; one of this release replaces what it shows.
    updated(channel, { ...WAITING, id: 'rel-other' }, 'job-other');
    expect(screen.getByTestId('release-state').textContent).toBe('succeeded');
    updated(channel, WAITING, 'job-x');
    await waitFor(() => expect(screen.getByTestId('release-state').textContent).toBe('awaiting-approval'));
    expect(screen.getByTestId('release-approve')).toBeTruthy();
  });
});
