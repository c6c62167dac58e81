// electron/core/release/reconcile.ts case by case (the mutation run's survivors): every mark of the
// journal, each reason classify gives, what ran before read back from the apply intent, and the
// services of an environment the release had not planned yet (its skipped ones left out).
import { describe, expect, it } from 'vitest';
import { classify, journalMark, reconcile } from '../../../../electron/core/release/reconcile.js';
import type { ServiceStatus } from '../../../../electron/core/ports/deploy-target.js';
import type { StepRecord } from '../../../../electron/core/ports/run-store.js';
import type { LiveRevision, ReleaseReport } from '../../../../shared/release-report.js';

let id = 0;
function step(kind: string, target: string, ok: boolean | null, detail: StepRecord['detail'] = {}): StepRecord {
  return { id: ++id, runId: 'r', stageId: null, kind, target, detail, startedAt: 't', finishedAt: ok === null ? null : 't', ok, result: null };
}
const OLD: LiveRevision = { revision: '1', image: 'shop/a:old', state: 'ready' };
const MISSING: LiveRevision = { revision: null, image: null, state: 'missing' };
const live = (image: string | null, state: LiveRevision['state'] = 'ready'): LiveRevision => ({ revision: '7', image, state });

describe('journalMark, every mark', () => {
  it('reads a rollback or removal without a result as intent-only, a failed one as apply-failed, a removal as removed', () => {
    const steps = [
      step('target.rollback', 'e/a', null),
      step('target.remove', 'e/b', false),
      step('target.remove', 'e/c', true),
      step('target.rollback', 'e/d', true),
      step('target.apply', 'e/f', true), step('target.remove', 'e/f', null),
    ];
    expect(['e/a', 'e/b', 'e/c', 'e/d', 'e/f'].map((w) => journalMark(steps, w))).toEqual(['intent-only', 'apply-failed', 'removed', 'rolled-back', 'intent-only']);
  });
});

describe('classify, each reason', () => {
  it('says why', () => {
    expect(classify('shop/a:new', OLD, null, 'applied')).toEqual({ state: 'unknown', why: 'the target could not be read' });
    expect(classify('shop/a:new', OLD, live('shop/a:new'), 'applied')).toEqual({ state: 'applied-healthy', why: 'shop/a:new is live and ready' });
    expect(classify('shop/a:new', OLD, live('shop/a:new', 'progressing'), 'applied')).toEqual({ state: 'applied-not-ready', why: 'shop/a:new is live but progressing' });
    expect(classify('shop/a:new', OLD, live('shop/a:old'), 'rolled-back')).toEqual({ state: 'not-started', why: 'back as it was before the release (rolled back)' });
    expect(classify('shop/a:new', OLD, live('shop/a:old'), 'removed')).toEqual({ state: 'not-started', why: 'back as it was before the release (rolled back)' });
    expect(classify('shop/a:new', OLD, live('shop/a:old'), 'none')).toEqual({ state: 'not-started', why: 'not reached' });
    expect(classify('shop/a:new', OLD, live('shop/a:old'), 'apply-failed')).toEqual({ state: 'not-started', why: 'as it was before the release: the apply did not take effect' });
    expect(classify(null, null, live('shop/a:x'), 'none')).toEqual({ state: 'not-started', why: 'not reached (no image built yet)' });
    expect(classify('shop/a:new', null, live('shop/a:x'), 'none')).toEqual({ state: 'not-started', why: 'not reached' });
    expect(classify('shop/a:new', OLD, live('shop/a:x', 'failed'), 'applied')).toEqual({ state: 'unknown', why: "runs shop/a:x (failed), neither the release's image nor what ran before" });
    expect(classify('shop/a:new', OLD, MISSING, 'applied')).toEqual({ state: 'unknown', why: "runs nothing (missing), neither the release's image nor what ran before" });
  });

  it('does not count the release image as applied when the service is missing, nor a null image as the release', () => {
    expect(classify('shop/a:new', OLD, { revision: null, image: 'shop/a:new', state: 'missing' }, 'applied').state).toBe('unknown');
    expect(classify(null, OLD, MISSING, 'applied').state).toBe('unknown');
    expect(classify(null, OLD, { revision: '3', image: null, state: 'ready' }, 'applied').state).toBe('unknown');
  });

  it('takes "as before" literally: absent before means absent now; an image before means that image, not missing', () => {
    // absent before: a missing service, or one without an image, is as before; one running an image is not.
    expect(classify('shop/a:new', MISSING, { revision: '3', image: null, state: 'ready' }, 'intent-only').state).toBe('not-started');
    expect(classify('shop/a:new', MISSING, { revision: null, image: 'shop/a:x', state: 'missing' }, 'intent-only').state).toBe('not-started');
    expect(classify('shop/a:new', MISSING, live('shop/a:x'), 'intent-only').state).toBe('unknown');
    // the old image before: the same image, reported missing, is not as before.
    expect(classify('shop/a:new', OLD, { revision: null, image: 'shop/a:old', state: 'missing' }, 'intent-only').state).toBe('unknown');
    expect(classify('shop/a:new', null, live('shop/a:old'), 'intent-only').state).toBe('unknown');
  });
});

describe('reconcile, what ran before and unplanned environments', () => {
  const status = (rows: Record<string, LiveRevision>) => async (_env: string, services: string[]): Promise<ServiceStatus[]> =>
    services.filter((s) => rows[s]).map((service) => ({ service, ...rows[service]!, message: '', url: null }));

  it('reads what ran before from the first apply intent of that object, ignoring other rows and malformed ones', async () => {
    const report = {
      id: 'rel', images: [], services: ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
      environments: [{ name: 'dev', skipped: [], services: ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((service) => ({ service, wave: 0, image: `shop/${service}:new`, before: null })) }],
    } as unknown as ReleaseReport;
    const steps = [
      step('target.rollback', 'dev/a', true, { before: { revision: '0', image: 'shop/a:wrong', state: 'ready' } }),
      step('target.apply', 'dev/x', true, { before: { revision: '0', image: 'shop/x:wrong', state: 'ready' } }),
      step('target.apply', 'dev/a', true, { before: { revision: '1', image: 'shop/a:old', state: 'ready' } }),
      step('target.apply', 'dev/a', true, { before: { revision: '2', image: 'shop/a:later', state: 'ready' } }),
      step('target.apply', 'dev/b', true, { before: { revision: 5, image: 7 } }),
      step('target.apply', 'dev/c', true, { before: ['shop/c:old'] }),
      step('target.apply', 'dev/d', true, ['shop/d:old'] as unknown as StepRecord['detail']),
      step('target.apply', 'dev/e', true, { before: 'shop/e:old' }),
      step('target.apply', 'dev/f', true, null),
      step('target.apply', 'dev/g', true, 'shop/g:old'),
    ];
    const objects = await reconcile({ report, steps, status: status({}) });
    expect(objects.map((o) => o.before)).toEqual([
      { revision: '1', image: 'shop/a:old', state: 'ready' },
      { revision: null, image: null, state: 'missing' },
      null, null, null, null, null,
    ]);
  });

  it('lists the services of an unplanned environment without its skipped ones, with the release images', async () => {
    const report = {
      id: 'rel', images: [{ service: 'a', image: 'shop/a:new' }], services: ['a', 'b', 'c'],
      environments: [
        { name: 'prod', skipped: [{ service: 'c', reason: 'unchanged' }], services: [] },
        { name: 'empty', skipped: [{ service: 'a' }, { service: 'b' }, { service: 'c' }], services: [] },
      ],
    } as unknown as ReleaseReport;
    let reads = 0;
    const objects = await reconcile({ report, steps: [], status: async (env, services) => { reads++; return status({ a: live('shop/a:new') })(env, services); } });
    expect(objects.map((o) => [o.environment, o.service, o.wave, o.image, o.live, o.state, o.message])).toEqual([
      ['prod', 'a', null, 'shop/a:new', live('shop/a:new'), 'applied-healthy', 'prod/a: shop/a:new is live and ready'],
      ['prod', 'b', null, null, MISSING, 'not-started', 'prod/b: not reached (no image built yet)'],
    ]);
    expect(reads).toBe(1);
  });

  it('makes intended objects unknown when the target cannot read single objects', async () => {
    const report = { id: 'rel', images: [], services: ['a'], environments: [{ name: 'dev', skipped: [], services: [{ service: 'a', wave: 0, image: 'shop/a:new', before: OLD }] }] } as unknown as ReleaseReport;
    const steps = [step('target.applyObject', 'dev/a', null, { object: 'Service ns/a', apiVersion: 'v1', kind: 'Service', namespace: 'ns', name: 'a', before: null })];
    const [o] = await reconcile({ report, steps, status: status({ a: OLD }) });
    expect(o!.resources.map((r) => [r.state, r.message])).toEqual([['unknown', 'dev/a Service ns/a: could not be read: the target cannot read single objects']]);
  });
});
