// Per-object journal rows and their reconcile (electron/core/release/object-journal.ts,
// reconcile-objects.ts): a target's write of one object sits between its own intent and result rows;
// reconcile reads each intended object and says not started / applied and healthy / applied and not
// ready / unknown from the live object alone, and resume skips an object only while it is exactly what
// this release's write left.
import { describe, expect, it } from 'vitest';
import { createJournal } from '../../../../electron/core/journal.js';
import type { LiveObject, ObjectVersion, ObjectWrite } from '../../../../electron/core/ports/deploy-target.js';
import { OBJECT_STEP, objectJournal, objectKey, writtenObjects } from '../../../../electron/core/release/object-journal.js';
import { classifyResource, intendedObjects, reconcileResources } from '../../../../electron/core/release/reconcile-objects.js';
import { reconcile } from '../../../../electron/core/release/reconcile.js';
import type { ReleaseReport } from '../../../../shared/release-report.js';
import { createMemoryStore } from '../../../fakes/store.js';

const v = (resourceVersion: string | null, release: string | null, exists = true): ObjectVersion => ({ exists, resourceVersion, generation: exists ? 1 : null, release });
const ABSENT = v(null, null, false);
const ref = (kind: string) => ({ service: 'a', apiVersion: kind === 'Deployment' ? 'apps/v1' : 'v1', kind, namespace: 'ns', name: 'a', object: `${kind} ns/a` });

function journalOver(store: ReturnType<typeof createMemoryStore>) {
  const run = store.createRun({ id: 'rel', kind: 'release', workspace: '/w', environment: 'dev', base: null, head: null });
  const journal = createJournal({ store, runId: run.id, redact: (s) => s });
  return { run, stage: { step: <T>(spec: Parameters<typeof journal.step>[0], effect: () => Promise<T>, result?: (value: T) => import('../../../../electron/core/ports/json.js').JsonValue) => journal.step(spec, effect, result ? (value) => ({ ok: true, detail: result(value) }) : undefined) } };
}

describe('objectJournal', () => {
  it('writes one intent (object, version before) before the write and one result (action, version after) after it', async () => {
    const store = createMemoryStore();
    const { run, stage } = journalOver(store);
    const j = objectJournal(stage, 'dev/a');
    const write: ObjectWrite = { ...ref('Service'), before: v('5', 'old') };
    let openDuringWrite = -1;
    await j.write(write, async () => {
      openDuringWrite = store.listSteps(run.id).filter((s) => s.finishedAt === null).length;
      return { action: 'configured', after: v('9', 'rel') };
    });
    const [row] = store.listSteps(run.id);
    expect(openDuringWrite).toBe(1);
    expect(row).toMatchObject({ kind: OBJECT_STEP, target: 'dev/a', ok: true, detail: { object: 'Service ns/a', kind: 'Service', namespace: 'ns', name: 'a', before: v('5', 'old') }, result: { object: 'Service ns/a', action: 'configured', after: v('9', 'rel') } });
    expect(writtenObjects(store.listSteps(run.id))).toEqual(new Map([[objectKey('dev/a', 'Service ns/a'), v('9', 'rel')]]));
  });

  it('skips on resume only an object whose live resourceVersion is the one the result recorded', () => {
    const j = objectJournal({ step: () => Promise.reject(new Error('not called')) }, 'dev/a', new Map([[objectKey('dev/a', 'Service ns/a'), v('9', 'rel')]]));
    expect(j.done!({ ...ref('Service'), before: v('9', 'rel') })).toContain('unchanged since (resourceVersion 9)');
    expect(j.done!({ ...ref('Service'), before: { exists: true, resourceVersion: '10', generation: 2, release: 'rel' } })).toBeNull();
    expect(j.done!({ ...ref('Service'), before: ABSENT })).toBeNull();
    expect(j.done!({ ...ref('Deployment'), before: v('9', 'rel') })).toBeNull();
    // A workload whose status moved its resourceVersion on: same generation and release mark → spec unchanged.
    const k = objectJournal({ step: () => Promise.reject(new Error('not called')) }, 'dev/a', new Map([[objectKey('dev/a', 'Deployment ns/a'), { exists: true, resourceVersion: '9', generation: 2, release: 'rel' }]]));
    expect(k.done!({ ...ref('Deployment'), before: { exists: true, resourceVersion: '14', generation: 2, release: 'rel' } })).toContain('spec unchanged since (generation 2)');
    expect(k.done!({ ...ref('Deployment'), before: { exists: true, resourceVersion: '15', generation: 3, release: 'rel' } })).toBeNull();
    expect(k.done!({ ...ref('Deployment'), before: { exists: true, resourceVersion: '15', generation: 2, release: 'other' } })).toBeNull();
  });
});

describe('classifyResource', () => {
  const intended = (before: ObjectVersion | null) => ({ ref: ref('Deployment'), journal: 'intent-only' as const, before, written: null });
  const live = (now: ObjectVersion | null, ready = true): LiveObject => ({ object: 'Deployment ns/a', now, ready, message: ready ? 'rolled out' : '0 of 1 updated replicas available' });
  it.each([
    ['carries the release, ready', 'applied-healthy', v('5', 'old'), live(v('9', 'rel'))],
    ['carries the release, not ready', 'applied-not-ready', v('5', 'old'), live(v('9', 'rel'), false)],
    ['same resourceVersion as before', 'not-started', v('5', 'old'), live(v('5', 'old'))],
    ['absent as before', 'not-started', ABSENT, live(ABSENT, false)],
    ['back on the release that ran before (a rollback)', 'not-started', v('5', 'old'), live(v('12', 'old'))],
    ['changed by someone else', 'unknown', v('5', 'old'), live(v('12', 'other'))],
    ['gone though it was there', 'unknown', v('5', 'old'), live(ABSENT, false)],
    ['unreadable', 'unknown', v('5', 'old'), live(null, false)],
  ] as const)('%s → %s', (_what, state, before, now) => {
    expect(classifyResource('rel', intended(before), now).state).toBe(state);
  });

  it('counts an unmarked object (a namespace) applied while it is as the recorded write left it', () => {
    const ns = { ref: ref('Namespace'), journal: 'applied' as const, before: v('3', null), written: v('3', null) };
    expect(classifyResource('rel', ns, live(v('3', null))).state).toBe('applied-healthy');
    expect(classifyResource('rel', { ...ns, journal: 'intent-only', written: null }, live(v('3', null))).state).toBe('not-started');
    expect(classifyResource('rel', ns, live(v('4', null))).state).toBe('unknown');
  });
});

describe('reconcile per object', () => {
  const report = { id: 'rel', images: [{ service: 'a', image: 'shop/a:new' }], services: ['a'], environments: [{ name: 'dev', skipped: [], services: [{ service: 'a', wave: 0, image: 'shop/a:new', before: { revision: '1', image: 'shop/a:old', state: 'ready' } }] }] } as unknown as ReleaseReport;

  it('nests each intended object under its service, in intent order, with its own journal mark and live version', async () => {
    const store = createMemoryStore();
    const { run, stage } = journalOver(store);
    const j = objectJournal(stage, 'dev/a');
    await j.write({ ...ref('Service'), before: v('5', 'old') }, async () => ({ action: 'configured', after: v('9', 'rel') }));
    // Killed between the Deployment's intent and its result: an intent with no result.
    store.recordIntent({ runId: run.id, stageId: null, kind: OBJECT_STEP, target: 'dev/a', detail: { object: 'Deployment ns/a', apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'ns', name: 'a', before: { ...v('6', 'old') } } });
    const steps = store.listSteps(run.id);
    expect(intendedObjects(steps, 'dev/a', 'a').map((i) => [i.ref.object, i.journal])).toEqual([['Service ns/a', 'applied'], ['Deployment ns/a', 'intent-only']]);
    const asked: string[][] = [];
    const objects = await reconcile({
      report,
      steps,
      status: async () => [{ service: 'a', revision: '1', image: 'shop/a:old', state: 'ready', message: '', url: null }],
      objects: async (_env, refs) => {
        asked.push(refs.map((r) => r.object));
        return [live('Service ns/a', v('9', 'rel')), live('Deployment ns/a', v('6', 'old'))];
      },
    });
    expect(asked).toEqual([['Service ns/a', 'Deployment ns/a']]);
    expect(objects[0]!.resources.map((r) => [r.object, r.journal, r.state, r.live?.resourceVersion])).toEqual([
      ['Service ns/a', 'applied', 'applied-healthy', '9'],
      ['Deployment ns/a', 'intent-only', 'not-started', '6'],
    ]);
    expect(objects[0]!.resources[1]!.message).toBe('dev/a Deployment ns/a: unchanged since before the release (resourceVersion 6)');
  });

  it('says unknown for every object when the target cannot read them', async () => {
    const intended = [{ ref: ref('Service'), journal: 'applied' as const, before: v('5', 'old'), written: v('9', 'rel') }];
    const [r] = await reconcileResources('rel', 'dev/a', intended, () => Promise.reject(new Error('cluster unreachable')));
    expect([r!.state, r!.message]).toEqual(['unknown', 'dev/a Service ns/a: could not be read: cluster unreachable']);
  });
});

function live(object: string, now: ObjectVersion): LiveObject {
  return { object, now, ready: true, message: 'ready' };
}
