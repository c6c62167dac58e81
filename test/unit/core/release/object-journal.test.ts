// electron/core/release/object-journal.ts on its own: when resume may skip an object (done), how a
// journal row's version is read back (versionFromJson), and which rows count as an object's last
// successful write (writtenObjects). Rows are built by hand: what a damaged or foreign row holds.
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../../electron/core/ports/json.js';
import type { ObjectVersion, ObjectWrite } from '../../../../electron/core/ports/deploy-target.js';
import type { StepRecord } from '../../../../electron/core/ports/run-store.js';
import { OBJECT_STEP, objectJournal, objectKey, versionFromJson, writtenObjects } from '../../../../electron/core/release/object-journal.js';

const ver = (resourceVersion: string | null, generation: number | null, release: string | null, exists = true): ObjectVersion => ({ exists, resourceVersion, generation, release });
const noStep = { step: () => Promise.reject(new Error('not used')) };
const write = (before: ObjectVersion): ObjectWrite => ({ service: 'a', apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'ns', name: 'a', object: 'Deployment ns/a', before });
const recorded = (v: ObjectVersion) => new Map([[objectKey('dev/a', 'Deployment ns/a'), v]]);

let n = 0;
const row = (over: Partial<StepRecord>): StepRecord => ({
  id: ++n, runId: 'rel', stageId: null, kind: OBJECT_STEP, target: 'dev/a', detail: null, startedAt: 't', finishedAt: 't', ok: true,
  result: { object: 'Deployment ns/a', action: 'configured', after: ver('9', 2, 'rel') as unknown as JsonValue }, ...over,
} as StepRecord);

describe('objectJournal done()', () => {
  it('writes everything when it was given no earlier writes', () => {
    expect(objectJournal(noStep, 'dev/a').done!(write(ver('9', 2, 'rel')))).toBeNull();
  });

  it('skips on an equal resourceVersion, and writes when the resourceVersion moved and the spec is not provably the same', () => {
    const j = objectJournal(noStep, 'dev/a', recorded(ver('9', 2, 'rel')));
    expect(j.done!(write(ver('9', 2, 'rel')))).toMatch(/unchanged since \(resourceVersion 9\)/);
    // resourceVersion and generation both moved: someone changed the spec.
    expect(j.done!(write(ver('10', 3, 'rel')))).toBeNull();
    // same generation but another release's pod template.
    expect(j.done!(write(ver('10', 2, 'other')))).toBeNull();
  });

  it('skips on the same generation and release when only the status moved the resourceVersion', () => {
    const j = objectJournal(noStep, 'dev/a', recorded(ver('9', 2, 'rel')));
    expect(j.done!(write(ver('10', 2, 'rel')))).toMatch(/spec unchanged since \(generation 2\)/);
  });

  it('does not trust a generation match when the recorded write carried no release (or no generation)', () => {
    expect(objectJournal(noStep, 'dev/a', recorded(ver('9', 2, null))).done!(write(ver('10', 2, null)))).toBeNull();
    expect(objectJournal(noStep, 'dev/a', recorded(ver('9', null, 'rel'))).done!(write(ver('10', null, 'rel')))).toBeNull();
  });

  it('writes when the recorded version had no resourceVersion, even if the live one has none either', () => {
    expect(objectJournal(noStep, 'dev/a', recorded(ver(null, null, null))).done!(write(ver(null, null, null)))).toBeNull();
  });
});

describe('versionFromJson', () => {
  it('is null for anything that is not an object with a boolean exists', () => {
    expect(versionFromJson(null)).toBeNull();
    expect(versionFromJson(undefined)).toBeNull();
    expect(versionFromJson({ exists: 'yes', resourceVersion: '1' })).toBeNull();
    expect(versionFromJson({ resourceVersion: '1' })).toBeNull();
  });

  it('keeps only fields of the right type', () => {
    expect(versionFromJson({ exists: true, resourceVersion: 5, generation: '2', release: 7 })).toEqual(ver(null, null, null));
    expect(versionFromJson({ exists: false, resourceVersion: '5', generation: 2, release: 'r' })).toEqual(ver('5', 2, 'r', false));
  });
});

describe('writtenObjects', () => {
  it('counts only successful object-write rows whose result names the object and holds a version', () => {
    const steps = [
      row({ ok: false }),
      row({ ok: null, finishedAt: null, result: null }),
      row({ kind: 'target.apply' }),
      row({ result: null }),
      row({ result: { object: 7, after: ver('9', 2, 'rel') as unknown as JsonValue } }),
      row({ result: { object: 'Deployment ns/a', after: null } }),
      row({ result: { object: 'Deployment ns/a', after: { exists: 'yes' } } }),
    ];
    expect(writtenObjects(steps)).toEqual(new Map());
    expect(writtenObjects([...steps, row({})])).toEqual(new Map([[objectKey('dev/a', 'Deployment ns/a'), ver('9', 2, 'rel')]]));
  });
});
