// @vitest-environment jsdom
// The Environment screen: target.status for the named environment (in the address), a rollback per
// deployed service that first shows what will change and waits for a confirmation, then calls
// target.rollback with the chosen revision and shows the environment again, and its errors.
// A fake channel: the real app picks its deploy targets inside electron/services/targets.ts (no port
// to hand it a fake target yet), and a real one needs a cluster or Docker containers with revisions.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/src/App.js';
import type { EnvironmentStatus, TargetRevision } from '../../../shared/domain.js';
import { INFO, connectionOf, fakeChannel, jobHandler, resetAddress } from './fakes.js';

afterEach(() => {
  cleanup();
  resetAddress();
});

const before: EnvironmentStatus = {
  environment: 'staging',
  kind: 'kubernetes',
  services: [
    { service: 'catalog-api', state: 'missing', revision: null, image: null, message: 'no Deployment' },
    { service: 'orders-api', state: 'ready', revision: '2', image: 'shop/orders-api:v2', message: '2 of 2 updated replicas available' },
  ],
};
const after: EnvironmentStatus = { ...before, services: [before.services[0]!, { ...before.services[1]!, revision: '3', image: 'shop/orders-api:v1' }] };

const REVISIONS: TargetRevision[] = [
  { service: 'orders-api', revision: '2', image: 'shop/orders-api:v2', commit: 'bbbbbbb', releaseId: 'rel-2', createdAt: '2026-12-02T10:00:00.000Z', current: true },
  { service: 'orders-api', revision: '1', image: 'shop/orders-api:v1', commit: 'aaaaaaa', releaseId: 'rel-1', createdAt: '2026-12-01T10:00:00.000Z', current: false },
  { service: 'orders-api', revision: '0', image: 'shop/orders-api:v0', commit: '9999999', releaseId: null, createdAt: null, current: false },
];

function environmentChannel() {
  let statusCalls = 0;
  return fakeChannel({
    'app.info': () => ({ ok: true, output: INFO }),
    'target.status': (input, ch) => jobHandler(`job-s${++statusCalls}`, 'target.status', ['Asking staging'], statusCalls === 1 ? before : after)(input, ch),
    'target.revisions': jobHandler('job-v', 'target.revisions', [], { environment: 'staging', service: 'orders-api', revisions: REVISIONS }),
    'target.rollback': jobHandler('job-r', 'target.rollback', ['orders-api: rolling back'], { environment: 'staging', service: 'orders-api', from: '2', to: '1', current: null }),
  });
}

async function showStaging(channel: ReturnType<typeof fakeChannel>) {
  render(<App connect={connectionOf(channel)} />);
  fireEvent.change(await screen.findByTestId('workspace-dir'), { target: { value: '/work/shop' } });
  fireEvent.click(screen.getByTestId('nav-environments'));
  fireEvent.change(screen.getByTestId('env-name'), { target: { value: 'staging' } });
  fireEvent.click(screen.getByTestId('env-status'));
  await screen.findByTestId('env-table');
}

describe('Environment panel', () => {
  it('shows what runs in the environment, and rolls a service back after a confirmation, then shows it again', async () => {
    const channel = environmentChannel();
    await showStaging(channel);
    expect(window.location.hash).toBe('#/environments/staging');
    expect(channel.calls).toContainEqual({ name: 'target.status', input: { dir: '/work/shop', environment: 'staging' } });
    expect(screen.getByTestId('env-summary').textContent).toBe('staging · kubernetes · 2 services');
    expect(screen.getByTestId('env-orders-api').textContent).toContain('shop/orders-api:v2');
    expect(screen.queryByTestId('env-rollback-catalog-api')).toBeNull();

    fireEvent.click(screen.getByTestId('env-rollback-orders-api'));
    fireEvent.click(await screen.findByText('Roll back to revision 1'));
    await waitFor(() => expect(screen.getByTestId('env-orders-api').textContent).toContain('shop/orders-api:v1'));
    expect(channel.calls).toContainEqual({ name: 'target.rollback', input: { dir: '/work/shop', environment: 'staging', service: 'orders-api', toRevision: '1' } });
    expect(screen.getByTestId('env-rolled-back').textContent).toBe('orders-api: rolled back from revision 2 to the content of revision 1');
  });

  it('shows what the rollback will change before anything happens: current → previous image, commit, release, time', async () => {
    const channel = environmentChannel();
    await showStaging(channel);
    fireEvent.click(screen.getByTestId('env-rollback-orders-api'));
    const dialog = await screen.findByTestId('rollback-dialog');
    await waitFor(() => expect(within(dialog).getByTestId('rollback-summary').textContent).toBe('Revision 2 → revision 1'));
    const row = (field: string) => [...within(dialog).getByTestId(`rollback-${field}`).querySelectorAll('td')].map((td) => td.textContent);
    expect(row('image')).toEqual(['Image', 'shop/orders-api:v2', 'shop/orders-api:v1']);
    expect(row('commit')).toEqual(['Commit', 'bbbbbbb', 'aaaaaaa']);
    expect(row('release')).toEqual(['Release', 'rel-2', 'rel-1']);
    expect(row('deployed')).toEqual(['Deployed', '2026-12-02T10:00:00.000Z', '2026-12-01T10:00:00.000Z']);
    expect(channel.calls.map((c) => c.name)).toContain('target.revisions');
    expect(channel.calls.map((c) => c.name)).not.toContain('target.rollback');
  });

  it('Cancel closes the confirmation and changes nothing', async () => {
    const channel = environmentChannel();
    await showStaging(channel);
    fireEvent.click(screen.getByTestId('env-rollback-orders-api'));
    await screen.findByText('Roll back to revision 1');
    fireEvent.click(screen.getByTestId('rollback-cancel'));
    expect(screen.queryByTestId('rollback-dialog')).toBeNull();
    expect(channel.calls.map((c) => c.name)).not.toContain('target.rollback');
    expect(channel.calls.filter((c) => c.name === 'target.status')).toHaveLength(1);
    expect(screen.getByTestId('env-orders-api').textContent).toContain('shop/orders-api:v2');
    expect(screen.queryByTestId('env-rolled-back')).toBeNull();
    // Escape answers Cancel too.
    fireEvent.click(screen.getByTestId('env-rollback-orders-api'));
    fireEvent.keyDown(await screen.findByTestId('rollback-cancel'), { key: 'Escape' });
    expect(screen.queryByTestId('rollback-dialog')).toBeNull();
    expect(channel.calls.map((c) => c.name)).not.toContain('target.rollback');
  });

  it('rolls back to the revision chosen in the confirmation', async () => {
    const channel = environmentChannel();
    await showStaging(channel);
    fireEvent.click(screen.getByTestId('env-rollback-orders-api'));
    fireEvent.change(await screen.findByTestId('rollback-choice'), { target: { value: '0' } });
    expect(screen.getByTestId('rollback-summary').textContent).toBe('Revision 2 → revision 0');
    expect(screen.getByTestId('rollback-image').textContent).toContain('shop/orders-api:v0');
    fireEvent.click(screen.getByTestId('rollback-confirm'));
    await waitFor(() => expect(channel.calls).toContainEqual({ name: 'target.rollback', input: { dir: '/work/shop', environment: 'staging', service: 'orders-api', toRevision: '0' } }));
    expect(screen.queryByTestId('rollback-dialog')).toBeNull();
  });

  it('asks for a name, and shows a refusal from the core', async () => {
    const channel = fakeChannel({
      'app.info': () => ({ ok: true, output: INFO }),
      'target.status': () => ({ ok: false, error: { code: 'INVALID_INPUT', message: 'No environment "qa" in /work/shop/convoy.yaml; its environments are: staging' } }),
    });
    render(<App connect={connectionOf(channel)} />);
    fireEvent.change(await screen.findByTestId('workspace-dir'), { target: { value: '/work/shop' } });
    fireEvent.click(screen.getByTestId('nav-environments'));
    fireEvent.click(screen.getByTestId('env-status'));
    expect((await screen.findByTestId('env-error')).textContent).toBe('Name an environment of convoy.yaml, e.g. staging.');
    fireEvent.change(screen.getByTestId('env-name'), { target: { value: 'qa' } });
    fireEvent.click(screen.getByTestId('env-status'));
    await waitFor(() => expect(screen.getByTestId('env-error').textContent).toContain('its environments are: staging'));
  });
});
