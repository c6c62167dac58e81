// @vitest-environment jsdom
// The History screen: the latest runs with their kind, and #/history/<runId> naming one run, whose
// details show above the list (so a link to a run survives a reload). The empty store is the real
// app's; a populated one comes from a fake channel, because recording runs needs Docker builds.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/src/App.js';
import type { ReleaseSummary } from '../../../shared/domain.js';
import { INFO, connectionOf, fakeChannel, recording, resetAddress } from './fakes.js';
import { startConsoleApp } from './real-app.js';

afterEach(() => {
  cleanup();
  resetAddress();
});

const RUNS: ReleaseSummary[] = [
  {
    id: 'a7293c6c-1111-4222-8333-944445555666',
    kind: 'build',
    workspace: '/work/shop',
    base: '966fa896176f0000000000000000000000000000',
    head: null,
    status: 'failed',
    createdAt: '2026-12-04T10:00:00.000Z',
    finishedAt: '2026-12-04T10:01:00.000Z',
    summary: '2 projects, 1 test failed',
  },
  {
    id: 'b0000000-1111-4222-8333-944445555666',
    kind: 'release',
    workspace: '/work/shop',
    base: null,
    head: null,
    status: 'succeeded',
    createdAt: '2026-12-03T10:00:00.000Z',
    finishedAt: null,
    summary: null,
  },
];

function historyChannel() {
  return fakeChannel({
    'app.info': () => ({ ok: true, output: INFO }),
    'history.list': () => ({ ok: true, output: { releases: RUNS } }),
  });
}

describe('History screen', () => {
  it('says so when the store has no runs yet (real app, empty data dir)', async () => {
    const app = await startConsoleApp({ docker: INFO.docker });
    try {
      const channel = recording(app.channel);
      window.history.replaceState(null, '', '/#/history');
      render(<App connect={connectionOf(channel)} />);
      expect((await screen.findByTestId('history-empty')).textContent).toContain('No runs yet');
      expect(channel.calls).toContainEqual({ name: 'history.list', input: { limit: 100 } });
    } finally {
      cleanup();
      await app.close();
    }
  });

  it('lists runs with their kind, and a run link puts the run in the address and shows its details', async () => {
    render(<App connect={connectionOf(historyChannel())} />);
    fireEvent.click(await screen.findByTestId('nav-history'));
    const build = await screen.findByTestId(`run-${RUNS[0]!.id}`);
    expect(build.textContent).toContain('Build and test');
    expect(build.textContent).toContain('failed');
    expect(screen.getByTestId(`run-${RUNS[1]!.id}`).textContent).toContain('Release');
    expect(screen.queryByTestId('run-details')).toBeNull();

    fireEvent.click(screen.getByText('a7293c6c-111'));
    await waitFor(() => expect(window.location.hash).toBe(`#/history/${RUNS[0]!.id}`));
    const details = await screen.findByTestId('run-details');
    expect(details.textContent).toContain(RUNS[0]!.id);
    expect(details.textContent).toContain('966fa896176f → working tree');
    expect(screen.getByTestId('run-summary').textContent).toBe('2 projects, 1 test failed');
  });

  it('opens straight on #/history/<runId>, and says when that run is not in the list', async () => {
    window.history.replaceState(null, '', `/#/history/${RUNS[1]!.id}`);
    render(<App connect={connectionOf(historyChannel())} />);
    expect((await screen.findByTestId('run-status')).textContent).toBe('succeeded');
    cleanup();
    window.history.replaceState(null, '', '/#/history/no-such-run');
    render(<App connect={connectionOf(historyChannel())} />);
    expect((await screen.findByTestId('history-missing')).textContent).toContain('Run no-such-run is not among the latest 100 runs');
  });
});
