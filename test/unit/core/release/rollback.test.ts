// rollbackServices (electron/core/release/rollback.ts) on its own, over a scripted target: what counts
// as "already there", what it journals, how it checks the result, and when it removes a service
// instead. The mutation run (docs/mutation.md) left these unpinned by the engine's tests.
import { describe, expect, it } from 'vitest';
import type { DeployTargetPort, DeployUnit } from '../../../../electron/core/ports/deploy-target.js';
import type { JsonValue } from '../../../../electron/core/ports/json.js';
import { type RollbackItem, rollbackServices } from '../../../../electron/core/release/rollback.js';
import type { StageJournal } from '../../../../electron/core/release/run-ports.js';
import { ConvoyError } from '../../../../shared/errors.js';
import type { RollbackEntry } from '../../../../shared/release-report.js';

type Live = { state: 'missing' | 'progressing' | 'ready' | 'failed'; revision: string | null; image: string | null };

/** A target whose status answers are scripted per call; it records what it was asked to do. */
function scriptedTarget(answers: Array<Live | null>, failures: { rollback?: Error; remove?: Error; status?: Error } = {}, removed = ['Deployment shop/orders-api']) {
  const calls: string[] = [];
  const target = {
    kind: 'kubernetes',
    environment: 'staging',
    async status(services: string[]) {
      if (failures.status && calls.some((c) => c.startsWith('rollback') || c.startsWith('remove'))) throw failures.status;
      const live = answers.shift();
      calls.push('status');
      return live ? [{ service: services[0]!, message: '', ...live }] : [];
    },
    async rollback(service: string, to?: string, options?: { runId?: string }) {
      calls.push(`rollback ${service} to ${to} in ${options?.runId}`);
      if (failures.rollback) throw failures.rollback;
      return { service, from: '2', to: to!, current: to! };
    },
    async waitReady(units: DeployUnit[], options: { deadlineMs: number }) {
      calls.push(`waitReady ${units.map((u) => `${u.service}=${u.image}`).join(',')} within ${options.deadlineMs}`);
      return [];
    },
    async remove(service: string, options?: { runId?: string }) {
      calls.push(`remove ${service} in ${options?.runId}`);
      if (failures.remove) throw failures.remove;
      return { service, removed };
    },
  } as unknown as DeployTargetPort;
  return { target, calls };
}

function recordingJournal() {
  const steps: Array<{ kind: string; target: string; detail: JsonValue; result: JsonValue | undefined }> = [];
  const journal: StageJournal = {
    async step(spec, effect, result) {
      const value = await effect();
      steps.push({ kind: spec.kind, target: spec.target, detail: spec.detail as JsonValue, result: result?.(value) });
      return value;
    },
    buildRecorder: () => {
      throw new Error('not used');
    },
    finish: () => {},
  };
  return { journal, steps };
}

const BEFORE: Live = { state: 'ready', revision: '1', image: 'shop/orders-api:v1' };
const item = (before: Live = BEFORE): RollbackItem => ({ service: 'orders-api', before });

async function roll(target: DeployTargetPort, journal: StageJournal, items: RollbackItem[]) {
  const seen: RollbackEntry[] = [];
  const entries = await rollbackServices(items, {
    target,
    journal,
    unit: (service, image) => ({ service, image, releaseId: 'rel-1' }) as DeployUnit,
    deadlineMs: 5_000,
    redact: (line) => line.replaceAll('s3cret', '***'),
    runId: 'rel-1',
    onEntry: (entry) => seen.push(entry),
  });
  expect(seen).toEqual(entries);
  return entries;
}

describe('rollbackServices', () => {
  it('rolls back to the revision before, waits for it, journals both steps and reports it back and ready', async () => {
    const { target, calls } = scriptedTarget([{ state: 'ready', revision: '2', image: 'shop/orders-api:v2' }, BEFORE]);
    const { journal, steps } = recordingJournal();
    const [entry] = await roll(target, journal, [item()]);
    expect(calls).toEqual(['status', 'rollback orders-api to 1 in rel-1', 'waitReady orders-api=shop/orders-api:v1 within 5000', 'status']);
    expect(steps).toEqual([
      { kind: 'target.rollback', target: 'staging/orders-api', detail: { from: '2', to: '1', image: 'shop/orders-api:v1' }, result: { from: '2', to: '1', current: '1' } },
      { kind: 'target.waitReady', target: 'staging/orders-api', detail: { image: 'shop/orders-api:v1', deadlineMs: 5_000 }, result: { ready: true } },
    ]);
    expect(entry).toEqual({ service: 'orders-api', to: BEFORE, outcome: 'rolled-back', after: BEFORE, message: 'staging/orders-api: back on shop/orders-api:v1 (revision 1), ready' });
  });

  it('leaves a service alone only when the same revision and image are live and ready', async () => {
    const ready = scriptedTarget([BEFORE]);
    const [already] = await roll(ready.target, recordingJournal().journal, [item()]);
    expect(already).toMatchObject({ outcome: 'already-there', message: 'staging/orders-api: revision 1 (shop/orders-api:v1) is live already' });
    expect(ready.calls).toEqual(['status']);

    for (const now of [
      { ...BEFORE, state: 'failed' as const },
      { ...BEFORE, revision: '3' },
      { ...BEFORE, image: 'shop/orders-api:v3' },
    ]) {
      const { target, calls } = scriptedTarget([now, BEFORE]);
      const [entry] = await roll(target, recordingJournal().journal, [item()]);
      expect(entry!.outcome).toBe('rolled-back');
      expect(calls).toContain('rollback orders-api to 1 in rel-1');
    }
  });

  it('reports a failure when, after the rollback, the service runs another image or is not ready', async () => {
    const otherImage = scriptedTarget([{ state: 'ready', revision: '2', image: 'shop/orders-api:v2' }, { state: 'ready', revision: '2', image: 'shop/orders-api:v2' }]);
    const [wrong] = await roll(otherImage.target, recordingJournal().journal, [item()]);
    expect(wrong).toMatchObject({ outcome: 'failed', message: 'staging/orders-api: after the rollback it runs shop/orders-api:v2 (ready), not shop/orders-api:v1' });

    const notReady = scriptedTarget([{ state: 'ready', revision: '2', image: 'shop/orders-api:v2' }, { state: 'progressing', revision: null, image: 'shop/orders-api:v1' }]);
    const [waiting] = await roll(notReady.target, recordingJournal().journal, [item()]);
    expect(waiting).toMatchObject({ outcome: 'failed', message: 'staging/orders-api: after the rollback it runs shop/orders-api:v1 (progressing), not shop/orders-api:v1' });

    const gone = scriptedTarget([{ state: 'ready', revision: '2', image: 'shop/orders-api:v2' }, null]);
    const [missing] = await roll(gone.target, recordingJournal().journal, [item()]);
    expect(missing).toMatchObject({ outcome: 'failed', after: { state: 'missing', revision: null, image: null }, message: 'staging/orders-api: after the rollback it runs nothing (missing), not shop/orders-api:v1' });
  });

  it('says "?" for a revision the target does not report after a good rollback', async () => {
    const { target } = scriptedTarget([{ state: 'failed', revision: '2', image: 'shop/orders-api:v2' }, { state: 'ready', revision: null, image: 'shop/orders-api:v1' }]);
    const [entry] = await roll(target, recordingJournal().journal, [item()]);
    expect(entry!.message).toBe('staging/orders-api: back on shop/orders-api:v1 (revision ?), ready');
  });

  it('a failed rollback is reported with its code, redacted, and what runs now', async () => {
    const { target } = scriptedTarget([{ state: 'failed', revision: '2', image: 'shop/orders-api:v2' }, { state: 'failed', revision: '2', image: 'shop/orders-api:v2' }], {
      rollback: new ConvoyError('KUBE_UNREACHABLE', 'token s3cret refused'),
    });
    const [entry] = await roll(target, recordingJournal().journal, [item()]);
    expect(entry).toEqual({
      service: 'orders-api',
      to: BEFORE,
      outcome: 'failed',
      after: { state: 'failed', revision: '2', image: 'shop/orders-api:v2' },
      message: 'staging/orders-api: rollback failed: token *** refused [KUBE_UNREACHABLE]',
    });
  });

  it('removes a service that did not run there before (no revision or no image), and checks it is gone', async () => {
    for (const before of [
      { state: 'missing' as const, revision: null, image: null },
      { state: 'ready' as const, revision: '1', image: null },
      { state: 'ready' as const, revision: null, image: 'shop/orders-api:v1' },
    ]) {
      const { target, calls } = scriptedTarget([null]);
      const { journal, steps } = recordingJournal();
      const [entry] = await roll(target, journal, [item(before)]);
      expect(calls).toEqual(['remove orders-api in rel-1', 'status']);
      expect(steps).toEqual([{ kind: 'target.remove', target: 'staging/orders-api', detail: {}, result: { removed: ['Deployment shop/orders-api'] } }]);
      expect(entry).toEqual({
        service: 'orders-api',
        to: before,
        outcome: 'removed',
        after: { state: 'missing', revision: null, image: null },
        message: 'staging/orders-api: it did not run there before this release; removed Deployment shop/orders-api',
      });
    }
  });

  it('a removal that leaves the service running, or that fails, is a failure', async () => {
    const none = { state: 'missing' as const, revision: null, image: null };
    const still = scriptedTarget([{ state: 'ready', revision: '2', image: 'shop/orders-api:v2' }]);
    const [left] = await roll(still.target, recordingJournal().journal, [item(none)]);
    expect(left).toMatchObject({ outcome: 'failed', message: 'staging/orders-api: after removing it, it still reads as ready (shop/orders-api:v2)' });

    const halfway = scriptedTarget([{ state: 'progressing', revision: null, image: null }]);
    const [pending] = await roll(halfway.target, recordingJournal().journal, [item(none)]);
    expect(pending!.message).toBe('staging/orders-api: after removing it, it still reads as progressing (no image)');

    const failing = scriptedTarget([], { remove: new ConvoyError('KUBE_UNREACHABLE', 'api s3cret down'), status: new Error('unreachable') });
    const [failed] = await roll(failing.target, recordingJournal().journal, [item(none)]);
    expect(failed).toEqual({
      service: 'orders-api',
      to: none,
      outcome: 'failed',
      after: null,
      message: 'staging/orders-api: removing it (it did not run there before this release) failed: api *** down [KUBE_UNREACHABLE]',
    });
  });

  it('says so when a removal finds nothing left, and keeps a null "after" when the target cannot be read after a failed rollback', async () => {
    const none = { state: 'missing' as const, revision: null, image: null };
    const two = scriptedTarget([null], {}, ['Deployment shop/orders-api', 'Service shop/orders-api']);
    const [both] = await roll(two.target, recordingJournal().journal, [item(none)]);
    expect(both!.message).toBe('staging/orders-api: it did not run there before this release; removed Deployment shop/orders-api, Service shop/orders-api');
    const empty = scriptedTarget([null], {}, []);
    const [removed] = await roll(empty.target, recordingJournal().journal, [item(none)]);
    expect(removed!.message).toBe('staging/orders-api: it did not run there before this release; nothing was left to remove');

    const dark = scriptedTarget([{ state: 'failed', revision: '2', image: 'shop/orders-api:v2' }], { rollback: new ConvoyError('KUBE_UNREACHABLE', 'refused'), status: new Error('unreachable') });
    const [failed] = await roll(dark.target, recordingJournal().journal, [item()]);
    expect(failed).toMatchObject({ outcome: 'failed', after: null, message: 'staging/orders-api: rollback failed: refused [KUBE_UNREACHABLE]' });
  });

  it('works without an onEntry listener', async () => {
    const { target } = scriptedTarget([BEFORE]);
    const entries = await rollbackServices([item()], { target, journal: recordingJournal().journal, unit: (service, image) => ({ service, image }) as DeployUnit, deadlineMs: 1, redact: (l) => l, runId: 'r' });
    expect(entries.map((e) => e.outcome)).toEqual(['already-there']);
  });
});
