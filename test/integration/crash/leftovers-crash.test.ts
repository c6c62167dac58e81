// Issue 13, "nothing left behind": a real `convoy build` killed (SIGKILL, at a test-only crash point
// set by CONVOY_TEST_CRASH_AT) while an image build is in progress and while its test container runs,
// and a real `convoy rollback` on the Docker target killed with its `-next` container running. After
// each, the next Convoy process sweeps: no run left `running`, no container of the dead run, no
// untagged image of it (tagged ones are adopted and said so), and status/revisions are right. Every
// resource is checked by its run label through the Docker Engine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../electron/adapters/sqlite/sqlite-store.js';
import { createDockerTarget } from '../../../electron/adapters/docker-target/docker-target.js';
import { OWNER_LABELS } from '../../../electron/core/run-owner.js';
import { docker, requireDocker, skipDocker } from '../../support/docker-engine.js';
import { convoy as convoyIn, makeWorkspace, run } from './crash-workspace.js';

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-crash-'));
const ws = path.join(temp, 'ws');
const tag = `convoy-crash-${process.pid}-${Date.now().toString(36)}`;
const environment = `crash${process.pid}`;
const convoy = (args: string[], env: NodeJS.ProcessEnv = {}) => convoyIn(args, path.join(temp, 'data'), { env });

/** What the engine holds labelled with a run. */
async function labelled(runId: string) {
  const filters = JSON.stringify({ label: [`${OWNER_LABELS.run}=${runId}`] });
  const containers = await docker.listContainers({ all: true, filters });
  // Top-level images: a finished image's parent layers carry its labels as part of its own history.
  const images = await docker.listImages({ filters });
  return { containers: containers.map((c) => c.Names[0]), images: images.map((i) => ({ id: i.Id, tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>') })) };
}

function readStore<T>(read: (store: ReturnType<typeof openStore>) => T): T {
  const store = openStore(path.join(temp, 'data'));
  try {
    return read(store);
  } finally {
    store.close();
  }
}

const newestRun = (kind: string) => readStore((s) => s.listRuns({ limit: 20, kind: kind as 'build' }).at(0)!);
const eventsOf = (runId: string) => readStore((s) => s.listEvents(runId));

beforeAll(async () => {
  if (skipDocker) return;
  requireDocker();
  // Unique content per test run: no cache hit from, and no layer shared with, any other build (another
  // suite removing its images must not take a layer this one builds on, and the other way round).
  await makeWorkspace(ws, tag, environment, {
    slow: { dockerfile: `FROM busybox:1.36.1\nRUN echo ${tag} > /one\nRUN sleep 60\n` },
    tested: { dockerfile: `FROM busybox:1.36.1\nRUN echo ${tag} > /tested\n`, convoy: { test: ['sleep', '60'] } },
    web: { dockerfile: `FROM busybox:1.36.1\nLABEL dev.convoy.test=${tag}\nCMD ["sleep", "3600"]\n` },
  });
}, 60_000);

afterAll(async () => {
  if (!skipDocker) {
    const mine = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`dev.convoy.environment=${environment}`] }) });
    for (const c of mine) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    const images = await docker.listImages({ filters: JSON.stringify({ reference: [`${tag}/*`] }) });
    for (const image of images) for (const t of image.RepoTags ?? []) await docker.getImage(t).remove().catch(() => undefined);
  }
  fs.rmSync(temp, { recursive: true, force: true });
});

describe.skipIf(skipDocker)('SIGKILL of a build, then the next process', () => {
  it('killed while an image build runs: the run is marked and its intermediate images are removed', async () => {
    const killed = await convoy(['build', '-w', ws, '-p', 'slow'], { CONVOY_TEST_CRASH_AT: 'docker.build.layer' });
    expect(killed.signal).toBe('SIGKILL');
    const dead = newestRun('build');
    expect(dead.status).toBe('running');
    const layers = eventsOf(dead.id).filter((e) => e.name === 'docker.layer').map((e) => (e.payload as { imageId: string }).imageId);
    expect(layers).toHaveLength(1);
    expect((await docker.getImage(layers[0]!).inspect()).RepoTags ?? []).toEqual([]);

    // Any next process marks the run as its store opens (here one that only reads the history)...
    const history = await convoy(['history']);
    expect(history.stderr).toContain(`build ${dead.id} was left running and is now interrupted: its process `);
    expect(newestRun('build')).toMatchObject({ id: dead.id, status: 'interrupted' });
    // ...and the next one that starts work removes what it left in Docker.
    const next = await convoy(['status', '-w', ws, '-e', environment, '-s', 'web']);
    expect(next.code).toBe(0);
    expect(next.stderr).toContain(`Cleaned up after run ${dead.id}`);
    expect(next.stderr).toContain(`intermediate image ${layers[0]}`);
    expect(newestRun('build')).toMatchObject({ id: dead.id, status: 'interrupted' });
    expect(eventsOf(dead.id).map((e) => e.name)).toEqual(expect.arrayContaining(['run.interrupted', 'leftovers.swept']));
    expect(await docker.getImage(layers[0]!).inspect().catch((err: { statusCode?: number }) => err.statusCode)).toBe(404);
    expect(await labelled(dead.id)).toEqual({ containers: [], images: [] });
  }, 120_000);

  it('killed while its test container runs: the container goes, the finished image is adopted and said so', async () => {
    const killed = await convoy(['build', '-w', ws, '-p', 'tested'], { CONVOY_TEST_CRASH_AT: 'docker.test.started' });
    expect(killed.signal).toBe('SIGKILL');
    const dead = newestRun('build');
    expect(dead.status).toBe('running');
    const left = await labelled(dead.id);
    expect(left.containers).toHaveLength(1);
    expect(left.images).toEqual([{ id: expect.any(String), tags: [expect.stringMatching(new RegExp(`^${tag}/tested:`))] }]);

    const next = await convoy(['status', '-w', ws, '-e', environment, '-s', 'web']);
    expect(next.code).toBe(0);
    expect(next.stderr).toContain(`Cleaned up after run ${dead.id}`);
    expect(newestRun('build')).toMatchObject({ id: dead.id, status: 'interrupted' });
    const swept = eventsOf(dead.id).find((e) => e.name === 'leftovers.swept')!.payload as { removed: string[]; adopted: string[] };
    expect(swept.removed).toEqual([`test container ${left.containers[0]!.slice(1)}`]);
    expect(swept.adopted).toEqual([`image ${left.images[0]!.tags[0]}`]);
    // What is left of the run: only the adopted (tagged, finished) image.
    expect(await labelled(dead.id)).toEqual({ containers: [], images: left.images });
  }, 120_000);
});

describe.skipIf(skipDocker)('SIGKILL of a Docker-target rollback at its -next container, then the next process', () => {
  it('removes the -next container and leaves status and revisions on the revision that was serving', async () => {
    // Two revisions of web, made in this process (a live owner: never swept).
    const image = `${tag}/web`;
    await run('docker', ['build', '-q', '-t', `${image}:one`, '-'], { input: `FROM busybox:1.36.1\nLABEL dev.convoy.test=${tag}\nCMD ["sleep", "3600"]\n` });
    await run('docker', ['tag', `${image}:one`, `${image}:two`]);
    const target = createDockerTarget({ environment, settleMs: 200 });
    const unit = (ref: string, releaseId: string) => ({ service: 'web', image: ref, port: null, health: null, env: {}, releaseId, commit: null, manifestsDir: null });
    await target.apply([unit(`${image}:one`, 'r1')]);
    await target.apply([unit(`${image}:two`, 'r2')]);

    const killed = await convoy(['rollback', '-w', ws, '-e', environment, '--service', 'web'], { CONVOY_TEST_CRASH_AT: 'docker-target.candidate.started' });
    expect(killed.signal).toBe('SIGKILL');
    const dead = newestRun('rollback');
    expect(dead.status).toBe('running');
    const left = await labelled(dead.id);
    expect(left.containers).toEqual([`/convoy-${environment}-web-next-3`]);
    expect(readStore((s) => s.getLease(environment))).toMatchObject({ runId: dead.id });

    const next = await convoy(['status', '-w', ws, '-e', environment, '-s', 'web']);
    expect(next.stderr).toContain(`Cleaned up after run ${dead.id}`);
    expect(next.stderr).toContain(`container convoy-${environment}-web-next-3`);
    const status = await convoy(['status', '-w', ws, '-e', environment, '-s', 'web', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ services: [{ service: 'web', state: 'ready', revision: '2', image: `${image}:two` }] });
    const revisions = await convoy(['revisions', '-w', ws, '-e', environment, '--service', 'web', '--json']);
    expect(JSON.parse(revisions.stdout).revisions.map((r: { revision: string; current: boolean }) => [r.revision, r.current])).toEqual([
      ['2', true],
      ['1', false],
    ]);
    expect(newestRun('rollback')).toMatchObject({ id: dead.id, status: 'interrupted' });
    expect(readStore((s) => s.getLease(environment))).toBeNull();
    expect(await labelled(dead.id)).toEqual({ containers: [], images: [] });
  }, 120_000);
});
