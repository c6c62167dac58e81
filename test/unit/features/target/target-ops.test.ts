// Target status, revisions and rollback (electron/features/target/target-ops.ts) over the in-memory
// deploy target and workspace: no cluster, no Docker, no Nx. What it still touches for real: nx.json,
// convoy.yaml and the projects' convoy blocks in a temp folder (read through the config port, filled
// here by the real config adapter). The store and the lease keeper are the in-memory store (test/fakes/store.ts)
// and the core's keeper over it; test/unit/features/target/target-rollback.test.ts covers the run and
// the lease themselves.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { targetRevisions, targetRollback, targetStatus, type TargetOpsDeps } from '../../../../electron/features/target/target-ops.js';
import { createConfigAdapter } from '../../../../electron/adapters/config/config-adapter.js';
import type { DeployUnit } from '../../../../electron/core/ports/deploy-target.js';
import { createLeaseKeeper } from '../../../../electron/core/lease.js';
import { ConvoyError } from '../../../../shared/errors.js';
import { FakeDeployTarget } from '../../../fakes/deploy-target.js';
import { type MemoryStore, createMemoryStore } from '../../../fakes/store.js';
import { FakeWorkspace, fakeProject } from '../../../fakes/workspace.js';

let dir: string;
let store: MemoryStore;
let target: FakeDeployTarget;
let workspace: FakeWorkspace;
let made: string[];

function write(file: string, content: string | object): void {
  const full = path.join(dir, file);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, typeof content === 'string' ? content : JSON.stringify(content));
}

function unit(service: string, tag: string): DeployUnit {
  return { service, image: `shop/${service}:${tag}`, releaseId: `rel-${tag}`, commit: null, manifestsDir: null, port: 8080, health: '/healthz', env: {} };
}

function deps(): TargetOpsDeps {
  return {
    workspace,
    store,
    config: createConfigAdapter(),
    leases: createLeaseKeeper({ store, self: { pid: 100, host: 'box', isAlive: (pid) => pid === 100 } }),
    newId: () => `rb-${store.listRuns({ limit: 100 }).length + 1}`,
    makeTarget: (environment) => {
      made.push(environment.name);
      return target;
    },
  };
}

/** The rollback events of the newest run in the store: the one place this test reads the store's own API. */
function rollbackEvents(): Array<{ name: string; payload: Record<string, unknown> }> {
  const [run] = store.listRuns({ limit: 1 });
  return store
    .listEvents(run?.id ?? null)
    .filter((e) => e.name.startsWith('target.rollback'))
    .map((e) => ({ name: e.name, payload: e.payload as Record<string, unknown> }));
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convoy-target-ops-unit-'));
  write('nx.json', {});
  write('convoy.yaml', 'environments:\n  - name: local\n    target: { kind: docker }\n  - name: staging\n    target: { kind: kubernetes, context: c, namespace: shop }\n');
  for (const name of ['orders-api', 'catalog-api']) {
    write(`services/${name}/package.json`, { name, convoy: { image: `shop/${name}` } });
    write(`services/${name}/Dockerfile`, 'FROM busybox:1.36.1\n');
  }
  write('libs/lib/package.json', { name: 'lib' });
  workspace = FakeWorkspace.of(dir, [fakeProject('orders-api'), fakeProject('catalog-api'), fakeProject('lib', { root: 'libs/lib', type: 'library' })]);
  target = new FakeDeployTarget({ kind: 'docker', environment: 'local' });
  store = createMemoryStore();
  made = [];
});

afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('target status and revisions', () => {
  it("asks the environment's target about every deployable service, and closes it", async () => {
    await target.apply([unit('orders-api', 'v1')]);
    const status = await targetStatus({ dir, environment: 'local' }, deps());
    expect(made).toEqual(['local']);
    expect(status).toMatchObject({ environment: 'local', kind: 'docker' });
    expect(status.services.map((s) => [s.service, s.state, s.image])).toEqual([
      ['catalog-api', 'missing', null],
      ['orders-api', 'ready', 'shop/orders-api:v1'],
    ]);
    expect(target.closed).toBe(1);
  });

  it('asks only about the named services without loading the project graph', async () => {
    const status = await targetStatus({ dir, environment: 'local', services: ['orders-api'] }, deps());
    expect(status.services.map((s) => s.service)).toEqual(['orders-api']);
    expect(workspace.calls).toEqual([]);
  });

  it('names the known environments for an unknown one, without making a target', async () => {
    const error = await targetStatus({ dir, environment: 'prod' }, deps()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConvoyError);
    expect(error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('its environments are: local, staging') });
    expect(made).toEqual([]);
  });

  it('lists revisions newest first and closes the target even when the call fails', async () => {
    await target.apply([unit('orders-api', 'v1')]);
    await target.apply([unit('orders-api', 'v2')]);
    const listed = await targetRevisions({ dir, environment: 'local', service: 'orders-api' }, deps());
    expect(listed.revisions.map((r) => [r.revision, r.image, r.current])).toEqual([
      ['2', 'shop/orders-api:v2', true],
      ['1', 'shop/orders-api:v1', false],
    ]);
    target.failOn('revisions', 'orders-api', new ConvoyError('DOCKER_UNAVAILABLE', 'engine gone'));
    await expect(targetRevisions({ dir, environment: 'local', service: 'orders-api' }, deps())).rejects.toMatchObject({ code: 'DOCKER_UNAVAILABLE' });
    expect(target.closed).toBe(2);
  });
});

describe('target rollback', () => {
  it('rolls one service back to its previous revision and records it before and after', async () => {
    await target.apply([unit('orders-api', 'v1')]);
    await target.apply([unit('orders-api', 'v2')]);
    const result = await targetRollback({ dir, environment: 'local', service: 'orders-api' }, deps());
    expect(result).toEqual({ environment: 'local', service: 'orders-api', from: '2', to: '1', current: '3' });
    expect((await target.status(['orders-api']))[0]).toMatchObject({ image: 'shop/orders-api:v1', revision: '3' });
    expect(rollbackEvents()).toEqual([
      { name: 'target.rollback.started', payload: expect.objectContaining({ environment: 'local', service: 'orders-api', toRevision: null }) },
      { name: 'target.rollback.finished', payload: expect.objectContaining({ ok: true, from: '2', to: '1', current: '3' }) },
    ]);
  });

  it('passes the asked revision on, and records a refused rollback with its error code', async () => {
    await target.apply([unit('orders-api', 'v1')]);
    const error = await targetRollback({ dir, environment: 'local', service: 'orders-api', toRevision: '7' }, deps()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ROLLBACK_REFUSED', message: expect.stringContaining('unknown revision 7') });
    expect(target.calls.at(-1)).toMatchObject({ method: 'rollback', services: ['orders-api'], toRevision: '7' });
    expect(rollbackEvents().at(-1)).toEqual({
      name: 'target.rollback.finished',
      payload: expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'ROLLBACK_REFUSED' }) }),
    });
    expect(target.closed).toBe(1);
  });
});
