// electron/core/release/reconcile-objects.ts case by case (the mutation run's survivors): which journal
// rows make an intended object, and each branch of classifyResource with its state and its reason.
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../../electron/core/ports/json.js';
import type { LiveObject, ObjectVersion } from '../../../../electron/core/ports/deploy-target.js';
import type { StepRecord } from '../../../../electron/core/ports/run-store.js';
import { OBJECT_STEP } from '../../../../electron/core/release/object-journal.js';
import { classifyResource, intendedObjects, reconcileResources, type IntendedObject } from '../../../../electron/core/release/reconcile-objects.js';

const ver = (resourceVersion: string | null, release: string | null, exists = true): ObjectVersion => ({ exists, resourceVersion, generation: exists ? 1 : null, release });
const j = (v: ObjectVersion | null) => v as unknown as JsonValue;
const detail = (over: Record<string, JsonValue> = {}): JsonValue => ({ object: 'Deployment ns/a', apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'ns', name: 'a', before: j(ver('5', 'old')), ...over });
let n = 0;
const row = (over: Partial<StepRecord>): StepRecord => ({
  id: ++n, runId: 'rel', stageId: null, kind: OBJECT_STEP, target: 'dev/a', detail: detail(), startedAt: 't', finishedAt: 't', ok: true,
  result: { object: 'Deployment ns/a', action: 'configured', after: j(ver('9', 'rel')) }, ...over,
} as StepRecord);
const ref = { service: 'a', apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'ns', name: 'a', object: 'Deployment ns/a' };
const intended = (over: Partial<IntendedObject>): IntendedObject => ({ ref, journal: 'applied', before: ver('5', 'old'), written: ver('9', 'rel'), ...over });
const live = (now: ObjectVersion | null, ready = true, message = 'rollout stuck'): LiveObject => ({ ...ref, now, ready, message });

describe('intendedObjects', () => {
  it('skips rows of another kind or another service, and rows whose detail lacks the object, apiVersion, kind or name', () => {
    const rows = [
      row({ kind: 'target.apply' }),
      row({ target: 'dev/b' }),
      row({ detail: null }),
      row({ detail: 'Deployment ns/a' }),
      row({ detail: detail({ object: 7 }) }),
      row({ detail: detail({ object: '' }) }),
      row({ detail: detail({ apiVersion: null }) }),
      row({ detail: detail({ kind: null }) }),
      row({ detail: detail({ name: null }) }),
    ];
    expect(intendedObjects(rows, 'dev/a', 'a')).toEqual([]);
  });

  it('reads the journal state of the last row, the first row\'s before, and the last written version', () => {
    const applied = row({});
    const failedRetry = row({ ok: false, result: { message: 'conflict' }, detail: detail({ before: j(ver('9', 'rel')) }) });
    expect(intendedObjects([applied, failedRetry], 'dev/a', 'a')).toEqual([
      { ref, journal: 'apply-failed', before: ver('5', 'old'), written: ver('9', 'rel') },
    ]);
    expect(intendedObjects([row({ ok: null, finishedAt: null, result: null })], 'dev/a', 'a')).toEqual([
      { ref, journal: 'intent-only', before: ver('5', 'old'), written: null },
    ]);
    expect(intendedObjects([row({})], 'dev/a', 'a')).toEqual([{ ref, journal: 'applied', before: ver('5', 'old'), written: ver('9', 'rel') }]);
  });

  it('keeps only a string namespace and survives a successful row without a result', () => {
    const [o] = intendedObjects([row({ detail: detail({ namespace: 5 }), result: null })], 'dev/a', 'a');
    expect(o).toEqual({ ref: { ...ref, namespace: null }, journal: 'applied', before: ver('5', 'old'), written: null });
  });
});

describe('classifyResource', () => {
  it('is unknown when the object could not be read, saying why when the reader said', () => {
    expect(classifyResource('rel', intended({}), null)).toEqual({ state: 'unknown', why: 'could not be read' });
    expect(classifyResource('rel', intended({}), live(null, false, 'forbidden'))).toEqual({ state: 'unknown', why: 'could not be read: forbidden' });
  });

  it('is applied when it carries this release, healthy only when ready', () => {
    expect(classifyResource('rel', intended({}), live(ver('12', 'rel')))).toEqual({ state: 'applied-healthy', why: 'carries this release and is ready' });
    expect(classifyResource('rel', intended({}), live(ver('12', 'rel'), false))).toEqual({ state: 'applied-not-ready', why: 'carries this release but is not ready: rollout stuck' });
  });

  it('is applied when unmarked but exactly as this release\'s recorded write left it', () => {
    expect(classifyResource('rel', intended({ written: ver('9', null) }), live(ver('9', null)))).toEqual({ state: 'applied-healthy', why: "as this release's write left it (resourceVersion 9) and ready" });
    expect(classifyResource('rel', intended({ written: ver('9', null) }), live(ver('9', null), false))).toEqual({ state: 'applied-not-ready', why: "as this release's write left it but not ready: rollout stuck" });
  });

  it('does not take an equal resourceVersion as applied unless the last row applied it and it existed', () => {
    const now = live(ver('9', 'other'));
    const changed = { state: 'unknown', why: 'changed since before the release, but not by it (carries other)' };
    expect(classifyResource('rel', intended({ journal: 'apply-failed', written: ver('9', null) }), now)).toEqual(changed);
    expect(classifyResource('rel', intended({ written: null }), now)).toEqual(changed);
    expect(classifyResource('rel', intended({ written: ver('9', null, false) }), now)).toEqual(changed);
    expect(classifyResource('rel', intended({ written: ver(null, null) }), live(ver(null, 'other')))).toEqual(changed);
    expect(classifyResource('rel', intended({ written: ver('8', null) }), now)).toEqual(changed);
  });

  it('is not started when absent as before, unchanged since before, or carrying the earlier release again', () => {
    expect(classifyResource('rel', intended({ before: ver(null, null, false), written: null }), live(ver(null, null, false)))).toEqual({ state: 'not-started', why: 'absent, as before the release' });
    expect(classifyResource('rel', intended({ written: null }), live(ver('5', 'old')))).toEqual({ state: 'not-started', why: 'unchanged since before the release (resourceVersion 5)' });
    expect(classifyResource('rel', intended({ written: null }), live(ver('7', 'old')))).toEqual({ state: 'not-started', why: 'carries old again, as before the release' });
  });

  it('is unknown when it changed since before the release, or disappeared', () => {
    // absent before, present now, not ours.
    expect(classifyResource('rel', intended({ before: ver(null, null, false), written: null }), live(ver('5', null)))).toEqual({ state: 'unknown', why: 'changed since before the release, but not by it (carries no release)' });
    // no before recorded at all.
    expect(classifyResource('rel', intended({ before: null, written: null }), live(ver('5', 'old')))).toEqual({ state: 'unknown', why: 'changed since before the release, but not by it (carries old)' });
    // before had no resourceVersion and no release: nothing proves it unchanged.
    expect(classifyResource('rel', intended({ before: ver(null, null), written: null }), live(ver(null, null)))).toEqual({ state: 'unknown', why: 'changed since before the release, but not by it (carries no release)' });
    expect(classifyResource('rel', intended({ written: null }), live(ver(null, null, false)))).toEqual({ state: 'unknown', why: 'does not exist, though it did before the release' });
    expect(classifyResource('rel', intended({ before: null, written: null }), live(ver(null, null, false)))).toEqual({ state: 'unknown', why: 'does not exist, though it did before the release' });
  });
});

describe('reconcileResources', () => {
  it('does not call the reader when there is nothing to read', async () => {
    let calls = 0;
    expect(await reconcileResources('rel', 'dev/a', [], () => { calls++; return Promise.resolve([]); })).toEqual([]);
    expect(calls).toBe(0);
  });
});
