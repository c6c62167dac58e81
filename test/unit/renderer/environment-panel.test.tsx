// @vitest-environment jsdom
// The Environment panel: target.status for the named environment, a rollback button per deployed
// service that calls target.rollback and then shows the environment again, and its errors.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/src/App.js';
import type { EnvironmentStatus } from '../../../shared/domain.js';
import { INFO, connectionOf, fakeChannel, jobHandler } from './fakes.js';

afterEach(cleanup);

const before: EnvironmentStatus = {
  environment: 'staging',
  kind: 'kubernetes',
  services: [
    { service: 'catalog-api', state: 'missing', revision: null, image: null, message: 'no Deployment' },
    { service: 'orders-api', state: 'ready', revision: '2', image: 'shop/orders-api:v2', message: '2 of 2 updated replicas available' },
  ],
};
const after: EnvironmentStatus = { ...before, services: [before.services[0]!, { ...before.services[1]!, revision: '3', image: 'shop/orders-api:v1' }] };

describe('Environment panel', () => {
  it('shows what runs in the environment, and rolls a service back, then shows it again', async () => {
    let statusCalls = 0;
    const channel = fakeChannel({
      'app.info': () => ({ ok: true, output: INFO }),
      'target.status': (input, ch) => jobHandler(`job-s${++statusCalls}`, 'target.status', ['Asking staging'], statusCalls === 1 ? before : after)(input, ch),
      'target.rollback': jobHandler('job-r', 'target.rollback', ['orders-api: rolling back'], { environment: 'staging', service: 'orders-api', from: '2', to: '1', current: null }),
    });
    render(<App connect={connectionOf(channel)} />);
    fireEvent.change(await screen.findByTestId('workspace-dir'), { target: { value: '/work/shop' } });
    fireEvent.change(screen.getByTestId('env-name'), { target: { value: 'staging' } });
    fireEvent.click(screen.getByTestId('env-status'));
    await screen.findByTestId('env-table');
    expect(channel.calls).toContainEqual({ name: 'target.status', input: { dir: '/work/shop', environment: 'staging' } });
    expect(screen.getByTestId('env-summary').textContent).toBe('staging · kubernetes · 2 services');
    expect(screen.getByTestId('env-orders-api').textContent).toContain('shop/orders-api:v2');
    expect(screen.queryByTestId('env-rollback-catalog-api')).toBeNull();

    fireEvent.click(screen.getByTestId('env-rollback-orders-api'));
    await waitFor(() => expect(screen.getByTestId('env-orders-api').textContent).toContain('shop/orders-api:v1'));
    expect(channel.calls).toContainEqual({ name: 'target.rollback', input: { dir: '/work/shop', environment: 'staging', service: 'orders-api' } });
    expect(screen.getByTestId('env-rolled-back').textContent).toBe('orders-api: rolled back from revision 2 to the content of revision 1');
  });

  it('asks for a name, and shows a refusal from the core', async () => {
    const channel = fakeChannel({
      'app.info': () => ({ ok: true, output: INFO }),
      'target.status': () => ({ ok: false, error: { code: 'INVALID_INPUT', message: 'No environment "qa" in /work/shop/convoy.yaml; its environments are: staging' } }),
    });
    render(<App connect={connectionOf(channel)} />);
    fireEvent.change(await screen.findByTestId('workspace-dir'), { target: { value: '/work/shop' } });
    fireEvent.click(screen.getByTestId('env-status'));
    expect((await screen.findByTestId('env-error')).textContent).toBe('Name an environment of convoy.yaml, e.g. staging.');
    fireEvent.change(screen.getByTestId('env-name'), { target: { value: 'qa' } });
    fireEvent.click(screen.getByTestId('env-status'));
    await waitFor(() => expect(screen.getByTestId('env-error').textContent).toContain('its environments are: staging'));
  });
});
