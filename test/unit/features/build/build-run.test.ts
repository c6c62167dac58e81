// The build run service (electron/features/build/build-run.ts) over in-memory fakes of the workspace,
// the image builder and the Docker Engine: no Docker, no Nx, no git repository. What it still touches
// for real: the projects' convoy blocks and convoy.yaml in a temp folder (read through the config port,
// filled here by the real config adapter). Git is a stand-in with no commit, as a folder outside any
// repository has. The store is the in-memory one (test/fakes/store.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BuildRunDeps, runBuild } from '../../../../electron/features/build/build-run.js';
import { createConfigAdapter } from '../../../../electron/adapters/config/config-adapter.js';
import type { EventName } from '../../../../shared/contract.js';
import { ConvoyError } from '../../../../shared/errors.js';
import { FakeDockerEngine } from '../../../fakes/docker-engine.js';
import { FakeImageBuilder } from '../../../fakes/image-builder.js';
import { type MemoryStore, createMemoryStore } from '../../../fakes/store.js';
import { FakeWorkspace, fakeProject } from '../../../fakes/workspace.js';

const SECRET = 's3cr3t-build-token-value';

let dir: string;
let store: MemoryStore;
let builder: FakeImageBuilder;
let workspace: FakeWorkspace;
let events: Array<{ name: EventName; payload: unknown }>;
let ids: number;

function write(file: string, content: string | object): void {
  const full = path.join(dir, file);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, typeof content === 'string' ? content : JSON.stringify(content));
}

function service(name: string, convoy: Record<string, unknown> = {}): void {
  write(`services/${name}/package.json`, { name, convoy: { image: `shop/${name}`, ...convoy } });
  write(`services/${name}/Dockerfile`, 'FROM busybox:1.36.1\n');
}

function deps(over: Partial<BuildRunDeps> = {}): BuildRunDeps {
  return {
    workspace,
    builder,
    docker: new FakeDockerEngine(),
    config: createConfigAdapter(),
    git: { headCommit: async () => null },
    store,
    events: { emit: (name, payload) => void events.push({ name, payload }) },
    newId: () => `run-${++ids}`,
    env: { BUILD_TOKEN: SECRET },
    ...over,
  };
}

/** The run's status in the store: the one place this test reads the store's own API. */
function runStatus(runId: string): string | undefined {
  return store.getRun(runId)?.status;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-build-run-unit-'));
  write('convoy.yaml', 'secrets:\n  env: [BUILD_TOKEN]\n');
  write('libs/lib/package.json', { name: 'lib' });
  service('api', { test: ['sh', '/t.sh'] });
  service('web');
  workspace = FakeWorkspace.of(dir, [
    fakeProject('lib', { root: 'libs/lib', type: 'library' }),
    fakeProject('api', { dependencies: ['lib'], capabilities: { dockerfile: 'services/api/Dockerfile' } }),
    fakeProject('web', { dependencies: ['api'], capabilities: { dockerfile: 'services/web/Dockerfile' } }),
  ]);
  builder = new FakeImageBuilder();
  store = createMemoryStore();
  events = [];
  ids = 0;
});

afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('build.run over fakes', () => {
  it('refuses at once when Docker is not reachable, before reading the workspace', async () => {
    const error = await runBuild({ dir }, deps({ docker: FakeDockerEngine.unreachable() })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DOCKER_UNAVAILABLE', message: expect.stringMatching(/not reachable at unix:\/\/\/fake\/docker.sock/) });
    expect(workspace.calls).toEqual([]);
    expect(builder.builds).toEqual([]);
  });

  it('builds and tests the affected projects that have something to build, as a succeeded run', async () => {
    workspace.touch(['libs/lib/index.js']);
    const report = await runBuild({ dir }, deps());
    expect(report.ok).toBe(true);
    expect(report.projects.map((p) => [p.project, p.status, p.test.status])).toEqual([
      ['api', 'built', 'passed'],
      ['web', 'built', 'none'],
    ]);
    expect(builder.builds.map((b) => b.repository).sort()).toEqual(['shop/api', 'shop/web']);
    expect(builder.tests.map((t) => [t.project, t.command])).toEqual([['api', ['sh', '/t.sh']]]);
    expect(report.buildCalls).toBe(2);
    expect(runStatus(report.runId)).toBe('succeeded');
  });

  it('makes no build call the second time, and rebuilds only what changed', async () => {
    workspace.touch(['services/api/src/a.js', 'services/web/index.html']);
    await runBuild({ dir }, deps());
    const again = await runBuild({ dir }, deps());
    expect(again.buildCalls).toBe(0);
    expect(again.projects.map((p) => p.status)).toEqual(['cached', 'cached']);

    builder.setContent(path.join(dir, 'services/web'), 'a new index.html');
    const third = await runBuild({ dir }, deps());
    expect(third.buildCalls).toBe(1);
    expect(third.projects.map((p) => [p.project, p.status])).toEqual([
      ['api', 'cached'],
      ['web', 'built'],
    ]);
  });

  it('builds exactly the named projects, and names the known ones for an unknown name', async () => {
    const report = await runBuild({ dir, projects: ['web'] }, deps());
    expect(report.projects.map((p) => p.project)).toEqual(['web']);
    expect(workspace.calls.map((c) => c.method)).toEqual(['open']);
    const error = await runBuild({ dir, projects: ['nope'] }, deps()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConvoyError);
    expect(error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('its projects are: api, lib, web') });
  });

  it("keeps every project's outcome when one build and another's tests fail (its image stays built), and fails the run", async () => {
    service('jobs', { test: ['sh', '-c', 'exit 1'] });
    workspace = FakeWorkspace.of(dir, [
      fakeProject('api', { capabilities: { dockerfile: 'services/api/Dockerfile' } }),
      fakeProject('web', { capabilities: { dockerfile: 'services/web/Dockerfile' } }),
      fakeProject('jobs', { capabilities: { dockerfile: 'services/jobs/Dockerfile' } }),
    ]);
    builder.failBuild('api').scriptTest('jobs', { exitCode: 1, logs: ['FAIL: totals'] });
    const report = await runBuild({ dir, projects: ['api', 'web', 'jobs'] }, deps());
    expect(report.ok).toBe(false);
    const byName = Object.fromEntries(report.projects.map((p) => [p.project, p]));
    expect(byName.api).toMatchObject({ status: 'failed', error: { code: 'BUILD_FAILED' } });
    expect(byName.web).toMatchObject({ status: 'built' });
    expect(byName.jobs).toMatchObject({ status: 'built', error: { code: 'TEST_FAILED' }, test: { status: 'failed', exitCode: 1 } });
    expect(runStatus(report.runId)).toBe('failed');
  });

  it('redacts the secrets convoy.yaml names from every build.log line it emits', async () => {
    builder.logBuild('web', [`Step 1/2 : ARG TOKEN=${SECRET}`, `token in base64: ${Buffer.from(SECRET).toString('base64')}`]);
    const report = await runBuild({ dir, projects: ['web'] }, deps());
    const lines = events.filter((e) => e.name === 'build.log').map((e) => (e.payload as { line: string; runId: string }).line);
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).not.toContain(SECRET);
    expect(lines.join('\n')).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(events.every((e) => (e.payload as { runId: string }).runId === report.runId)).toBe(true);
  });

  it('reports unstarted and interrupted projects as cancelled when the job is cancelled', async () => {
    const held = builder.hold('api');
    const controller = new AbortController();
    const running = runBuild({ dir, projects: ['api', 'web'], concurrency: 1 }, deps(), { signal: controller.signal });
    await held.started;
    controller.abort();
    const report = await running;
    expect(report.ok).toBe(false);
    expect(report.projects.map((p) => [p.project, p.status])).toEqual([
      ['api', 'cancelled'],
      ['web', 'cancelled'],
    ]);
    expect(builder.builds.map((b) => b.project)).toEqual(['api']);
    expect(runStatus(report.runId)).toBe('cancelled');
  });

  it('never runs more builds at once than asked', async () => {
    service('jobs');
    workspace = FakeWorkspace.of(dir, ['api', 'web', 'jobs'].map((name) => fakeProject(name, { capabilities: { dockerfile: `services/${name}/Dockerfile` } })));
    const holds = ['api', 'web', 'jobs'].map((name) => builder.hold(name));
    const running = runBuild({ dir, projects: ['api', 'web', 'jobs'], concurrency: 2 }, deps());
    await Promise.all([holds[0]!.started, holds[1]!.started]);
    expect(builder.builds).toHaveLength(2);
    for (const hold of holds) hold.release();
    const report = await running;
    expect(report.ok).toBe(true);
    expect(builder.maxConcurrent).toBe(2);
  });
});
