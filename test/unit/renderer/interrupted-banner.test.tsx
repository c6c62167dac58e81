// @vitest-environment jsdom
// The Release screen's banner for interrupted releases: recover.list's releases with their per-object
// state, and the same two choices as `convoy recover` — Resume sends recover.resume; Roll back shows
// what it restores first and sends recover.rollback only once confirmed. Without interrupted releases
// there is no banner.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { InterruptedRelease, RecoverResult } from '../../../shared/contract/recover.js';
import { App } from '../../../renderer/src/App.js';
import { INFO, connectionOf, fakeChannel, jobHandler, resetAddress } from './fakes.js';

afterEach(() => {
  cleanup();
  resetAddress();
});

const OBJECTS: InterruptedRelease['objects'] = [
  { environment: 'staging', service: 'catalog-api', wave: 0, image: 'shop/catalog-api:new', before: { revision: '3', image: 'shop/catalog-api:old', state: 'ready' }, live: { revision: '4', image: 'shop/catalog-api:new', state: 'ready' }, journal: 'applied', state: 'applied-healthy', message: 'staging/catalog-api: shop/catalog-api:new is live and ready', resources: [
    { object: 'Service staging/catalog-api', journal: 'applied', before: { exists: true, resourceVersion: '10', generation: 1, release: 'rel-6' }, written: { exists: true, resourceVersion: '20', generation: 1, release: 'rel-7' }, live: { exists: true, resourceVersion: '20', generation: 1, release: 'rel-7' }, state: 'applied-healthy', message: 'staging/catalog-api Service staging/catalog-api: carries this release and is ready' },
    { object: 'Deployment staging/catalog-api', journal: 'intent-only', before: { exists: true, resourceVersion: '11', generation: 3, release: 'rel-6' }, written: null, live: { exists: true, resourceVersion: '11', generation: 3, release: 'rel-6' }, state: 'not-started', message: 'staging/catalog-api Deployment staging/catalog-api: unchanged since before the release (resourceVersion 11)' },
  ] },
  { environment: 'staging', service: 'storefront', wave: 1, image: 'shop/storefront:new', before: { revision: '2', image: 'shop/storefront:old', state: 'ready' }, live: { revision: '2', image: 'shop/storefront:old', state: 'ready' }, journal: 'none', state: 'not-started', message: 'staging/storefront: not reached', resources: [] },
];
const INTERRUPTED: InterruptedRelease = {
  releaseId: 'rel-7',
  workspace: '/work/shop',
  target: 'staging',
  environment: 'staging',
  lastStage: 'staging:waves',
  commit: 'c0ffee',
  createdAt: '2026-12-04T10:00:00.000Z',
  owner: { pid: 4242, startedAt: 'boot/1', host: 'laptop' },
  reason: 'its process 4242 on laptop no longer exists',
  openSteps: [],
  objects: OBJECTS,
};

function channelWith(releases: InterruptedRelease[]) {
  const report: RecoverResult['report'] = {
    id: 'rel-7', workspace: '/work/shop', target: 'staging', only: false, base: null, head: null, commit: 'c0ffee', author: null, state: 'succeeded', cause: null,
    startedAt: INTERRUPTED.createdAt, finishedAt: INTERRUPTED.createdAt, affected: [], services: [], order: [], images: [], buildCalls: 0, applies: 0, stages: [], environments: [], pushes: [],
  };
  const result = (action: 'resume' | 'rollback'): RecoverResult => ({ releaseId: 'rel-7', action, ok: true, report, rollbacks: [], objects: OBJECTS, error: null });
  let listed = releases;
  return fakeChannel({
    'app.info': () => ({ ok: true, output: INFO }),
    'recover.list': (input, channel) => jobHandler('job-list', 'recover.list', [], { releases: listed })(input, channel),
    'recover.resume': (input, channel) => ((listed = []), jobHandler('job-resume', 'recover.resume', ['resuming'], result('resume'))(input, channel)),
    'recover.rollback': (input, channel) => ((listed = []), jobHandler('job-rb', 'recover.rollback', ['rolling back'], result('rollback'))(input, channel)),
  });
}

async function openRelease(channel: ReturnType<typeof channelWith>) {
  render(<App connect={connectionOf(channel)} />);
  fireEvent.change(await screen.findByTestId('workspace-dir'), { target: { value: '/work/shop' } });
  fireEvent.click(screen.getByTestId('nav-release'));
  await screen.findByTestId('release-plan');
}

describe('interrupted releases banner', () => {
  it('shows each object of an interrupted release and resumes it on request', async () => {
    const channel = channelWith([INTERRUPTED]);
    await openRelease(channel);
    const banner = await screen.findByTestId('recover-banner');
    expect(banner.textContent).toContain('Release rel-7 was interrupted in staging');
    expect(screen.getByTestId('interrupted-object-staging-catalog-api').getAttribute('data-state')).toBe('applied-healthy');
    expect(screen.getByTestId('interrupted-object-staging-storefront').getAttribute('data-state')).toBe('not-started');
    // Per Kubernetes object, nested under its service.
    expect(screen.getByTestId('interrupted-resource-staging-catalog-api-Service staging/catalog-api').getAttribute('data-state')).toBe('applied-healthy');
    expect(screen.getByTestId('interrupted-resource-staging-catalog-api-Deployment staging/catalog-api').textContent).toContain('unchanged since before the release (resourceVersion 11)');
    expect(channel.calls.map((c) => c.name)).not.toContain('recover.resume');

    fireEvent.click(screen.getByTestId('recover-resume'));
    await waitFor(() => expect(channel.calls).toContainEqual({ name: 'recover.resume', input: { releaseId: 'rel-7', approval: 'wait' } }));
    expect((await screen.findByTestId('recover-result')).textContent).toBe('Resumed release rel-7: done');
    expect(channel.calls.map((c) => c.name)).not.toContain('recover.rollback');
  });

  it('rolls back only after the preview is confirmed', async () => {
    const channel = channelWith([INTERRUPTED]);
    await openRelease(channel);
    fireEvent.click(await screen.findByTestId('recover-rollback'));
    expect(screen.getByTestId('recover-rollback-preview').textContent).toBe('Roll back catalog-api → shop/catalog-api:old?');
    expect(channel.calls.map((c) => c.name)).not.toContain('recover.rollback');
    fireEvent.click(screen.getByTestId('recover-rollback-cancel'));
    expect(channel.calls.map((c) => c.name)).not.toContain('recover.rollback');
    fireEvent.click(screen.getByTestId('recover-rollback'));
    fireEvent.click(screen.getByTestId('recover-rollback-confirm'));
    await waitFor(() => expect(channel.calls).toContainEqual({ name: 'recover.rollback', input: { releaseId: 'rel-7' } }));
    expect((await screen.findByTestId('recover-result')).textContent).toBe('Rolled back release rel-7: done');
  });

  it('shows no banner when nothing is interrupted', async () => {
    const channel = channelWith([]);
    await openRelease(channel);
    await waitFor(() => expect(channel.calls.map((c) => c.name)).toContain('recover.list'));
    expect(screen.queryByTestId('recover-banner')).toBeNull();
  });
});
