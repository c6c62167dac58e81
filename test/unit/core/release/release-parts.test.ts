// The release engine's small parts that the full mutation run (docs/mutation.md) found unpinned by the
// unit tests: the live record's stages (tracker.ts), image names in a registry (registry-images.ts),
// the lease-backed environment lock (lease-lock.ts) and the environment walk (environments.ts). Each
// case fails with one of the run's surviving mutants applied by hand.
import { describe, expect, it } from 'vitest';
import { createLeaseKeeper } from '../../../../electron/core/lease.js';
import { environmentsUpTo } from '../../../../electron/core/release/environments.js';
import { leaseLock } from '../../../../electron/core/release/lease-lock.js';
import { knownRegistryReferences, registryRepositoryOf, repositoryOf } from '../../../../electron/core/release/registry-images.js';
import { ReleaseTracker } from '../../../../electron/core/release/tracker.js';
import { ConvoyError } from '../../../../shared/errors.js';
import { WorkspaceConfig } from '../../../../shared/config.js';
import type { ReleaseReport } from '../../../../shared/release-report.js';
import { createMemoryStore } from '../../../fakes/store.js';
import { FakeRecorder } from '../../../fakes/release-run.js';

function report(): ReleaseReport {
  return {
    id: 'rel-1', workspace: '/ws', target: 'local', only: false, base: null, head: null, commit: null, author: null,
    state: 'running', cause: null, startedAt: '2026-01-01T00:00:00.000Z', finishedAt: null, affected: [], services: [],
    order: [], images: [], buildCalls: 0, applies: 0, stages: [], pushes: [], environments: [],
  };
}

/** A clock that reads the times it is given, in order. */
function clockAt(...times: string[]) {
  const left = [...times];
  return { now: () => new Date(left.shift() ?? 'clock read too often') };
}

describe('ReleaseTracker', () => {
  it('times a stage from its start to its finish on the engine clock, and says so in events', () => {
    const recorder = new FakeRecorder();
    const tracker = new ReleaseTracker(report(), clockAt('2026-01-01T00:00:01.000Z', '2026-01-01T00:00:03.500Z'), recorder, (line) => line.replace('s3cret', '***'));
    const stage = tracker.stage('waves', 'local');
    expect(tracker.report.stages).toEqual([
      { name: 'waves', environment: 'local', state: 'running', startedAt: '2026-01-01T00:00:01.000Z', finishedAt: null, durationMs: null, message: null },
    ]);
    stage.finish('failed', 'token s3cret refused');
    expect(tracker.report.stages[0]).toEqual({
      name: 'waves', environment: 'local', state: 'failed', startedAt: '2026-01-01T00:00:01.000Z',
      finishedAt: '2026-01-01T00:00:03.500Z', durationMs: 2500, message: 'token *** refused',
    });
    expect(recorder.stages).toEqual([{ name: 'waves', environment: 'local', state: 'failed' }]);
    expect(recorder.events).toEqual([
      { name: 'release.stageStarted', payload: { releaseId: 'rel-1', stage: 'waves', environment: 'local' } },
      { name: 'release.stageFinished', payload: { releaseId: 'rel-1', stage: 'waves', environment: 'local', state: 'failed', message: 'token *** refused' } },
    ]);
  });

  it('publishes a copy of the record when a stage starts and when it finishes', () => {
    const seen: ReleaseReport[] = [];
    const tracker = new ReleaseTracker(report(), clockAt('2026-01-01T00:00:01.000Z', '2026-01-01T00:00:02.000Z'), new FakeRecorder(), (l) => l, (r) => seen.push(r));
    tracker.stage('build', null).finish('succeeded');
    expect(seen.map((r) => r.stages.map((s) => s.state))).toEqual([['running'], ['succeeded']]);
    expect(seen[1]).not.toBe(tracker.report);
    expect(seen[1]).toEqual(tracker.report);
  });

  it('reads the clock for now() and ms()', () => {
    const tracker = new ReleaseTracker(report(), clockAt('2026-01-01T00:00:05.000Z', '2026-01-01T00:00:06.000Z'), new FakeRecorder(), (l) => l);
    expect(tracker.now()).toBe('2026-01-01T00:00:05.000Z');
    expect(tracker.ms()).toBe(Date.parse('2026-01-01T00:00:06.000Z'));
  });
});

describe('image names in a registry', () => {
  it('splits the tag after the last colon only when it comes after the last slash', () => {
    expect(repositoryOf('shop/orders-api:3f9c')).toEqual({ name: 'shop/orders-api', tag: '3f9c' });
    expect(repositoryOf('localhost:5000/shop/orders-api')).toEqual({ name: 'localhost:5000/shop/orders-api', tag: 'latest' });
    expect(repositoryOf('localhost:5000/orders-api:v2')).toEqual({ name: 'localhost:5000/orders-api', tag: 'v2' });
    expect(repositoryOf('orders-api')).toEqual({ name: 'orders-api', tag: 'latest' });
  });

  it('puts the repository under the registry host and prefix', () => {
    expect(registryRepositoryOf('127.0.0.1:5000/team', 'shop/orders-api:3f9c')).toBe('127.0.0.1:5000/team/shop/orders-api');
  });

  it('names every digest the image was pushed as, and none when the records cannot be read', async () => {
    const port = { knownDigests: async (image: string) => (image === 'shop/a:1' ? ['sha256:aa', 'sha256:bb'] : []) };
    expect(await knownRegistryReferences(port, '127.0.0.1:5000', 'shop/a:1')).toEqual(['127.0.0.1:5000/shop/a@sha256:aa', '127.0.0.1:5000/shop/a@sha256:bb']);
    const broken = { knownDigests: async () => Promise.reject(new Error('store closed')) };
    expect(await knownRegistryReferences(broken, '127.0.0.1:5000', 'shop/a:1')).toEqual([]);
  });
});

describe('leaseLock', () => {
  const self = { pid: 10, host: 'box', isAlive: () => true };

  it('refuses an environment another release holds, naming it, rather than queueing behind it', async () => {
    const store = createMemoryStore();
    const lock = leaseLock(createLeaseKeeper({ store, self, every: () => () => undefined }), store);
    let finishFirst!: () => void;
    const first = lock.hold('staging', 'rel-1', () => new Promise<void>((resolve) => (finishFirst = resolve)));
    let ran = false;
    const second = lock.hold('staging', 'rel-2', async () => void (ran = true)).then(
      () => null,
      (err: unknown) => err,
    );
    finishFirst();
    await first;
    const refused = await second;
    expect(ran).toBe(false);
    expect(refused).toBeInstanceOf(ConvoyError);
    expect((refused as ConvoyError).code).toBe('ENVIRONMENT_BUSY');
    expect((refused as ConvoyError).message).toContain('run rel-1 is changing it');
  });

  it('runs the work of the release that holds it, or of a free environment, and gives its result', async () => {
    const store = createMemoryStore();
    const lock = leaseLock(createLeaseKeeper({ store, self, every: () => () => undefined }), store);
    const inner = await lock.hold('staging', 'rel-1', () => lock.hold('staging', 'rel-1', async () => 'inner done'));
    expect(inner).toBe('inner done');
    expect(await lock.hold('prod', 'rel-3', async () => 42)).toBe(42);
    expect(store.getLease('staging')).toBeNull();
  });
});

describe('environmentsUpTo', () => {
  const docker = { kind: 'docker' };
  const config = WorkspaceConfig.parse({ environments: [{ name: 'local', target: docker }, { name: 'staging', target: docker }] });

  it('walks to the first environment alone when it is the last one asked for', () => {
    expect(environmentsUpTo(config, 'local').map((e) => e.name)).toEqual(['local']);
    expect(environmentsUpTo(config, 'staging').map((e) => e.name)).toEqual(['local', 'staging']);
    expect(environmentsUpTo(config, 'staging', { only: true }).map((e) => e.name)).toEqual(['staging']);
  });

  it('names the environments there are, or "(none)", for an unknown one', () => {
    expect(() => environmentsUpTo(config, 'prod', { file: 'convoy.yaml' })).toThrow('No environment "prod" in convoy.yaml; its environments are: local, staging');
    expect(() => environmentsUpTo(WorkspaceConfig.parse({}), 'prod')).toThrow('No environment "prod" in convoy.yaml; its environments are: (none)');
    expect(() => environmentsUpTo(WorkspaceConfig.parse({}), 'prod', { file: null })).toThrow('No environment "prod": this workspace has no convoy.yaml; see docs/configuration.md');
  });
});
