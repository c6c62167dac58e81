// The Kubernetes target journals each object it writes (issue 13): through ApplyOptions.objects it
// brackets every single object's write with the journal's intent (the version read just before) and
// result (action, version after); `done` lets a resumed release skip an object; `objects()` reads each
// intended object back with its readiness. On the API test server (or the cluster CONVOY_TEST_KUBE names).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeTarget } from '../../../electron/adapters/kube/kube-target.js';
import type { DeployTargetPort, ObjectJournal, ObjectRef, ObjectWrite, ObjectWritten } from '../../../electron/core/ports/deploy-target.js';
import { exampleUnit, IMAGE_V1, IMAGE_V2, REAL, startCluster, targetConfig, type TestCluster } from './cluster.js';

let cluster: TestCluster;
let target: DeployTargetPort;
const DEADLINE = REAL ? 180_000 : 20_000;

beforeAll(async () => {
  cluster = await startCluster('convoy-obj');
  target = createKubeTarget(targetConfig(cluster));
});

afterAll(async () => {
  await target?.close?.();
  await cluster?.close();
});

/** A journal that records the order of events: intent, write, result, per object. */
function recording(skip: (w: ObjectWrite) => string | null = () => null) {
  const events: string[] = [];
  const writes: Array<{ write: ObjectWrite; written: ObjectWritten }> = [];
  const journal: ObjectJournal = {
    done: skip,
    async write(write, apply) {
      events.push(`intent ${write.object}`);
      const written = await apply();
      events.push(`result ${write.object} ${written.action}`);
      writes.push({ write, written });
      return written;
    },
  };
  return { journal, events, writes };
}

const refsOf = (writes: Array<{ write: ObjectWrite }>): ObjectRef[] => writes.map(({ write: { before: _b, ...ref } }) => ref);

describe.sequential('per-object journal of the Kubernetes target', () => {
  it('writes each object between its own intent and result, with its version before and after', async () => {
    const ns = cluster.namespace;
    const rec = recording();
    await target.apply([exampleUnit('orders-api', IMAGE_V1, 'rel-1')], { objects: rec.journal });
    expect(rec.events).toEqual([
      `intent Namespace ${ns}`, `result Namespace ${ns} created`,
      `intent Service ${ns}/orders-api`, `result Service ${ns}/orders-api created`,
      `intent Deployment ${ns}/orders-api`, `result Deployment ${ns}/orders-api created`,
    ]);
    for (const { write, written } of rec.writes) {
      expect(write.before.exists, write.object).toBe(false);
      expect(written.after.exists).toBe(true);
    }
    const deployment = rec.writes[2]!;
    expect(deployment.write).toMatchObject({ service: 'orders-api', apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'orders-api' });
    expect(deployment.written.after.release).toBe('rel-1');
    if (cluster.server) {
      const live = cluster.server.get('deployments', ns, 'orders-api') as { metadata: { resourceVersion: string; generation: number } };
      // The controller writes status after the apply, so the live resourceVersion may have moved on; the spec's generation has not.
      expect(Number(deployment.written.after.resourceVersion)).toBeLessThanOrEqual(Number(live.metadata.resourceVersion));
      expect(deployment.written.after.generation).toBe(live.metadata.generation);
    }
    await target.waitReady([exampleUnit('orders-api', IMAGE_V1, 'rel-1')], { deadlineMs: DEADLINE });
    const live = await target.objects!(refsOf(rec.writes));
    expect(live.map((l) => [l.object, l.now?.generation, l.now?.release, l.ready])).toEqual(
      rec.writes.map(({ write, written }) => [write.object, written.after.generation, write.kind === 'Namespace' ? null : 'rel-1', true]),
    );
  });

  it('skips an object the journal says is done, and writes the rest with their version before', async () => {
    const ns = cluster.namespace;
    const before = cluster.server?.requests.length ?? 0;
    const rec = recording((w) => (w.kind === 'Service' ? 'done before the crash' : null));
    const progress: string[] = [];
    const result = await target.apply([exampleUnit('orders-api', IMAGE_V2, 'rel-2')], { objects: rec.journal, progress: (m) => progress.push(m) });
    expect(rec.events).toEqual([`intent Namespace ${ns}`, `result Namespace ${ns} unchanged`, `intent Deployment ${ns}/orders-api`, `result Deployment ${ns}/orders-api configured`]);
    expect(result.objects.find((o) => o.object === `Service ${ns}/orders-api`)?.action).toBe('unchanged');
    expect(progress).toContain(`Service ${ns}/orders-api: done before the crash`);
    const deployment = rec.writes[1]!;
    expect(deployment.write.before).toMatchObject({ exists: true, release: 'rel-1' });
    expect(deployment.written.after.release).toBe('rel-2');
    if (cluster.server) {
      const patched = cluster.server.requests.slice(before).filter((r) => r.method === 'PATCH' && r.path.includes('/services/'));
      expect(patched).toEqual([]);
    }
    const [, service, dep] = await target.objects!(refsOf([{ write: { ...rec.writes[0]!.write } }, { write: { ...deployment.write, kind: 'Service', apiVersion: 'v1', object: `Service ${ns}/orders-api` } }, deployment]));
    expect(service!.now?.release).toBe('rel-1');
    expect(dep!.now?.release).toBe('rel-2');
  });

  it('reads an object that is not there as absent, and one it cannot read as unreadable', async () => {
    const ref: ObjectRef = { service: 'x', apiVersion: 'v1', kind: 'ConfigMap', namespace: cluster.namespace, name: 'never-made', object: `ConfigMap ${cluster.namespace}/never-made` };
    const [absent] = await target.objects!([ref]);
    expect(absent).toMatchObject({ now: { exists: false }, ready: false });
  });
});
