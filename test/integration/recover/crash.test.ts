// The crash test (issue 13): a real `convoy release` process, on the Kubernetes API test server (two
// environments, the second with approval) and on the Docker target, SIGKILLs itself at 22 points spread
// over the whole release (CONVOY_TEST_CRASH_AT: right after a chosen row is committed, between an
// intent and its result included). After each kill the next process (this one, opening the store
// through the composition root) finds the release interrupted, the lease free, PRAGMA integrity_check
// ok, and per object — per service, and per Kubernetes object with its own intent and result rows — a
// state that matches the journal and the live targets; then Roll back restores every
// object to what ran before; the same kill again, then Resume finishes the release with every object on
// its image, ready. Each point releases the other commit's images (A and B alternate), so both image
// sets are built once and shared. Skipped without a Docker Engine (failing under CI).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../electron/app.js';
import { createClient } from '../../../shared/client.js';
import type { EnvironmentConfig } from '../../../shared/config.js';
import type { InterruptedRelease, RecoverResult } from '../../../shared/contract/recover.js';
import type { LiveRevision } from '../../../shared/release-report.js';
import type { StepRecord } from '../../../electron/core/ports/run-store.js';
import { startKubeApiServer, type KubeApiServer } from '../../kube-api-server/index.js';
import { docker, requireDocker, skipDocker, snapshotImages } from '../../support/docker-engine.js';
import { removeWorkspaces } from '../affected/fixtures.js';
import { type CrashWorld, SERVICES, TAG, convoy, integrity, liveState, makeWorld } from './crash-world.js';

const DOCKER_ENV = `${TAG}d`;
let server: KubeApiServer;
let kube: CrashWorld;
let dock: CrashWorld;
let removeImages: () => Promise<void> = async () => {};
/** Per world: which commit the next release takes (they alternate so every point changes every object). */
const next = new Map<CrashWorld, 'a' | 'b'>();

beforeAll(async () => {
  requireDocker();
  removeImages = await snapshotImages([`${TAG}-*/*`]);
  server = await startKubeApiServer({ podReadyAfterMs: 0 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-crash-'));
  const kubeconfig = server.writeKubeconfig(path.join(dir, 'kubeconfig'), { context: 'crash' });
  const kubeEnv = (name: string, extra: Partial<EnvironmentConfig> = {}): EnvironmentConfig =>
    ({ name, target: { kind: 'kubernetes', context: 'crash', namespace: `${TAG}-${name}`, createNamespace: true, kubeconfig }, ...extra }) as EnvironmentConfig;
  kube = makeWorld([kubeEnv('kdev'), kubeEnv('kstage', { approval: { required: true } } as Partial<EnvironmentConfig>)], 'kube');
  dock = makeWorld([{ name: DOCKER_ENV, target: { kind: 'docker' } } as EnvironmentConfig], 'docker');
  for (const world of [kube, dock]) {
    // The baseline: commit A released whole, so every object has a "before".
    world.ws.checkout(world.commits.a);
    const first = await release(world);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    next.set(world, 'b');
  }
}, 600_000);

afterAll(async () => {
  const containers = await docker.listContainers({ all: true, filters: { label: [`dev.convoy.environment=${DOCKER_ENV}`] } }).catch(() => []);
  for (const c of containers) await docker.getContainer(c.Id).remove({ force: true });
  await server?.close();
  await removeImages();
  removeWorkspaces();
});

function release(world: CrashWorld, crashAt?: string) {
  const last = world.environments.at(-1)!.name;
  return convoy(world, ['release', '--env', last, '--yes', '-w', world.ws.dir, '--projects', SERVICES.join(',')], crashAt);
}

const key = (env: string, service: string) => `${env}/${service}`;
const shape = (l: LiveRevision | null | undefined) => (l ? { image: l.image, state: l.state } : null);

interface Killed {
  releaseId: string;
  /** Where it was interrupted (what Roll back restores). */
  environment: string | null;
  /** What ran everywhere once it was dead. */
  live: Map<string, LiveRevision>;
}

/** Kills a release at `point`, then checks what the next process finds. */
async function killAt(world: CrashWorld, point: string, before: Map<string, LiveRevision>): Promise<Killed> {
  const killed = await release(world, point);
  expect(killed.signal, `${point}: ${killed.stdout}${killed.stderr}`).toBe('SIGKILL');
  expect(integrity(world)).toBe('ok');

  const app = createApp({ dataDir: world.dataDir });
  try {
    expect(app.interrupted.map((r) => [r.run.kind, r.run.status])).toEqual([['release', 'interrupted']]);
    const releaseId = app.interrupted[0]!.run.id;
    for (const e of world.environments) expect(app.store.getLease(e.name), `lease of ${e.name}`).toBeNull();
    const steps = app.store.listSteps(releaseId);
    const l1 = await liveState(world);
    const { releases } = await createClient(app.channel()).run('recover.list', {});
    const l2 = await liveState(world);
    expect(releases.map((r) => r.releaseId)).toEqual([releaseId]);
    for (const o of releases[0]!.objects) {
      const where = key(o.environment, o.service);
      // What the test reads itself, before and after the recover read (a rollout only moves forward).
      expect([shape(l1.get(where)), shape(l2.get(where))], `${point} ${where}`).toContainEqual(shape(o.live));
      const apply = steps.filter((s) => s.kind === 'target.apply' && s.target === where);
      const applied = apply.some((s) => s.ok === true);
      if (applied) {
        expect(o.state, `${point} ${where}: ${o.message}`).toMatch(/^applied-(healthy|not-ready)$/);
        expect(o.live?.image).toBe(o.image);
      } else {
        // No result: killed right after the intent, so the apply never ran; or not reached.
        expect(o.state, `${point} ${where}: ${o.message}`).toBe('not-started');
        expect(o.live?.image ?? null).toBe(before.get(where)?.image ?? null);
      }
      expect(o.journal).toBe(apply.length === 0 ? 'none' : applied ? 'applied' : 'intent-only');
      checkResources(world, releaseId, point, where, o, steps);
    }
    return { releaseId, environment: releases[0]!.environment, live: l2 };
  } finally {
    await app.close();
  }
}

const PLURAL: Record<string, string> = { Namespace: 'namespaces', Service: 'services', Deployment: 'deployments' };

/** The live object on the API test server, as the test reads it itself. */
function serverObject(detail: Record<string, unknown>): { exists: boolean; resourceVersion: string | null; generation: number | null; release: string | null } {
  const found = server.get(PLURAL[String(detail.kind)]!, (detail.namespace as string | null) ?? null, String(detail.name)) as
    | { metadata: { resourceVersion: string; generation?: number; annotations?: Record<string, string> }; spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } }
    | undefined;
  if (!found) return { exists: false, resourceVersion: null, generation: null, release: null };
  // A Deployment's release is its pod template's mark (what a rollback restores), any other object's its own.
  const marks = detail.kind === 'Deployment' ? found.spec?.template?.metadata?.annotations : found.metadata.annotations;
  return { exists: true, resourceVersion: found.metadata.resourceVersion, generation: found.metadata.generation ?? null, release: marks?.['convoy.dev/release'] ?? null };
}

/**
 * Per Kubernetes object (issue 13: intent and result per object): each object the service's apply
 * wrote or meant to write is listed under it, with the journal of its own rows and a state that matches
 * the live object — written (result row) → applied, carrying this release; intent only (the kill came
 * between its intent and its result, so the write never ran) → not started, exactly as before the
 * write. The Docker target journals one object per service, its container: no rows under it.
 */
function checkResources(world: CrashWorld, releaseId: string, point: string, where: string, o: InterruptedRelease['objects'][number], steps: StepRecord[]): void {
  if (world === dock) {
    expect(o.resources, `${point} ${where}`).toEqual([]);
    return;
  }
  const rows = steps.filter((s) => s.kind === 'target.applyObject' && s.target === where);
  const detailOf = (s: StepRecord) => s.detail as Record<string, unknown>;
  expect(o.resources.map((r) => r.object), `${point} ${where}`).toEqual([...new Set(rows.map((s) => String(detailOf(s).object)))]);
  const serviceApplied = steps.some((s) => s.kind === 'target.apply' && s.target === where && s.ok === true);
  if (serviceApplied) expect(o.resources.map((r) => r.object.split(' ')[0])).toEqual(['Namespace', 'Service', 'Deployment']);
  for (const r of o.resources) {
    const own = rows.filter((s) => detailOf(s).object === r.object);
    const last = own.at(-1)!;
    const live = serverObject(detailOf(last));
    const what = `${point} ${where} ${r.object}: ${r.message}`;
    expect(r.live && { exists: r.live.exists, generation: r.live.generation, release: r.live.release }, what).toEqual({ exists: live.exists, generation: live.generation, release: live.release });
    expect(r.journal, what).toBe(last.finishedAt === null ? 'intent-only' : 'applied');
    if (r.journal === 'applied') {
      expect(r.state, what).toMatch(/^applied-(healthy|not-ready)$/);
      if (r.object.startsWith('Namespace ')) expect(live.resourceVersion).toBe(r.written?.resourceVersion);
      else expect(live.release, what).toBe(releaseId);
    } else {
      expect(r.state, what).toBe('not-started');
      const before = r.before!;
      expect({ exists: live.exists, release: live.release, generation: live.generation }, what).toEqual({ exists: before.exists, release: before.release, generation: before.generation });
    }
  }
}

/** Resume or roll back in this process, or (`viaCli`) through a real `convoy recover` process. */
async function recover(world: CrashWorld, releaseId: string, action: 'resume' | 'rollback', viaCli = false): Promise<RecoverResult> {
  if (viaCli) {
    const listed = await convoy(world, ['recover', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { releases: InterruptedRelease[] }).releases.map((r) => r.releaseId)).toEqual([releaseId]);
    const done = await convoy(world, ['recover', releaseId, action === 'resume' ? '--resume' : '--rollback', ...(action === 'resume' ? ['--yes'] : []), '--json']);
    expect(done.code, done.stdout + done.stderr).toBe(0);
    return JSON.parse(done.stdout) as RecoverResult;
  }
  const app = createApp({ dataDir: world.dataDir });
  try {
    const client = createClient(app.channel());
    const result = action === 'resume' ? await client.run('recover.resume', { releaseId, approval: 'auto' }) : await client.run('recover.rollback', { releaseId });
    expect(app.store.getRun(releaseId)!.status).toBe(action === 'resume' ? 'succeeded' : 'rolled_back');
    for (const e of world.environments) expect(app.store.getLease(e.name)).toBeNull();
    return result;
  } finally {
    await app.close();
  }
}

/** Points whose recovery goes through real `convoy recover` processes (the rest use the app in this process). */
const VIA_CLI = new Set(['result:target.apply@kdev/catalog-api', `result:target.apply@${DOCKER_ENV}/catalog-api`]);

async function crashPoint(world: CrashWorld, point: string): Promise<void> {
  const viaCli = VIA_CLI.has(point);
  const commit = next.get(world)!;
  world.ws.checkout(world.commits[commit]);
  const before = await liveState(world);

  // Roll back: every object where it was interrupted as it was before the release; an environment it
  // had finished before keeps the release (as after a failure).
  const first = await killAt(world, point, before);
  const rolledBack = await recover(world, first.releaseId, 'rollback', viaCli);
  expect(rolledBack.ok, JSON.stringify(rolledBack.rollbacks)).toBe(true);
  const afterRollback = await liveState(world);
  for (const [where, was] of before) {
    const expected = where.startsWith(`${first.environment}/`) ? was : first.live.get(where);
    expect(shape(afterRollback.get(where)), `${point} rollback ${where}`).toEqual(shape(expected));
  }

  // The same kill again, then Resume: every object on the release's image, ready.
  const second = await killAt(world, point, afterRollback);
  const resumed = await recover(world, second.releaseId, 'resume', viaCli);
  expect(resumed.ok, JSON.stringify(resumed.error)).toBe(true);
  expect(resumed.report.state).toBe('succeeded');
  const imageOf = new Map(resumed.report.images.map((i) => [i.service, i.image]));
  const afterResume = await liveState(world);
  for (const e of world.environments) {
    for (const service of SERVICES) {
      const live = afterResume.get(key(e.name, service));
      expect(shape(live), `${point} resume ${key(e.name, service)}`).toEqual({ image: imageOf.get(service), state: 'ready' });
      expect(live?.image).not.toBe(before.get(key(e.name, service))?.image);
    }
  }
  next.set(world, commit === 'a' ? 'b' : 'a');
}

const KUBE_POINTS = [
  'event:release.input',
  'intent:docker.build#1',
  'result:docker.build#3',
  'stage:kdev:gates',
  'intent:target.apply@kdev/catalog-api',
  'result:target.apply@kdev/catalog-api',
  // Between one object's intent and its result: orders-api's Namespace and Service are written, its Deployment is not.
  'intent:target.applyObject@kdev/orders-api#3',
  // Between two objects: storefront's Service written (its result row), its Deployment not yet intended.
  'result:target.applyObject@kstage/storefront#2',
  'intent:target.waitReady@kdev/orders-api',
  'result:target.waitReady@kdev/storefront',
  'stage:kdev:verify',
  'intent:release.approval',
  'result:release.approval',
  'intent:target.apply@kstage/orders-api',
  'result:target.apply@kstage/storefront',
  'stage-end:kstage:verify',
];
const DOCKER_POINTS = [
  'result:docker.build#2',
  `intent:target.apply@${DOCKER_ENV}/catalog-api`,
  `result:target.apply@${DOCKER_ENV}/catalog-api`,
  `result:target.waitReady@${DOCKER_ENV}/orders-api`,
  `intent:target.apply@${DOCKER_ENV}/storefront`,
  `stage-end:${DOCKER_ENV}:waves`,
];

/** Resolves once `check` answers true, polling the store; fails after the deadline. */
async function until(check: () => boolean, what: string, deadlineMs = 120_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(skipDocker)('a live release in another process', { timeout: 600_000 }, () => {
  it('is never marked interrupted by a process that opens the store meanwhile, and finishes', async () => {
    const commit = next.get(kube)!;
    kube.ws.checkout(kube.commits[commit]);
    // Every answer of the API server takes a second until the fault is cleared: the release is slow, alive.
    server.faults.latency(1000);
    const running = release(kube);
    let ended: Awaited<typeof running> | null = null;
    void running.then((done) => (ended = done));
    try {
      const peek = () => {
        const db = new Database(path.join(kube.dataDir, 'convoy.db'), { readonly: true });
        try {
          return db.prepare("SELECT count(*) AS n FROM steps JOIN runs ON runs.id = steps.run_id WHERE runs.status = 'running' AND steps.kind = 'target.apply'").get() as { n: number };
        } finally {
          db.close();
        }
      };
      await until(() => ended !== null || peek().n > 0, 'the release to start applying');
      expect(ended, 'the release ended before it applied anything').toBeNull();
      const app = createApp({ dataDir: kube.dataDir });
      try {
        expect(app.interrupted).toEqual([]);
        const [live] = app.store.listUnfinishedRuns();
        expect(live).toMatchObject({ kind: 'release', status: 'running' });
        expect(app.store.getLease('kdev')?.runId).toBe(live!.id);
      } finally {
        await app.close();
      }
    } finally {
      server.faults.clear();
      const done = await running;
      expect(done.code, done.stdout + done.stderr).toBe(0);
    }
    next.set(kube, commit === 'a' ? 'b' : 'a');
  });
});

describe.skipIf(skipDocker)('a release killed at any point is found interrupted, and resumes or rolls back exactly', { timeout: 600_000 }, () => {
  it.each(KUBE_POINTS)('Kubernetes (API test server): killed at %s', async (point) => {
    await crashPoint(kube, point);
  });
  it.each(DOCKER_POINTS)('Docker target: killed at %s', async (point) => {
    await crashPoint(dock, point);
  });
});
