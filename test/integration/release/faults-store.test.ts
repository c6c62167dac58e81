// The fault matrix's store row (issue 13, item 5): the store's disk fills during a release. The
// release records into a real SQLite store through a wrapper that, from a chosen write on, fails
// every write with the error the SQLite adapter gives for a real SQLITE_FULL (a genuine one, made on
// a capped scratch database — store-full.test.ts shows the adapter on a capped store of its own).
// The release must stop at that write: nothing is applied after it (checked on the Kubernetes API
// test server's request log), no rollback runs (it could not be recorded), and the error says what
// had changed and how to undo it; every object is then as the error says.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeTarget } from '../../../electron/adapters/kube/kube-target.js';
import { toStoreError } from '../../../electron/adapters/sqlite/open-database.js';
import type { HistoryStore } from '../../../electron/core/ports/history-store.js';
import { type EngineWorld, SERVICES, release, snapshot } from '../../support/release-world.js';
import { REAL, ROOT, startCluster, type TestCluster } from '../kube/cluster.js';
import { NamedImages, idOf, openFaultStore, type FaultStore } from './fault-support.js';

const WRITES = new Set(['createRun', 'finishRun', 'startStage', 'finishStage', 'recordIntent', 'recordResult', 'appendEvent']);

/** A real SQLITE_FULL from better-sqlite3: a scratch database capped at its size, asked for more. */
function realDiskFull(): unknown {
  const db = new Database(':memory:');
  try {
    db.exec('CREATE TABLE t (b BLOB)');
    db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true }))}`);
    db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(64 * 1024));
  } catch (err) {
    return err;
  } finally {
    db.close();
  }
  throw new Error('the capped scratch database took the write');
}

/** The store, whose writes all fail as a full disk's do once `fullFrom` says the disk has filled. */
function fillingStore(store: HistoryStore, fullFrom: (method: string, args: unknown[]) => boolean): { store: HistoryStore; filledAt: () => number | null } {
  const full = toStoreError(realDiskFull(), path.join('(test store)', 'convoy.db'), 'write', 'record a step');
  let filled: number | null = null;
  let writes = 0;
  const wrapped = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || !WRITES.has(String(property))) return typeof value === 'function' ? value.bind(target) : value;
      return (...args: unknown[]) => {
        writes++;
        if (filled === null && fullFrom(String(property), args)) filled = writes;
        if (filled !== null) throw full;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: wrapped, filledAt: () => filled };
}

let cluster: TestCluster;
let faults: FaultStore;
beforeAll(async () => {
  cluster = await startCluster('convoy-faults-store');
  faults = openFaultStore('convoy-faults-store');
});
afterAll(async () => {
  await cluster?.close();
  faults?.close();
});

function world(ns: string): { world: EngineWorld; target: ReturnType<typeof createKubeTarget> } {
  const target = createKubeTarget({ environment: 'local', context: cluster.context, namespace: ns, createNamespace: true, kubeconfigPath: cluster.kubeconfig, pollIntervalMs: 50, retry: { attempts: 4, baseDelayMs: 100 }, sleep: async () => {} });
  return {
    target,
    world: {
      builder: new NamedImages(),
      images: { imageId: async (ref) => idOf(ref) },
      lock: faults.lock,
      ports: { local: target, staging: target },
      recorders: [],
      manifestsDir: (service) => path.join(ROOT, 'examples/shop/services', service, 'deploy'),
    },
  };
}

const imageOf = (ns: string, service: string) =>
  (cluster.server!.get('deployments', ns, service) as { spec: { template: { spec: { containers: Array<{ image: string }> } } } } | undefined)?.spec.template.spec.containers[0]?.image ?? null;

/** Writes that reached the API server (dry runs and reads left out). */
const appliedSince = (from: number) => cluster.server!.requests.slice(from).filter((r) => r.method !== 'GET' && !r.query.includes('dryRun'));

describe.skipIf(REAL)('fault matrix: the store fills up during a release', () => {
  it('STORE_FULL at the intent of wave 2: the release stops there, nothing is applied after it and nothing is rolled back', async () => {
    const ns = `${cluster.namespace}-mid`;
    const { world: w, target } = world(ns);
    const first = await release(w, { id: 'store-v1', version: 'v1', to: 'local', recorder: faults.recorder('store-v1') }).done;
    expect(first.state).toBe('succeeded');

    let requestsAtFull = 0;
    const filling = fillingStore(faults.store, (method, args) => {
      const hit = method === 'recordIntent' && (args[0] as { kind: string; target: string }).kind === 'target.apply' && (args[0] as { target: string }).target === 'local/storefront';
      if (hit) requestsAtFull = cluster.server!.requests.length;
      return hit;
    });
    const report = await release(w, { id: 'store-v2', version: 'v2', to: 'local', recorder: faults.recorder('store-v2', filling.store) }).done;

    expect(filling.filledAt()).not.toBeNull();
    expect(report.state).toBe('failed');
    expect(report.cause?.code).toBe('STORE_FULL');
    expect(report.cause?.message).toContain('Convoy could not write its database at (test store)/convoy.db: the disk is full');
    expect(report.cause?.message).toContain(
      'The release stopped in local at the first write the store refused: nothing was applied after it, and nothing was rolled back (a rollback could not be recorded either); ' +
        'applied and ready before it: catalog-api, orders-api; stopped: storefront. Once the store can be written, roll back with convoy undo store-v2 --env local.',
    );
    expect(report.environments[0]!.services.map((s) => [s.service, s.outcome, s.error?.code ?? null])).toEqual([
      ['catalog-api', 'ready', null],
      ['orders-api', 'ready', null],
      ['storefront', 'failed', 'STORE_FULL'],
    ]);
    expect(report.environments[0]!.rollbacks).toEqual([]);
    // Nothing reached the cluster after the refused write: no apply, no rollback patch, no delete.
    expect(appliedSince(requestsAtFull)).toEqual([]);

    // The store holds everything up to the refused write and nothing after it: wave 1 done, no storefront intent.
    const steps = faults.steps('store-v2').filter((s) => s.kind.startsWith('target.') && s.kind !== 'target.applyObject');
    // Per object inside each apply (issue 13): every object of wave 1 written with its result, none of storefront's.
    const objectSteps = faults.steps('store-v2').filter((s) => s.kind === 'target.applyObject');
    expect(objectSteps.length).toBeGreaterThan(0);
    expect(objectSteps.filter((s) => s.target === 'local/storefront' || s.ok !== true)).toEqual([]);
    expect([...new Set(objectSteps.map((s) => s.target))].sort()).toEqual(['local/catalog-api', 'local/orders-api']);
    expect(steps.map((s) => [s.kind, s.target, s.ok]).sort()).toEqual([
      ['target.apply', 'local/catalog-api', true],
      ['target.apply', 'local/orders-api', true],
      ['target.waitReady', 'local/catalog-api', true],
      ['target.waitReady', 'local/orders-api', true],
    ]);
    expect(faults.store.getRun('store-v2')?.status).toBe('running');

    // Every object as the error says: wave 1 on v2 and ready, storefront untouched on v1.
    expect(Object.fromEntries(SERVICES.map((s) => [s, imageOf(ns, s)]))).toEqual({ 'catalog-api': 'shop/catalog-api:v2', 'orders-api': 'shop/orders-api:v2', storefront: 'shop/storefront:v1' });
    expect((await snapshot(target)).map((s) => s.state)).toEqual(['ready', 'ready', 'ready']);
  });

  it('STORE_FULL when the release starts: nothing is applied at all', async () => {
    const ns = `${cluster.namespace}-start`;
    const { world: w } = world(ns);
    const from = cluster.server!.requests.length;
    const filling = fillingStore(faults.store, (method) => method === 'createRun');
    const error = await release(w, { id: 'store-v0', version: 'v1', to: 'local', recorder: faults.recorder('store-v0', filling.store) }).done.catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STORE_FULL', message: expect.stringContaining('the disk is full') });
    expect(appliedSince(from)).toEqual([]);
    expect(cluster.server!.get('namespaces', null, ns)).toBeUndefined();
    expect(faults.store.getRun('store-v0')).toBeNull();
  });
});
