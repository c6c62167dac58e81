// @vitest-environment jsdom
// The Build and test screen over the real in-process app (the real build.run: workspace graph, build
// stage, store, build.log events) on a copy of examples/shop, with a scripted image builder in place
// of the Docker Engine: the build.run input it sends, its own job's log lines only, the result table,
// errors, Cancel through job.cancel, and the link to the run in the history.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/src/App.js';
import { INFO, REACHABLE, connectionOf, recording, resetAddress } from './fakes.js';
import { type ConsoleApp, type ScriptedBuild, startConsoleApp } from './real-app.js';

const BUILDS: Record<string, ScriptedBuild> = {
  'catalog-api': { hash: '4b54fa3852b5108b', buildMs: 1400, buildLogs: ['Step 1/4 : FROM busybox:1.36.1'], hold: true, testMs: 200 },
  'orders-api': { hash: 'cc89eb494c9f9a43', cached: true, buildMs: 5, testExitCode: 1, testMs: 300, testLogs: ['FAIL: totals'] },
  storefront: { hash: 'b08a1d11479cea83', buildLogs: ['not ours'] },
};

const apps: ConsoleApp[] = [];
afterEach(async () => {
  cleanup();
  resetAddress();
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** The real app on a fresh copy of the example, building one project at a time (so progress reads in order). */
async function startApp(docker = REACHABLE): Promise<ConsoleApp> {
  const app = await startConsoleApp({ docker, example: true, builds: BUILDS });
  apps.push(app);
  app.write({ 'convoy.yaml': app.read('convoy.yaml').replace('concurrency: 2', 'concurrency: 1') });
  return app;
}

async function openBuildScreen(app: ConsoleApp) {
  fireEvent.change(await screen.findByTestId('workspace-dir'), { target: { value: app.workspaceDir } });
  fireEvent.click(screen.getByTestId('nav-build'));
}

describe('Build and test panel', () => {
  it('runs build.run with the named projects and base, shows its own log lines live, then one row per project', async () => {
    const app = await startApp();
    const channel = recording(app.channel);
    render(<App connect={connectionOf(channel)} />);
    await openBuildScreen(app);
    fireEvent.change(screen.getByTestId('build-projects'), { target: { value: 'catalog-api, orders-api' } });
    fireEvent.change(screen.getByTestId('build-base'), { target: { value: 'main' } });
    fireEvent.click(screen.getByTestId('build-run'));

    const log = await screen.findByTestId('build-log', {}, { timeout: 20_000 });
    await waitFor(() => expect(log.textContent).toContain('[catalog-api build] Step 1/4 : FROM busybox:1.36.1'));
    // Another client builds at the same time; its lines reach this page too, and must not show.
    await app.buildFromAnotherClient({ dir: app.workspaceDir!, projects: ['storefront'] });
    expect(log.textContent).not.toContain('not ours');
    expect(screen.getByTestId('build-progress').textContent).toBe('catalog-api: building');
    expect(channel.calls).toContainEqual({ name: 'build.run', input: { dir: app.workspaceDir, projects: ['catalog-api', 'orders-api'], base: 'main' } });

    app.releaseBuild('catalog-api');
    await screen.findByTestId('build-table', {}, { timeout: 20_000 });
    expect(screen.getByTestId('build-summary').textContent).toBe('Failed: 2 projects, 1 build made');
    expect(screen.getByTestId('build-catalog-api').textContent).toContain('shop/catalog-api:4b54fa3852b5108b');
    expect(screen.getByTestId('build-catalog-api').textContent).toContain('built in 1.4 s');
    expect(screen.getByTestId('build-orders-api').textContent).toContain('cached (no build)');
    expect(screen.getByTestId('build-orders-api').textContent).toContain('failed (exit 1)');
    expect(screen.getByTestId('build-orders-api').textContent).toContain('tests failed with exit code 1');
    expect((screen.getByTestId('build-run') as HTMLButtonElement).disabled).toBe(false);

    // The run is in the store: its link opens it in the history.
    fireEvent.click(screen.getByTestId('build-run-link'));
    await waitFor(() => expect(window.location.hash).toMatch(/^#\/history\/[0-9a-f-]{36}$/));
    const details = await screen.findByTestId('run-details');
    expect(details.textContent).toContain('Build and test');
    expect(screen.getByTestId('run-status').textContent).toBe('failed');
  }, 60_000);

  it('cancels its job through job.cancel', async () => {
    const app = await startApp();
    // No projects named: the affected ones build, so something must be affected.
    app.write({ 'libs/lib-pricing/src/price.js': `${app.read('libs/lib-pricing/src/price.js')}\n// rounding\n` });
    const channel = recording(app.channel);
    render(<App connect={connectionOf(channel)} />);
    await openBuildScreen(app);
    fireEvent.click(screen.getByTestId('build-run'));
    await screen.findByTestId('build-log', {}, { timeout: 20_000 });
    const started = channel.answers.find((a) => a.name === 'build.run')!.result;
    const jobId = started.ok ? (started.output as { jobId: string }).jobId : null;
    fireEvent.click(screen.getByTestId('build-cancel'));
    await waitFor(() => expect(channel.calls).toContainEqual({ name: 'job.cancel', input: { jobId } }));
    await waitFor(() => expect(screen.getByTestId('build-catalog-api').textContent).toContain('cancelled'), { timeout: 20_000 });
  }, 60_000);

  it('asks for a workspace path first, and shows a failed job as an error', async () => {
    const app = await startApp(INFO.docker);
    render(<App connect={connectionOf(app.channel)} />);
    fireEvent.click(await screen.findByTestId('nav-build'));
    fireEvent.click(await screen.findByTestId('build-run'));
    expect((await screen.findByTestId('build-error')).textContent).toBe('Enter the workspace path above first.');
    fireEvent.change(screen.getByTestId('workspace-dir'), { target: { value: app.workspaceDir } });
    fireEvent.click(screen.getByTestId('build-run'));
    await waitFor(() => expect(screen.getByTestId('build-error').textContent).toContain('start Docker or set DOCKER_HOST'));
  }, 60_000);
});
