// Reconcile (electron/core/release/reconcile.ts): each object the interrupted release meant to change is
// classified from its journal and what runs now — not started (no intent, or an intent whose apply did
// not take effect, or undone), applied and healthy, applied and not ready, or unknown (unreadable target,
// or something that is neither the release's image nor what ran before). Environments the release had
// not planned yet list its services with no wave and no "before".
import { describe, expect, it } from 'vitest';
import { classify, journalMark, reconcile } from '../../../../electron/core/release/reconcile.js';
import type { StepRecord } from '../../../../electron/core/ports/run-store.js';
import type { ReleaseReport } from '../../../../shared/release-report.js';
import { ConvoyError } from '../../../../shared/errors.js';

let id = 0;
function step(kind: string, target: string, ok: boolean | null, detail: StepRecord['detail'] = {}): StepRecord {
  return { id: ++id, runId: 'r', stageId: null, kind, target, detail, startedAt: 't', finishedAt: ok === null ? null : 't', ok, result: null };
}

const OLD = { revision: '1', image: 'shop/a:old', state: 'ready' as const };

describe('classify', () => {
  it.each([
    ['shop/a:new', OLD, { revision: '2', image: 'shop/a:new', state: 'ready' }, 'applied', 'applied-healthy'],
    ['shop/a:new', OLD, { revision: '2', image: 'shop/a:new', state: 'progressing' }, 'intent-only', 'applied-not-ready'],
    ['shop/a:new', OLD, OLD, 'intent-only', 'not-started'],
    ['shop/a:new', OLD, OLD, 'none', 'not-started'],
    ['shop/a:new', OLD, { revision: '3', image: 'shop/a:old', state: 'ready' }, 'rolled-back', 'not-started'],
    ['shop/a:new', { revision: null, image: null, state: 'missing' }, { revision: null, image: null, state: 'missing' }, 'removed', 'not-started'],
    ['shop/a:new', OLD, { revision: '9', image: 'shop/a:other', state: 'ready' }, 'applied', 'unknown'],
    ['shop/a:new', OLD, null, 'applied', 'unknown'],
  ] as const)('%s over %j, live %j, journal %s → %s', (image, before, live, journal, state) => {
    expect(classify(image, before, live, journal).state).toBe(state);
  });
});

describe('journalMark', () => {
  it('reads the last apply, rollback or removal of the object', () => {
    const steps = [step('target.apply', 'e/a', true), step('target.waitReady', 'e/a', null), step('target.apply', 'e/b', null), step('target.apply', 'e/c', true), step('target.rollback', 'e/c', true), step('target.apply', 'e/d', false)];
    expect(['e/a', 'e/b', 'e/c', 'e/d', 'e/x'].map((w) => journalMark(steps, w))).toEqual(['applied', 'intent-only', 'rolled-back', 'apply-failed', 'none']);
  });
});

describe('reconcile', () => {
  const report = {
    images: [{ service: 'a', image: 'shop/a:new' }, { service: 'b', image: 'shop/b:new' }],
    services: ['a', 'b'],
    environments: [
      { name: 'dev', skipped: [], services: [
        { service: 'a', wave: 0, image: 'shop/a:new', before: OLD },
        { service: 'b', wave: 1, image: 'shop/b:new', before: { revision: null, image: null, state: 'missing' } },
      ] },
      { name: 'prod', skipped: [], services: [] },
    ],
  } as unknown as ReleaseReport;

  it('classifies per object, with the environment it could not read as unknown', async () => {
    const steps = [step('target.apply', 'dev/a', true, { before: OLD }), step('target.apply', 'dev/b', null)];
    const objects = await reconcile({
      report,
      steps,
      status: async (env, services) => {
        if (env === 'prod') throw new ConvoyError('KUBE_UNREACHABLE', 'prod cluster unreachable');
        return services.map((service) => (service === 'a' ? { service, revision: '2', image: 'shop/a:new', state: 'ready' as const, message: '', url: null } : { service, revision: null, image: null, state: 'missing' as const, message: '', url: null }));
      },
    });
    expect(objects.map((o) => [o.environment, o.service, o.wave, o.journal, o.state])).toEqual([
      ['dev', 'a', 0, 'applied', 'applied-healthy'],
      ['dev', 'b', 1, 'intent-only', 'not-started'],
      ['prod', 'a', null, 'none', 'unknown'],
      ['prod', 'b', null, 'none', 'unknown'],
    ]);
    expect(objects[3]!.message).toContain('prod cluster unreachable');
  });
});
