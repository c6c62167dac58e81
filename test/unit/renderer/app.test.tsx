// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/src/App.js';
import { ConvoyError } from '../../../shared/errors.js';
import { connectTransport } from '../../../renderer/src/transport.js';
import { FakeSocket, INFO, connectionOf, failingJobHandler, fakeChannel, jobHandler } from './fakes.js';

afterEach(cleanup);

const GRAPH = {
  root: '/work/shop',
  nxVersion: '24.0.5',
  nxSource: 'workspace',
  cycles: [],
  cached: false,
  projects: [
    {
      name: 'storefront',
      root: 'services/storefront',
      type: 'application',
      tags: [],
      dependencies: ['catalog-api', 'lib-pricing'],
      capabilities: { dockerfile: 'services/storefront/Dockerfile', manifests: null, test: null, buildable: true, deployable: true },
    },
    {
      name: 'lib-pricing',
      root: 'libs/lib-pricing',
      type: 'library',
      tags: [],
      dependencies: [],
      capabilities: { dockerfile: null, manifests: null, test: null, buildable: false, deployable: false },
    },
  ],
};

const AFFECTED = {
  workspace: '/work/shop',
  base: 'main',
  head: null,
  uncommitted: true,
  touchedFiles: 1,
  graphCached: true,
  projects: [
    {
      name: 'lib-pricing',
      root: 'libs/lib-pricing',
      direct: true,
      files: ['libs/lib-pricing/src/price.js'],
      moreFiles: 0,
      via: [],
      reasons: [{ kind: 'files', files: ['libs/lib-pricing/src/price.js'], more: 0 }],
      cause: 'files',
      explanation: 'lib-pricing: libs/lib-pricing/src/price.js',
    },
    {
      name: 'storefront',
      root: 'services/storefront',
      direct: false,
      files: [],
      moreFiles: 0,
      via: ['lib-pricing'],
      reasons: [{ kind: 'dependency', via: ['lib-pricing'], source: 'lib-pricing' }],
      cause: 'dependency',
      explanation: 'storefront ← lib-pricing: libs/lib-pricing/src/price.js',
    },
  ],
};

describe('App', () => {
  it('shows the version, transport, data dir and Docker status from app.info', async () => {
    const channel = fakeChannel({ 'app.info': () => ({ ok: true, output: INFO }) });
    render(<App connect={connectionOf(channel)} />);
    expect(screen.getByTestId('connecting').textContent).toContain('Connecting');
    expect((await screen.findByText('v0.1.0')).dataset.testid).toBe('app-version');
    expect(screen.getByTestId('data-dir').textContent).toBe(INFO.dataDir);
    expect(screen.getByTestId('transport').textContent).toContain('WebSocket');
    const docker = screen.getByTestId('docker-status');
    expect(docker.dataset.reachable).toBe('false');
    expect(docker.textContent).toContain('Docker Engine not reachable');
    expect(docker.textContent).toContain(INFO.docker.error);
    expect(channel.calls).toEqual([{ name: 'app.info', input: {} }]);
  });

  it('shows a reachable Docker Engine with its version', async () => {
    const info = { ...INFO, docker: { reachable: true, endpoint: 'unix:///var/run/docker.sock', version: '27.3.1', error: null } };
    render(<App connect={connectionOf(fakeChannel({ 'app.info': () => ({ ok: true, output: info }) }))} />);
    await waitFor(() => expect(screen.getByTestId('docker-status').dataset.reachable).toBe('true'));
    expect(screen.getByTestId('docker-status').textContent).toContain('reachable (27.3.1)');
  });

  it('shows the error when app.info fails', async () => {
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
    const channel = fakeChannel({ 'app.info': () => ({ ok: true, output: INFO }) });
    render(<App connect={connectionOf(channel, (listener) => (fire = listener))} />);
    await screen.findByText('v0.1.0');
    fire(new Error('The Convoy server stopped.'));
    expect((await screen.findByTestId('connection-lost')).textContent).toContain('The Convoy server stopped.');
  });

  it('ends a running job with the close error when the connection drops, and re-enables Open', async () => {
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
    const channel = fakeChannel({
      'app.info': () => ({ ok: true, output: INFO }),
      'workspace.open': jobHandler('job-1', 'workspace.open', ['Reading nx.json', 'Building the project graph'], GRAPH),
    });
    render(<App connect={connectionOf(channel)} />);
    fireEvent.change(await screen.findByTestId('workspace-dir'), { target: { value: ' /work/shop ' } });
    fireEvent.click(screen.getByTestId('workspace-open'));
    const table = await screen.findByTestId('project-table');
    expect(channel.calls).toContainEqual({ name: 'workspace.open', input: { dir: '/work/shop' } });
    expect(screen.getByTestId('workspace-progress').textContent).toContain('Building the project graph');
    const storefront = screen.getByTestId('project-storefront');
    expect(storefront.textContent).toContain('application');
    expect(storefront.textContent).toContain('catalog-api, lib-pricing');
    expect(table.textContent).toContain('lib-pricing');
    expect(screen.getByTestId('workspace-summary').textContent).toContain('2 projects');
  });

  it('shows a failed workspace job as an error', async () => {
    const channel = fakeChannel({
      'app.info': () => ({ ok: true, output: INFO }),
      'workspace.open': failingJobHandler('job-2', 'workspace.open', {
        code: 'WORKSPACE_ERROR',
        message: 'No nx.json in /nowhere',
      }),
    });
    render(<App connect={connectionOf(channel)} />);
    fireEvent.change(await screen.findByTestId('workspace-dir'), { target: { value: '/nowhere' } });
    fireEvent.click(screen.getByTestId('workspace-open'));
    expect((await screen.findByTestId('workspace-error')).textContent).toBe('No nx.json in /nowhere');
    expect(screen.queryByTestId('project-table')).toBeNull();
  });

  it('asks for a workspace path before opening', async () => {
    const channel = fakeChannel({ 'app.info': () => ({ ok: true, output: INFO }) });
    render(<App connect={connectionOf(channel)} />);
    fireEvent.click(await screen.findByTestId('workspace-open'));
    expect((await screen.findByTestId('workspace-error')).textContent).toContain('Enter the path');
    expect(channel.calls.map((c) => c.name)).toEqual(['app.info']);
  });

  it('computes the affected set with base, head and uncommitted, and explains each project', async () => {
    const channel = fakeChannel({
      'app.info': () => ({ ok: true, output: INFO }),
      'affected.compute': jobHandler('job-3', 'affected.compute', ['Diffing main…HEAD'], AFFECTED),
    });
    render(<App connect={connectionOf(channel)} />);
    fireEvent.change(await screen.findByTestId('workspace-dir'), { target: { value: '/work/shop' } });
    fireEvent.change(screen.getByTestId('affected-base'), { target: { value: 'main' } });
    fireEvent.click(screen.getByTestId('affected-uncommitted'));
    fireEvent.click(screen.getByTestId('affected-compute'));
    await screen.findByTestId('affected-list');
    expect(channel.calls).toContainEqual({ name: 'affected.compute', input: { dir: '/work/shop', base: 'main', uncommitted: true } });
    expect(screen.getByTestId('affected-storefront').textContent).toContain('storefront ← lib-pricing: libs/lib-pricing/src/price.js');
    expect(screen.getByTestId('affected-storefront').textContent).toContain('via dependency');
    expect(screen.getByTestId('affected-lib-pricing').textContent).toContain('direct');
    expect(screen.getByTestId('affected-summary').textContent).toContain('2 affected projects');
  });

  it('shows an invalid-input answer from affected.compute', async () => {
    const channel = fakeChannel({
      'app.info': () => ({ ok: true, output: INFO }),
      'affected.compute': () => ({ ok: false, error: { code: 'INVALID_INPUT', message: 'Invalid input for affected.compute: base: not a git ref' } }),
    });
    render(<App connect={connectionOf(channel)} />);
    fireEvent.change(await screen.findByTestId('workspace-dir'), { target: { value: '/work/shop' } });
    fireEvent.change(screen.getByTestId('affected-base'), { target: { value: 'bad ref' } });
    fireEvent.click(screen.getByTestId('affected-compute'));
    expect((await screen.findByTestId('affected-error')).textContent).toContain('not a git ref');
  });

  it('warns about dependency cycles in the opened graph', async () => {
    const cyclic = { ...GRAPH, cycles: [['lib-pricing', 'storefront', 'lib-pricing']] };
    const channel = fakeChannel({
      'app.info': () => ({ ok: true, output: INFO }),
      'workspace.open': jobHandler('job-5', 'workspace.open', [], cyclic),
    });
    render(<App connect={connectionOf(channel)} />);
    fireEvent.change(await screen.findByTestId('workspace-dir'), { target: { value: '/work/shop' } });
    fireEvent.click(screen.getByTestId('workspace-open'));
    expect((await screen.findByTestId('workspace-cycles')).textContent).toContain('lib-pricing → storefront → lib-pricing');
  });

  it('shows a cycle refusal from affected.compute, and asks again with allowCycles when told to', async () => {
    const channel = fakeChannel({
      'app.info': () => ({ ok: true, output: INFO }),
      'affected.compute': (input, ch) =>
        (input as { allowCycles?: boolean }).allowCycles
          ? jobHandler('job-6', 'affected.compute', [], AFFECTED)(input, ch)
          : { ok: false, error: { code: 'GRAPH_CYCLE', message: 'The project graph has a dependency cycle: a → b → a.' } },
    });
    render(<App connect={connectionOf(channel)} />);
    fireEvent.change(await screen.findByTestId('workspace-dir'), { target: { value: '/work/shop' } });
    fireEvent.click(screen.getByTestId('affected-compute'));
    expect((await screen.findByTestId('affected-error')).textContent).toContain('a → b → a');
    fireEvent.click(screen.getByTestId('affected-allow-cycles'));
    fireEvent.click(screen.getByTestId('affected-compute'));
    await screen.findByTestId('affected-list');
    expect(channel.calls).toContainEqual({ name: 'affected.compute', input: { dir: '/work/shop', allowCycles: true } });
  });
});
