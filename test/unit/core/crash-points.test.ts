// The crash test's kill points (electron/adapters/system/crash-points.ts): ignored unless set; otherwise
// the process "dies" right after the n-th matching row is written — after the row, never before it.
import { describe, expect, it } from 'vitest';
import { parseCrashPoint, withCrashPoint } from '../../../electron/adapters/system/crash-points.js';
import { MemoryStore } from '../../fakes/store.js';

describe('crash points', () => {
  it('parses <point>#<n> and ignores an empty value', () => {
    expect(parseCrashPoint(undefined)).toBeNull();
    expect(parseCrashPoint('')).toBeNull();
    expect(parseCrashPoint('intent:target.apply@local/a#2')).toEqual({ point: 'intent:target.apply@local/a', occurrence: 2 });
    expect(parseCrashPoint('stage:local:waves')).toEqual({ point: 'stage:local:waves', occurrence: 1 });
    expect(parseCrashPoint('x#0')).toBeNull();
  });

  it('is the store itself when unset', () => {
    const store = new MemoryStore();
    expect(withCrashPoint(store, undefined)).toBe(store);
  });

  it('dies after the n-th matching intent, with the row written', () => {
    const store = new MemoryStore();
    const died: number[] = [];
    const crashing = withCrashPoint(store, 'intent:target.apply#2', () => died.push(store.listSteps('r').length));
    crashing.createRun({ id: 'r', kind: 'release', workspace: '/w', base: null, head: null });
    const first = crashing.recordIntent({ runId: 'r', kind: 'target.apply', target: 'e/a', detail: null });
    crashing.recordResult(first, { ok: true, detail: null });
    expect(died).toEqual([]);
    crashing.recordIntent({ runId: 'r', kind: 'target.apply', target: 'e/b', detail: null });
    expect(died).toEqual([2]);
  });

  it('matches results by kind and target, stages by name, events by name', () => {
    const store = new MemoryStore();
    const hits: string[] = [];
    const at = (point: string) => withCrashPoint(store, point, () => hits.push(point));
    store.createRun({ id: 'r', kind: 'release', workspace: '/w', base: null, head: null });
    const result = at('result:target.apply@e/a');
    result.recordResult(result.recordIntent({ runId: 'r', kind: 'target.apply', target: 'e/a', detail: null }), { ok: true, detail: null });
    const stage = at('stage-end:e:waves');
    stage.finishStage(stage.startStage({ runId: 'r', name: 'e:waves' }).id, 'succeeded');
    at('event:release.input').appendEvent('r', 'release.input', { input: {} });
    expect(hits).toEqual(['result:target.apply@e/a', 'stage-end:e:waves', 'event:release.input']);
  });
});
