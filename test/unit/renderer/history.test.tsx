// @vitest-environment jsdom
// The History screen over the real in-process app: the latest runs with their kind, and
// #/history/<runId> naming one run, whose details show above the list (so a link to a run survives a
// reload). The run is a real build.run of examples/shop with a scripted image builder.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/src/App.js';
import { INFO, REACHABLE, connectionOf, recording, resetAddress } from './fakes.js';
import { type ConsoleApp, startConsoleApp } from './real-app.js';

afterEach(() => {
  cleanup();
  resetAddress();
});

describe('History screen', () => {
  it('says so when the store has no runs yet (empty data dir)', async () => {
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

  describe('with a build run in the store', () => {
    let app: ConsoleApp;
    let runId: string;
    beforeAll(async () => {
      app = await startConsoleApp({ docker: REACHABLE, example: true, builds: { storefront: { hash: 'b08a1d11479cea83', buildMs: 1100 } } });
      await app.buildFromAnotherClient({ dir: app.workspaceDir!, projects: ['storefront'] });
      const listed = await app.channel.invoke('history.list', { limit: 10 });
      if (!listed.ok) throw new Error(listed.error.message);
      runId = (listed.output as { runs: Array<{ id: string }> }).runs[0]!.id;
    }, 60_000);
    afterAll(() => app?.close());

    it('lists runs with their kind, and a run link puts the run in the address and shows its details', async () => {
      render(<App connect={connectionOf(app.channel)} />);
      fireEvent.click(await screen.findByTestId('nav-history'));
      const row = await screen.findByTestId(`run-${runId}`);
      expect(row.textContent).toContain('Build and test');
      expect(row.textContent).toContain('succeeded');
      expect(screen.queryByTestId('run-details')).toBeNull();

      fireEvent.click(within(row).getByRole('link'));
      await waitFor(() => expect(window.location.hash).toBe(`#/history/${runId}`));
      const details = await screen.findByTestId('run-details');
      expect(details.textContent).toContain(runId);
      expect(details.textContent).toContain(app.workspaceDir!);
      expect(screen.getByTestId('run-status').textContent).toBe('succeeded');
    });

    it('opens straight on #/history/<runId>, and says when that run is not in the list', async () => {
      window.history.replaceState(null, '', `/#/history/${runId}`);
      render(<App connect={connectionOf(app.channel)} />);
      expect((await screen.findByTestId('run-status')).textContent).toBe('succeeded');
      cleanup();
      window.history.replaceState(null, '', '/#/history/no-such-run');
      render(<App connect={connectionOf(app.channel)} />);
      expect((await screen.findByTestId('history-missing')).textContent).toContain('Run no-such-run is not among the latest 100 runs');
    });
  });
});
