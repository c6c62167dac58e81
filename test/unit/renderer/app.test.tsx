// @vitest-environment jsdom
// The console over the real in-process app (electron/app.ts: dispatcher, Nx, git, SQLite in a temp
// data dir) on a scratch copy of examples/shop; only the Docker Engine port is a fake. A fake channel
// remains where the real app cannot be brought into the state on demand (a failing app.info, a socket
// that drops mid-job).
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/src/App.js';
import { ConvoyError } from '../../../shared/errors.js';
import { connectTransport } from '../../../renderer/src/client/transport.js';
import { FakeSocket, INFO, REACHABLE, connectionOf, fakeChannel, recording, resetAddress } from './fakes.js';
import { type ConsoleApp, startConsoleApp } from './real-app.js';

afterEach(() => {
  cleanup();
  resetAddress();
});

let app: ConsoleApp;
beforeAll(async () => {
  app = await startConsoleApp({ docker: INFO.docker, example: true });
}, 60_000);
afterAll(() => app?.close());

function renderApp() {
  const channel = recording(app.channel);
  render(<App connect={connectionOf(channel)} />);
  return channel;
}

async function openScreen(name: string) {
  fireEvent.click(await screen.findByTestId(`nav-${name}`));
}

describe('App', () => {
  it('shows the version, transport, data dir and Docker status from app.info', async () => {
    const channel = renderApp();
    expect(screen.getByTestId('connecting').textContent).toContain('Connecting');
    expect((await screen.findByText('v0.1.0')).dataset.testid).toBe('app-version');
    expect(screen.getByTestId('data-dir').textContent).toBe(app.dataDir);
    expect(screen.getByTestId('transport').textContent).toContain('WebSocket');
    const docker = screen.getByTestId('docker-status');
    expect(docker.dataset.reachable).toBe('false');
    expect(docker.textContent).toContain('Docker Engine not reachable');
    expect(docker.textContent).toContain(INFO.docker.error);
    expect(channel.calls).toEqual([{ name: 'app.info', input: {} }]);
  });

  it('shows a reachable Docker Engine with its version', async () => {
    const reachable = await startConsoleApp({ docker: REACHABLE });
    try {
      render(<App connect={connectionOf(reachable.channel)} />);
      await waitFor(() => expect(screen.getByTestId('docker-status').dataset.reachable).toBe('true'));
      expect(screen.getByTestId('docker-status').textContent).toContain('reachable (27.3.1)');
    } finally {
      cleanup();
      await reachable.close();
    }
  });

  it('shows the error when app.info fails', async () => {
    // A fake channel: the real store refuses a locked file at start-up, never in the middle of app.info.
    const channel = fakeChannel({
      'app.info': () => ({ ok: false, error: { code: 'STORE_LOCKED', message: 'The store is locked by another Convoy process' } }),
    });
    render(<App connect={connectionOf(channel)} />);
    const alert = await screen.findByTestId('info-error');
    expect(alert.textContent).toContain('The store is locked by another Convoy process');
    expect(alert.getAttribute('role')).toBe('alert');
  });

  it('shows a refusal instead of data when the connection is refused', async () => {
    const connect = () => Promise.reject(new ConvoyError('UNAUTHORIZED', 'The Convoy server refused the connection'));
    render(<App connect={connect} />);
    const refusal = await screen.findByTestId('connection-error');
    expect(refusal.textContent).toContain('Cannot connect to Convoy');
    expect(refusal.textContent).toContain('The Convoy server refused the connection');
    expect(screen.queryByTestId('data-dir')).toBeNull();
  });

  it('shows a banner when an open connection is lost', async () => {
    let fire: (error: Error) => void = () => {};
    render(<App connect={connectionOf(app.channel, (listener) => (fire = listener))} />);
    await screen.findByText('v0.1.0');
    fire(new Error('The Convoy server stopped.'));
    expect((await screen.findByTestId('connection-lost')).textContent).toContain('The Convoy server stopped.');
  });

  it('ends a running job with the close error when the connection drops, and re-enables Open', async () => {
    // The browser transport over a socket the test drives: the drop must land while the job runs.
    let socket!: FakeSocket;
    const connect = () =>
      connectTransport({ location: { protocol: 'http:', host: '127.0.0.1:4321', search: '?token=t' } }, (url) => {
        socket = new FakeSocket(url);
        queueMicrotask(() => socket.open());
        return socket;
      });
    render(<App connect={connect} />);
    const sent = () => socket.sent.map((text) => JSON.parse(text) as { id: number; name: string });
    await waitFor(() => expect(sent().map((m) => m.name)).toEqual(['app.info']));
    socket.receive({ type: 'result', id: sent()[0]!.id, result: { ok: true, output: INFO } });
    fireEvent.change(await screen.findByTestId('workspace-dir'), { target: { value: '/work/shop' } });
    const open = screen.getByTestId<HTMLButtonElement>('workspace-open');
    fireEvent.click(open);
    await waitFor(() => expect(sent().map((m) => m.name)).toEqual(['app.info', 'workspace.open']));
    // The job starts and reports, but never finishes: the server goes away instead.
    socket.receive({ type: 'result', id: sent()[1]!.id, result: { ok: true, output: { jobId: 'job-9' } } });
    socket.receive({ type: 'event', name: 'job.progress', payload: { jobId: 'job-9', command: 'workspace.open', message: 'Reading nx.json', fraction: null } });
    await waitFor(() => expect(screen.getByTestId('workspace-progress').textContent).toContain('Reading nx.json'));
    expect(open.disabled).toBe(true);
    socket.serverClose(1001, 'Convoy server is shutting down');
    expect((await screen.findByTestId('workspace-error')).textContent).toContain('The Convoy server stopped');
    await waitFor(() => expect(open.disabled).toBe(false));
    expect((await screen.findByTestId('connection-lost')).textContent).toContain('The Convoy server stopped');
  });

  it('opens a workspace: reports progress, then lists the projects', async () => {
    const channel = renderApp();
    fireEvent.change(await screen.findByTestId('workspace-dir'), { target: { value: ` ${app.workspaceDir} ` } });
    fireEvent.click(screen.getByTestId('workspace-open'));
    const table = await screen.findByTestId('project-table', {}, { timeout: 30_000 });
    expect(channel.calls).toContainEqual({ name: 'workspace.open', input: { dir: app.workspaceDir } });
    expect(screen.getByTestId('workspace-progress').textContent).toContain('Project graph ready');
    const storefront = screen.getByTestId('project-storefront');
    expect(storefront.textContent).toContain('application');
    expect(storefront.textContent).toContain('catalog-api, orders-api');
    expect(table.textContent).toContain('lib-pricing');
    expect(screen.getByTestId('workspace-summary').textContent).toContain('5 projects');
    expect(window.location.hash).toBe('#/workspace');
  }, 40_000);

  it('shows a failed workspace job as an error', async () => {
    renderApp();
    fireEvent.change(await screen.findByTestId('workspace-dir'), { target: { value: app.dataDir } });
    fireEvent.click(screen.getByTestId('workspace-open'));
    expect((await screen.findByTestId('workspace-error', {}, { timeout: 20_000 })).textContent).toContain('nx.json');
    expect(screen.queryByTestId('project-table')).toBeNull();
  }, 30_000);

  it('asks for a workspace path before opening', async () => {
    const channel = renderApp();
    fireEvent.click(await screen.findByTestId('workspace-open'));
    expect((await screen.findByTestId('workspace-error')).textContent).toContain('Enter the path');
    expect(channel.calls.map((c) => c.name)).toEqual(['app.info']);
  });

  it('computes the affected set with base, head and uncommitted, and explains each project', async () => {
    app.write({ 'libs/lib-pricing/src/price.js': '// rounding changed\nexport const cents = (n) => Math.round(n);\n' });
    const channel = renderApp();
    fireEvent.change(await screen.findByTestId('workspace-dir'), { target: { value: app.workspaceDir } });
    await openScreen('affected');
    expect(window.location.hash).toBe('#/affected');
    fireEvent.change(screen.getByTestId('affected-base'), { target: { value: 'main' } });
    fireEvent.click(screen.getByTestId('affected-uncommitted'));
    fireEvent.click(screen.getByTestId('affected-compute'));
    await screen.findByTestId('affected-list', {}, { timeout: 30_000 });
    // issue 11: as in nx, uncommitted takes no base (the form leaves the base out and disables it).
    expect(channel.calls).toContainEqual({ name: 'affected.compute', input: { dir: app.workspaceDir, uncommitted: true } });
    expect((screen.getByTestId('affected-base') as HTMLInputElement).disabled).toBe(true);
    expect(screen.getByTestId('affected-storefront').textContent).toContain('storefront ← catalog-api ← lib-pricing: libs/lib-pricing/src/price.js');
    expect(screen.getByTestId('affected-storefront').textContent).toContain('via dependency');
    expect(screen.getByTestId('affected-lib-pricing').textContent).toContain('direct');
    expect(screen.getByTestId('affected-summary').textContent).toContain('4 affected projects');
  }, 40_000);

  it('shows an invalid-input answer from affected.compute', async () => {
    renderApp();
    fireEvent.change(await screen.findByTestId('workspace-dir'), { target: { value: app.workspaceDir } });
    await openScreen('affected');
    fireEvent.change(screen.getByTestId('affected-base'), { target: { value: 'bad ref' } });
    fireEvent.click(screen.getByTestId('affected-compute'));
    expect((await screen.findByTestId('affected-error')).textContent).toContain('a git revision has no spaces');
  });

  it('keeps the screen in the address: a reload of #/affected opens the Affected screen', async () => {
    window.history.replaceState(null, '', '/#/affected');
    renderApp();
    expect(await screen.findByTestId('affected-compute')).toBeTruthy();
    expect(screen.getByTestId('nav-affected').getAttribute('aria-current')).toBe('page');
    window.history.replaceState(null, '', '/#/no-such-screen');
    cleanup();
    renderApp();
    expect((await screen.findByTestId('not-found')).textContent).toContain('No such screen');
  });
});

describe('App on a workspace with a dependency cycle', () => {
  let cyclic: ConsoleApp;
  beforeAll(async () => {
    cyclic = await startConsoleApp({ docker: INFO.docker, example: true });
    // lib-pricing now depends on storefront, which depends on it through catalog-api.
    const manifest = JSON.parse(cyclic.read('libs/lib-pricing/package.json')) as Record<string, unknown>;
    cyclic.write({ 'libs/lib-pricing/package.json': JSON.stringify({ ...manifest, dependencies: { '@shop/storefront': '*' } }, null, 2) });
  }, 60_000);
  afterAll(() => cyclic?.close());

  it('warns about dependency cycles in the opened graph', async () => {
    render(<App connect={connectionOf(cyclic.channel)} />);
    fireEvent.change(await screen.findByTestId('workspace-dir'), { target: { value: cyclic.workspaceDir } });
    fireEvent.click(screen.getByTestId('workspace-open'));
    expect((await screen.findByTestId('workspace-cycles', {}, { timeout: 30_000 })).textContent).toContain('lib-pricing → storefront');
  }, 40_000);

  it('shows a cycle refusal from affected.compute, and asks again with allowCycles when told to', async () => {
    const channel = recording(cyclic.channel);
    render(<App connect={connectionOf(channel)} />);
    fireEvent.change(await screen.findByTestId('workspace-dir'), { target: { value: cyclic.workspaceDir } });
    await openScreen('affected');
    fireEvent.click(screen.getByTestId('affected-compute'));
    expect((await screen.findByTestId('affected-error', {}, { timeout: 30_000 })).textContent).toContain('lib-pricing → storefront');
    fireEvent.click(screen.getByTestId('affected-allow-cycles'));
    fireEvent.click(screen.getByTestId('affected-compute'));
    await screen.findByTestId('affected-list', {}, { timeout: 30_000 });
    expect(channel.calls).toContainEqual({ name: 'affected.compute', input: { dir: cyclic.workspaceDir, allowCycles: true } });
  }, 60_000);
});
