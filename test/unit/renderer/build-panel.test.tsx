// @vitest-environment jsdom
// The Build and test panel: the build.run input it sends, its own job's log lines only, the result
// table, errors, and Cancel through job.cancel.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/src/App.js';
import type { BuildReport } from '../../../shared/domain.js';
import { INFO, type FakeChannel, connectionOf, fakeChannel, resetAddress } from './fakes.js';

// A fake channel: the real build.run needs a Docker Engine, and the in-memory builder fake (test/fakes)
// is not there yet; the job events follow the core's order (id, progress and logs, then finished).
afterEach(() => {
  cleanup();
  resetAddress();
});

async function openBuildScreen() {
  fireEvent.click(await screen.findByTestId('nav-build'));
}

const REPORT: BuildReport = {
  runId: 'run-1',
  ok: false,
  buildCalls: 1,
  projects: [
    {
      project: 'catalog-api',
      status: 'built',
      image: 'shop/catalog-api:4b54fa3852b5108b',
      contentHash: '4b54fa3852b5108b',
      durationMs: 1400,
      error: null,
      test: { status: 'passed', exitCode: 0, durationMs: 200, logTail: [] },
    },
    {
      project: 'orders-api',
      status: 'cached',
      image: 'shop/orders-api:cc89eb494c9f9a43',
      contentHash: 'cc89eb494c9f9a43',
      durationMs: 5,
      error: { code: 'TEST_FAILED', message: 'orders-api: tests failed with exit code 1' },
      test: { status: 'failed', exitCode: 1, durationMs: 300, logTail: ['FAIL: totals'] },
    },
  ],
};

/** A build.run job that reports progress and log lines, then waits for `finish` (or job.cancel). */
function controllableBuild() {
  let channel: FakeChannel | null = null;
  const finish = (output: BuildReport) => channel?.emit('job.finished', { jobId: 'job-7', command: 'build.run', ok: true, output });
  const handlers = {
    'app.info': () => ({ ok: true as const, output: INFO }),
    'build.run': (_input: unknown, ch: FakeChannel) => {
      channel = ch;
      setTimeout(() => {
        ch.emit('job.progress', { jobId: 'job-7', command: 'build.run', message: 'catalog-api: building', fraction: 0 });
        ch.emit('build.log', { runId: 'run-1', jobId: 'job-7', project: 'catalog-api', phase: 'build', line: 'Step 1/4 : FROM busybox:1.36.1' });
        ch.emit('build.log', { runId: 'run-9', jobId: 'job-other', project: 'elsewhere', phase: 'build', line: 'not ours' });
      }, 0);
      return { ok: true as const, output: { jobId: 'job-7' } };
    },
    'job.cancel': () => ({ ok: true as const, output: { cancelled: true } }),
  };
  return { handlers, finish };
}

describe('Build and test panel', () => {
  it('runs build.run with the named projects and base, shows its own log lines live, then one row per project', async () => {
    const build = controllableBuild();
    const channel = fakeChannel(build.handlers);
    render(<App connect={connectionOf(channel)} />);
    fireEvent.change(await screen.findByTestId('workspace-dir'), { target: { value: '/work/shop' } });
    await openBuildScreen();
    fireEvent.change(screen.getByTestId('build-projects'), { target: { value: 'catalog-api, orders-api' } });
    fireEvent.change(screen.getByTestId('build-base'), { target: { value: 'main' } });
    fireEvent.click(screen.getByTestId('build-run'));

    const log = await screen.findByTestId('build-log');
    await waitFor(() => expect(log.textContent).toContain('[catalog-api build] Step 1/4 : FROM busybox:1.36.1'));
    expect(log.textContent).not.toContain('not ours');
    expect(screen.getByTestId('build-progress').textContent).toBe('catalog-api: building');
    expect(channel.calls).toContainEqual({ name: 'build.run', input: { dir: '/work/shop', projects: ['catalog-api', 'orders-api'], base: 'main' } });

    build.finish(REPORT);
    await screen.findByTestId('build-table');
    expect(screen.getByTestId('build-summary').textContent).toBe('Failed: 2 projects, 1 build made');
    expect(screen.getByTestId('build-catalog-api').textContent).toContain('shop/catalog-api:4b54fa3852b5108b');
    expect(screen.getByTestId('build-catalog-api').textContent).toContain('built in 1.4 s');
    expect(screen.getByTestId('build-orders-api').textContent).toContain('cached (no build)');
    expect(screen.getByTestId('build-orders-api').textContent).toContain('failed (exit 1)');
    expect(screen.getByTestId('build-orders-api').textContent).toContain('tests failed with exit code 1');
    expect((screen.getByTestId('build-run') as HTMLButtonElement).disabled).toBe(false);
    fireEvent.click(screen.getByTestId('build-run-link'));
    await waitFor(() => expect(window.location.hash).toBe('#/history/run-1'));
  });

  it('cancels its job through job.cancel', async () => {
    const build = controllableBuild();
    const channel = fakeChannel(build.handlers);
    render(<App connect={connectionOf(channel)} />);
    fireEvent.change(await screen.findByTestId('workspace-dir'), { target: { value: '/work/shop' } });
    await openBuildScreen();
    fireEvent.click(screen.getByTestId('build-run'));
    await screen.findByTestId('build-log');
    fireEvent.click(screen.getByTestId('build-cancel'));
    await waitFor(() => expect(channel.calls).toContainEqual({ name: 'job.cancel', input: { jobId: 'job-7' } }));
    build.finish({ ...REPORT, projects: [{ ...REPORT.projects[0]!, status: 'cancelled', image: null, error: { code: 'CANCELLED', message: 'cancelled' }, test: { status: 'not-run', exitCode: null, durationMs: null, logTail: [] } }] });
    await waitFor(() => expect(screen.getByTestId('build-catalog-api').textContent).toContain('cancelled'));
  });

  it('asks for a workspace path first, and shows a failed job as an error', async () => {
    const channel = fakeChannel({
      'app.info': () => ({ ok: true, output: INFO }),
      'build.run': () => ({ ok: false, error: { code: 'DOCKER_UNAVAILABLE', message: 'Docker Engine not reachable — start Docker or set DOCKER_HOST' } }),
    });
    render(<App connect={connectionOf(channel)} />);
    await openBuildScreen();
    fireEvent.click(await screen.findByTestId('build-run'));
    expect((await screen.findByTestId('build-error')).textContent).toBe('Enter the workspace path above first.');
    fireEvent.change(screen.getByTestId('workspace-dir'), { target: { value: '/work/shop' } });
    fireEvent.click(screen.getByTestId('build-run'));
    await waitFor(() => expect(screen.getByTestId('build-error').textContent).toContain('start Docker or set DOCKER_HOST'));
  });
});
